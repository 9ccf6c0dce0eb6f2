// Classifies a failed TLS server handshake (node:tls tlsClientError) for counters and log lines, and handles it
// the same way for every TLS listener: count, one rate-limited line per peer, close.
import type { Socket } from 'node:net';
import type { Logger } from '../log';
import { peerLog } from '../log-limit';
import { normaliseAddress } from '../inputs/resolve';

export type HandshakeFailureKind = 'notTls' | 'timeout' | 'other';
export type HandshakeFailures = Record<HandshakeFailureKind, number>;

/**
 * OpenSSL's record layer rejects bytes that are no TLS record with these: plain syslog ("<13>…", an octet count)
 * and most garbage read as a record with a wrong version; HTTP is recognised by name.
 */
const NOT_TLS = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_HTTP_REQUEST', 'ERR_SSL_HTTPS_PROXY_REQUEST', 'ERR_SSL_UNKNOWN_PROTOCOL', 'ERR_SSL_PACKET_LENGTH_TOO_LONG']);

export function tlsFailureKind(err: Error): HandshakeFailureKind {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (NOT_TLS.has(code)) return 'notTls';
  if (code === 'ERR_TLS_HANDSHAKE_TIMEOUT' || /timed? ?out/i.test(err.message)) return 'timeout';
  return 'other';
}

/**
 * tlsClientError of a listener: count by kind, log (non-TLS bytes: one LW_WARN_PROTOCOL_MISMATCH per peer and
 * window with `mismatch` as the text; others: LW_TLS_HANDSHAKE_FAILED notices, rate-limited), close the socket.
 */
export function onHandshakeFailure(err: Error, socket: Socket, failures: HandshakeFailures, log: Logger, input: string, mismatch: string): void {
  const ip = normaliseAddress(socket.remoteAddress);
  const kind = tlsFailureKind(err);
  failures[kind]++;
  const fields = { input, peer: `${ip}:${socket.remotePort}`, error: err.message };
  if (kind === 'notTls') peerLog(log).warn('LW_WARN_PROTOCOL_MISMATCH', ip, mismatch, fields, 1);
  else peerLog(log).notice('LW_TLS_HANDSHAKE_FAILED', ip, 'TLS handshake failed', fields);
  socket.destroy();
}

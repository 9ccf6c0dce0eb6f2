// Classifies a failed TLS server handshake (node:tls tlsClientError) for counters and log lines.

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

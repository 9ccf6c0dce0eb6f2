// Counters an input keeps about its connections (the pipeline counts messages and bytes itself, per batch, in
// the Runtime's sink): sessions opened, refusals and TLS handshake failures by reason. Plain fields, bumped on
// the rare path (a connection, a refusal), read at scrape time.

export interface InputMetrics {
  /** Connections open now (stream inputs), undefined for datagram inputs. */
  sessionsOpen?: number;
  sessionsOpened: number;
  refused: Readonly<Record<string, number>>;
  tlsFailed: Readonly<Record<string, number>>;
  truncated: number;
  /** Bound UDP sockets, for the kernel drop counters. */
  udpSockets?: Array<{ address: string; port: number; family: 4 | 6 }>;
}

export class InputCounters {
  sessionsOpened = 0;
  truncated = 0;
  readonly refused: Record<string, number> = {};
  readonly tlsFailed: Record<string, number> = {};

  refuse(reason: string, n = 1): void {
    this.refused[reason] = (this.refused[reason] ?? 0) + n;
  }

  tlsFailure(err: Error): void {
    const reason = tlsFailureReason(err);
    this.tlsFailed[reason] = (this.tlsFailed[reason] ?? 0) + 1;
  }

  metrics(sessionsOpen?: number, extraRefused?: Record<string, number>): InputMetrics {
    const refused = { ...this.refused };
    for (const [k, v] of Object.entries(extraRefused ?? {})) if (v > 0) refused[k] = (refused[k] ?? 0) + v;
    return { sessionsOpen, sessionsOpened: this.sessionsOpened, refused, tlsFailed: { ...this.tlsFailed }, truncated: this.truncated };
  }
}

/** A small, fixed set of reasons (label cardinality) from the OpenSSL error a handshake failed with. */
export function tlsFailureReason(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const text = `${code} ${err.message}`;
  if (/timed? ?out/i.test(text)) return 'timeout';
  if (/WRONG_VERSION_NUMBER|HTTP_REQUEST|UNKNOWN_PROTOCOL|WRONG_SSL_VERSION|PACKET_LENGTH_TOO_LONG|record layer failure/i.test(text)) return 'not_tls';
  if (/UNSUPPORTED_PROTOCOL|VERSION_TOO_LOW|PROTOCOL_VERSION/i.test(text)) return 'protocol_version';
  if (/NO_SHARED_CIPHER|NO_CIPHERS|NO_SHARED_GROUP|HANDSHAKE_FAILURE/i.test(text)) return 'no_shared_cipher';
  if (/CERTIFICATE|CERT_|PEER_DID_NOT_RETURN/i.test(text)) return 'bad_certificate';
  if (/ECONNRESET|socket hang up|EPIPE/i.test(text)) return 'reset';
  return 'other';
}

/** A fixed reason label for a TLS peer refusal (src/tls/auth.ts Verdict), by the rule that refused it. */
export function peerRefusalReason(v: { rule: string; reason: string }): string {
  if (v.reason.startsWith('peer sent no certificate')) return 'tls_no_certificate';
  if (v.rule === 'x509/fingerprint') return 'tls_fingerprint_not_permitted';
  if (v.rule === 'x509/name') return 'tls_name_not_permitted';
  if (v.rule.includes('chain/validity')) return 'tls_certificate_invalid';
  if (v.rule === 'TlsVerifyDepth') return 'tls_verify_depth';
  if (v.rule === 'CheckExtendedKeyUsage') return 'tls_extended_key_usage';
  return 'tls_certificate_unreadable';
}

/**
 * The connection gate's refusals and closings (src/inputs/conn-gate.ts) as refusal reasons: refused at accept
 * (max_sessions, max_sessions_per_ip, handshake_rate, fd_budget) or closed to make room or on a timer (evicted,
 * handshake_timeout, idle_timeout).
 */
export function gateReasons(c: { refused: Record<string, number>; closed: Record<string, number> }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of [...Object.entries(c.refused), ...Object.entries(c.closed)]) out[k.replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`).replace('_i_p', '_ip')] = v;
  return out;
}

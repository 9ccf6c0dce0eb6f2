// Peer authorisation for TLS syslog, with rsyslog's rules: anon, x509/certvalid, x509/name (PermittedPeer with
// rsyslog wildcards, SAN before CN) and x509/fingerprint (SHA1:/SHA256: pins).
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { x509 } from '../pki/provider';
import { certNames, fingerprint, type CertNames } from '../pki/inspect';
import type { TlsSettings } from './config';

/** What a verdict looked at, for the refusal log line. */
export interface PeerIdentity extends CertNames { subject: string; sha1: string; sha256: string }

export type Verdict = { ok: true; identity: PeerIdentity | null } | { ok: false; rule: string; reason: string; identity: PeerIdentity | null };

/**
 * rsyslog's PermittedPeer wildcard match (runtime/net.c): the pattern and the name are split into dot-separated
 * labels and compared label by label, so the label counts must be equal — `*.example.net` matches
 * `a.example.net` but not `a.b.example.net` nor `example.net`. Within a label `*` may stand only at the start
 * (`*web` = label ends with "web"), at the end (`web*`), or alone (any label). A pattern without `*` must
 * equal the name. Logwarden compares case-insensitively (DNS names are, RFC 4343); rsyslog uses strcmp.
 */
export function wildcardMatch(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase();
  const n = name.toLowerCase();
  if (!p.includes('*')) return p === n;
  const pl = p.split('.');
  const nl = n.split('.');
  if (pl.length !== nl.length) return false;
  for (let i = 0; i < pl.length; i++) if (!labelMatch(pl[i], nl[i])) return false;
  return true;
}

function labelMatch(pat: string, label: string): boolean {
  if (pat === '*') return true;
  if (pat.startsWith('*')) return label.endsWith(pat.slice(1));
  if (pat.endsWith('*')) return label.startsWith(pat.slice(0, -1));
  return pat === label;
}

/** A PermittedPeer entry is invalid when `*` is in the middle of a label or on both ends (rsyslog refuses it). */
export function invalidWildcard(pattern: string): string | null {
  for (const label of pattern.split('.')) {
    const inner = label.slice(1, -1);
    if (inner.includes('*') || (label.length > 1 && label.startsWith('*') && label.endsWith('*'))) {
      return `"${pattern}": '*' is allowed only at the start or the end of a label`;
    }
  }
  return null;
}

/** Certificate-side wildcard (ossl's X509_check_host): SAN `*.example.net` covers exactly one left-most label. */
function certWildcardCovers(certName: string, host: string): boolean {
  if (!certName.startsWith('*.')) return false;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot + 1).toLowerCase() === certName.slice(2).toLowerCase();
}

export function identityOf(raw: Buffer): PeerIdentity {
  const cert = new x509.X509Certificate(raw);
  return { ...certNames(cert), subject: cert.subject, sha1: fingerprint(raw, 'sha1'), sha256: fingerprint(raw, 'sha256') };
}

/**
 * x509/name: the SAN dNSNames and IP addresses are tried first; the CN is tried when none matched, unless
 * PrioritizeSAN is on and the certificate has a SAN (rsyslog nsd_gtls.c / net_ossl.c). Without PermittedPeer
 * the name must equal `connectHost` (the client side's target), as rsyslog does.
 */
export function nameAllowed(id: CertNames, permitted: string[], opts: { prioritizeSan: boolean; connectHost?: string; certWildcards?: boolean }): boolean {
  const candidates = [...id.dns, ...id.ip];
  const hasSan = candidates.length > 0;
  if (!(opts.prioritizeSan && hasSan)) candidates.push(...id.cn);
  if (permitted.length === 0) {
    const host = opts.connectHost?.toLowerCase();
    return host !== undefined && candidates.some((c) => c.toLowerCase() === host || (opts.certWildcards === true && certWildcardCovers(c, host)));
  }
  for (const peer of permitted) {
    for (const c of candidates) if (wildcardMatch(peer, c)) return true;
    if (opts.certWildcards && !peer.includes('*') && id.dns.some((d) => certWildcardCovers(d, peer))) return true;
  }
  return false;
}

/** x509/fingerprint: the certificate's SHA1 or SHA256 text must equal a PermittedPeer entry (hex case ignored). */
export function fingerprintAllowed(id: PeerIdentity, permitted: string[]): boolean {
  const sha1 = id.sha1.toUpperCase();
  const sha256 = id.sha256.toUpperCase();
  return permitted.some((p) => { const u = p.trim().toUpperCase(); return u === sha1 || u === sha256; });
}

const EKU_SERVER = '1.3.6.1.5.5.7.3.1';
const EKU_CLIENT = '1.3.6.1.5.5.7.3.2';

function ekuOk(raw: Buffer, wantServer: boolean): boolean {
  const ext = new x509.X509Certificate(raw).getExtension(x509.ExtendedKeyUsageExtension);
  if (!ext) return true; // no EKU = any purpose (RFC 5280 §4.2.1.12)
  return ext.usages.map(String).includes(wantServer ? EKU_SERVER : EKU_CLIENT);
}

/** Certificates above the leaf in the verified chain, up to the self-signed root (OpenSSL's verify depth). */
function chainDepth(socket: TLSSocket): number {
  let c = socket.getPeerCertificate(true) as PeerCertificate & { issuerCertificate?: PeerCertificate };
  let depth = 0;
  while (c.issuerCertificate && c.issuerCertificate !== c && depth < MAX_CHAIN) {
    c = c.issuerCertificate as typeof c;
    depth++;
  }
  return depth;
}
const MAX_CHAIN = 16;

/**
 * Decide whether the peer of an established TLS socket may talk to us. The chain and validity dates were
 * checked by OpenSSL during the handshake (rejectUnauthorized is off so that we can log the subject); this
 * reads that result and applies the auth mode's rule. `peerIsServer` is true on the client (omfwd/send) side.
 */
export function authorize(socket: TLSSocket, s: TlsSettings, peerIsServer: boolean, connectHost?: string): Verdict {
  if (s.authMode === 'anon') return { ok: true, identity: null };
  const cert: PeerCertificate = socket.getPeerCertificate();
  if (!cert || !cert.raw) return { ok: false, rule: s.authMode, reason: 'peer sent no certificate', identity: null };
  let id: PeerIdentity;
  try {
    id = identityOf(cert.raw);
  } catch (e) {
    return { ok: false, rule: s.authMode, reason: `unreadable certificate: ${(e as Error).message}`, identity: null };
  }
  if (s.authMode === 'x509/fingerprint') {
    if (fingerprintAllowed(id, s.permittedPeers)) return { ok: true, identity: id };
    return { ok: false, rule: 'x509/fingerprint', reason: `fingerprint ${id.sha256} is not a PermittedPeer`, identity: id };
  }
  if (!socket.authorized) {
    return { ok: false, rule: `${s.authMode} (chain/validity)`, reason: `certificate invalid: ${String(socket.authorizationError)}`, identity: id };
  }
  if (s.verifyDepth !== undefined) {
    const depth = chainDepth(socket);
    if (depth > s.verifyDepth) return { ok: false, rule: 'TlsVerifyDepth', reason: `certificate chain depth ${depth} exceeds ${s.verifyDepth}`, identity: id };
  }
  if (s.checkExtendedKeyUsage && !ekuOk(cert.raw, peerIsServer)) {
    return { ok: false, rule: 'CheckExtendedKeyUsage', reason: `certificate lacks ${peerIsServer ? 'serverAuth' : 'clientAuth'} EKU`, identity: id };
  }
  if (s.authMode === 'x509/certvalid') return { ok: true, identity: id };
  const allowed = nameAllowed(id, s.permittedPeers, { prioritizeSan: s.prioritizeSan, connectHost, certWildcards: s.driver === 'ossl' });
  if (allowed) return { ok: true, identity: id };
  const names = [...id.dns.map((d) => `DNSname: ${d}`), ...id.ip.map((a) => `IPaddress: ${a}`), ...id.cn.map((c) => `CN: ${c}`)].join('; ');
  const wanted = s.permittedPeers.length ? `PermittedPeer ${JSON.stringify(s.permittedPeers)}` : `target host "${connectHost ?? ''}"`;
  return { ok: false, rule: 'x509/name', reason: `peer name not permitted (names: ${names || 'none'}; expected ${wanted})`, identity: id };
}

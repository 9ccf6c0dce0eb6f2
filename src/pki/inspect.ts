// Certificate inspection: rsyslog-style fingerprints and a certtool-like human description (`logwarden pki show`).
import { createHash } from 'node:crypto';
import { x509 } from './provider';

export type FingerprintAlgorithm = 'sha1' | 'sha256';

/**
 * rsyslog's fingerprint text for x509/fingerprint PermittedPeer entries: the algorithm name, then the digest of
 * the DER certificate as upper-case hex pairs joined by ':' ("SHA256:AB:CD:…"), as syslog-transport-tls drafts
 * and rsyslog's genfingerprintstr print it.
 */
export function fingerprint(der: Uint8Array | ArrayBuffer, alg: FingerprintAlgorithm = 'sha256'): string {
  const hex = createHash(alg).update(der instanceof ArrayBuffer ? new Uint8Array(der) : der).digest('hex').toUpperCase();
  return `${alg.toUpperCase()}:${hex.replace(/(..)(?!$)/g, '$1:')}`;
}

/** A function, not a constant: x509 is loaded on first use (provider.ts), not when this module is. */
const keyUsageNames = (): Array<[number, string]> => [
  [x509.KeyUsageFlags.digitalSignature, 'digitalSignature'], [x509.KeyUsageFlags.nonRepudiation, 'nonRepudiation'],
  [x509.KeyUsageFlags.keyEncipherment, 'keyEncipherment'], [x509.KeyUsageFlags.dataEncipherment, 'dataEncipherment'],
  [x509.KeyUsageFlags.keyAgreement, 'keyAgreement'], [x509.KeyUsageFlags.keyCertSign, 'keyCertSign'],
  [x509.KeyUsageFlags.cRLSign, 'cRLSign'], [x509.KeyUsageFlags.encipherOnly, 'encipherOnly'],
  [x509.KeyUsageFlags.decipherOnly, 'decipherOnly'],
];
const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth (TLS WWW server)', '1.3.6.1.5.5.7.3.2': 'clientAuth (TLS WWW client)',
  '1.3.6.1.5.5.7.3.3': 'codeSigning', '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping', '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};

/** The names an x509/name check looks at: SAN dNSNames, SAN IP addresses, and the subject CN(s). */
export interface CertNames { dns: string[]; ip: string[]; cn: string[] }

export function certNames(cert: x509.X509Certificate): CertNames {
  const out: CertNames = { dns: [], ip: [], cn: [] };
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  for (const n of san?.names.items ?? []) {
    if (n.type === 'dns') out.dns.push(n.value);
    else if (n.type === 'ip') out.ip.push(n.value);
  }
  for (const rdn of cert.subjectName.toJSON()) for (const v of rdn.CN ?? []) out.cn.push(v);
  return out;
}

function keyDescription(cert: x509.X509Certificate): string {
  const alg = cert.publicKey.algorithm as { name: string; namedCurve?: string; modulusLength?: number };
  if (alg.name === 'ECDSA' || alg.name === 'ECDH') return `EC/ECDSA ${alg.namedCurve ?? ''}`.trim();
  if (alg.modulusLength) return `RSA ${alg.modulusLength} bits`;
  return alg.name;
}

function sigDescription(cert: x509.X509Certificate): string {
  const a = cert.signatureAlgorithm as { name: string; hash?: { name?: string } | string };
  const hash = typeof a.hash === 'string' ? a.hash : a.hash?.name;
  return hash ? `${a.name} with ${hash}` : a.name;
}

/** A multi-line description of a certificate, in the spirit of `certtool --certificate-info`. */
export function describeCertificate(cert: x509.X509Certificate): string {
  const der = new Uint8Array(cert.rawData);
  const names = certNames(cert);
  const lines = [
    `Subject: ${cert.subject}`,
    `Issuer: ${cert.issuer}`,
    `Serial: ${cert.serialNumber}`,
    `Validity:`,
    `\tNot Before: ${cert.notBefore.toISOString()}`,
    `\tNot After: ${cert.notAfter.toISOString()}`,
    `Public key: ${keyDescription(cert)}`,
    `Signature algorithm: ${sigDescription(cert)}`,
  ];
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  if (bc) lines.push(`Basic Constraints (${bc.critical ? 'critical' : 'not critical'}): CA:${bc.ca ? 'TRUE' : 'FALSE'}${bc.pathLength !== undefined ? `, pathlen:${bc.pathLength}` : ''}`);
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  if (ku) lines.push(`Key Usage (${ku.critical ? 'critical' : 'not critical'}): ${keyUsageNames().filter(([f]) => ku.usages & f).map(([, n]) => n).join(', ')}`);
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  if (eku) lines.push(`Extended Key Usage: ${eku.usages.map((u) => EKU_NAMES[String(u)] ?? String(u)).join(', ')}`);
  if (names.dns.length || names.ip.length) {
    lines.push('Subject Alternative Name:');
    for (const d of names.dns) lines.push(`\tDNSname: ${d}`);
    for (const a of names.ip) lines.push(`\tIPAddress: ${a}`);
  }
  const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski) lines.push(`Subject Key Identifier: ${ski.keyId}`);
  const aki = cert.getExtension(x509.AuthorityKeyIdentifierExtension);
  if (aki?.keyId) lines.push(`Authority Key Identifier: ${aki.keyId}`);
  lines.push(`Fingerprint: ${fingerprint(der, 'sha1')}`, `Fingerprint: ${fingerprint(der, 'sha256')}`);
  return lines.join('\n') + '\n';
}

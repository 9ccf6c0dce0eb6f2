// Certificate authority operations: create a CA, issue server/client certificates, make a request (CSR) and sign
// one. Everything is built with @peculiar/x509 (no hand-written ASN.1); files are PEM.
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { x509 } from './provider';
import { PkiError } from './errors';
import {
  generateKeyPair, loadKeyPair, privateKeyPem, signingAlgorithmOf, writePrivateFile, writePublicFile,
  type KeyAlgorithm, type KeyPair,
} from './keys';

export type CertUsage = 'server' | 'client' | 'both';

const DAY_MS = 86_400_000;
/** Backdate notBefore so peers with a slightly slow clock accept a fresh certificate. */
const CLOCK_SKEW_MS = 5 * 60_000;
export const DEFAULT_CA_DAYS = 3650;
export const DEFAULT_CERT_DAYS = 365;
export const CA_CERT_FILE = 'ca.pem';
export const CA_KEY_FILE = 'ca-key.pem';
const SERIAL_BYTES = 16;
/** id-ce-subjectAltName (RFC 5280 §4.2.1.6). */
const OID_SAN = '2.5.29.17';

export interface Validity { days?: number; notBefore?: Date; notAfter?: Date }

export interface InitCaOptions extends Validity {
  dir: string;
  name?: string;
  keyAlg?: KeyAlgorithm;
  /** Encrypt the CA key (PKCS#8, AES-256-CBC). */
  passphrase?: string;
  overwrite?: boolean;
}

export interface IssueOptions extends Validity {
  name: string;
  dns?: string[];
  ip?: string[];
  usage?: CertUsage;
  keyAlg?: KeyAlgorithm;
  caDir: string;
  caPassphrase?: string;
  outDir: string;
  /** Encrypt the issued key. */
  passphrase?: string;
  overwrite?: boolean;
  /** Base of the output file names (default: derived from `name`). */
  fileName?: string;
}

export interface IssuedFiles { certPath: string; keyPath: string; cert: x509.X509Certificate }

/** A positive random serial (RFC 5280 §4.1.2.2: positive, at most 20 octets). */
function randomSerial(): string {
  const b = randomBytes(SERIAL_BYTES);
  b[0] = (b[0] & 0x7f) | 0x01;
  return b.toString('hex');
}

function validity(v: Validity, defaultDays: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  const notBefore = v.notBefore ?? new Date(now - CLOCK_SKEW_MS);
  const notAfter = v.notAfter ?? new Date(now + (v.days ?? defaultDays) * DAY_MS);
  if (notAfter.getTime() <= notBefore.getTime()) throw new PkiError('LW_ERR_PKI_USAGE', 'validity: notAfter must be after notBefore');
  return { notBefore, notAfter };
}

/** A file-system-safe base name for a certificate named `name`. */
export function fileBase(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_') || 'cert';
}

function sanExtension(dns: string[], ip: string[]): x509.SubjectAlternativeNameExtension | null {
  const names: Array<{ type: 'dns' | 'ip'; value: string }> = [];
  for (const d of dns) names.push({ type: 'dns', value: d });
  for (const a of ip) {
    if (!isIP(a)) throw new PkiError('LW_ERR_PKI_USAGE', `--ip ${a}: not an IPv4 or IPv6 address`);
    names.push({ type: 'ip', value: a });
  }
  return names.length ? new x509.SubjectAlternativeNameExtension(names, false) : null;
}

function ekuFor(usage: CertUsage): x509.ExtendedKeyUsageExtension {
  const list: string[] = [];
  if (usage !== 'client') list.push(x509.ExtendedKeyUsage.serverAuth);
  if (usage !== 'server') list.push(x509.ExtendedKeyUsage.clientAuth);
  return new x509.ExtendedKeyUsageExtension(list, false);
}

// Functions, not constants: x509 is loaded on first use (provider.ts), not when this module is.
const leafKeyUsage = (): number => x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment;
const caKeyUsage = (): number => x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign;

/** Create a CA key and self-signed CA certificate in `dir` (ca.pem, ca-key.pem). */
export async function initCa(o: InitCaOptions): Promise<IssuedFiles> {
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const keys = await generateKeyPair(o.keyAlg ?? 'ec');
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [o.name ?? 'Logwarden CA'] }],
    keys,
    signingAlgorithm: signingAlgorithmOf(keys.privateKey),
    ...validity(o, DEFAULT_CA_DAYS),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(caKeyUsage(), true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const certPath = join(o.dir, CA_CERT_FILE);
  const keyPath = join(o.dir, CA_KEY_FILE);
  writePrivateFile(keyPath, await privateKeyPem(keys.privateKey, o.passphrase), o.overwrite);
  writePublicFile(certPath, cert.toString('pem') + '\n', o.overwrite);
  return { certPath, keyPath, cert };
}

interface LoadedCa { cert: x509.X509Certificate; keys: KeyPair }

/** Load ca.pem + ca-key.pem from `dir`, checking that it is a CA and that key and certificate belong together. */
export async function loadCa(dir: string, passphrase?: string): Promise<LoadedCa> {
  const certPath = join(dir, CA_CERT_FILE);
  const keyPath = join(dir, CA_KEY_FILE);
  const cert = readCertificate(certPath);
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  if (!bc || !bc.ca) throw new PkiError('LW_ERR_PKI_CA', `${certPath}: not a CA certificate (basicConstraints CA:TRUE missing)`);
  let pem: Buffer;
  try { pem = readFileSync(keyPath); } catch (e) { throw new PkiError('LW_ERR_PKI_READ', `${keyPath}: ${(e as Error).message}`); }
  const keys = await loadKeyPair(pem, keyPath, passphrase);
  const certSpki = Buffer.from(cert.publicKey.rawData);
  const keySpki = Buffer.from(await globalThis.crypto.subtle.exportKey('spki', keys.publicKey as unknown as CryptoKeyLike));
  if (!certSpki.equals(keySpki)) throw new PkiError('LW_ERR_PKI_CA', `${keyPath}: key does not match ${certPath}`);
  return { cert, keys };
}
type CryptoKeyLike = Parameters<typeof globalThis.crypto.subtle.exportKey>[1];

/** Parse the first certificate of a PEM (or DER) file. */
export function readCertificate(path: string): x509.X509Certificate {
  let data: Buffer;
  try { data = readFileSync(path); } catch (e) { throw new PkiError('LW_ERR_PKI_READ', `${path}: ${(e as Error).message}`); }
  try {
    const text = data.toString('latin1');
    const m = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text);
    return new x509.X509Certificate(m ? m[0] : data);
  } catch (e) {
    throw new PkiError('LW_ERR_PKI_READ', `${path}: not a certificate: ${(e as Error).message}`);
  }
}

async function leafExtensions(ca: LoadedCa, publicKey: x509.PublicKey | KeyPair['publicKey'], usage: CertUsage,
  san: x509.SubjectAlternativeNameExtension | null): Promise<x509.Extension[]> {
  const caSki = ca.cert.getExtension(x509.SubjectKeyIdentifierExtension);
  const aki = caSki ? new x509.AuthorityKeyIdentifierExtension(caSki.keyId) : await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey);
  const exts: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(leafKeyUsage(), true),
    ekuFor(usage),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
    aki,
  ];
  if (san) exts.push(san);
  return exts;
}

async function signLeaf(ca: LoadedCa, subject: x509.Name | x509.JsonName, publicKey: x509.PublicKey | KeyPair['publicKey'],
  usage: CertUsage, san: x509.SubjectAlternativeNameExtension | null, v: Validity): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject,
    issuer: ca.cert.subjectName,
    publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: signingAlgorithmOf(ca.keys.privateKey),
    ...validity(v, DEFAULT_CERT_DAYS),
    extensions: await leafExtensions(ca, publicKey, usage, san),
  });
}

/** Issue a key + certificate NAME.pem / NAME-key.pem in `outDir`, signed by the CA in `caDir`. */
export async function issueCert(o: IssueOptions): Promise<IssuedFiles> {
  const ca = await loadCa(o.caDir, o.caPassphrase);
  const keys = await generateKeyPair(o.keyAlg ?? 'ec');
  const san = sanExtension(o.dns ?? [], o.ip ?? []);
  const cert = await signLeaf(ca, [{ CN: [o.name] }], keys.publicKey, o.usage ?? 'both', san, o);
  mkdirSync(o.outDir, { recursive: true, mode: 0o700 }); // it holds a private key: owner only when we create it
  const base = fileBase(o.fileName ?? o.name);
  const certPath = join(o.outDir, `${base}.pem`);
  const keyPath = join(o.outDir, `${base}-key.pem`);
  writePrivateFile(keyPath, await privateKeyPem(keys.privateKey, o.passphrase), o.overwrite);
  writePublicFile(certPath, cert.toString('pem') + '\n', o.overwrite);
  return { certPath, keyPath, cert };
}

export interface CsrOptions {
  name: string;
  dns?: string[];
  ip?: string[];
  keyAlg?: KeyAlgorithm;
  keyOut: string;
  out: string;
  passphrase?: string;
  overwrite?: boolean;
}

/** Make a key and a PKCS#10 request carrying the requested SANs (seed-001 flow: the CA owner signs it). */
export async function createCsr(o: CsrOptions): Promise<x509.Pkcs10CertificateRequest> {
  const keys = await generateKeyPair(o.keyAlg ?? 'ec');
  const san = sanExtension(o.dns ?? [], o.ip ?? []);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [o.name] }],
    keys,
    signingAlgorithm: signingAlgorithmOf(keys.privateKey),
    extensions: san ? [san] : [],
  });
  writePrivateFile(o.keyOut, await privateKeyPem(keys.privateKey, o.passphrase), o.overwrite);
  writePublicFile(o.out, csr.toString('pem') + '\n', o.overwrite);
  return csr;
}

export interface SignOptions extends Validity {
  csrPath: string;
  caDir: string;
  caPassphrase?: string;
  out: string;
  usage?: CertUsage;
  /** Extra SANs added by the CA owner. */
  dns?: string[];
  ip?: string[];
  /** Policy: ignore the SANs in the request and use only dns/ip given here. */
  ignoreRequestedSans?: boolean;
  overwrite?: boolean;
}

/** The dNSName and iPAddress SANs a request asks for. */
export function requestedSans(csr: x509.Pkcs10CertificateRequest): { dns: string[]; ip: string[] } {
  const out = { dns: [] as string[], ip: [] as string[] };
  const ext = csr.getExtension(OID_SAN);
  for (const n of ext ? new x509.SubjectAlternativeNameExtension(ext.rawData).names.items : []) {
    if (n.type === 'dns') out.dns.push(n.value);
    else if (n.type === 'ip') out.ip.push(n.value);
  }
  return out;
}

/**
 * Sign a request with the CA. Only the subject, the public key and (unless refused by policy) the requested
 * dNSName/iPAddress SANs are taken from it; every other extension is set by the CA (never CA:TRUE).
 */
export async function signCsr(o: SignOptions): Promise<IssuedFiles> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(readFileSync(o.csrPath, 'latin1'));
  } catch (e) {
    throw new PkiError('LW_ERR_PKI_CSR', `${o.csrPath}: not a certificate request: ${(e as Error).message}`);
  }
  if (!(await csr.verify())) throw new PkiError('LW_ERR_PKI_CSR', `${o.csrPath}: request signature does not verify`);
  const ca = await loadCa(o.caDir, o.caPassphrase);
  const req = o.ignoreRequestedSans ? { dns: [], ip: [] } : requestedSans(csr);
  const dns = [...new Set([...req.dns, ...(o.dns ?? [])])];
  const ip = [...new Set([...req.ip, ...(o.ip ?? [])])];
  const cert = await signLeaf(ca, csr.subjectName, csr.publicKey, o.usage ?? 'both', sanExtension(dns, ip), o);
  writePublicFile(o.out, cert.toString('pem') + '\n', o.overwrite);
  return { certPath: o.out, keyPath: '', cert };
}

// Private keys for the PKI: generate (ECDSA P-256 default, RSA 2048/3072), load from PEM (optionally encrypted
// PKCS#8) and write with mode 0600 regardless of the umask.
import { createPrivateKey, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
import { closeSync, fchmodSync, openSync, writeSync, existsSync } from 'node:fs';
import { subtle } from './provider';
import { PkiError } from './errors';

export type KeyAlgorithm = 'ec' | 'rsa2048' | 'rsa3072';

type CryptoKey = webcrypto.CryptoKey;
export interface KeyPair { privateKey: CryptoKey; publicKey: CryptoKey }

/** A WebCrypto signing algorithm (what @peculiar/x509 expects as signingAlgorithm). */
export type SigningAlgorithm = { name: string; hash?: string; namedCurve?: string };

const RSA_EXPONENT = new Uint8Array([1, 0, 1]);
/** Cipher for encrypted PKCS#8 output; readable by OpenSSL 1.1+/3 and GnuTLS. */
const KEY_CIPHER = 'aes-256-cbc';
const PRIVATE_MODE = 0o600;
const PUBLIC_MODE = 0o644;

const CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };
const CURVE_HASH: Record<string, string> = { 'P-256': 'SHA-256', 'P-384': 'SHA-384', 'P-521': 'SHA-512' };

function genParams(alg: KeyAlgorithm): RsaHashedKeyGenParamsLike | EcKeyGenParamsLike {
  if (alg === 'ec') return { name: 'ECDSA', namedCurve: 'P-256' };
  return { name: 'RSASSA-PKCS1-v1_5', modulusLength: alg === 'rsa2048' ? 2048 : 3072, publicExponent: RSA_EXPONENT, hash: 'SHA-256' };
}
interface RsaHashedKeyGenParamsLike { name: string; modulusLength: number; publicExponent: Uint8Array; hash: string }
interface EcKeyGenParamsLike { name: string; namedCurve: string }

export async function generateKeyPair(alg: KeyAlgorithm = 'ec'): Promise<KeyPair> {
  return (await subtle.generateKey(genParams(alg), true, ['sign', 'verify'])) as KeyPair;
}

/** The signature algorithm a key signs with (SHA-256 for RSA and P-256). */
export function signingAlgorithmOf(key: CryptoKey): SigningAlgorithm {
  const a = key.algorithm as { name: string; namedCurve?: string };
  if (a.name === 'ECDSA') return { name: 'ECDSA', hash: CURVE_HASH[a.namedCurve ?? 'P-256'] ?? 'SHA-256' };
  return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
}

/** PEM text of a private key: plain PKCS#8, or encrypted PKCS#8 when a passphrase is given. */
export async function privateKeyPem(key: CryptoKey, passphrase?: string): Promise<string> {
  const der = Buffer.from(await subtle.exportKey('pkcs8', key));
  const obj = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  if (passphrase === undefined) return obj.export({ format: 'pem', type: 'pkcs8' }) as string;
  return obj.export({ format: 'pem', type: 'pkcs8', cipher: KEY_CIPHER, passphrase }) as string;
}

/** Parse a PEM private key (PKCS#8, PKCS#1, SEC1; encrypted with `passphrase`). `where` names it in errors. */
export function privateKeyObject(pem: string | Buffer, where: string, passphrase?: string): KeyObject {
  const text = typeof pem === 'string' ? pem : pem.toString('latin1');
  if (passphrase === undefined && /ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(text)) {
    throw new PkiError('LW_ERR_PKI_KEY', `${where}: the private key is encrypted and no passphrase was given`);
  }
  try {
    return createPrivateKey({ key: pem, format: 'pem', passphrase });
  } catch (e) {
    const why = (e as Error).message;
    const hint = /passphrase|decrypt|bad decrypt/i.test(why) ? ' (encrypted key: wrong or missing passphrase)' : '';
    throw new PkiError('LW_ERR_PKI_KEY', `${where}: cannot load private key: ${why}${hint}`);
  }
}

/** Load a PEM private key as a WebCrypto signing key plus its public half. */
export async function loadKeyPair(pem: string | Buffer, where: string, passphrase?: string): Promise<KeyPair> {
  const obj = privateKeyObject(pem, where, passphrase);
  const pkcs8 = obj.export({ format: 'der', type: 'pkcs8' });
  const spki = createPublicKeyDer(obj);
  let alg: { name: string; namedCurve?: string; hash?: string };
  if (obj.asymmetricKeyType === 'ec') {
    const curve = CURVES[obj.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!curve) throw new PkiError('LW_ERR_PKI_KEY', `${where}: unsupported EC curve ${obj.asymmetricKeyDetails?.namedCurve}`);
    alg = { name: 'ECDSA', namedCurve: curve };
  } else if (obj.asymmetricKeyType === 'rsa') {
    alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  } else {
    throw new PkiError('LW_ERR_PKI_KEY', `${where}: unsupported key type ${obj.asymmetricKeyType} (use EC or RSA)`);
  }
  const privateKey = await subtle.importKey('pkcs8', pkcs8, alg, true, ['sign']);
  const publicKey = await subtle.importKey('spki', spki, alg, true, ['verify']);
  return { privateKey, publicKey };
}

function createPublicKeyDer(obj: KeyObject): Buffer {
  // A private KeyObject can be exported as its public SPKI through createPublicKey semantics.
  return createPublicKey(obj).export({ format: 'der', type: 'spki' }) as Buffer;
}

function writeWithMode(path: string, text: string, mode: number, overwrite: boolean): void {
  if (!overwrite && existsSync(path)) throw new PkiError('LW_ERR_PKI_EXISTS', `${path}: already exists (refusing to overwrite)`);
  const fd = openSync(path, 'w', mode);
  try {
    // openSync's mode is filtered by the umask and ignored for existing files: set it explicitly.
    fchmodSync(fd, mode);
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** Write a private key file with mode 0600, whatever the umask. */
export function writePrivateFile(path: string, pem: string, overwrite = false): void {
  writeWithMode(path, pem, PRIVATE_MODE, overwrite);
}

/** Write a certificate / request file with mode 0644. */
export function writePublicFile(path: string, pem: string, overwrite = false): void {
  writeWithMode(path, pem, PUBLIC_MODE, overwrite);
}

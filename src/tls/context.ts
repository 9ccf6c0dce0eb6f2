// Builds node:tls context options (certificates, keys, CRL, protocol limits) from resolved TlsSettings.
import { readFileSync } from 'node:fs';
import type { SecureContextOptions } from 'node:tls';
import { privateKeyObject } from '../pki/keys';
import { readPassphrase, TlsConfigError, type TlsSettings } from './config';

export type TlsRole = 'server' | 'client';

/**
 * Cipher suites unless the config names its own (TlsCfgCmd CipherString/Ciphersuites): every TLS 1.3 suite, and
 * for TLS 1.2 only ECDHE key exchange with AEAD ciphers, so that an RSA key never enables static-RSA (no forward
 * secrecy) or CBC suites. rsyslog 8.2302 peers (gtls and ossl) negotiate ECDHE-*-GCM with these.
 */
export const DEFAULT_CIPHERS = [
  'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305', 'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256',
].join(':');

function readPem(file: string, what: string, s: TlsSettings): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new TlsConfigError(s.loc, `${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * Context options for `role`. A server always needs CertFile+KeyFile; any x509 mode needs the CA to verify the
 * peer (the fingerprint mode does not: it pins the certificate itself, as rsyslog does).
 */
export function secureContextOptions(s: TlsSettings, role: TlsRole): SecureContextOptions {
  const o: SecureContextOptions = { minVersion: s.minVersion };
  if (s.maxVersion) o.maxVersion = s.maxVersion;
  o.ciphers = s.ciphers ?? DEFAULT_CIPHERS;
  if (s.ecdhCurve) o.ecdhCurve = s.ecdhCurve;
  if (s.sigalgs) o.sigalgs = s.sigalgs;
  if (role === 'server' && (!s.certFile || !s.keyFile)) {
    throw new TlsConfigError(s.loc, 'a TLS listener needs a certificate and key: set StreamDriver.CertFile/KeyFile or global DefaultNetstreamDriverCertFile/KeyFile');
  }
  if (s.certFile && !s.keyFile) throw new TlsConfigError(s.loc, `certificate ${s.certFile} given without a key file`);
  if (s.certFile && s.keyFile) {
    o.cert = readPem(s.certFile, 'certificate file', s);
    const keyPem = readPem(s.keyFile, 'key file', s);
    const pass = s.keyPassphraseFile ? readPassphrase(s.keyPassphraseFile, s.loc) : undefined;
    try {
      // Decrypt here so a wrong passphrase is a clear config error rather than an OpenSSL message at handshake.
      o.key = privateKeyObject(keyPem, s.keyFile, pass).export({ format: 'pem', type: 'pkcs8' });
    } catch (e) {
      throw new TlsConfigError(s.loc, (e as Error).message);
    }
  }
  const needsCa = s.authMode === 'x509/certvalid' || s.authMode === 'x509/name';
  if (s.caFile) o.ca = readPem(s.caFile, 'CA file', s);
  else if (needsCa) {
    throw new TlsConfigError(s.loc, `auth mode ${s.authMode} needs a CA to verify the peer: set StreamDriver.CAFile or global DefaultNetstreamDriverCAFile`);
  }
  if (s.crlFile) o.crl = readPem(s.crlFile, 'CRL file', s);
  return o;
}

// Initialises @peculiar/x509 once: reflect-metadata must load before it, and it must use Node's WebCrypto.
// Loaded on first use, not at startup: the two packages cost ~130 ms of CPU to load (a third of `logwarden run`'s
// startup), and a plain TCP or anonymous TLS listener never touches a certificate object.
import type * as X509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

let loaded: typeof X509 | null = null;

function load(): typeof X509 {
  if (loaded === null) {
    require('reflect-metadata');
    const m = require('@peculiar/x509') as typeof X509;
    m.cryptoProvider.set(webcrypto as unknown as Parameters<typeof m.cryptoProvider.set>[0]);
    loaded = m;
  }
  return loaded;
}

/** The @peculiar/x509 namespace, loaded (and given Node's WebCrypto) on the first property read. */
export const x509: typeof X509 = new Proxy({} as typeof X509, {
  get: (_target, prop) => Reflect.get(load(), prop) as unknown,
  has: (_target, prop) => Reflect.has(load(), prop),
});
/** The package's types under the same name, for annotations (`x509.X509Certificate`). */
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace x509 {
  export type AuthorityKeyIdentifierExtension = X509.AuthorityKeyIdentifierExtension;
  export type BasicConstraintsExtension = X509.BasicConstraintsExtension;
  export type ExtendedKeyUsage = X509.ExtendedKeyUsage;
  export type ExtendedKeyUsageExtension = X509.ExtendedKeyUsageExtension;
  export type Extension = X509.Extension;
  export type JsonName = X509.JsonName;
  export type KeyUsageFlags = X509.KeyUsageFlags;
  export type KeyUsagesExtension = X509.KeyUsagesExtension;
  export type Name = X509.Name;
  export type Pkcs10CertificateRequest = X509.Pkcs10CertificateRequest;
  export type Pkcs10CertificateRequestGenerator = X509.Pkcs10CertificateRequestGenerator;
  export type PublicKey = X509.PublicKey;
  export type SubjectAlternativeNameExtension = X509.SubjectAlternativeNameExtension;
  export type SubjectKeyIdentifierExtension = X509.SubjectKeyIdentifierExtension;
  export type X509Certificate = X509.X509Certificate;
  export type X509CertificateGenerator = X509.X509CertificateGenerator;
}
export const subtle = webcrypto.subtle;

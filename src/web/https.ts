// HTTPS for the console: context options from the http module's tls.certFile/tls.keyFile, through the src/tls
// policy (TLS 1.2+, certificate and key read and checked at start). Used by `run` and by `check`.
import type { SecureContextOptions } from 'node:tls';
import { getParam, type Params, type SourceLoc } from '../config/model';
import { TlsConfigError, type TlsSettings } from '../tls/config';
import { secureContextOptions } from '../tls/context';

/** HTTPS context options from tls.certFile/tls.keyFile (src/tls policy: TLS 1.2+, key decrypted at start). */
export function httpsOptions(params: Params, loc: SourceLoc): SecureContextOptions | null {
  const certFile = getParam(params, 'tls.certfile')?.value;
  const keyFile = getParam(params, 'tls.keyfile')?.value;
  if (certFile === undefined && keyFile === undefined) return null;
  if (certFile === undefined || keyFile === undefined) throw new TlsConfigError(loc, 'the http module needs both tls.certFile and tls.keyFile for HTTPS');
  const settings: TlsSettings = {
    driver: 'ossl', mode: 1, authMode: 'anon', permittedPeers: [], certFile: String(certFile), keyFile: String(keyFile),
    minVersion: 'TLSv1.2', prioritizeSan: false, checkExtendedKeyUsage: false, loc,
  };
  return secureContextOptions(settings, 'server');
}

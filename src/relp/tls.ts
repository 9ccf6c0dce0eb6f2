// RELP's TLS parameters (librelp spelling: tls="on", tls.cacert, tls.mycert, tls.myprivkey, tls.authmode=
// anon|certvalid|name|fingerprint, tls.permittedpeer, tls.tlscfgcmd, tls.prioritystring) mapped onto the shared
// TlsSettings, so imrelp and omrelp authenticate peers exactly as the TLS input and omfwd do.
import { DEFAULT_CIPHERS, type SecureContextOptions } from 'node:tls';
import type { Param, Params, SourceLoc } from '../config/model';
import { invalidWildcard } from '../tls/auth';
import { resolveTlsSettings, TlsConfigError, type AuthMode, type TlsSettings } from '../tls/config';
import { secureContextOptions } from '../tls/context';

/**
 * librelp auth mode → ours. Without tls.authmode librelp runs anonymous TLS when it has no certificate of its
 * own, and fingerprint mode when it has one (seen with rsyslog 8.2302 / librelp 1.11: "non-permitted fingerprint").
 */
const AUTH: Record<string, AuthMode> = { anon: 'anon', certvalid: 'x509/certvalid', name: 'x509/name', fingerprint: 'x509/fingerprint' };

function get(params: Params, moduleParams: Params | null, name: string): Param | undefined {
  return params.get(name) ?? moduleParams?.get(name);
}

function on(p: Param | undefined): boolean {
  if (p === undefined) return false;
  const v = String(p.value).toLowerCase();
  if (['on', 'yes', 'true', '1'].includes(v)) return true;
  if (['off', 'no', 'false', '0'].includes(v)) return false;
  throw new TlsConfigError(p.loc, `${p.name}="${String(p.value)}": expected on or off`);
}

/** TLS settings of one imrelp input / omrelp action, or null when tls is off. Throws TlsConfigError (file:line:col). */
export function relpTlsSettings(params: Params, loc: SourceLoc): TlsSettings | null {
  if (!on(get(params, null, 'tls'))) return null;
  const layer: Params = new Map();
  const copy = (from: string, to: string, value?: Param['value']): void => {
    const p = params.get(from);
    if (p) layer.set(to, { ...p, value: value ?? p.value });
  };
  const am = params.get('tls.authmode');
  let auth: AuthMode = params.has('tls.mycert') ? 'x509/fingerprint' : 'anon';
  if (am) {
    const mapped = AUTH[String(am.value).toLowerCase()];
    if (!mapped) throw new TlsConfigError(am.loc, `tls.authmode="${String(am.value)}": expected anon, certvalid, name or fingerprint`);
    auth = mapped;
  }
  layer.set('streamdriver.mode', { name: 'tls', value: '1', loc: params.get('tls')?.loc ?? loc });
  layer.set('streamdriver.authmode', { name: 'tls.authmode', value: auth, loc: am?.loc ?? loc });
  copy('tls.permittedpeer', 'streamdriver.permittedpeers');
  copy('tls.cacert', 'streamdriver.cafile');
  copy('tls.mycert', 'streamdriver.certfile');
  copy('tls.myprivkey', 'streamdriver.keyfile');
  copy('tls.tlscfgcmd', 'streamdriver.tlscfgcmd');
  copy('tls.prioritystring', 'gnutlsprioritystring');
  const s = resolveTlsSettings([{ params: layer, names: {
    mode: ['streamdriver.mode'], authMode: ['streamdriver.authmode'], permittedPeers: ['streamdriver.permittedpeers'],
    caFile: ['streamdriver.cafile'], certFile: ['streamdriver.certfile'], keyFile: ['streamdriver.keyfile'],
    tlsCfgCmd: ['streamdriver.tlscfgcmd'], priorityString: ['gnutlsprioritystring'],
  } }], loc);
  for (const p of s.permittedPeers) {
    const bad = s.authMode === 'x509/fingerprint'
      ? (/^SHA(1|256):([0-9A-Fa-f]{2}:)*[0-9A-Fa-f]{2}$/.test(p) ? null : `"${p}": expected SHA1:XX:… or SHA256:XX:… fingerprint`)
      : invalidWildcard(p);
    if (bad) throw new TlsConfigError(params.get('tls.permittedpeer')?.loc ?? loc, `tls.permittedpeer ${bad}`);
  }
  // librelp's anonymous TLS uses anonymous DH suites (GnuTLS ANON-DH): offer them too, or a librelp peer without
  // a certificate finds no shared cipher. Anonymous TLS authenticates nobody, so the security level is moot.
  // Anonymous DH exists only up to TLS 1.2: a TLS 1.3 offer makes a GnuTLS anonymous server give up.
  if (s.authMode === 'anon' && s.ciphers === undefined) {
    s.ciphers = ANON_CIPHERS;
    s.maxVersion ??= 'TLSv1.2';
  }
  return s;
}

/**
 * The anonymous DH suites librelp uses, first (GnuTLS follows the client's order and fails rather than skip a
 * certificate suite it has no certificate for), then Node's default suites without their "!aNULL" exclusions.
 */
const ANON_CIPHERS = `ADH-AES256-GCM-SHA384:ADH-AES128-GCM-SHA256:${DEFAULT_CIPHERS.split(':').filter((c) => !c.startsWith('!')).join(':')}:@SECLEVEL=0`;

/**
 * Server context for imrelp. Anonymous mode may run without a certificate (then TLS 1.2 with anonymous DH
 * only, as librelp); with one, normal clients get a certificate-based handshake and librelp's anonymous
 * clients an anonymous DH one.
 */
export function relpServerOptions(s: TlsSettings): SecureContextOptions {
  if (s.authMode !== 'anon') return secureContextOptions(s, 'server');
  if (!s.certFile) return { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: s.ciphers, dhparam: 'auto' };
  return { ...secureContextOptions(s, 'server'), dhparam: 'auto' };
}

/** Parameter table rows shared by imrelp and omrelp. */
export const RELP_TLS_PARAMS = [
  { name: 'tls', type: 'binary' as const, default: false, doc: 'TLS on the RELP session (node:tls / OpenSSL)' },
  { name: 'tls.authmode', type: 'word' as const, values: ['anon', 'certvalid', 'name', 'fingerprint'], doc: 'peer authentication; when absent (as librelp): fingerprint if tls.mycert is set, else anonymous TLS' },
  { name: 'tls.permittedpeer', type: 'array' as const, doc: 'permitted peer names (name mode, wildcards *.example.net) or SHA1:/SHA256: fingerprints' },
  { name: 'tls.cacert', type: 'path' as const, doc: 'CA bundle that verifies the peer (name, certvalid)' },
  { name: 'tls.mycert', type: 'path' as const, doc: 'own certificate' },
  { name: 'tls.myprivkey', type: 'path' as const, doc: 'own private key' },
  { name: 'tls.tlscfgcmd', type: 'string' as const, doc: 'OpenSSL commands: MinProtocol, MaxProtocol, CipherString, Ciphersuites, Groups, SignatureAlgorithms' },
  { name: 'tls.prioritystring', type: 'string' as const, doc: 'GnuTLS priority; base keyword and ±VERS-TLS1.x are mapped, other tokens are refused' },
  { name: 'tls.compression', type: 'binary' as const, default: false, doc: 'TLS compression', ignored: 'TLS compression is insecure (CRIME) and not offered by node:tls' },
];

// Resolves rsyslog's netstream-driver settings (StreamDriver.*, PermittedPeer, DefaultNetstreamDriver*, legacy
// $-directives) into one TlsSettings, decided once at config load, shared by the TLS input and omfwd.
//
// Precedence, highest first (as rsyslog): the input()/action() parameter, then module(load=…) parameter, then
// the global() default (DefaultNetstreamDriverCAFile/CertFile/KeyFile/CRLFile). Names are case-insensitive.
import { readFileSync } from 'node:fs';
import type { Param, Params, SourceLoc } from '../config/model';

export type AuthMode = 'anon' | 'x509/certvalid' | 'x509/name' | 'x509/fingerprint';
export const AUTH_MODES: readonly AuthMode[] = ['anon', 'x509/certvalid', 'x509/name', 'x509/fingerprint'];
export type TlsVersion = 'TLSv1.2' | 'TLSv1.3';

export interface TlsSettings {
  /** Driver as configured: gtls and ossl both run on node:tls (OpenSSL); kept for logs and name-check nuances. */
  driver: 'gtls' | 'ossl' | 'ptcp';
  /** StreamDriver.Mode: 0 plain TCP, 1 TLS. */
  mode: number;
  authMode: AuthMode;
  permittedPeers: string[];
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  crlFile?: string;
  /** Logwarden extension: file holding the passphrase of an encrypted KeyFile (first line). */
  keyPassphraseFile?: string;
  verifyDepth?: number;
  minVersion: TlsVersion;
  maxVersion?: TlsVersion;
  /** OpenSSL cipher list for TLS 1.2 and below, and TLS 1.3 suites (node:tls `ciphers` takes both). */
  ciphers?: string;
  ecdhCurve?: string;
  sigalgs?: string;
  /** StreamDriver.PrioritizeSAN: only check the CN when the certificate has no SAN (RFC 6125). */
  prioritizeSan: boolean;
  /** StreamDriver.CheckExtendedKeyUsage: the peer certificate must carry the right EKU. */
  checkExtendedKeyUsage: boolean;
  /** Where the settings came from, for error messages. */
  loc: SourceLoc;
}

export class TlsConfigError extends Error {
  readonly code = 'LW_ERR_TLS_CONFIG';
  constructor(loc: SourceLoc, message: string) {
    super(`${loc.file}:${loc.line}:${loc.col}: ${message}`);
    this.name = 'TlsConfigError';
  }
}

/** One layer of parameters with the spellings each setting has in that layer. */
export interface Layer { params: Params; names: Partial<Record<SettingKey, string[]>> }
export type SettingKey = 'driver' | 'mode' | 'authMode' | 'permittedPeers' | 'caFile' | 'certFile' | 'keyFile' | 'crlFile'
  | 'keyPassphraseFile' | 'verifyDepth' | 'priorityString' | 'tlsCfgCmd' | 'prioritizeSan' | 'checkEku' | 'permitExpired';

/** rsyslog input()/action()-level spellings shared by imtcp inputs and module(load="imtcp"). */
export const IMTCP_NAMES: Layer['names'] = {
  driver: ['streamdriver.name'], mode: ['streamdriver.mode'], authMode: ['streamdriver.authmode'],
  permittedPeers: ['streamdriver.permittedpeers', 'permittedpeer'], caFile: ['streamdriver.cafile'],
  certFile: ['streamdriver.certfile'], keyFile: ['streamdriver.keyfile'], crlFile: ['streamdriver.crlfile'],
  keyPassphraseFile: ['streamdriver.keypassphrasefile'], verifyDepth: ['streamdriver.tlsverifydepth'],
  priorityString: ['gnutlsprioritystring'], tlsCfgCmd: ['streamdriver.tlscfgcmd', 'tls.tlscfgcmd'],
  prioritizeSan: ['streamdriver.prioritizesan'], checkEku: ['streamdriver.checkextendedkeyusage'],
  permitExpired: ['streamdriver.permitexpiredcerts'],
};
/** omfwd action spellings (action(type="omfwd" StreamDriver=… StreamDriverMode=…) and legacy $ActionSend…). */
export const OMFWD_NAMES: Layer['names'] = {
  driver: ['streamdriver', 'actionsendstreamdriver'], mode: ['streamdrivermode', 'actionsendstreamdrivermode'],
  authMode: ['streamdriverauthmode', 'actionsendstreamdriverauthmode'],
  permittedPeers: ['streamdriverpermittedpeers', 'actionsendstreamdriverpermittedpeer'],
  caFile: ['streamdriver.cafile'], certFile: ['streamdriver.certfile'], keyFile: ['streamdriver.keyfile'],
  crlFile: ['streamdriver.crlfile'], keyPassphraseFile: ['streamdriver.keypassphrasefile'],
  verifyDepth: ['streamdriver.tlsverifydepth'], priorityString: ['gnutlsprioritystring'],
  tlsCfgCmd: ['streamdriver.tlscfgcmd', 'tls.tlscfgcmd'], prioritizeSan: ['streamdriver.prioritizesan'],
  checkEku: ['streamdriver.checkextendedkeyusage'], permitExpired: ['streamdriver.permitexpiredcerts'],
};
/** global() / legacy directives (the lead's parser lower-cases `$DefaultNetstreamDriverCAFile` the same way). */
export const GLOBAL_NAMES: Layer['names'] = {
  driver: ['defaultnetstreamdriver'], caFile: ['defaultnetstreamdrivercafile'], certFile: ['defaultnetstreamdrivercertfile'],
  keyFile: ['defaultnetstreamdriverkeyfile'], crlFile: ['defaultnetstreamdrivercrlfile'],
  mode: ['inputtcpserverstreamdrivermode'], authMode: ['inputtcpserverstreamdriverauthmode'],
  permittedPeers: ['inputtcpserverstreamdriverpermittedpeer'],
};

function pick(layers: Layer[], key: SettingKey): Param | undefined {
  for (const l of layers) {
    for (const n of l.names[key] ?? []) {
      const p = l.params.get(n);
      if (p !== undefined) return p;
    }
  }
  return undefined;
}

function str(p: Param | undefined): string | undefined {
  if (p === undefined) return undefined;
  return Array.isArray(p.value) ? p.value.join(',') : String(p.value);
}

function bool(p: Param | undefined, dflt: boolean): boolean {
  if (p === undefined) return dflt;
  if (typeof p.value === 'boolean') return p.value;
  const v = String(p.value).toLowerCase();
  if (['on', 'yes', 'true', '1'].includes(v)) return true;
  if (['off', 'no', 'false', '0'].includes(v)) return false;
  throw new TlsConfigError(p.loc, `${p.name}="${p.value}": expected on or off`);
}

function list(p: Param | undefined): string[] {
  if (p === undefined) return [];
  const v = Array.isArray(p.value) ? p.value : String(p.value).split(',');
  return v.map((s) => s.trim()).filter((s) => s.length > 0);
}

function driverOf(p: Param | undefined): TlsSettings['driver'] {
  const v = (str(p) ?? 'ossl').toLowerCase();
  if (v === 'gtls' || v === 'ossl' || v === 'ptcp') return v;
  throw new TlsConfigError(p!.loc, `${p!.name}="${p!.value}": unknown stream driver (use gtls, ossl or ptcp)`);
}

function authModeOf(p: Param | undefined): AuthMode {
  // rsyslog's gtls/ossl drivers default to x509/name when no mode is set (their enum's zero value).
  if (p === undefined) return 'x509/name';
  const v = String(p.value).toLowerCase();
  if ((AUTH_MODES as readonly string[]).includes(v)) return v as AuthMode;
  throw new TlsConfigError(p.loc, `${p.name}="${p.value}": unknown auth mode (use ${AUTH_MODES.join(', ')})`);
}

interface Protocol { minVersion: TlsVersion; maxVersion?: TlsVersion; ciphers?: string; ecdhCurve?: string; sigalgs?: string }

const VERSION: Record<string, TlsVersion> = { 'tlsv1.2': 'TLSv1.2', 'tlsv1.3': 'TLSv1.3' };

/** OpenSSL SSL_CONF commands (rsyslog tls.tlscfgcmd), "Cmd=value" separated by newline or ';'. */
function applyTlsCfgCmd(p: Param, proto: Protocol): void {
  const tls13: string[] = [];
  for (const item of String(p.value).split(/[\n;]/)) {
    const eq = item.indexOf('=');
    if (eq < 0) continue; // rsyslog stops at an entry without '='; blank trailers are common
    const cmd = item.slice(0, eq).trim().toLowerCase();
    const value = item.slice(eq + 1).trim();
    switch (cmd) {
      case 'minprotocol': case 'maxprotocol': {
        const v = VERSION[value.toLowerCase()];
        if (!v) throw new TlsConfigError(p.loc, `${p.name}: ${item.trim()}: only TLSv1.2 and TLSv1.3 are supported (older versions are insecure)`);
        if (cmd === 'minprotocol') proto.minVersion = v; else proto.maxVersion = v;
        break;
      }
      case 'cipherstring': proto.ciphers = value; break;
      case 'ciphersuites': tls13.push(value); break;
      case 'groups': case 'curves': proto.ecdhCurve = value; break;
      case 'signaturealgorithms': case 'sigalgs': proto.sigalgs = value; break;
      default:
        throw new TlsConfigError(p.loc, `${p.name}: "${item.trim()}" is not supported; supported commands: MinProtocol, MaxProtocol, CipherString, Ciphersuites, Groups, SignatureAlgorithms`);
    }
  }
  if (tls13.length) proto.ciphers = [...tls13, ...(proto.ciphers ? [proto.ciphers] : [])].join(':');
}

/** Base keywords of a GnuTLS priority string that mean "library defaults" (OpenSSL's defaults are comparable). */
const GNUTLS_BASES = new Set(['normal', 'secure', 'secure128', 'secure192', 'secure256', 'performance', 'pfs', 'system']);

/** GnuTLS priority string (gnutlsPriorityString): base keyword plus ±VERS-TLS1.x is mapped; anything else is refused. */
function applyPriorityString(p: Param, proto: Protocol): void {
  let allowed = new Set<TlsVersion>(['TLSv1.2', 'TLSv1.3']);
  for (const raw of String(p.value).split(':')) {
    const tok = raw.trim().toLowerCase();
    if (!tok || GNUTLS_BASES.has(tok) || tok === '%server_precedence') continue;
    const m = /^([-+!])vers-(all|tls1\.[0-3])$/.exec(tok);
    if (m) {
      const v = m[2] === 'all' ? null : VERSION[`tlsv${m[2].slice(3)}`];
      if (m[1] === '+') { if (v) allowed.add(v); }
      else if (v) allowed.delete(v); else allowed = new Set();
      continue;
    }
    throw new TlsConfigError(p.loc, `${p.name}: "${raw}" cannot be mapped to OpenSSL; use StreamDriver.TlsCfgCmd (e.g. "CipherString=…") instead`);
  }
  if (allowed.size === 0) throw new TlsConfigError(p.loc, `${p.name}: no TLS version left (TLS 1.2 and 1.3 are supported)`);
  proto.minVersion = allowed.has('TLSv1.2') ? 'TLSv1.2' : 'TLSv1.3';
  proto.maxVersion = allowed.has('TLSv1.3') ? 'TLSv1.3' : 'TLSv1.2';
}

function intOf(p: Param | undefined, min: number): number | undefined {
  if (p === undefined) return undefined;
  const n = Number(p.value);
  if (!Number.isInteger(n) || n < min) throw new TlsConfigError(p.loc, `${p.name}="${p.value}": expected a whole number ≥ ${min}`);
  return n;
}

/** Resolve the effective TLS settings from layers ordered highest precedence first. */
export function resolveTlsSettings(layers: Layer[], loc: SourceLoc): TlsSettings {
  const modeP = pick(layers, 'mode');
  const mode = modeP === undefined ? 0 : intOf(modeP, 0)!;
  if (mode > 1) throw new TlsConfigError(modeP!.loc, `${modeP!.name}="${modeP!.value}": StreamDriver mode must be 0 (plain) or 1 (TLS)`);
  const driverP = pick(layers, 'driver');
  const driver = driverOf(driverP);
  if (driver === 'ptcp' && mode === 1) throw new TlsConfigError(driverP!.loc, `${driverP!.name}="ptcp" cannot do TLS (StreamDriver mode 1): use gtls or ossl`);
  const proto: Protocol = { minVersion: 'TLSv1.2' };
  const prio = pick(layers, 'priorityString');
  if (prio) applyPriorityString(prio, proto);
  const cfg = pick(layers, 'tlsCfgCmd');
  if (cfg) applyTlsCfgCmd(cfg, proto);
  const expired = pick(layers, 'permitExpired');
  if (expired && String(expired.value).toLowerCase() !== 'off') {
    throw new TlsConfigError(expired.loc, `${expired.name}="${expired.value}": Logwarden never accepts expired certificates (only "off" is supported)`);
  }
  return {
    driver, mode, authMode: authModeOf(pick(layers, 'authMode')), permittedPeers: list(pick(layers, 'permittedPeers')),
    caFile: str(pick(layers, 'caFile')), certFile: str(pick(layers, 'certFile')), keyFile: str(pick(layers, 'keyFile')),
    crlFile: str(pick(layers, 'crlFile')), keyPassphraseFile: str(pick(layers, 'keyPassphraseFile')),
    verifyDepth: intOf(pick(layers, 'verifyDepth'), 2), ...proto,
    prioritizeSan: bool(pick(layers, 'prioritizeSan'), false), checkExtendedKeyUsage: bool(pick(layers, 'checkEku'), false), loc,
  };
}

/** Read the first line of a passphrase file. */
export function readPassphrase(file: string, loc: SourceLoc): string {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) { throw new TlsConfigError(loc, `key passphrase file ${file}: ${(e as Error).message}`); }
  return text.split(/\r?\n/, 1)[0];
}

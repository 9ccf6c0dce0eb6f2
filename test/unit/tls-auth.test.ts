// x509/name and x509/fingerprint rules, table-driven, against rsyslog's semantics (runtime/net.c wildcard
// matching, nsd_gtls.c/net_ossl.c SAN-then-CN order), plus TLS settings resolution and precedence.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fingerprintAllowed, invalidWildcard, nameAllowed, wildcardMatch, type PeerIdentity } from '../../src/tls/auth';
import { GLOBAL_NAMES, IMTCP_NAMES, resolveTlsSettings } from '../../src/tls/config';
import type { Params } from '../../src/config/model';

const LOC = { file: 'rsyslog.conf', line: 7, col: 3 };
function params(obj: Record<string, string | string[]>): Params {
  return new Map(Object.entries(obj).map(([name, value]) => [name.toLowerCase(), { name, value, loc: LOC }]));
}

describe('rsyslog PermittedPeer wildcard matching', () => {
  const table: Array<[string, string, boolean]> = [
    ['client.example.net', 'client.example.net', true],
    ['client.example.net', 'Client.Example.NET', true], // Logwarden: DNS names compare case-insensitively
    ['client.example.net', 'other.example.net', false],
    ['*.example.net', 'a.example.net', true],
    ['*.example.net', 'a.b.example.net', false], // one label per '*', label counts must agree
    ['*.example.net', 'example.net', false],
    ['*.example.net', 'a.example.org', false],
    ['*web.example.net', 'prodweb.example.net', true],
    ['*web.example.net', 'webprod.example.net', false],
    ['web*.example.net', 'webprod.example.net', true],
    ['web*.example.net', 'prodweb.example.net', false],
    ['*.*.example.net', 'a.b.example.net', true],
    ['client.*', 'client.anything', true],
    ['client.*', 'client.a.b', false],
    ['*', 'localhost', true],
    ['*', 'a.b', false],
  ];
  for (const [pattern, name, want] of table) {
    it(`${pattern} vs ${name} → ${want}`, () => assert.equal(wildcardMatch(pattern, name), want));
  }
  it('rejects an asterisk in the middle of a label or on both ends', () => {
    assert.notEqual(invalidWildcard('a*b.example.net'), null);
    assert.notEqual(invalidWildcard('*a*.example.net'), null);
    assert.equal(invalidWildcard('*.example.net'), null);
    assert.equal(invalidWildcard('web*.example.net'), null);
  });
});

describe('x509/name: which certificate names are checked', () => {
  const san = { dns: ['srv.example.net'], ip: ['192.0.2.7'], cn: ['legacy-name'] };
  const cnOnly = { dns: [], ip: [], cn: ['aws-syslog'] };
  const table: Array<[string, typeof san, string[], boolean, boolean]> = [
    ['SAN dNSName matches', san, ['srv.example.net'], false, true],
    ['SAN iPAddress matches', san, ['192.0.2.7'], false, true],
    ['CN is the fallback when no SAN matched (rsyslog default)', san, ['legacy-name'], false, true],
    ['PrioritizeSAN: CN ignored when a SAN exists', san, ['legacy-name'], true, false],
    ['PrioritizeSAN: CN used when there is no SAN', cnOnly, ['aws-syslog'], true, true],
    ['CN only certificate, seed 004', cnOnly, ['aws-syslog'], false, true],
    ['nothing matches', san, ['other.example.net'], false, false],
  ];
  for (const [title, id, permitted, prioritizeSan, want] of table) {
    it(title, () => assert.equal(nameAllowed(id, permitted, { prioritizeSan }), want));
  }
  it('without PermittedPeer the name must equal the host we connected to (client side)', () => {
    assert.equal(nameAllowed(san, [], { prioritizeSan: false, connectHost: 'srv.example.net' }), true);
    assert.equal(nameAllowed(san, [], { prioritizeSan: false, connectHost: 'evil.example.net' }), false);
    assert.equal(nameAllowed(san, [], { prioritizeSan: false }), false, 'server side without PermittedPeer refuses');
  });
  it('ossl: a certificate wildcard SAN covers one label of a permitted plain name (X509_check_host)', () => {
    const wild = { dns: ['*.example.net'], ip: [], cn: [] };
    assert.equal(nameAllowed(wild, ['host.example.net'], { prioritizeSan: false, certWildcards: true }), true);
    assert.equal(nameAllowed(wild, ['a.host.example.net'], { prioritizeSan: false, certWildcards: true }), false);
    assert.equal(nameAllowed(wild, ['host.example.net'], { prioritizeSan: false, certWildcards: false }), false);
  });
});

describe('x509/fingerprint', () => {
  const id: PeerIdentity = { dns: [], ip: [], cn: [], subject: 'CN=x', sha1: 'SHA1:0A:1B:2C', sha256: 'SHA256:AA:BB:CC' };
  const table: Array<[string[], boolean]> = [
    [['SHA256:AA:BB:CC'], true], [['SHA1:0A:1B:2C'], true], [['sha256:aa:bb:cc'], true],
    [['SHA256:AA:BB:CD'], false], [['SHA1:AA:BB:CC'], false], [[], false],
  ];
  for (const [permitted, want] of table) it(`${JSON.stringify(permitted)} → ${want}`, () => assert.equal(fingerprintAllowed(id, permitted), want));
});

describe('TLS settings resolution', () => {
  const layers = (input: Record<string, string | string[]>, mod: Record<string, string | string[]>, glob: Record<string, string>) => [
    { params: params(input), names: IMTCP_NAMES }, { params: params(mod), names: IMTCP_NAMES }, { params: params(glob), names: GLOBAL_NAMES },
  ];
  it('input beats module beats global; names are case-insensitive; default auth mode is x509/name', () => {
    const s = resolveTlsSettings(layers({ 'StreamDriver.CAFile': '/in/ca.pem', 'streamdriver.mode': '1' },
      { 'StreamDriver.CAFile': '/mod/ca.pem', 'StreamDriver.CertFile': '/mod/cert.pem', PermittedPeer: ['a', 'b'] },
      { DefaultNetstreamDriverCAFile: '/g/ca.pem', DefaultNetstreamDriverCertFile: '/g/cert.pem', DefaultNetstreamDriverKeyFile: '/g/key.pem' }), LOC);
    assert.equal(s.caFile, '/in/ca.pem');
    assert.equal(s.certFile, '/mod/cert.pem');
    assert.equal(s.keyFile, '/g/key.pem');
    assert.deepEqual(s.permittedPeers, ['a', 'b']);
    assert.equal(s.authMode, 'x509/name');
    assert.equal(s.mode, 1);
  });
  it('maps tls.tlscfgcmd and gnutlsPriorityString, refusing what cannot be mapped with file:line:col', () => {
    const a = resolveTlsSettings(layers({ 'tls.tlscfgcmd': 'MinProtocol=TLSv1.3;CipherString=ECDHE+AESGCM\nCiphersuites=TLS_AES_256_GCM_SHA384' }, {}, {}), LOC);
    assert.equal(a.minVersion, 'TLSv1.3');
    assert.equal(a.ciphers, 'TLS_AES_256_GCM_SHA384:ECDHE+AESGCM');
    const b = resolveTlsSettings(layers({ gnutlsPriorityString: 'NORMAL:-VERS-ALL:+VERS-TLS1.3' }, {}, {}), LOC);
    assert.equal(b.minVersion, 'TLSv1.3');
    const bads: Array<Record<string, string>> = [{ 'tls.tlscfgcmd': 'MinProtocol=TLSv1' }, { 'tls.tlscfgcmd': 'Options=-SessionTicket' }, { gnutlsPriorityString: 'NORMAL:+AES-128-CBC' }];
    for (const bad of bads) {
      assert.throws(() => resolveTlsSettings(layers(bad, {}, {}), LOC), (e: Error & { code?: string }) => e.code === 'LW_ERR_TLS_CONFIG' && e.message.startsWith('rsyslog.conf:7:3: '));
    }
  });
  it('ptcp cannot do mode 1', () => {
    assert.throws(() => resolveTlsSettings(layers({ 'StreamDriver.Name': 'ptcp', 'StreamDriver.Mode': '1' }, {}, {}), LOC), /ptcp/);
  });
});

// The built-in PKI: CA, issue, CSR → sign, show, fingerprint; checked with the real `openssl` (verify, x509).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pkiMain } from '../../src/cli/pki';
import { fingerprint } from '../../src/pki/inspect';
import { readCertificate } from '../../src/pki/issue';
import { ensureDevPki } from '../../src/pki/dev';

let dir: string;
const out: string[] = [];
const pki = (...args: string[]): Promise<number> => pkiMain(args, (s) => { out.push(s); });
const openssl = (...args: string[]): string => execFileSync('openssl', args, { encoding: 'utf8' });
const p = (f: string): string => join(dir, f);

describe('logwarden pki', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lw-pki-'));
    const oldMask = process.umask(0o000); // key modes must not depend on the umask
    try {
      assert.equal(await pki('init-ca', '--dir', p('ca'), '--name', 'Unit CA'), 0);
      assert.equal(await pki('issue', '--name', 'srv.example.net', '--dns', 'srv.example.net', '--ip', '127.0.0.1', '--ip', '::1', '--server', '--ca-dir', p('ca'), '--out', p('out')), 0);
      assert.equal(await pki('issue', '--name', 'cli', '--client', '--rsa', '3072', '--ca-dir', p('ca'), '--out', p('out')), 0);
    } finally {
      process.umask(oldMask);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes private keys with mode 0600 and certificates 0644 even with umask 000', () => {
    assert.equal(statSync(p('ca/ca-key.pem')).mode & 0o777, 0o600);
    assert.equal(statSync(p('out/srv.example.net-key.pem')).mode & 0o777, 0o600);
    assert.equal(statSync(p('out/srv.example.net.pem')).mode & 0o777, 0o644);
  });

  it('the CA is CA:TRUE critical with keyCertSign+cRLSign and an SKI; leaves chain to it (openssl verify)', () => {
    const ca = openssl('x509', '-in', p('ca/ca.pem'), '-noout', '-text');
    assert.match(ca, /Basic Constraints: critical\s+CA:TRUE/);
    assert.match(ca, /Key Usage: critical\s+Certificate Sign, CRL Sign/);
    assert.match(ca, /Subject Key Identifier/);
    assert.match(openssl('verify', '-CAfile', p('ca/ca.pem'), p('out/srv.example.net.pem'), p('out/cli.pem')), /srv.example.net.pem: OK\n.*cli.pem: OK/);
  });

  it('server and client certificates carry the right EKU, SANs and key usage', () => {
    const srv = openssl('x509', '-in', p('out/srv.example.net.pem'), '-noout', '-text');
    assert.match(srv, /Extended Key Usage:\s+TLS Web Server Authentication\n/);
    assert.match(srv, /DNS:srv.example.net, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1/);
    assert.match(srv, /Key Usage: critical\s+Digital Signature, Key Encipherment/);
    assert.match(srv, /CA:FALSE/);
    assert.match(srv, /Authority Key Identifier/);
    const cli = openssl('x509', '-in', p('out/cli.pem'), '-noout', '-text');
    assert.match(cli, /Extended Key Usage:\s+TLS Web Client Authentication\n/);
    assert.match(cli, /Public-Key: \(3072 bit\)/);
  });

  it('fingerprint prints rsyslog SHA256:/SHA1: form equal to openssl', async () => {
    out.length = 0;
    assert.equal(await pki('fingerprint', p('out/srv.example.net.pem')), 0);
    assert.equal(await pki('fingerprint', p('out/srv.example.net.pem'), '--sha1'), 0);
    const o256 = openssl('x509', '-in', p('out/srv.example.net.pem'), '-noout', '-fingerprint', '-sha256').trim().split('=')[1];
    const o1 = openssl('x509', '-in', p('out/srv.example.net.pem'), '-noout', '-fingerprint', '-sha1').trim().split('=')[1];
    assert.deepEqual(out, [`SHA256:${o256}\n`, `SHA1:${o1}\n`]);
    assert.match(out[0], /^SHA256:([0-9A-F]{2}:){31}[0-9A-F]{2}\n$/);
    const hex = createHash('sha1').update(Buffer.from([1, 2, 255])).digest('hex').toUpperCase();
    assert.equal(fingerprint(Buffer.from([1, 2, 255]), 'sha1'), `SHA1:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}:` + hex.slice(6).replace(/(..)(?!$)/g, '$1:'));
  });

  it('show lists subject, SANs, issuer, serial, validity, usages, constraints and both fingerprints', async () => {
    out.length = 0;
    assert.equal(await pki('show', p('out/srv.example.net.pem')), 0);
    const text = out.join('');
    const serial = openssl('x509', '-in', p('out/srv.example.net.pem'), '-noout', '-serial').trim().split('=')[1].toLowerCase();
    for (const re of [/Subject: CN=srv.example.net/, /Issuer: CN=Unit CA/, new RegExp(`Serial: 0*${serial.replace(/^0+/, '')}`), /Not Before: /, /Not After: /,
      /DNSname: srv.example.net/, /IPAddress: 127.0.0.1/, /IPAddress: ::1/, /Key Usage \(critical\): digitalSignature, keyEncipherment/,
      /Extended Key Usage: serverAuth/, /Basic Constraints \(critical\): CA:FALSE/, /Fingerprint: SHA1:/, /Fingerprint: SHA256:/]) {
      assert.match(text, re);
    }
  });

  it('csr → sign keeps the requested SANs, adds the CA owner\'s, and never copies CA:TRUE', async () => {
    assert.equal(await pki('csr', '--name', 'aws-syslog', '--dns', 'aws-syslog', '--ip', '192.0.2.9', '--key-out', p('req-key.pem'), '--out', p('req.csr')), 0);
    assert.equal(statSync(p('req-key.pem')).mode & 0o777, 0o600);
    assert.equal(spawnSync('openssl', ['req', '-in', p('req.csr'), '-noout', '-verify']).status, 0, 'openssl verifies the request signature');
    assert.equal(await pki('sign', '--csr', p('req.csr'), '--ca-dir', p('ca'), '--dns', 'extra.example.net', '--client', '--out', p('req.crt')), 0);
    const txt = openssl('x509', '-in', p('req.crt'), '-noout', '-text');
    assert.match(txt, /DNS:aws-syslog, DNS:extra.example.net, IP Address:192.0.2.9/);
    assert.match(txt, /CA:FALSE/);
    assert.match(openssl('verify', '-CAfile', p('ca/ca.pem'), p('req.crt')), /OK/);
    // The signed certificate matches the requester's key.
    const certPub = openssl('x509', '-in', p('req.crt'), '-noout', '-pubkey');
    const keyPub = openssl('pkey', '-in', p('req-key.pem'), '-pubout');
    assert.equal(certPub, keyPub);
    assert.equal(await pki('sign', '--csr', p('req.csr'), '--ca-dir', p('ca'), '--ignore-requested-sans', '--out', p('req2.crt')), 0);
    assert.doesNotMatch(openssl('x509', '-in', p('req2.crt'), '-noout', '-text'), /aws-syslog, /);
  });

  it('encrypted keys: --passphrase-file writes encrypted PKCS#8 that openssl opens with the passphrase only', async () => {
    writeFileSync(p('pass.txt'), 's3cret\n');
    assert.equal(await pki('issue', '--name', 'enc', '--ca-dir', p('ca'), '--out', p('out'), '--passphrase-file', p('pass.txt')), 0);
    assert.match(readFileSync(p('out/enc-key.pem'), 'utf8'), /BEGIN ENCRYPTED PRIVATE KEY/);
    assert.equal(spawnSync('openssl', ['pkey', '-in', p('out/enc-key.pem'), '-passin', 'pass:s3cret', '-noout']).status, 0);
    assert.notEqual(spawnSync('openssl', ['pkey', '-in', p('out/enc-key.pem'), '-passin', 'pass:wrong', '-noout']).status, 0);
  });

  it('refuses to overwrite, rejects bad input with exit codes and stable error codes', async () => {
    assert.equal(await pki('init-ca', '--dir', p('ca')), 1, 'existing CA is not replaced');
    assert.equal(await pki('issue', '--ca-dir', p('ca')), 2, '--name is required');
    assert.equal(await pki('issue', '--name', 'x', '--ip', 'not-an-ip', '--ca-dir', p('ca'), '--out', p('out')), 2);
    assert.equal(await pki('show', p('pass.txt')), 1);
    assert.equal(await pki('bogus'), 2);
    assert.equal(await pki('sign', '--csr', p('out/srv.example.net.pem'), '--ca-dir', p('ca'), '--out', p('x.crt')), 1, 'a certificate is not a request');
  });

  it('an expired certificate can be made for tests with --not-before/--not-after', async () => {
    assert.equal(await pki('issue', '--name', 'old', '--ca-dir', p('ca'), '--out', p('out'), '--not-before', '2020-01-01T00:00:00Z', '--not-after', '2020-06-01T00:00:00Z'), 0);
    const c = readCertificate(p('out/old.pem'));
    assert.equal(c.notAfter.toISOString(), '2020-06-01T00:00:00.000Z');
    assert.notEqual(spawnSync('openssl', ['verify', '-CAfile', p('ca/ca.pem'), p('out/old.pem')]).status, 0);
  });

  it('ensureDevPki makes a CA and a localhost server certificate once', async () => {
    const texts: string[] = [];
    const a = await ensureDevPki(p('dev'), (t) => texts.push(t));
    assert.equal(a.created, true);
    assert.match(texts.join(''), /logwarden pki issue --name CLIENT --client/);
    const srv = openssl('x509', '-in', a.cert, '-noout', '-text');
    assert.match(srv, /DNS:localhost/);
    assert.match(srv, /IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1/);
    assert.match(openssl('verify', '-CAfile', a.caCert, a.cert), /OK/);
    const b = await ensureDevPki(p('dev'));
    assert.equal(b.created, false);
    assert.equal(readFileSync(b.cert, 'utf8'), readFileSync(a.cert, 'utf8'));
  });
});

// TLS input (imtcp StreamDriver.Mode=1): every auth mode accepts its good peer and refuses the bad ones; a
// refused peer's messages never reach the sink, the refusal is logged with peer, subject and rule, and the
// server keeps serving a good peer afterwards.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { tlsInput } from '../../src/inputs/tls';
import type { Input } from '../../src/components';
import { fingerprint } from '../../src/pki/inspect';
import { readCertificate } from '../../src/pki/issue';
import {
  CollectingSink, SERVER_GLOBALS, context, inputDecl, opensslNoCert, peer, pki, rawSend, tlsSend, waitFor,
} from './tls-helpers';

const WAIT_MS = 10_000;

interface Server { input: Input; sink: CollectingSink; port: number; ctx: ReturnType<typeof context> }

async function startServer(p: Record<string, string | string[]>): Promise<Server> {
  const sink = new CollectingSink();
  const ctx = context(SERVER_GLOBALS);
  const input = tlsInput.create(inputDecl({ port: '0', address: '127.0.0.1', 'StreamDriver.Name': 'ossl', 'StreamDriver.Mode': '1', ...p }), new Map(), ctx, sink);
  await input.start();
  return { input, sink, port: input.addresses()[0].port, ctx };
}

let seq = 0;
const unique = (tag: string): string => `${tag}-${process.pid}-${++seq}-${randomBytes(4).toString('hex')}`;

/** A good peer still gets through: its marker arrives. */
async function goodPeerStillServed(s: Server, cred?: { cert: Buffer; key: Buffer }): Promise<void> {
  const marker = unique('GOOD');
  const r = await tlsSend(s.port, [`<13>Jan  1 00:00:00 host good: ${marker}`], cred);
  assert.equal(r.error, null, 'the good peer was not refused');
  await waitFor(() => s.sink.texts().some((t) => t.includes(marker)), WAIT_MS, `marker ${marker}`);
  // The authenticated peer's certificate subject travels with its messages (store field tls.peer, console).
  const m = s.sink.messages.find((x) => x.rawmsg.toString().includes(marker))!;
  if (cred) assert.match(m.tlsPeer, /CN=/, 'tlsPeer holds the client certificate subject');
  else assert.equal(m.tlsPeer, '');
}

/** Run a refused peer, then a good one; nothing of the refused one may have arrived, and a warning names it. */
async function assertRefused(s: Server, run: (marker: string) => Promise<unknown>, good: { cert: Buffer; key: Buffer } | undefined, rule: RegExp): Promise<void> {
  const marker = unique('REFUSED');
  const warningsBefore = s.ctx.logger.records!.filter((r) => r.code === 'LW_WARN_TLS_PEER_REFUSED').length;
  await run(marker);
  await goodPeerStillServed(s, good);
  assert.equal(s.sink.texts().filter((t) => t.includes(marker)).length, 0, 'no message of the refused peer arrived');
  const warnings = s.ctx.logger.records!.filter((r) => r.code === 'LW_WARN_TLS_PEER_REFUSED').slice(warningsBefore);
  assert.equal(warnings.length, 1, 'one refusal warning');
  assert.equal(warnings[0].level, 'warn');
  assert.match(String(warnings[0].fields.peer), /^127\.0\.0\.1:\d+$/);
  assert.match(String(warnings[0].fields.rule), rule);
}

/** A refused node:tls client: the server resets the connection, so the client sees an error. */
const refusedTls = (s: Server, base: string) => async (marker: string): Promise<void> => {
  const r = await tlsSend(s.port, [`<13>intruder: ${marker}`], peer(base));
  assert.notEqual(r.error, null, 'the refused client saw the connection reset');
};

describe('TLS input, anon', () => {
  let s: Server;
  before(async () => { s = await startServer({ 'StreamDriver.AuthMode': 'anon' }); });
  after(async () => { await s.input.stop(); });

  it('accepts a client without certificate and parses what it sends', async () => {
    const marker = unique('ANON');
    await tlsSend(s.port, [`<134>1 2024-01-02T03:04:05Z h app 1 - - ${marker}`]);
    await waitFor(() => s.sink.texts().some((t) => t.includes(marker)), WAIT_MS, 'anon message');
    const m = s.sink.messages.find((x) => x.rawmsg.toString().includes(marker))!;
    assert.equal(m.fromhostIp, '127.0.0.1');
    assert.equal(m.tlsPeer, '', 'anonymous TLS: no peer identity');
    assert.equal(m.facility, 16);
    assert.equal(m.severity, 6);
  });

  it('survives plaintext syslog on the TLS port, logging one protocol-mismatch warning, and nothing of it arrives', async () => {
    const marker = unique('PLAIN');
    await rawSend(s.port, Buffer.from(`<13>Jan  1 00:00:00 host plain: ${marker}\n`));
    await goodPeerStillServed(s);
    assert.equal(s.sink.texts().filter((t) => t.includes(marker)).length, 0);
    assert.ok(s.ctx.logger.records!.some((r) => r.code === 'LW_WARN_PROTOCOL_MISMATCH' && r.level === 'warn' && /^127\.0\.0\.1:\d+$/.test(String(r.fields.peer))));
  });

  it('a 5,000-message octet-counted stream from openssl s_client arrives complete, in order, unmerged', async () => {
    const tag = unique('BULK');
    const frames = Array.from({ length: 5000 }, (_, i) => {
      const m = `<165>1 2026-01-01T00:00:00.000Z k8s-node-3 app ${i} ID - ${tag} seq=${i} ${'x'.repeat(150)}`;
      return `${Buffer.byteLength(m)} ${m}`;
    }).join('');
    const code = await new Promise<number | null>((resolve) => {
      const p = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${s.port}`, '-quiet', '-no_ign_eof', '-nocommands'], { stdio: ['pipe', 'ignore', 'ignore'] });
      p.stdin.end(frames);
      p.on('exit', resolve);
    });
    assert.equal(code, 0);
    const mine = (): string[] => s.sink.messages.map((m) => m.msg).filter((m) => m.includes(tag));
    await waitFor(() => mine().length >= 5000, WAIT_MS, '5000 messages');
    assert.deepEqual(mine().map((m) => Number(/seq=(\d+)/.exec(m)![1])), Array.from({ length: 5000 }, (_, i) => i));
  });

  it('survives handshake garbage', async () => {
    await rawSend(s.port, Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff]), randomBytes(2048)]));
    await goodPeerStillServed(s);
  });
});

describe('TLS input, x509/certvalid', () => {
  let s: Server;
  const good = peer('other.test'); // any name is fine under certvalid
  before(async () => { s = await startServer({ 'StreamDriver.AuthMode': 'x509/certvalid' }); });
  after(async () => { await s.input.stop(); });

  it('accepts any certificate from the CA', async () => { await goodPeerStillServed(s, good); });
  it('refuses an expired certificate', async () => { await assertRefused(s, refusedTls(s, 'expired/client.example.net'), good, /certvalid/); });
  it('refuses a certificate from another CA', async () => { await assertRefused(s, refusedTls(s, 'intruder/client.example.net'), good, /certvalid/); });
  it('refuses openssl s_client without a client certificate', async () => {
    await assertRefused(s, (m) => opensslNoCert(s.port, `<13>nocert: ${m}`), good, /certvalid/);
  });
});

describe('TLS input, x509/name', () => {
  let s: Server;
  const good = peer('client.example.net');
  before(async () => { s = await startServer({ 'StreamDriver.AuthMode': 'x509/name', 'StreamDriver.PermittedPeers': ['client.example.net', 'aws-syslog', 'rsa.example.net'] }); });
  after(async () => { await s.input.stop(); });

  it('accepts a permitted SAN dNSName', async () => { await goodPeerStillServed(s, good); });
  it('accepts a permitted CN when the certificate has no SAN (seed 004)', async () => { await goodPeerStillServed(s, peer('aws-syslog')); });
  it('accepts an RSA 2048 client certificate', async () => { await goodPeerStillServed(s, peer('rsa/rsa.example.net')); });
  it('refuses a name that is not permitted', async () => { await assertRefused(s, refusedTls(s, 'other.test'), good, /x509\/name/); });
  it('refuses an expired certificate with a permitted name', async () => { await assertRefused(s, refusedTls(s, 'expired/client.example.net'), good, /x509\/name/); });
  it('refuses a permitted name signed by another CA', async () => { await assertRefused(s, refusedTls(s, 'intruder/client.example.net'), good, /x509\/name/); });
  it('refuses openssl s_client without a client certificate', async () => {
    await assertRefused(s, (m) => opensslNoCert(s.port, `<13>nocert: ${m}`), good, /x509\/name/);
  });
});

describe('TLS input, x509/name with a wildcard PermittedPeer', () => {
  let s: Server;
  const good = peer('client.example.net');
  before(async () => { s = await startServer({ 'StreamDriver.AuthMode': 'x509/name', 'StreamDriver.PermittedPeers': '*.example.net' }); });
  after(async () => { await s.input.stop(); });

  it('*.example.net accepts client.example.net', async () => { await goodPeerStillServed(s, good); });
  it('*.example.net refuses a.b.example.net (one label only)', async () => { await assertRefused(s, refusedTls(s, 'a.b.example.net'), good, /x509\/name/); });
});

describe('TLS input, x509/fingerprint', () => {
  let s: Server;
  const good = peer('client.example.net');
  const sha256 = fingerprint(new Uint8Array(readCertificate(pki('client.example.net.pem')).rawData), 'sha256');
  const sha1 = fingerprint(new Uint8Array(readCertificate(pki('aws-syslog.pem')).rawData), 'sha1');
  before(async () => { s = await startServer({ 'StreamDriver.AuthMode': 'x509/fingerprint', 'StreamDriver.PermittedPeers': [sha256, sha1] }); });
  after(async () => { await s.input.stop(); });

  it('accepts a pinned SHA256 fingerprint', async () => { await goodPeerStillServed(s, good); });
  it('accepts a pinned SHA1 fingerprint', async () => { await goodPeerStillServed(s, peer('aws-syslog')); });
  it('refuses a fingerprint mismatch', async () => { await assertRefused(s, refusedTls(s, 'other.test'), good, /fingerprint/); });
  it('refuses the intruder with the same name', async () => { await assertRefused(s, refusedTls(s, 'intruder/client.example.net'), good, /fingerprint/); });
});

describe('TLS input, StreamDriver.TlsVerifyDepth', () => {
  it('a CA-signed leaf (depth 1) is within the minimum limit of 2 (refusal of deeper chains is not covered: no intermediate CA fixture)', async () => {
    const tight = await startServer({ 'StreamDriver.AuthMode': 'x509/certvalid', 'StreamDriver.TlsVerifyDepth': '2' });
    try { await goodPeerStillServed(tight, peer('client.example.net')); } finally { await tight.input.stop(); }
  });
});

describe('TLS input configuration errors', () => {
  it('names file:line:col for a TLS input without a certificate', () => {
    const ctx = context({});
    assert.throws(() => tlsInput.create(inputDecl({ port: '0', 'StreamDriver.Mode': '1', 'StreamDriver.AuthMode': 'anon' }), new Map(), ctx, new CollectingSink()),
      (e: Error & { code?: string }) => e.code === 'LW_ERR_TLS_CONFIG' && /^test\.conf:1:1: /.test(e.message));
  });
  it('refuses ptcp with mode 1 and an invalid wildcard', () => {
    const ctx = context(SERVER_GLOBALS);
    const cases: Array<Record<string, string>> = [{ 'StreamDriver.Name': 'ptcp' }, { 'StreamDriver.PermittedPeers': 'a*b.example.net' }, { 'StreamDriver.AuthMode': 'x509/fingerprint', 'StreamDriver.PermittedPeers': 'AB:CD' }];
    for (const p of cases) {
      assert.throws(() => tlsInput.create(inputDecl({ port: '0', 'StreamDriver.Mode': '1', ...p }), new Map(), ctx, new CollectingSink()),
        (e: Error & { code?: string }) => e.code === 'LW_ERR_TLS_CONFIG', JSON.stringify(p));
    }
  });
  it('an encrypted key needs its passphrase file (Logwarden extension)', async () => {
    const enc = { 'StreamDriver.CertFile': pki('encrypted/localhost.pem'), 'StreamDriver.KeyFile': pki('encrypted/localhost-key.pem'), 'StreamDriver.AuthMode': 'anon' };
    const ctx = context({});
    assert.throws(() => tlsInput.create(inputDecl({ port: '0', 'StreamDriver.Mode': '1', ...enc }), new Map(), ctx, new CollectingSink()),
      (e: Error & { code?: string }) => e.code === 'LW_ERR_TLS_CONFIG' && /passphrase/.test(e.message));
    const s = await startServer({ ...enc, 'StreamDriver.KeyPassphraseFile': pki('server-pass.txt') });
    try { await goodPeerStillServed(s); } finally { await s.input.stop(); }
  });
});

// omfwd (forward action): exact framing on the wire, TLS to our own TLS input with x509/name both ways,
// refusal of an unauthorised server, reconnect after connection loss, UDP truncation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { forwardAction } from '../../src/actions/forward';
import type { Action } from '../../src/actions/action';
import type { ActionDecl } from '../../src/config/model';
import { Message } from '../../src/message';
import { parseOptions, parseSyslog } from '../../src/parse';
import { SyslogTime } from '../../src/time';
import { builtinTemplates } from '../../src/templates';
import { tlsInput } from '../../src/inputs/tls';
import type { Input } from '../../src/components';
import { CA, CollectingSink, SERVER_GLOBALS, context, inputDecl, params, pki, waitFor } from './tls-helpers';

const WAIT_MS = 10_000;
const ORIGIN = { inputname: 'test', fromhostIp: '127.0.0.1', fromhost: 'src', ruleset: 'RSYSLOG_DefaultRuleset' };
const opts = parseOptions();

function msg(text: string): Message {
  const raw = Buffer.from(text);
  const m = new Message(raw, ORIGIN, SyslogTime.now());
  parseSyslog(raw, m, opts);
  return m;
}

function action(p: Record<string, string | string[]>, globals: Record<string, string> = {}): Action {
  const decl: ActionDecl = { type: 'omfwd', params: params(p), loc: { file: 'test.conf', line: 3, col: 1 } };
  return forwardAction.create(decl, new Map(), context(globals, [...builtinTemplates().values()]));
}

/** A plain TCP peer that records every byte. */
async function byteSink(): Promise<{ server: NetServer; port: number; data: () => Buffer }> {
  const chunks: Buffer[] = [];
  const server = createServer((s) => s.on('data', (d) => chunks.push(d)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as AddressInfo).port, data: () => Buffer.concat(chunks) };
}

describe('forward framing over TCP', () => {
  it('octet-counted: LEN SP MSG, RSYSLOG_TraditionalForwardFormat by default', async () => {
    const peer = await byteSink();
    const a = action({ target: '127.0.0.1', port: String(peer.port), protocol: 'tcp', TCP_Framing: 'octet-counted' });
    try {
      await a.deliver([msg('<13>Feb  3 04:05:06 host1 app[12]: hello'), msg('<14>Feb  3 04:05:07 host1 app: bye\n')]);
      const expect = ['<13>Feb  3 04:05:06 host1 app[12]: hello', '<14>Feb  3 04:05:07 host1 app: bye'].map((s) => `${Buffer.byteLength(s)} ${s}`).join('');
      await waitFor(() => peer.data().length >= expect.length, WAIT_MS, 'bytes');
      assert.equal(peer.data().toString(), expect);
      assert.equal(a.stats.delivered, 2);
    } finally { await a.close(); peer.server.close(); }
  });

  it('traditional: LF appended, port defaults to 514 and template to RSYSLOG_TraditionalForwardFormat', async () => {
    const peer = await byteSink();
    const a = action({ target: '127.0.0.1', port: String(peer.port), protocol: 'tcp' });
    try {
      await a.deliver([msg('<13>Feb  3 04:05:06 host1 app: one')]);
      await waitFor(() => peer.data().length > 0, WAIT_MS, 'bytes');
      assert.equal(peer.data().toString(), '<13>Feb  3 04:05:06 host1 app: one\n');
    } finally { await a.close(); peer.server.close(); }
    assert.equal(forwardAction.spec.params.find((p) => p.name === 'port')?.default, 514);
  });

  it('rejects while the peer is down and reconnects once it is back (queue retries)', async () => {
    const peer = await byteSink();
    const port = peer.port;
    await new Promise<void>((r) => peer.server.close(() => r()));
    const a = action({ target: '127.0.0.1', port: String(port), protocol: 'tcp' });
    try {
      await assert.rejects(a.deliver([msg('<13>Feb  3 04:05:06 h app: lost?')]));
      assert.equal(a.stats.delivered, 0);
      const chunks: Buffer[] = [];
      const again = createServer((s) => s.on('data', (d) => chunks.push(d)));
      await new Promise<void>((r) => again.listen(port, '127.0.0.1', () => r()));
      try {
        await a.deliver([msg('<13>Feb  3 04:05:06 h app: retried')]);
        await waitFor(() => Buffer.concat(chunks).includes('retried'), WAIT_MS, 'retried message');
      } finally { await a.close(); again.close(); }
    } finally { await a.close(); }
  });
});

describe('forward over UDP', () => {
  it('one datagram per message, truncated to maxMessageSize', async () => {
    const rx = createSocket('udp4');
    const got: Buffer[] = [];
    rx.on('message', (d) => got.push(d));
    await new Promise<void>((r) => rx.bind(0, '127.0.0.1', () => r()));
    const a = action({ target: '127.0.0.1', port: String(rx.address().port), protocol: 'udp', template: 'RSYSLOG_TraditionalForwardFormat' });
    try {
      await a.deliver([msg('<13>Feb  3 04:05:06 h app: short'), msg(`<13>Feb  3 04:05:06 h app: ${'x'.repeat(9000)}`)]);
      await waitFor(() => got.length === 2, WAIT_MS, 'datagrams');
      assert.equal(got[0].toString(), '<13>Feb  3 04:05:06 h app: short');
      assert.equal(got[1].length, 8192);
      assert.equal((a as unknown as { truncated: number }).truncated, 1);
    } finally { await a.close(); rx.close(); }
  });
});

describe('forward over TLS to the Logwarden TLS input', () => {
  let input: Input;
  let port = 0;
  const sink = new CollectingSink();
  before(async () => {
    input = tlsInput.create(inputDecl({ port: '0', address: '127.0.0.1', 'StreamDriver.Mode': '1', 'StreamDriver.AuthMode': 'x509/name', 'StreamDriver.PermittedPeers': 'client.example.net' }), new Map(), context(SERVER_GLOBALS), sink);
    await input.start();
    port = input.addresses()[0].port;
  });
  after(async () => { await input.stop(); });

  const client = { DefaultNetstreamDriverCAFile: CA, DefaultNetstreamDriverCertFile: pki('client.example.net.pem'), DefaultNetstreamDriverKeyFile: pki('client.example.net-key.pem') };

  it('x509/name both ways: server name = target host, client permitted by name', async () => {
    const a = action({ target: 'localhost', port: String(port), protocol: 'tcp', StreamDriver: 'gtls', StreamDriverMode: '1', StreamDriverAuthMode: 'x509/name', TCP_Framing: 'octet-counted' }, client);
    try {
      const batch = Array.from({ length: 50 }, (_, i) => msg(`<13>Feb  3 04:05:06 h app: tls-${i}`));
      await a.deliver(batch);
      await waitFor(() => sink.messages.filter((m) => m.msg.includes('tls-')).length === 50, WAIT_MS, '50 messages');
      assert.deepEqual(sink.messages.filter((m) => m.msg.includes('tls-')).map((m) => m.msg.trim()), batch.map((_, i) => `tls-${i}`));
    } finally { await a.close(); }
  });

  it('refuses a server whose name does not match StreamDriverPermittedPeers; nothing is sent', async () => {
    const a = action({ target: '127.0.0.1', port: String(port), protocol: 'tcp', StreamDriverMode: '1', StreamDriverAuthMode: 'x509/name', StreamDriverPermittedPeers: 'central.example.net' }, client);
    try {
      await assert.rejects(a.deliver([msg('<13>Feb  3 04:05:06 h app: must-not-arrive')]), (e: Error & { code?: string }) => e.code === 'LW_ERR_TLS_PEER_REFUSED' && /CN=localhost/.test(e.message));
      assert.equal(a.stats.delivered, 0);
    } finally { await a.close(); }
    const b = action({ target: 'localhost', port: String(port), protocol: 'tcp', StreamDriverMode: '1', StreamDriverAuthMode: 'x509/name' }, client);
    try { await b.deliver([msg('<13>Feb  3 04:05:06 h app: after-refusal')]); } finally { await b.close(); }
    await waitFor(() => sink.messages.some((m) => m.msg.includes('after-refusal')), WAIT_MS, 'after-refusal');
    assert.equal(sink.messages.filter((m) => m.msg.includes('must-not-arrive')).length, 0);
  });

  it('TLS needs protocol tcp and names the config place', () => {
    assert.throws(() => action({ target: 'localhost', StreamDriverMode: '1', StreamDriverAuthMode: 'anon' }, client),
      (e: Error & { code?: string }) => e.code === 'LW_ERR_TLS_CONFIG' && e.message.startsWith('test.conf:3:1: '));
  });
});

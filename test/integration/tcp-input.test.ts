// Integration: the tcp input on real loopback sockets — many concurrent connections, both framings,
// truncation, garbage, IPv6, backpressure, graceful stop and config refusals.
import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { tcpInput } from '../../src/inputs/tcp';
import type { Input } from '../../src/components';
import { CollectingSink, context, decl, waitFor } from './input-helpers';

const started: Input[] = [];
after(async () => { await Promise.all(started.map((i) => i.stop())); });

async function startTcp(values: Record<string, string | number | boolean>, maxMessageSize = 8192): Promise<{ input: Input; sink: CollectingSink; port: number }> {
  const sink = new CollectingSink();
  const { ctx } = context({ 'net.enabledns': 'off' }, maxMessageSize);
  const input = tcpInput.create(decl('imtcp', { port: 0, ...values }), new Map(), ctx, sink);
  await input.start();
  started.push(input);
  return { input, sink, port: input.addresses()[0].port };
}

function connect(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host }, () => resolve(s));
    s.once('error', reject);
  });
}

function endAndWait(s: net.Socket): Promise<void> {
  return new Promise((r) => { s.on('close', () => r()); s.end(); });
}

test('many concurrent connections, mixed framings, all messages arrive parsed with origin', async () => {
  const { sink, port } = await startTcp({ name: 'mytcp' });
  const CONNS = 20;
  const PER = 25;
  const sockets = await Promise.all(Array.from({ length: CONNS }, () => connect(port)));
  sockets.forEach((s, c) => {
    let data = '';
    for (let i = 0; i < PER; i++) {
      const m = `<13>Oct 11 22:14:15 host app[${c}]: conn ${c} msg ${i}`;
      data += i % 2 === 0 ? `${m}\n` : `${Buffer.byteLength(m)} ${m}`;
    }
    s.write(data);
  });
  await waitFor(() => sink.messages.length === CONNS * PER, 10000, 'all TCP messages');
  await Promise.all(sockets.map(endAndWait));
  for (let c = 0; c < CONNS; c++) {
    const mine = sink.messages.filter((m) => m.procid === String(c)).map((m) => m.msg);
    assert.deepEqual(mine, Array.from({ length: PER }, (_, i) => ` conn ${c} msg ${i}`));
  }
  const m = sink.messages[0];
  assert.deepEqual([m.inputname, m.fromhostIp, m.fromhost, m.hostname, m.syslogtag.startsWith('app[')], ['mytcp', '127.0.0.1', '127.0.0.1', 'host', true]);
  assert.ok(sink.batches.length < CONNS * PER, 'messages are submitted in batches');
});

test('truncation keeps the stream in sync; garbage does not crash; final frame without LF delivered', async () => {
  const { sink, port, input } = await startTcp({ discardTruncatedMsg: 'on' }, 64);
  const s = await connect(port);
  s.write(`<13>h t: ${'x'.repeat(200)}\n<13>h t: after long\n\x00\x01\xff garbage\n99999999999999 bad count\n<13>h t: last`);
  await endAndWait(s);
  await waitFor(() => sink.messages.length === 5, 5000, 'messages');
  assert.equal(sink.messages[0].rawmsg.length, 64);
  assert.equal(sink.messages[1].msg, ' after long');
  assert.equal(sink.messages[4].msg, ' last');
  assert.ok(input.addresses().length === 1);
});

test('IPv6 loopback connections work and fromhost-ip is ::1', async () => {
  const { sink, port } = await startTcp({});
  const s = await connect(port, '::1');
  s.write('<13>h t: v6\n');
  await endAndWait(s);
  await waitFor(() => sink.messages.length === 1, 5000, 'IPv6 message');
  assert.equal(sink.messages[0].fromhostIp, '::1');
});

test('backpressure: a congested sink pauses reading until drained', async () => {
  const { sink, port } = await startTcp({});
  sink.congested = true;
  const s = await connect(port);
  s.write('<13>h t: first\n');
  await waitFor(() => sink.messages.length === 1 && sink.waiters === 1, 5000, 'first message and a drain waiter');
  sink.drain();
  s.write('<13>h t: second\n');
  await waitFor(() => sink.messages.length === 2, 5000, 'second message after drain');
  await endAndWait(s);
});

test('graceful stop submits everything already received, including a partial LF frame', async () => {
  const { sink, port, input } = await startTcp({});
  const s = await connect(port);
  s.on('error', () => undefined);
  s.write('<13>h t: one\n<13>h t: two\n<13>h t: partial');
  await waitFor(() => sink.messages.length === 2, 5000, 'two messages');
  await input.stop();
  assert.deepEqual(sink.messages.map((m) => m.msg), [' one', ' two', ' partial']);
  s.destroy();
});

test('maxSessions refuses extra connections', async () => {
  const { sink, port } = await startTcp({ maxSessions: 1 });
  const a = await connect(port);
  a.write('<13>h t: a\n');
  await waitFor(() => sink.messages.length === 1, 5000, 'first session');
  const b = await connect(port);
  b.on('error', () => undefined);
  b.write('<13>h t: refused\n');
  await new Promise<void>((r) => b.on('close', () => r()));
  await endAndWait(a);
  assert.deepEqual(sink.messages.map((m) => m.msg), [' a']);
});

test('config refusals name the place', () => {
  const { ctx } = context();
  assert.throws(() => tcpInput.create(decl('imtcp', { port: 514, 'StreamDriver.Mode': 1 }), new Map(), ctx, new CollectingSink()),
    (e: Error & { code?: string }) => e.code === 'LW_ERR_CONFIG' && /test\.conf:1:1.*tls input/.test(e.message));
  assert.throws(() => tcpInput.create(decl('imtcp', { port: 'abc' }), new Map(), ctx, new CollectingSink()), /test\.conf:1:1: port must be a number/);
  assert.throws(() => tcpInput.create(decl('imtcp', {}), new Map(), ctx, new CollectingSink()), /test\.conf:3:1: .*needs a port/);
});

test('RateLimit.Interval / RateLimit.Burst: one limiter for the listener, shared by its connections (rsyslog tcpsrv)', async () => {
  const { sink, port } = await startTcp({ 'RateLimit.Interval': 3600, 'RateLimit.Burst': 5 });
  const a = await connect(port);
  a.write(Array.from({ length: 4 }, (_, i) => `<13>h app: a ${i}\n`).join(''));
  await waitFor(() => sink.messages.length === 4, 10000, 'the first connection\'s messages');
  const b = await connect(port);
  b.write(Array.from({ length: 4 }, (_, i) => `<11>h app: b ${i}\n`).join('') + '<8>h app: emerg too\n');
  await waitFor(() => sink.messages.length >= 5, 10000, 'the burst');
  await Promise.all([endAndWait(a), endAndWait(b)]);
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(sink.messages.map((m) => m.msg), [' a 0', ' a 1', ' a 2', ' a 3', ' b 0']);
  assert.throws(() => tcpInput.create(decl('imtcp', { port: 0, 'RateLimit.Interval': 'x' }), new Map(), context({}).ctx, new CollectingSink()), /RateLimit\.Interval must be a number/);
});

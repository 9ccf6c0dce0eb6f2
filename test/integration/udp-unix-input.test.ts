// Integration: the udp input (IPv4 + IPv6, batching, truncation, fromhost) and the unix-socket input fed
// by the real logger(1).
import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { udpInput } from '../../src/inputs/udp';
import { unixSockInput } from '../../src/inputs/unixsock';
import type { Input } from '../../src/components';
import { CollectingSink, context, decl, waitFor } from './input-helpers';

const started: Input[] = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-inputs-'));
after(async () => {
  await Promise.all(started.map((i) => i.stop()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

function send(type: 'udp4' | 'udp6', host: string, port: number, frames: Buffer[]): Promise<void> {
  const s = dgram.createSocket(type);
  return frames.reduce((p, f) => p.then(() => new Promise<void>((r, j) => s.send(f, port, host, (e) => (e ? j(e) : r())))), Promise.resolve())
    .finally(() => s.close());
}

test('udp: IPv4 and IPv6 datagrams, one message each, batched, loopback named localhost', async () => {
  const sink = new CollectingSink();
  const { ctx } = context();
  const input = udpInput.create(decl('imudp', { port: 0 }), new Map(), ctx, sink);
  await input.start();
  started.push(input);
  const addrs = input.addresses();
  assert.ok(addrs.some((a) => a.address === '0.0.0.0'));
  const port = addrs[0].port;
  const N = 50;
  await send('udp4', '127.0.0.1', port, Array.from({ length: N }, (_, i) => Buffer.from(`<13>Oct 11 22:14:15 host t: v4 ${i}\n`)));
  await waitFor(() => sink.messages.length === N, 5000, 'IPv4 datagrams');
  assert.deepEqual(sink.messages.map((m) => m.msg), Array.from({ length: N }, (_, i) => ` v4 ${i}`));
  assert.deepEqual([sink.messages[0].inputname, sink.messages[0].fromhostIp, sink.messages[0].fromhost], ['imudp', '127.0.0.1', 'localhost']);
  assert.ok(sink.batches.length < N, 'datagrams are submitted in batches');
  const v6 = addrs.find((a) => a.address === '::');
  assert.ok(v6, 'an IPv6 socket is bound');
  await send('udp6', '::1', v6.port, [Buffer.from('<14>1 2026-11-20T10:00:00Z h app - - - v6')]);
  await waitFor(() => sink.messages.length === N + 1, 5000, 'IPv6 datagram');
  assert.deepEqual([sink.messages[N].fromhostIp, sink.messages[N].msg, sink.messages[N].fromhost], ['::1', 'v6', 'localhost']);
});

test('udp: oversize datagrams are truncated, empty and garbage ones never crash', async () => {
  const sink = new CollectingSink();
  const { ctx } = context({ 'net.enabledns': 'off' }, 100);
  const input = udpInput.create(decl('imudp', { port: 0, address: '127.0.0.1', name: 'u2' }), new Map(), ctx, sink);
  await input.start();
  started.push(input);
  const port = input.addresses()[0].port;
  await send('udp4', '127.0.0.1', port, [Buffer.alloc(0), Buffer.from('x'.repeat(500)), Buffer.from([0, 1, 2, 0xff]), Buffer.from('<13>h t: end')]);
  await waitFor(() => sink.messages.length === 3, 5000, 'datagrams');
  assert.equal(sink.messages[0].rawmsg.length, 100);
  // escaped control bytes, no header: the whole text is taken as TAG, as rsyslog does
  assert.deepEqual([sink.messages[1].syslogtag, sink.messages[1].msg], ['#000#001#002\udcff', '']); // 0xFF kept as a byte (U+DCFF), as rsyslog keeps it
  assert.deepEqual([sink.messages[2].msg, sink.messages[2].fromhost, sink.messages[2].inputname], [' end', '127.0.0.1', 'u2']);
});

test('unix socket: logger(1) messages arrive with the local hostname; NUL-delimited frames too', async () => {
  const sink = new CollectingSink();
  const { ctx } = context();
  const sockPath = path.join(tmp, 'log.sock');
  const input = unixSockInput.create(decl('imuxsock', { socket: sockPath, ignoreTimestamp: 'off' }), new Map(), ctx, sink);
  await input.start();
  started.push(input);
  execFileSync('logger', ['-u', sockPath, '-t', 'mytag', '-p', 'local3.warning', 'hello from logger']);
  execFileSync('logger', ['-u', sockPath, '--octet-count', '-t', 'other', 'counted']);
  await waitFor(() => sink.messages.length === 2, 5000, 'logger messages');
  const m = sink.messages[0];
  assert.deepEqual([m.syslogtag, m.msg, m.facility, m.severity, m.inputname, m.fromhostIp, m.hostname],
    ['mytag:', ' hello from logger', 19, 4, 'imuxsock', '127.0.0.1', os.hostname().split('.')[0]]);
  assert.equal(sink.messages[1].msg, ' counted');
  // glibc's syslog() over a stream socket ends each message with NUL
  const s = net.connect(sockPath);
  await new Promise<void>((r) => s.on('connect', () => r()));
  s.end('<12>Nov 22 10:00:00 prog[5]: a\x00<12>Nov 22 10:00:00 prog[5]: b\x00');
  await waitFor(() => sink.messages.length === 4, 5000, 'NUL-delimited messages');
  assert.deepEqual(sink.messages.slice(2).map((x) => [x.programname, x.procid, x.msg]), [['prog', '5', ' a'], ['prog', '5', ' b']]);
});

test('unix socket: ignoreTimestamp (default on) uses the reception time', async () => {
  const sink = new CollectingSink();
  const { ctx } = context();
  const sockPath = path.join(tmp, 'log2.sock');
  const input = unixSockInput.create(decl('imuxsock', { socket: sockPath }), new Map(), ctx, sink);
  await input.start();
  started.push(input);
  const s = net.connect(sockPath);
  await new Promise<void>((r) => s.on('connect', () => r()));
  s.end('<12>Jan  1 00:00:00 prog: old\n');
  await waitFor(() => sink.messages.length === 1, 5000, 'message');
  assert.equal(sink.messages[0].timereported, sink.messages[0].timegenerated);
});

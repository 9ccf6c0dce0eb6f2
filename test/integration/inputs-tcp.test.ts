// TCP input on real loopback sockets: many concurrent peers in both RFC 6587 framings, truncation, garbage,
// IPv6, origin properties, graceful stop, backpressure (paused reads), and ruleset routing through the runtime.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { tcpInput } from '../../src/inputs/tcp';
import { StreamSession } from '../../src/inputs/stream';
import { parseOptions } from '../../src/parse/options';
import { StreamLogger } from '../../src/log';
import { readLines, tempDir, waitFor } from '../helpers/util';
import { startLogwarden } from '../helpers/logwarden';
import { ControlledSink, connectTcp, endAndWaitClose, octetFrame, startInput, write } from './inputs-helpers';

const CONNECTIONS = 50;
const PER_CONNECTION = 20;

function hasIpv6(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(0, '::1', () => s.close(() => resolve(true)));
  });
}

describe('tcp input', () => {
  it(`${CONNECTIONS} concurrent connections, both framings: every message once, per-connection order kept`, async () => {
    const { input, sink } = await startInput(tcpInput, 'imtcp', { port: '0', address: '127.0.0.1', name: 'tcp-many' });
    try {
      const port = input.addresses()[0].port;
      await Promise.all(Array.from({ length: CONNECTIONS }, async (_, c) => {
        const s = await connectTcp(port);
        let data = '';
        for (let i = 0; i < PER_CONNECTION; i++) {
          const m = `<13>Oct 11 22:14:15 host app: conn=${c} seq=${i}`;
          data += (c + i) % 2 === 0 ? octetFrame(m) : m + '\n'; // framings alternate within each connection
        }
        // Written in uneven pieces so frames straddle reads.
        for (let off = 0; off < data.length; off += 37 + c) await write(s, data.slice(off, off + 37 + c));
        await endAndWaitClose(s);
      }));
      await waitFor(() => sink.messages.length >= CONNECTIONS * PER_CONNECTION, 'all messages', 20_000);
      assert.equal(sink.messages.length, CONNECTIONS * PER_CONNECTION);
      const perConn = new Map<number, number[]>();
      for (const m of sink.messages) {
        const g = /^ conn=(\d+) seq=(\d+)$/.exec(m.msg);
        assert.ok(g, `unexpected msg ${JSON.stringify(m.msg)}`);
        const list = perConn.get(Number(g[1])) ?? [];
        list.push(Number(g[2]));
        perConn.set(Number(g[1]), list);
        assert.equal(m.inputname, 'tcp-many');
        assert.equal(m.fromhostIp, '127.0.0.1');
        assert.equal(m.hostname, 'host');
      }
      assert.equal(perConn.size, CONNECTIONS);
      const inOrder = Array.from({ length: PER_CONNECTION }, (_, i) => i);
      for (const [c, seqs] of perConn) assert.deepEqual(seqs, inOrder, `connection ${c}`);
    } finally {
      await input.stop();
    }
  });

  it('truncates an over-size message and keeps serving the connection', async () => {
    const { input, sink, ctx } = await startInput(tcpInput, 'imtcp', { port: '0', address: '127.0.0.1', discardTruncatedMsg: 'on' }, 64);
    try {
      const s = await connectTcp(input.addresses()[0].port);
      const big = '<13>host app: ' + 'x'.repeat(200);
      await write(s, `${big}\n${octetFrame(big)}<13>host app: after\n`);
      await endAndWaitClose(s);
      await waitFor(() => sink.messages.length >= 3, 'three messages');
      assert.deepEqual(sink.texts(), [big.slice(0, 64), big.slice(0, 64), '<13>host app: after']);
      assert.equal(ctx.logger.records!.filter((r) => r.code === 'LW_ERR_OVERSIZE').length, 2);
      assert.equal(sink.messages[0].inputname, 'imtcp');
    } finally {
      await input.stop();
    }
  });

  it('garbage and binary input never crash the listener; later peers are served', async () => {
    const { input, sink, ctx } = await startInput(tcpInput, 'imtcp', { port: '0', address: '127.0.0.1' });
    try {
      const port = input.addresses()[0].port;
      const garbage = [
        randomBytes(4096),
        Buffer.from('99999999999999999999999 \0\0\0\xff\xfe'),
        Buffer.from('0 \n\n\n12x'),
        Buffer.concat([Buffer.from('5000 '), randomBytes(100)]), // incomplete octet frame at close
      ];
      for (const g of garbage) {
        const s = await connectTcp(port);
        await write(s, g);
        s.destroy(); // abrupt close, sometimes an RST
      }
      const s = await connectTcp(port);
      await write(s, '<13>Oct 11 22:14:15 host app: still served\n');
      await endAndWaitClose(s);
      await waitFor(() => sink.messages.some((m) => m.msg === ' still served'), 'the good peer');
      assert.ok(ctx.logger.records!.some((r) => r.code === 'LW_ERR_FRAMING' && /^127\.0\.0\.1:\d+$/.test(String(r.fields.peer))),
        'framing errors are logged with the peer address');
    } finally {
      await input.stop();
    }
  });

  it('serves IPv6 (::1) with fromhost-ip ::1', async (t) => {
    if (!(await hasIpv6())) return t.skip('no IPv6 loopback on this machine');
    const { input, sink } = await startInput(tcpInput, 'imtcp', { port: '0', address: '::1' });
    try {
      const s = await connectTcp(input.addresses()[0].port, '::1');
      await write(s, octetFrame('<14>1 2026-11-20T10:00:00Z h6 app - - - over six'));
      await endAndWaitClose(s);
      await waitFor(() => sink.messages.length === 1, 'the IPv6 message');
      assert.equal(sink.messages[0].fromhostIp, '::1');
      assert.equal(sink.messages[0].fromhost, '::1'); // net.enableDNS="off"
      assert.equal(sink.messages[0].msg, 'over six');
    } finally {
      await input.stop();
    }
  });

  it('without address, listens dual-stack and reports IPv4 peers as plain IPv4', async () => {
    const { input, sink } = await startInput(tcpInput, 'imtcp', { port: '0' });
    try {
      const s = await connectTcp(input.addresses()[0].port, '127.0.0.1');
      await write(s, '<13>host app: v4\n');
      await endAndWaitClose(s);
      await waitFor(() => sink.messages.length === 1, 'the message');
      assert.equal(sink.messages[0].fromhostIp, '127.0.0.1');
    } finally {
      await input.stop();
    }
  });

  it('stop() submits everything already received, including a final frame without LF', async () => {
    const { input, sink } = await startInput(tcpInput, 'imtcp', { port: '0', address: '127.0.0.1' });
    const s = await connectTcp(input.addresses()[0].port);
    s.on('error', () => undefined);
    const closed = new Promise<void>((r) => s.once('close', () => r()));
    let data = '';
    for (let i = 0; i < 100; i++) data += `<13>host app: n=${i}\n`;
    await write(s, data + '<13>host app: last-no-lf');
    // The server's FIN makes this client end too (allowHalfOpen off), so stop() sees EOF and flushes.
    await input.stop();
    await closed;
    assert.equal(sink.messages.length, 101);
    assert.equal(sink.messages[100].msg, ' last-no-lf');
    assert.deepEqual(sink.messages.slice(0, 100).map((m) => m.msg), Array.from({ length: 100 }, (_, i) => ` n=${i}`));
    assert.deepEqual(input.addresses(), []);
  });

  it('rejects StreamDriver.Mode=1 and a bad port with the config place', () => {
    const ctx = { maxMessageSize: 8192 } as never;
    const decl = (p: Record<string, string>) => ({
      type: 'imtcp', loc: { file: 'a.conf', line: 7, col: 1 },
      params: new Map(Object.entries(p).map(([k, v]) => [k.toLowerCase(), { name: k, value: v, loc: { file: 'a.conf', line: 7, col: 20 } }])),
    });
    assert.throws(() => tcpInput.create(decl({ port: '514', 'StreamDriver.Mode': '1' }), new Map(), ctx, new ControlledSink()),
      /a\.conf:7:20: .*tls input/);
    assert.throws(() => tcpInput.create(decl({ port: 'http' }), new Map(), ctx, new ControlledSink()),
      (e: Error & { code?: string }) => e.code === 'LW_ERR_CONFIG' && /a\.conf:7:20: port must be a number/.test(e.message));
  });
});

describe('stream session backpressure', () => {
  let server: Server | null = null;
  after(() => server?.close());

  it('a congested sink pauses the socket read; onceDrained resumes it; nothing is lost', async () => {
    const sink = new ControlledSink();
    sink.congested = true;
    let serverSocket: Socket | null = null;
    server = createServer((sock) => {
      serverSocket = sock;
      new StreamSession(sock, { inputname: 'bp', fromhostIp: '127.0.0.1', fromhost: 'localhost', ruleset: 'r' }, sink, {
        maxMessageSize: 8192, parse: parseOptions(), logger: new StreamLogger({ out: null }),
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const client = await connectTcp((server.address() as { port: number }).port);
    await write(client, '<13>host app: first\n');
    await waitFor(() => sink.messages.length === 1, 'the first message');
    await waitFor(() => serverSocket !== null, 'the server socket');
    const sock = serverSocket as unknown as Socket;
    assert.equal(sock.isPaused(), true, 'reading paused while congested');
    assert.equal(sink.waiting, 1, 'the session waits for the drain');

    const TOTAL = 500;
    let rest = '';
    for (let i = 1; i < TOTAL; i++) rest += `<13>host app: n=${i}\n`;
    await write(client, rest);
    // The bytes reach the server's buffer but no frame is read while paused.
    await waitFor(() => sock.readableLength > 0, 'data buffered on the paused socket');
    assert.equal(sink.messages.length, 1);

    sink.drain();
    await waitFor(() => sink.messages.length === TOTAL, 'all messages after the drain');
    assert.deepEqual(sink.messages.slice(1).map((m) => m.msg), Array.from({ length: TOTAL - 1 }, (_, i) => ` n=${i + 1}`));
    await endAndWaitClose(client);
  });
});

describe('runtime routing', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('an input with ruleset= delivers to that ruleset only', async () => {
    const remote = join(tmp.dir, 'remote.log');
    const main = join(tmp.dir, 'main.log');
    const srv = await startLogwarden(tmp.dir, `
global(net.enableDNS="off")
module(load="imtcp")
template(name="m" type="string" string="%inputname% %fromhost-ip% %msg%\\n")
input(type="imtcp" port="0" address="127.0.0.1" name="remote-in" ruleset="remote")
ruleset(name="remote") { action(type="omfile" file="${remote}" template="m") }
action(type="omfile" file="${main}" template="m")
`);
    try {
      const s = await connectTcp(srv.port('tcp'));
      await write(s, '<13>Oct 11 22:14:15 host app: routed\n');
      await endAndWaitClose(s);
      await waitFor(() => readLines(remote).length === 1, 'the remote ruleset output');
      assert.deepEqual(readLines(remote), ['remote-in 127.0.0.1  routed']);
    } finally {
      await srv.stop();
    }
    assert.deepEqual(readLines(main), [], 'nothing reached the default ruleset');
  });
});

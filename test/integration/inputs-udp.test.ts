// UDP input on real loopback sockets: one datagram = one message, IPv4 and IPv6, origin properties,
// truncation at maxMessageSize, garbage, empty datagrams ignored, and stop() submitting what was received.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { udpInput } from '../../src/inputs/udp';
import { waitFor } from '../helpers/util';
import { startInput } from './inputs-helpers';

function send(type: 'udp4' | 'udp6', host: string, port: number, datagrams: Buffer[]): Promise<void> {
  const s: Socket = createSocket(type);
  return (async () => {
    for (const d of datagrams) await new Promise<void>((r, j) => s.send(d, port, host, (e) => (e ? j(e) : r())));
    await new Promise<void>((r) => s.close(() => r()));
  })();
}

function ipv6Udp(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp6');
    s.once('error', () => resolve(false));
    s.bind(0, '::1', () => s.close(() => resolve(true)));
  });
}

const b = (s: string): Buffer => Buffer.from(s);

describe('udp input', () => {
  it('IPv4: each datagram one message, with inputname and fromhost-ip; empty datagrams ignored', async () => {
    const { input, sink } = await startInput(udpInput, 'imudp', { port: '0', address: '127.0.0.1', name: 'udp-in', ruleset: 'r1' });
    try {
      const port = input.addresses()[0].port;
      const frames = Array.from({ length: 50 }, (_, i) => b(`<13>Oct 11 22:14:15 host app: n=${i}\nsame datagram`));
      await send('udp4', '127.0.0.1', port, [Buffer.alloc(0), ...frames]);
      await waitFor(() => sink.messages.length >= 50, '50 datagrams');
      const got = sink.messages.map((m) => m.msg).sort();
      const want = frames.map((_, i) => ` n=${i}#012same datagram`).sort();
      assert.deepEqual(got, want);
      for (const m of sink.messages) {
        assert.equal(m.inputname, 'udp-in');
        assert.equal(m.fromhostIp, '127.0.0.1');
        assert.equal(m.ruleset, 'r1');
        assert.equal(m.hostname, 'host');
      }
    } finally {
      await input.stop();
    }
  });

  it('IPv6 (::1) datagrams carry fromhost-ip ::1', async (t) => {
    if (!(await ipv6Udp())) return t.skip('no IPv6 loopback on this machine');
    const { input, sink } = await startInput(udpInput, 'imudp', { port: '0', address: '::1' });
    try {
      await send('udp6', '::1', input.addresses()[0].port, [b('<14>1 2026-11-20T10:00:00Z h6 app - - - over six')]);
      await waitFor(() => sink.messages.length === 1, 'the IPv6 datagram');
      assert.equal(sink.messages[0].fromhostIp, '::1');
      assert.equal(sink.messages[0].msg, 'over six');
      assert.equal(sink.messages[0].inputname, 'imudp');
    } finally {
      await input.stop();
    }
  });

  it('without address binds IPv4 and IPv6 on the same port', async (t) => {
    const { input, sink } = await startInput(udpInput, 'imudp', { port: '0' });
    try {
      const addrs = input.addresses();
      assert.ok(addrs.length >= 1);
      const port = addrs[0].port;
      assert.ok(addrs.every((a) => a.port === port));
      await send('udp4', '127.0.0.1', port, [b('<13>host app: four')]);
      if (addrs.length === 2 && (await ipv6Udp())) await send('udp6', '::1', port, [b('<13>host app: six')]);
      else t.diagnostic('IPv6 not available: only IPv4 checked');
      await waitFor(() => sink.messages.length === addrs.length, 'the datagrams');
      assert.deepEqual(sink.messages.map((m) => m.fromhostIp).sort(), addrs.length === 2 ? ['127.0.0.1', '::1'] : ['127.0.0.1']);
    } finally {
      await input.stop();
    }
  });

  it('a datagram over maxMessageSize is truncated and counted', async () => {
    const started = await startInput(udpInput, 'imudp', { port: '0', address: '127.0.0.1' }, 100);
    const { input, sink } = started;
    try {
      const big = '<13>host app: ' + 'y'.repeat(500);
      await send('udp4', '127.0.0.1', input.addresses()[0].port, [b(big), b('<13>host app: small')]);
      await waitFor(() => sink.messages.length === 2, 'both datagrams');
      const texts = sink.texts().sort();
      assert.deepEqual(texts, ['<13>host app: small', big.slice(0, 100)].sort());
      assert.equal((input as unknown as { truncated: number }).truncated, 1);
    } finally {
      await input.stop();
    }
  });

  it('garbage datagrams are kept as messages with rawmsg intact and never stop the input', async () => {
    const { input, sink } = await startInput(udpInput, 'imudp', { port: '0', address: '127.0.0.1' });
    try {
      const port = input.addresses()[0].port;
      const junk = [randomBytes(1000), b('<999>bad pri'), b('<'), Buffer.from([0xff, 0xfe, 0x00, 0x0a])];
      await send('udp4', '127.0.0.1', port, [...junk, b('<13>host app: after junk')]);
      await waitFor(() => sink.messages.some((m) => m.msg === ' after junk'), 'the good datagram');
      await waitFor(() => sink.messages.length === junk.length + 1, 'every datagram');
      const bad = sink.messages.find((m) => m.rawmsg.toString() === '<999>bad pri')!;
      assert.equal(bad.msg, '<999>bad pri');
      assert.equal(bad.parseFailed, true);
    } finally {
      await input.stop();
    }
  });

  it('stop() submits every datagram already received and closes the sockets', async () => {
    const { input, sink } = await startInput(udpInput, 'imudp', { port: '0', address: '127.0.0.1' });
    const port = input.addresses()[0].port;
    await send('udp4', '127.0.0.1', port, Array.from({ length: 20 }, (_, i) => b(`<13>host app: s=${i}`)));
    await waitFor(() => sink.messages.length === 20, 'the datagrams');
    await input.stop();
    assert.deepEqual(input.addresses(), []);
    assert.equal(sink.messages.length, 20);
  });
});

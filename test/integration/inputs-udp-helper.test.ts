// imudp's two receive paths on real loopback sockets: the recvmmsg helper (native/lw_udprecv) and Node's dgram
// sockets (LW_UDP_NO_HELPER=1). Numbered datagrams from a bounded sender (at most WINDOW ahead of what the input
// delivered, so the socket buffer never overflows), IPv4 and IPv6, every one counted once; the helper killed
// from outside is restarted; a port in use is a clean LW_ERR_LISTEN; stop() delivers what the kernel accepted;
// and through the CLI: SIGHUP rebuilds the helper, SIGTERM loses nothing.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { udpInput } from '../../src/inputs/udp';
import { NO_HELPER_ENV, UDPRECV_HELPER } from '../../src/inputs/udp-helper';
import { freePort, tempDir, waitFor } from '../helpers/util';
import { runLogwarden, seqs } from '../helpers/seq-sender';
import { startInput, type Started } from './inputs-helpers';

const WINDOW = 200;
const helperBuilt = existsSync(UDPRECV_HELPER) && process.platform === 'linux';
const tmp = tempDir('lw-udp-helper-');
after(() => tmp.cleanup());

interface Udp { input: { helperPid?: number; stop(): Promise<void>; addresses(): Array<{ address: string; port: number }> } }

function ipv6Udp(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp6');
    s.once('error', () => resolve(false));
    s.bind(0, '::1', () => s.close(() => resolve(true)));
  });
}

function sendOne(s: Socket, d: Buffer, port: number, host: string): Promise<void> {
  return new Promise((r, j) => s.send(d, port, host, (e) => (e ? j(e) : r())));
}

/** Send `seq` numbers [from, to) from `host`, never more than WINDOW ahead of what `delivered()` reports. */
async function sendNumbered(host: string, port: number, from: number, to: number, delivered: () => number): Promise<void> {
  const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  try {
    for (let i = from; i < to; i++) {
      if (i - from - delivered() >= WINDOW) await waitFor(() => i - from - delivered() < WINDOW, `delivery to catch up at ${i}`);
      await sendOne(s, Buffer.from(`<13>Jan  2 03:04:05 h app: seq=${String(i).padStart(7, '0')}`), port, host);
    }
  } finally {
    await new Promise<void>((r) => s.close(() => r()));
  }
}

function seqCount(st: Started): { distinct: number; total: number; ips: Set<string> } {
  const set = new Set<string>();
  const ips = new Set<string>();
  for (const m of st.sink.messages) {
    set.add(/seq=(\d+)/.exec(m.msg)![1]);
    ips.add(m.fromhostIp);
  }
  return { distinct: set.size, total: st.sink.messages.length, ips };
}

async function withoutHelper<T>(fn: () => Promise<T>): Promise<T> {
  const old = process.env[NO_HELPER_ENV];
  process.env[NO_HELPER_ENV] = '1';
  try {
    return await fn();
  } finally {
    if (old === undefined) delete process.env[NO_HELPER_ENV];
    else process.env[NO_HELPER_ENV] = old;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

for (const mode of ['helper', 'dgram'] as const) {
  describe(`udp input, ${mode} path`, () => {
    const start = (p: Record<string, string>): Promise<Started> => (mode === 'dgram' ? withoutHelper(() => startInput(udpInput, 'imudp', p)) : startInput(udpInput, 'imudp', p));

    it('numbered datagrams over IPv4 and IPv6 on one port: every one delivered once, with its source', async (t) => {
      if (mode === 'helper' && !helperBuilt) return t.skip('lw_udprecv not built');
      const st = await start({ port: '0', rcvbufSize: '4m' });
      const { input, sink } = st;
      try {
        const pid = (input as unknown as Udp['input']).helperPid;
        assert.equal(pid !== undefined, mode === 'helper', `helper pid ${pid}`);
        const port = input.addresses()[0].port;
        const N = 3000;
        await sendNumbered('127.0.0.1', port, 0, N, () => sink.messages.length);
        const v6 = input.addresses().length === 2 && (await ipv6Udp());
        if (v6) await sendNumbered('::1', port, N, 2 * N, () => sink.messages.length - N);
        else t.diagnostic('no IPv6: IPv4 only');
        const want = v6 ? 2 * N : N;
        await waitFor(() => sink.messages.length >= want, `${want} datagrams`);
        const c = seqCount(st);
        assert.deepEqual([c.distinct, c.total], [want, want]);
        assert.deepEqual([...c.ips].sort(), v6 ? ['127.0.0.1', '::1'] : ['127.0.0.1']);
        assert.ok(sink.batches < want, `${sink.batches} batches for ${want} datagrams`);
        await input.stop();
        if (pid !== undefined) assert.equal(alive(pid), false, 'the helper ended with the input');
      } finally {
        await input.stop();
      }
    });

    it('stop() right after the sends delivers every datagram the kernel accepted', async (t) => {
      if (mode === 'helper' && !helperBuilt) return t.skip('lw_udprecv not built');
      const st = await start({ port: '0', address: '127.0.0.1', rcvbufSize: '4m' });
      const port = st.input.addresses()[0].port;
      const s = createSocket('udp4');
      for (let i = 0; i < 300; i++) await sendOne(s, Buffer.from(`<13>h app: seq=${i}`), port, '127.0.0.1');
      s.close();
      await st.input.stop();
      assert.equal(seqCount(st).distinct, 300);
    });

    it('a congested pipeline holds reading; nothing is lost once it drains', async (t) => {
      if (mode === 'dgram') return t.skip('Node dgram sockets cannot pause');
      if (!helperBuilt) return t.skip('lw_udprecv not built');
      const st = await start({ port: '0', address: '127.0.0.1', rcvbufSize: '4m' });
      try {
        st.sink.congested = true;
        const port = st.input.addresses()[0].port;
        const s = createSocket('udp4');
        for (let i = 0; i < 500; i++) await sendOne(s, Buffer.from(`<13>h app: seq=${i}`), port, '127.0.0.1');
        s.close();
        await waitFor(() => st.sink.waiting > 0, 'the input to wait for the drain');
        st.sink.drain();
        await waitFor(() => st.sink.messages.length >= 500, 'every datagram after the drain');
        assert.equal(seqCount(st).distinct, 500);
      } finally {
        await st.input.stop();
      }
    });
  });
}

/** rx_queue bytes and drops of the IPv4 UDP socket bound to `port` (/proc/net/udp). */
function udpQueue(port: number): { rx: number; drops: number } {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of readFileSync('/proc/net/udp', 'latin1').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 12 && f[1].endsWith(hex)) return { rx: parseInt(f[4].split(':')[1], 16), drops: Number(f[f.length - 1]) };
  }
  throw new Error(`no UDP socket on port ${port}`);
}

describe('udp receive helper', { skip: !helperBuilt && 'lw_udprecv not built' }, () => {
  it('while the pipeline is congested the helper keeps draining the socket into its backlog (beyond the pipe)', async () => {
    const st = await startInput(udpInput, 'imudp', { port: '0', address: '127.0.0.1', rcvbufSize: '256k' });
    try {
      st.sink.congested = true;
      const port = st.input.addresses()[0].port;
      const s = createSocket('udp4');
      const N = 4000; // 4 MB: more than the pipe (at most 1 MB) and the socket buffer together
      const pad = 'x'.repeat(1000);
      for (let i = 0; i < N; i++) {
        // a window of 50 datagrams (~100 KB of socket buffer), then wait until the helper has read them
        if (i % 50 === 0) await waitFor(() => udpQueue(port).rx === 0, `the helper to drain the socket at ${i}`);
        await sendOne(s, Buffer.from(`<13>h app: seq=${i} ${pad}`), port, '127.0.0.1');
      }
      s.close();
      await waitFor(() => udpQueue(port).rx === 0, 'the last window');
      assert.equal(udpQueue(port).drops, 0);
      assert.ok(st.sink.messages.length < N, 'nothing past the first read while congested');
      st.sink.drain();
      await waitFor(() => st.sink.messages.length >= N, 'every datagram after the drain');
      assert.equal(seqCount(st).distinct, N);
    } finally {
      await st.input.stop();
    }
  });

  it('killed from outside: logged, restarted on the same port, datagrams flow again; stop does not hang', async () => {
    const st = await startInput(udpInput, 'imudp', { port: '0', address: '127.0.0.1', rcvbufSize: '4m' });
    const input = st.input as unknown as Udp['input'];
    try {
      const port = input.addresses()[0].port;
      await sendNumbered('127.0.0.1', port, 0, 500, () => st.sink.messages.length);
      await waitFor(() => st.sink.messages.length >= 500, 'the first 500');
      const first = input.helperPid!;
      process.kill(first, 'SIGKILL');
      const second = await waitFor(() => input.helperPid !== undefined && input.helperPid !== first && input.helperPid, 'a new helper');
      await waitFor(() => st.ctx.logger.records!.some((r) => r.code === 'LW_UDP_HELPER_RESTARTED'), 'the restart notice');
      assert.ok(st.ctx.logger.records!.some((r) => r.code === 'LW_ERR_UDP_HELPER' && r.level === 'error'));
      assert.equal(input.addresses()[0].port, port);
      await sendNumbered('127.0.0.1', port, 500, 1000, () => st.sink.messages.length - 500);
      await waitFor(() => st.sink.messages.length >= 1000, 'the next 500');
      assert.equal(seqCount(st).distinct, 1000);
      await input.stop();
      assert.equal(alive(second), false);
    } finally {
      await input.stop();
    }
  });

  it('a port in use is a clean LW_ERR_LISTEN, and no helper is left running', async () => {
    const holder = createSocket('udp4');
    await new Promise<void>((r) => holder.bind(0, '127.0.0.1', () => r()));
    try {
      const before = helperChildren();
      await assert.rejects(startInput(udpInput, 'imudp', { port: String(holder.address().port), address: '127.0.0.1' }),
        (e: Error & { code?: string }) => e.code === 'LW_ERR_LISTEN' && /address already in use|EADDRINUSE/i.test(e.message));
      await waitFor(() => helperChildren() <= before, 'the failed helper to be gone');
    } finally {
      holder.close();
    }
  });
});

/** Pids of the lw_udprecv processes whose parent is `parent`. */
function helpersOf(parent: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'latin1');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (stat.includes('(lw_udprecv)') && Number(rest[1]) === parent) out.push(Number(d));
    } catch { /* gone */ }
  }
  return out;
}
const helperChildren = (): number => helpersOf(process.pid).length;
const helperOf = (pid: number): number | undefined => helpersOf(pid)[0];

describe('logwarden run with the UDP helper', { skip: !helperBuilt && 'lw_udprecv not built' }, () => {
  it('SIGHUP with a changed input rebuilds the helper; SIGTERM right after the sends loses nothing', async () => {
    const port = await freePort();
    const out = join(tmp.dir, 'udp.out');
    const conf = join(tmp.dir, 'lw.conf');
    const write = (name: string): void => writeFileSync(conf, [
      `global(workDirectory="${tmp.dir}")`,
      'module(load="imudp")',
      `input(type="imudp" port="${port}" address="127.0.0.1" rcvbufSize="4m" name="${name}")`,
      `action(type="omfile" file="${out}" template="RSYSLOG_FileFormat")`, ''].join('\n'));
    write('one');
    const lw = runLogwarden(['run', '-f', conf, '--log-level', 'info'], tmp.dir);
    try {
      const first = await waitFor(() => helperOf(lw.child.pid!), 'the helper');
      await waitFor(() => lw.stderr().includes('LW_INFO_STARTED'), 'startup');
      const lines = (): number => seqs(out).lines;
      await sendNumbered('127.0.0.1', port, 0, 1000, lines);
      await waitFor(() => lines() >= 1000, 'the first 1000 lines');
      write('two');
      lw.child.kill('SIGHUP');
      await waitFor(() => lw.stderr().includes('LW_INFO_RELOADED'), 'the reload');
      const second = await waitFor(() => { const p = helperOf(lw.child.pid!); return p !== first && p; }, 'a new helper after SIGHUP');
      await waitFor(() => !alive(first), 'the old helper to end');
      await sendNumbered('127.0.0.1', port, 1000, 2000, () => lines() - 1000);
      lw.child.kill('SIGTERM');
      assert.equal(await lw.exited, 0, lw.stderr());
      const got = seqs(out);
      assert.equal(got.distinct.size, 2000, `distinct ${got.distinct.size}, lines ${got.lines}`);
      assert.equal(got.lines, 2000);
      assert.equal(alive(second), false);
    } finally {
      if (lw.child.exitCode === null) lw.child.kill('SIGKILL');
    }
  });
});

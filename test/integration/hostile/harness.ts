// Hostile-peer harness (issue #21): a real `logwarden run` child with a plain TCP and a TLS listener writing to a
// file, attackers on loopback (from 127.0.0.2 so that per-address limits apply to them, not to the good clients
// on 127.0.0.1), two well-behaved clients (plain TCP and TLS) that must deliver every numbered message while the
// attack runs, and the child's peak RSS (VmHWM) and descriptor count.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { freePort, tempDir, waitFor } from '../../helpers/util';

/** dist/test/integration/hostile → repository root. */
const ROOT = resolve(__dirname, '..', '..', '..', '..');
const BIN = join(ROOT, 'bin', 'logwarden.js');
const PKI = join(ROOT, 'test', 'fixtures', 'pki');
export const ATTACKER = '127.0.0.2';
/** Attackers spread over 20 loopback addresses (127.0.0.2 … 127.0.0.21): the listener-wide limits apply. */
export const attackerAddress = (i: number): string => `127.0.0.${2 + (i % 20)}`;

export interface Target {
  dir: string;
  tcpPort: number;
  tlsPort: number;
  child: ChildProcess;
  out: string;
  stderr(): string;
  /** Peak resident set (VmHWM) in MB. */
  hwmMb(): number;
  fds(): number;
  stop(): Promise<number | null>;
}

export interface TargetOptions {
  /** Run under this RLIMIT_NOFILE (prlimit), e.g. 1024. */
  nofile?: number;
  /** Extra parameters for both inputs, e.g. 'MaxSessions="200"'. */
  inputParams?: string;
}

export async function startTarget(t: TestContext, o: TargetOptions = {}): Promise<Target> {
  const d = tempDir('lw-hostile-');
  t.after(() => d.cleanup());
  const tcpPort = await freePort();
  const tlsPort = await freePort();
  const out = join(d.dir, 'out.log');
  const conf = join(d.dir, 'lw.conf');
  const extra = o.inputParams ?? '';
  writeFileSync(conf, `global(workDirectory="${join(d.dir, 'data')}"
  DefaultNetstreamDriverCAFile="${join(PKI, 'ca', 'ca.pem')}"
  DefaultNetstreamDriverCertFile="${join(PKI, 'localhost.pem')}"
  DefaultNetstreamDriverKeyFile="${join(PKI, 'localhost-key.pem')}")
module(load="imtcp")
input(type="imtcp" port="${tcpPort}" address="127.0.0.1" name="plain" ${extra})
input(type="imtcp" port="${tlsPort}" address="127.0.0.1" name="tls" StreamDriver.Name="ossl" StreamDriver.Mode="1" StreamDriver.AuthMode="anon" ${extra})
template(name="t" type="string" string="%inputname% %msg%\\n")
action(type="omfile" file="${out}" template="t")
`);
  const cmd = o.nofile ? ['prlimit', `--nofile=${o.nofile}:${o.nofile}`, process.execPath] : [process.execPath];
  const child = spawn(cmd[0], [...cmd.slice(1), BIN, 'run', '-f', conf], { cwd: d.dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => { err += b.toString(); if (err.length > 4_000_000) err = err.slice(-2_000_000); });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  await waitFor(() => err.includes('LW_INFO_STARTED') || child.exitCode !== null, 'logwarden start', 20_000);
  if (child.exitCode !== null) throw new Error(`logwarden exited: ${err}`);
  const pid = child.pid!;
  return {
    dir: d.dir, tcpPort, tlsPort, child, out,
    stderr: () => err,
    hwmMb: () => {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Math.round(Number(m[1]) / 1024) : NaN;
    },
    fds: () => { try { return readdirSync(`/proc/${pid}/fd`).length; } catch { return NaN; } },
    stop: async () => { child.kill('SIGTERM'); return exited; },
  };
}

/** Samples the child's descriptor count while an attack runs; `peak` is the largest seen. */
export function sampleFds(target: Target): { peak: number; stop(): void } {
  const s = { peak: target.fds(), stop: () => clearInterval(timer) };
  const timer = setInterval(() => { s.peak = Math.max(s.peak, target.fds() || 0); }, 100);
  return s;
}

export interface GoodResult { label: string; sent: number; connectMs: number; attempts: number; lastDeliveredMs: number }

const line = (label: string, i: number): string => `<13>Jan  2 03:04:05 good app: ${label} seq=${i}\n`;

/**
 * A well-behaved client: connects (from 127.0.0.1), sends `n` numbered lines at about `rate`/s, closes. Like a
 * real sender it retries a refused connection (a listener whose handshake bucket an attacker drained refuses at
 * once); once connected it must not be cut. `connectMs` is the time until connected (TLS: handshake done),
 * retries included.
 */
export async function goodClient(kind: 'tcp' | 'tls', port: number, label: string, n: number, rate: number): Promise<GoodResult> {
  const t0 = Date.now();
  let sock: net.Socket | null = null;
  let attempts = 0;
  while (sock === null) {
    if (++attempts > 40) throw new Error(`${label}: no connection after 40 attempts`);
    sock = await new Promise<net.Socket | null>((res) => {
      const s = kind === 'tls'
        ? tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => res(s))
        : net.connect({ port, host: '127.0.0.1' }, () => res(s));
      s.once('error', () => res(null));
      s.once('close', () => res(null));
    });
    if (sock === null) await new Promise((r) => setTimeout(r, 250));
  }
  const connectMs = Date.now() - t0;
  let cut: Error | null = null;
  sock.on('error', (e) => { cut = e; });
  let closedEarly = false;
  sock.on('close', () => { closedEarly = true; });
  const start = Date.now();
  for (let i = 0; i < n; i++) {
    if (closedEarly || cut) throw new Error(`${label}: the server closed the good client after ${i} messages (${cut ?? 'close'})`);
    const ok = sock.write(line(label, i));
    if (!ok) await new Promise((r) => sock.once('drain', r));
    const ahead = (i + 1) / rate * 1000 - (Date.now() - start);
    if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
  }
  const sentAt = Date.now();
  await new Promise<void>((r) => { sock.end(() => r()); });
  return { label, sent: n, connectMs, attempts, lastDeliveredMs: sentAt };
}

/** Distinct sequence numbers per label in the output file. */
export function delivered(out: string, label: string): Set<number> {
  const seen = new Set<number>();
  if (!existsSync(out)) return seen;
  const re = new RegExp(`${label} seq=(\\d+)`, 'g');
  for (const m of readFileSync(out, 'latin1').matchAll(re)) seen.add(Number(m[1]));
  return seen;
}

/** Run both good clients; wait until every message is in the file; return their figures. */
export async function goodClientsDeliver(target: Target, n = 300, rate = 150): Promise<{ tcp: GoodResult; tls: GoodResult; drainMs: number }> {
  const [tcp, tlsR] = await Promise.all([
    goodClient('tcp', target.tcpPort, 'GOODTCP', n, rate),
    goodClient('tls', target.tlsPort, 'GOODTLS', n, rate),
  ]);
  await waitFor(() => delivered(target.out, 'GOODTCP').size === n && delivered(target.out, 'GOODTLS').size === n,
    `all ${n} messages of both good clients in the file (tcp ${delivered(target.out, 'GOODTCP').size}, tls ${delivered(target.out, 'GOODTLS').size})`, 30_000, 50);
  const drainMs = Date.now() - Math.max(tcp.lastDeliveredMs, tlsR.lastDeliveredMs);
  return { tcp, tls: tlsR, drainMs };
}

/** Open `count` sockets with at most `parallel` connecting at once (`open(i)` for the i-th); those that opened. */
export async function openMany(count: number, parallel: number, open: (i: number) => Promise<net.Socket | null>): Promise<net.Socket[]> {
  const socks: net.Socket[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const s = await open(next++).catch(() => null);
      if (s) socks.push(s);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return socks;
}

export function rawConnect(port: number, first?: Buffer, from = ATTACKER): Promise<net.Socket | null> {
  return new Promise((res) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress: from }, () => {
      if (first) s.write(first);
      s.resume(); // read (and drop) what the server sends, so its close is seen
      res(s);
    });
    s.on('error', () => res(null));
    s.setTimeout(10_000, () => res(null));
  });
}

export function tlsIdle(port: number, from = ATTACKER): Promise<net.Socket | null> {
  return new Promise((res) => {
    const raw = net.connect({ port, host: '127.0.0.1', localAddress: from });
    raw.on('error', () => res(null));
    const s = tls.connect({ socket: raw, rejectUnauthorized: false }, () => res(s));
    s.on('error', () => res(null));
    s.on('close', () => res(null));
    s.setTimeout(10_000, () => { s.destroy(); res(null); });
  });
}

export function drainOrClose(s: net.Socket): Promise<void> {
  return new Promise((r) => {
    const done = (): void => { s.off('drain', done); s.off('close', done); r(); };
    s.once('drain', done);
    s.once('close', done);
  });
}

export function destroyAll(socks: net.Socket[]): void {
  for (const s of socks) s.destroy();
}

/** One row of the figures table (printed as a TAP diagnostic and appended to $LW_HOSTILE_REPORT if set). */
export function report(t: TestContext, attack: string, target: Target, peakFds: number, r: { tcp: GoodResult; tls: GoodResult; drainMs: number }): void {
  const row = `| ${attack} | ${target.hwmMb()} | ${peakFds} | ${r.tcp.connectMs} / ${r.tls.connectMs} (${r.tcp.attempts} / ${r.tls.attempts}) | ${r.drainMs} |`;
  t.diagnostic('attack | VmHWM MB | peak fds | good connect ms tcp / tls (attempts) | last message written after (ms)');
  t.diagnostic(row);
  if (process.env.LW_HOSTILE_REPORT) writeFileSync(process.env.LW_HOSTILE_REPORT, row + '\n', { flag: 'a' });
}

/** Log lines with `code` in the child's stderr. */
export function linesWith(target: Target, code: string): string[] {
  return target.stderr().split('\n').filter((l) => l.includes(` ${code} `));
}

/** Sockets of `socks` the server has not closed. */
export const stillOpen = (socks: net.Socket[]): number => socks.filter((s) => !s.destroyed && !s.readableEnded).length;

export const num = (name: string, def: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : def;
};

// imudp's batched receiver: native/lw_udprecv binds the UDP sockets, drains them with recvmmsg(2) and writes
// batches to its stdout (src/inputs/udp-batch.ts). This module runs it: start (resolves with the bind report),
// pause/resume (while the pipeline is congested the pipe is not read: the helper keeps draining its sockets into
// a bounded backlog, then leaves them alone, the socket buffer fills and the kernel counts drops), stop (EOF on stdin: the helper drains its sockets once more and
// exits; everything it wrote is decoded before stop resolves), and restart after an unexpected end, on the same
// port, with a growing delay. The helper is stopped by its own pid (stdin EOF; it also dies with Logwarden).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log';
import { UdpBatchDecoder, type BatchHandler } from './udp-batch';

/** dist/native/lw_udprecv, built by scripts/build-native.mjs (from dist/src/inputs/ this is ../../native). */
export const UDPRECV_HELPER = join(__dirname, '..', '..', 'native', 'lw_udprecv');
/** Set to 1 to receive through Node's dgram sockets even when the helper is built. */
export const NO_HELPER_ENV = 'LW_UDP_NO_HELPER';
/**
 * Received datagrams the helper holds while the pipe is not read (a GC pause, a congested pipeline): the socket
 * buffer alone (rmem_max, often 208 KB to 4 MB) covers a few milliseconds at 100k datagrams/s.
 */
const BACKLOG_BYTES = 64 * 1024 * 1024;
const RESTART_MIN_MS = 100;
const RESTART_MAX_MS = 10_000;
/** A helper that ran this long before ending restarts after the shortest delay again. */
const RESTART_RESET_MS = 30_000;

export function udpHelperUsable(): boolean {
  return process.platform === 'linux' && process.env[NO_HELPER_ENV] !== '1' && existsSync(UDPRECV_HELPER);
}

export interface HelperOptions {
  /** Input name, for log lines. */
  name: string;
  addresses: string[];
  port: number;
  rcvbufSize: number | undefined;
  /** Bytes kept per datagram (maxMessageSize). */
  slot: number;
}

export interface BindReport {
  bound: Array<{ address: string; port: number }>;
  failed: Array<{ address: string; reason: string }>;
}

export interface HelperEvents extends BatchHandler {
  /** After each pipe read has been decoded: the moment to submit the batch. */
  endOfRead(): void;
}

export class UdpHelper {
  private child: ChildProcess | null = null;
  private paused = false;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private restartDelay = RESTART_MIN_MS;
  private port: number;
  private addresses: string[];
  /** Helpers started (1 + restarts), for tests and metrics. */
  starts = 0;

  constructor(private readonly o: HelperOptions, private readonly ev: HelperEvents, private readonly logger: Logger) {
    this.port = o.port;
    this.addresses = o.addresses;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Spawn the helper; resolves with its bind report once it has bound, rejects when the first address fails. */
  start(): Promise<BindReport> {
    this.starts++;
    const args = [String(this.port), String(this.o.rcvbufSize ?? 0), String(this.o.slot), String(BACKLOG_BYTES), ...this.addresses];
    const child = spawn(UDPRECV_HELPER, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    const decoder = new UdpBatchDecoder();
    const startedAt = Date.now();
    let stderr = '';
    let report: BindReport | null = null;
    return new Promise<BindReport>((resolve, reject) => {
      const fail = (why: string, spawnFailed = false): void => reject(Object.assign(
        new Error(`${this.o.name}: cannot listen on UDP ${this.addresses.join(', ')} port ${this.port}: ${why}`), { code: 'LW_ERR_LISTEN', spawnFailed }));
      const handler: BatchHandler = {
        datagram: this.ev.datagram,
        control: (text) => {
          if (report !== null) return;
          report = parseReport(text);
          if (report.bound.length === 0) return; // the helper exits 3; reported on close
          resolve(report);
        },
      };
      child.stderr!.on('data', (d: Buffer) => { if (stderr.length < 4096) stderr += d.toString(); });
      child.stdin!.on('error', () => undefined); // EPIPE when the helper is gone: its close is handled below
      child.once('error', (err) => {
        if (this.child === child) this.child = null;
        fail(`cannot run ${UDPRECV_HELPER}: ${err.message}`, true);
      });
      child.stdout!.on('data', (chunk: Buffer) => {
        decoder.push(chunk, handler);
        this.ev.endOfRead();
      });
      child.once('close', (code, signal) => {
        if (this.child === child) this.child = null;
        if (report === null || report.bound.length === 0) {
          fail(report?.failed.map((f) => `${f.address}: ${f.reason}`).join('; ') || stderr.trim() || `helper exit ${code ?? signal}`);
          return;
        }
        if (this.stopping) return;
        if (Date.now() - startedAt >= RESTART_RESET_MS) this.restartDelay = RESTART_MIN_MS;
        this.logger.error('LW_ERR_UDP_HELPER', 'UDP receive helper ended; restarting it (datagrams sent until it is back are lost)',
          { input: this.name, code, signal, detail: stderr.trim(), restartInMs: this.restartDelay });
        this.scheduleRestart();
      });
    });
  }

  private get name(): string {
    return this.o.name;
  }

  /** First start done: later starts bind exactly what the first one bound (port 0 resolved). */
  pin(report: BindReport): void {
    this.addresses = report.bound.map((b) => b.address);
    if (report.bound.length > 0) this.port = report.bound[0].port;
  }

  private scheduleRestart(): void {
    const delay = this.restartDelay;
    this.restartDelay = Math.min(RESTART_MAX_MS, this.restartDelay * 2);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.restartNow();
    }, delay);
    this.restartTimer.unref();
  }

  /** Start a helper again now (after a crash, or on SIGHUP when one is waiting to restart). */
  restartNow(): void {
    if (this.stopping || this.child !== null) return;
    if (this.restartTimer !== null) {
      clearTimeout(this.restartTimer);
      this.restartTimer = null;
    }
    this.paused = false;
    this.start().then(
      () => this.logger.notice('LW_UDP_HELPER_RESTARTED', 'UDP receive helper restarted', { input: this.name, starts: this.starts }),
      (err: Error) => {
        this.logger.error('LW_ERR_UDP_HELPER', 'UDP receive helper could not restart; trying again', { input: this.name, detail: err.message, restartInMs: this.restartDelay });
        if (!this.stopping) this.scheduleRestart();
      });
  }

  /** Stop reading the pipe (the pipeline is congested). */
  pause(): void {
    if (this.paused || this.child === null) return;
    this.paused = true;
    this.child.stdout!.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.child?.stdout!.resume();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** EOF on the helper's stdin; resolves once it has exited and everything it wrote was decoded. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.child;
    if (child === null) return;
    await new Promise<void>((resolve) => {
      child.once('close', () => resolve());
      if (this.paused) {
        this.paused = false;
        child.stdout!.resume();
      }
      child.stdin!.end();
    });
  }
}

/** "ok ADDR PORT" / "fail ADDR reason…" lines, then "end". */
function parseReport(text: string): BindReport {
  const r: BindReport = { bound: [], failed: [] };
  for (const line of text.split('\n')) {
    const [word, address, ...rest] = line.split(' ');
    if (word === 'ok') r.bound.push({ address, port: Number(rest[0]) });
    else if (word === 'fail') r.failed.push({ address, reason: rest.join(' ') });
  }
  return r;
}

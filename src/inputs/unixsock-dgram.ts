// imuxsock datagram mode: the native helper native/lw_uxdgram binds the AF_UNIX SOCK_DGRAM socket (Node cannot)
// and hands each datagram over its stdout as <u32 length><bytes>. One datagram is one message (a trailing LF or
// NUL is dropped, as rsyslog does). While the sink is congested the pipe is not read, the helper blocks and the
// kernel socket buffer fills: local senders wait, nothing is buffered here.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MessageSink } from '../components';
import type { Logger } from '../log';
import { Message, type Origin } from '../message';
import { parseSyslog } from '../parse/index';
import type { ParseOptions } from '../parse/options';
import { SyslogTime } from '../time';

/** dist/native/lw_uxdgram, built by scripts/build-native.mjs (from dist/src/inputs/ this is ../../native). */
export const UXDGRAM_HELPER = join(__dirname, '..', '..', 'native', 'lw_uxdgram');

export function dgramHelperAvailable(): boolean {
  return existsSync(UXDGRAM_HELPER);
}

export class DgramReceiver {
  private child: ChildProcess | null = null;
  private carry: Buffer | null = null;
  private paused = false;
  private stderr = '';

  constructor(private readonly path: string, private readonly origin: Origin, private readonly sink: MessageSink,
    private readonly parse: ParseOptions, private readonly maxMessageSize: number, private readonly logger: Logger) {}

  /** Spawn the helper; resolves once the socket is bound (the helper's zero-length ready record). */
  start(mode: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(UXDGRAM_HELPER, [this.path, mode.toString(8)], { stdio: ['pipe', 'pipe', 'pipe'] });
      this.child = child;
      let ready = false;
      child.stderr!.on('data', (d: Buffer) => { this.stderr += d.toString(); });
      child.once('error', (err) => reject(Object.assign(new Error(`imuxsock: cannot run ${UXDGRAM_HELPER}: ${err.message}`), { code: 'LW_ERR_LISTEN' })));
      child.once('exit', (code) => {
        if (!ready) reject(Object.assign(new Error(`imuxsock: cannot listen on ${this.path} (datagram): ${this.stderr.trim() || `helper exit ${code}`}`), { code: 'LW_ERR_LISTEN' }));
        else if (this.child !== null) this.logger.error('LW_ERR_LISTEN', 'imuxsock datagram helper ended', { path: this.path, code, detail: this.stderr.trim() });
      });
      child.stdout!.on('data', (chunk: Buffer) => {
        const recs = this.records(chunk);
        if (!ready && recs.length > 0 && recs[0].length === 0) {
          ready = true;
          recs.shift();
          resolve();
        }
        this.submit(recs);
      });
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    this.child = null;
    if (this.paused) child.stdout!.resume();
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.stdin!.end(); // EOF on stdin: the helper unlinks the socket and exits
    });
  }

  /** Split the helper's stream into records (a record may straddle reads). */
  private records(chunk: Buffer): Buffer[] {
    let buf = this.carry === null ? chunk : Buffer.concat([this.carry, chunk]);
    this.carry = null;
    const out: Buffer[] = [];
    let i = 0;
    while (buf.length - i >= 4) {
      const len = buf.readUInt32BE(i);
      if (buf.length - i - 4 < len) break;
      out.push(buf.subarray(i + 4, i + 4 + len));
      i += 4 + len;
    }
    if (i < buf.length) this.carry = Buffer.from(buf.subarray(i));
    buf = Buffer.alloc(0);
    return out;
  }

  private submit(recs: Buffer[]): void {
    if (recs.length === 0) return;
    const now = SyslogTime.now();
    const batch: Message[] = [];
    for (let frame of recs) {
      let end = frame.length;
      while (end > 0 && (frame[end - 1] === 0x0a || frame[end - 1] === 0x00)) end--;
      if (end === 0) continue;
      if (end > this.maxMessageSize) end = this.maxMessageSize;
      frame = Buffer.from(frame.subarray(0, end));
      const m = new Message(frame, this.origin, now);
      parseSyslog(frame, m, this.parse);
      batch.push(m);
    }
    if (batch.length > 0) this.sink.submit(batch);
    if (this.sink.congested && !this.paused && this.child !== null) {
      this.paused = true;
      this.child.stdout!.pause();
      this.sink.onceDrained(() => {
        this.paused = false;
        this.child?.stdout!.resume();
      });
    }
  }
}

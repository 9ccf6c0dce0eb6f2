// Test helper: runs a real, unprivileged rsyslogd on a loopback port with a given config body and reads
// what its omfile wrote. Used by the interop tests to check Logwarden against rsyslog byte for byte.
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const POLL_MS = 20;

/** Poll `cond` until it returns true or `timeoutMs` passes (then throw with `what`). */
export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** A port that was free a moment ago (rsyslog cannot bind port 0 and report it). */
export async function freePort(kind: 'tcp' | 'udp'): Promise<number> {
  if (kind === 'udp') {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    const port = s.address().port;
    await new Promise<void>((r) => s.close(() => r()));
    return port;
  }
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export class Rsyslogd {
  readonly dir: string;
  readonly outFile: string;
  private proc: ChildProcess | null = null;
  private stderr = '';

  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-rsyslogd-'));
    this.outFile = path.join(this.dir, 'out.log');
  }

  /** Write the config (globals are prepended: workDirectory in the temp dir) and start rsyslogd -n. */
  start(configBody: string): void {
    const conf = path.join(this.dir, 'rsyslog.conf');
    fs.writeFileSync(conf, `global(workDirectory="${this.dir}")\n${configBody}\n`);
    const check = spawnSync('rsyslogd', ['-N1', '-f', conf], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`rsyslogd rejected the test config: ${check.stderr}${check.stdout}`);
    this.proc = spawn('rsyslogd', ['-n', '-f', conf, '-i', path.join(this.dir, 'rsyslogd.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc.stderr?.on('data', (d: Buffer) => { this.stderr += d.toString(); });
  }

  /** Lines written so far to the output file. */
  lines(): string[] {
    let text: string;
    try { text = fs.readFileSync(this.outFile, 'utf8'); } catch { return []; }
    const lines = text.split('\n');
    lines.pop();
    return lines;
  }

  diagnostics(): string {
    return this.stderr;
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (p && p.exitCode === null) {
      const exited = new Promise<void>((r) => p.once('exit', () => r()));
      p.kill('SIGTERM');
      await exited;
    }
    this.proc = null;
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

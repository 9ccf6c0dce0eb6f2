// RELP test peers: numbered-line injection over TCP, a restartable child process (rsyslogd or `logwarden run`),
// and counting of sequence numbers in an output file. Shared by the RELP interop tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { waitFor } from '../interop/rsyslogd-harness';

const WAIT_MS = 120_000;
const LONG_WAIT_MS = 600_000;
export const seqOf = (line: string): number => Number(/seq=(\d+)/.exec(line)?.[1] ?? -1);
export const TPL = 'template(name="m" type="string" string="%hostname% %syslogtag%%msg%\\n")';

/** Send `count` numbered lines over plain TCP (LF framing) and wait until the peer took them. */
export function inject(port: number, tag: string, from: number, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.on('error', reject);
    s.on('close', () => resolve());
    let i = from;
    const end = from + count;
    const pump = (): void => {
      while (i < end) {
        let chunk = '';
        for (let k = 0; k < 1000 && i < end; k++, i++) chunk += `<13>Jan  2 03:04:05 h1 app: ${tag} seq=${i}\n`;
        if (!s.write(chunk)) { s.once('drain', pump); return; }
      }
      s.end();
    };
    s.on('connect', pump);
  });
}

export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}
export async function listening(port: number, what: string, ms = WAIT_MS): Promise<void> {
  let ok = false;
  const deadline = Date.now() + ms;
  while (!ok) {
    ok = await canConnect(port);
    if (!ok && Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    if (!ok) await new Promise((r) => setTimeout(r, 50));
  }
}

/** Count per sequence number; returns missing numbers (of 0…n-1) and the duplicate count. */
export function tally(seqs: number[], n: number): { missing: number[]; dups: number; distinct: number } {
  const seen = new Uint32Array(n);
  let dups = 0;
  for (const s of seqs) if (s >= 0 && s < n) { if (seen[s]++ > 0) dups++; }
  const missing: number[] = [];
  for (let i = 0; i < n; i++) if (seen[i] === 0) missing.push(i);
  return { missing, dups, distinct: n - missing.length };
}


/** A child process that can be SIGKILLed and restarted with the same command line. */
export class Child {
  proc: ChildProcess | null = null;
  err = '';
  constructor(private readonly cmd: string, private readonly args: string[], private readonly pidFile?: string) {}
  start(): void {
    if (this.pidFile && existsSync(this.pidFile)) unlinkSync(this.pidFile); // stale after SIGKILL
    const p = spawn(this.cmd, this.args, { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr?.on('data', (d: Buffer) => { this.err = (this.err + d.toString()).slice(-4000); });
    this.proc = p;
  }
  kill(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => { p.once('exit', () => resolve()); p.kill('SIGKILL'); });
  }
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((resolve) => { p.once('exit', () => resolve()); p.kill('SIGTERM'); setTimeout(() => p.kill('SIGKILL'), 10_000).unref(); });
  }
}

export function readSeqs(file: string, tag: string): number[] {
  if (!existsSync(file)) return [];
  const out: number[] = [];
  for (const l of readFileSync(file, 'utf8').split('\n')) if (l.includes(tag)) out.push(seqOf(l));
  return out;
}
export const lineCount = (file: string): number => {
  if (!existsSync(file)) return 0;
  const b = readFileSync(file);
  let n = 0;
  for (let i = 0; i < b.length; i++) if (b[i] === 0x0a) n++;
  return n;
};

/** Kill `receiver` at 1/3 and 2/3 of `n` lines in `file`, restart it after a pause; wait for all n. */
export async function killTwice(receiver: Child, port: number, file: string, n: number, label: string): Promise<void> {
  for (const frac of [1 / 3, 2 / 3]) {
    await waitFor(() => lineCount(file) >= Math.floor(n * frac), LONG_WAIT_MS, `${label}: ${Math.floor(n * frac)} lines before the kill (have ${lineCount(file)}; ${receiver.err})`);
    await receiver.kill();
    await new Promise((r) => setTimeout(r, 500));
    receiver.start();
    await listening(port, `${label} receiver restarted`);
  }
}


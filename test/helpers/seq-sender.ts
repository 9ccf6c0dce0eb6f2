// A sender of numbered syslog lines that counts what the kernel accepted (python's sendall returned): the
// reference for "acknowledged" in stop, reload and crash tests. Needs python3.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** dist/test/helpers → repository root. */
const BIN = join(resolve(__dirname, '..', '..', '..'), 'bin', 'logwarden.js');

/** Sends N numbered lines at about RATE/s in chunks; prints how many sendall accepted, then exits. */
const SENDER = `
import socket, sys, time
port, n, rate = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
s = socket.create_connection(("127.0.0.1", port))
chunk = 400
sent = 0
t0 = time.monotonic()
try:
    while sent < n:
        k = min(chunk, n - sent)
        s.sendall(b"".join(b"<13>Jan  2 03:04:05 h app: seq=%07d\\n" % (sent + i) for i in range(k)))
        sent += k
        ahead = sent / rate - (time.monotonic() - t0)
        if ahead > 0: time.sleep(ahead)
    s.shutdown(socket.SHUT_WR)
    s.settimeout(10)
    while s.recv(4096): pass
except OSError as e:
    print("error", e, file=sys.stderr)
print(sent)
`;

export function python(): string | null {
  for (const p of ['/usr/bin/python3', '/usr/local/bin/python3']) if (existsSync(p)) return p;
  return null;
}

/** `logwarden ARGS` as a child process, its stderr kept (log lines). */
export interface Proc { child: ChildProcess; exited: Promise<number | null>; stderr: () => string }
export function runLogwarden(args: string[], cwd: string): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, stderr: () => err };
}

export function startSender(port: number, n: number, rate: number, dir: string): { done: Promise<number> } {
  const script = join(dir, 'sender.py');
  writeFileSync(script, SENDER);
  const child = spawn(python()!, [script, String(port), String(n), String(rate)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  return { done: new Promise((r) => child.on('exit', () => r(Number.parseInt(out.trim(), 10)))) };
}

/** Sequence numbers in an output file, optionally only those of lines starting with `prefix`. */
export function seqs(file: string, prefix = ''): { distinct: Set<number>; lines: number } {
  const distinct = new Set<number>();
  let lines = 0;
  if (!existsSync(file)) return { distinct, lines };
  for (const l of readFileSync(file, 'latin1').split('\n')) {
    const m = /seq=(\d+)/.exec(l);
    if (!m || !l.startsWith(prefix)) continue;
    lines++;
    distinct.add(Number(m[1]));
  }
  return { distinct, lines };
}

// SIGTERM and SIGHUP against the real `logwarden run` while a sender streams ~40k msgs/s over TCP: every message
// the sender's kernel accepted (python's sendall returned) reaches the output file. The sender counts what it
// sent; the test counts distinct sequence numbers in the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort, tempDir, waitFor } from '../helpers/util';

const ROOT = resolve(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'logwarden.js');

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

function python(): string | null {
  for (const p of ['/usr/bin/python3', '/usr/local/bin/python3']) if (existsSync(p)) return p;
  return null;
}

interface Proc { child: ChildProcess; exited: Promise<number | null>; stderr: () => string }
function run(args: string[], cwd: string): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, stderr: () => err };
}

function startSender(port: number, n: number, rate: number, dir: string): { done: Promise<number> } {
  const script = join(dir, 'sender.py');
  writeFileSync(script, SENDER);
  const child = spawn(python()!, [script, String(port), String(n), String(rate)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  return { done: new Promise((r) => child.on('exit', () => r(Number.parseInt(out.trim(), 10)))) };
}

/** Sequence numbers in the output, optionally only those of lines starting with `prefix` (the input name). */
function seqs(file: string, prefix = ''): { distinct: Set<number>; lines: number } {
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

function config(dir: string, port: number, name: string): string {
  return `global(workDirectory="${join(dir, 'data')}")
module(load="imtcp")
input(type="imtcp" port="${port}" address="127.0.0.1" name="${name}")
template(name="t" type="string" string="%inputname% %msg%\\n")
action(type="omfile" file="${join(dir, 'out.log')}" template="t")
`;
}

const skip = python() === null ? 'python3 is needed for the sendall-counting sender' : false;

test('SIGTERM during a 40k msgs/s TCP stream: every message the sender got accepted is written', { skip, timeout: 120_000 }, async (t) => {
  const d = tempDir(); t.after(() => d.cleanup());
  const port = await freePort();
  const conf = join(d.dir, 'lw.conf');
  writeFileSync(conf, config(d.dir, port, 'tcp'));
  const lw = run(['run', '-f', conf], d.dir);
  t.after(() => { if (lw.child.exitCode === null) lw.child.kill('SIGKILL'); });
  await waitFor(() => lw.stderr().includes('LW_INFO_STARTED'), 'server start');
  const sender = startSender(port, 120_000, 40_000, d.dir);
  const out = join(d.dir, 'out.log');
  await waitFor(() => seqs(out).lines > 20_000, 'the stream under way', 30_000, 50);
  lw.child.kill('SIGTERM');
  const [sent, code] = await Promise.all([sender.done, lw.exited]);
  assert.equal(code, 0, lw.stderr());
  const { distinct, lines } = seqs(out);
  const missing: number[] = [];
  for (let i = 0; i < sent; i++) if (!distinct.has(i)) missing.push(i);
  t.diagnostic(`sender accepted ${sent}, file has ${distinct.size} distinct, ${lines - distinct.size} duplicates`);
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} accepted messages lost`);
  assert.equal(lines, distinct.size, 'no duplicates');
  assert.match(lw.stderr(), /LW_INFO_STOPPED.*undelivered=0/);
});

test('SIGHUP that renames the input: the open connection goes on, nothing accepted is lost', { skip, timeout: 120_000 }, async (t) => {
  const d = tempDir(); t.after(() => d.cleanup());
  const port = await freePort();
  const conf = join(d.dir, 'lw.conf');
  writeFileSync(conf, config(d.dir, port, 'before'));
  const lw = run(['run', '-f', conf], d.dir);
  t.after(() => { if (lw.child.exitCode === null) lw.child.kill('SIGKILL'); });
  await waitFor(() => lw.stderr().includes('LW_INFO_STARTED'), 'server start');
  const sender = startSender(port, 120_000, 40_000, d.dir);
  const out = join(d.dir, 'out.log');
  await waitFor(() => seqs(out).lines > 20_000, 'the stream under way', 30_000, 50);
  writeFileSync(conf, config(d.dir, port, 'after'));
  lw.child.kill('SIGHUP');
  await waitFor(() => lw.stderr().includes('LW_INFO_RELOADED'), 'reload');
  // A connection opened after the reload reaches the renamed input.
  const late = startSender(port, 1000, 10_000, d.dir);
  const [sent, lateSent] = await Promise.all([sender.done, late.done]);
  await waitFor(() => seqs(out).lines >= sent + lateSent, 'everything written', 30_000, 100);
  lw.child.kill('SIGTERM');
  assert.equal(await lw.exited, 0, lw.stderr());
  // The connection opened before the reload keeps the name of the input that accepted it.
  const { distinct, lines } = seqs(out, 'before ');
  const missing: number[] = [];
  for (let i = 0; i < sent; i++) if (!distinct.has(i)) missing.push(i);
  const after = seqs(out, 'after ');
  t.diagnostic(`sender accepted ${sent} (+${lateSent} after the reload); file: ${lines} lines, ${distinct.size} distinct (+${after.lines} from the new connection)`);
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} accepted messages lost`);
  assert.equal(lines, sent, 'no duplicates');
  assert.equal(after.distinct.size, lateSent, 'the connection opened after the reload reaches the renamed input');
  assert.equal(after.lines, lateSent);
});

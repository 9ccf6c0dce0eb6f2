// Isolation and durability of the default forwarding queue, against the real `logwarden run`:
// - a forward to a closed port beside a file action: the file gets every message, memory stays bounded, the
//   forward queue spills to disk and delivers everything once the receiver comes up;
// - a relay whose receiver is down is restarted while holding the messages: all arrive after the receiver returns.
// Numbered messages, counted exactly at both ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { join } from 'node:path';
import { freePort, tempDir, waitFor } from '../helpers/util';
import { CA, SERVER_CERT, SERVER_KEY } from './tls-helpers';
import { runLogwarden } from '../helpers/seq-sender';

const run = (conf: string, cwd: string): ReturnType<typeof runLogwarden> => runLogwarden(['run', '-f', conf], cwd);

/** Peak resident memory of a live process, in MB (VmHWM). */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Sends `n` numbered lines over one TCP connection, as fast as the socket takes them; resolves when flushed. */
async function send(port: number, from: number, n: number): Promise<void> {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise<void>((r, j) => { sock.once('connect', r); sock.once('error', j); });
  const CHUNK = 2000;
  for (let i = 0; i < n; i += CHUNK) {
    let s = '';
    for (let k = i; k < Math.min(n, i + CHUNK); k++) s += `<13>Jan  2 03:04:05 h app: seq=${String(from + k).padStart(7, '0')}\n`;
    if (!sock.write(s)) await new Promise((r) => sock.once('drain', r));
  }
  await new Promise<void>((r) => sock.end(r));
}

/** A receiver (plain TCP, or TLS with the test PKI's localhost certificate) counting distinct and duplicate sequence numbers. */
async function receiver(port: number, useTls = false): Promise<{ seen: Set<number>; dups: () => number; close(): Promise<void> }> {
  const seen = new Set<number>();
  let dups = 0;
  const sockets = new Set<net.Socket>();
  const onConn = (s: net.Socket): void => {
    sockets.add(s);
    let rest = '';
    s.on('data', (d: Buffer) => {
      const text = rest + d.toString('latin1');
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) {
        const m = /seq=(\d+)/.exec(l);
        if (!m) continue;
        const v = Number(m[1]);
        if (seen.has(v)) dups++; else seen.add(v);
      }
    });
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  };
  const server = useTls
    ? tls.createServer({ cert: readFileSync(SERVER_CERT), key: readFileSync(SERVER_KEY) }, onConn)
    : net.createServer(onConn);
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    seen, dups: () => dups,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

function fileSeqs(file: string): { distinct: number; lines: number } {
  if (!existsSync(file)) return { distinct: 0, lines: 0 };
  const set = new Set<string>();
  let lines = 0;
  const text = readFileSync(file, 'latin1');
  for (let at = text.indexOf('seq='); at >= 0; at = text.indexOf('seq=', at + 4)) {
    lines++;
    set.add(text.slice(at + 4, at + 11));
  }
  return { distinct: set.size, lines };
}

function queueFiles(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const f of existsSync(dir) ? readdirSync(dir) : []) {
    if (!f.startsWith('lw-')) continue;
    files++;
    bytes += statSync(join(dir, f)).size;
  }
  return { files, bytes };
}

test('a forward to a closed port never stalls the file action; its queue spills to disk and delivers all later', { timeout: 240_000 }, async (t) => {
  const d = tempDir(); t.after(() => d.cleanup());
  const [inPort, fwdPort] = [await freePort(), await freePort()];
  const conf = join(d.dir, 'lw.conf');
  const out = join(d.dir, 'out.log');
  writeFileSync(conf, `global(workDirectory="${join(d.dir, 'data')}")
module(load="imtcp")
input(type="imtcp" port="${inPort}" address="127.0.0.1")
$ActionResumeInterval 1
*.* @@127.0.0.1:${fwdPort}
*.* ${out}
`);
  const lw = run(conf, d.dir);
  t.after(() => { if (lw.child.exitCode === null) lw.child.kill('SIGKILL'); });
  await waitFor(() => lw.stderr().includes('LW_INFO_STARTED'), 'server start');
  const N = 400_000;
  await send(inPort, 0, N);
  await waitFor(() => fileSeqs(out).lines >= N, 'every message in the file', 120_000, 200);
  const rss = peakRssMb(lw.child.pid!);
  const spooled = queueFiles(join(d.dir, 'data'));
  t.diagnostic(`file: ${N} lines; peak RSS ${rss.toFixed(0)} MB; forward queue on disk: ${spooled.files} files, ${(spooled.bytes / 1e6).toFixed(1)} MB`);
  assert.deepEqual(fileSeqs(out), { distinct: N, lines: N });
  assert.ok(rss < 300, `peak RSS ${rss} MB`);
  assert.ok(spooled.bytes > 0, 'the forward queue spilled to disk');

  const rx = await receiver(fwdPort);
  t.after(() => rx.close());
  await waitFor(() => rx.seen.size >= N, 'the forward delivers everything once the receiver is up', 120_000, 200);
  t.diagnostic(`receiver: ${rx.seen.size} distinct, ${rx.dups()} duplicates`);
  assert.equal(rx.seen.size, N);
  lw.child.kill('SIGTERM');
  assert.equal(await lw.exited, 0, lw.stderr());
});

for (const transport of ['tcp', 'tls'] as const) {
  test(`a relay restarted while its receiver is down delivers everything after the receiver returns (${transport})`, { timeout: 240_000 }, async (t) => {
    const d = tempDir(); t.after(() => d.cleanup());
    const [inPort, fwdPort] = [await freePort(), await freePort()];
    const conf = join(d.dir, 'lw.conf');
    const tlsParams = transport === 'tls'
      ? ` StreamDriver="ossl" StreamDriverMode="1" StreamDriverAuthMode="x509/name" StreamDriverPermittedPeers="localhost"`
      : '';
    writeFileSync(conf, `global(workDirectory="${join(d.dir, 'data')}" DefaultNetstreamDriverCAFile="${CA}")
module(load="imtcp")
input(type="imtcp" port="${inPort}" address="127.0.0.1")
action(type="omfwd" name="central" target="localhost" port="${fwdPort}" protocol="tcp" action.resumeInterval="1"${tlsParams})
`);
    const N = 50_000;
    let lw = run(conf, d.dir);
    t.after(() => { if (lw.child.exitCode === null) lw.child.kill('SIGKILL'); });
    await waitFor(() => lw.stderr().includes('LW_INFO_STARTED'), 'relay start');
    await send(inPort, 0, N);
    await waitFor(() => /LW_WARN_ACTION_SUSPENDED/.test(lw.stderr()), 'forward suspended');
    lw.child.kill('SIGTERM');
    assert.equal(await lw.exited, 0, lw.stderr());
    assert.match(lw.stderr(), /LW_INFO_STOPPED.*undelivered=0/);
    assert.match(lw.stderr(), new RegExp(`LW_NOTICE_QUEUE_SAVED.*records=${N}`));

    lw = run(conf, d.dir);
    await waitFor(() => lw.stderr().includes('LW_INFO_STARTED'), 'relay restart');
    await new Promise((r) => setTimeout(r, 500));
    const rx = await receiver(fwdPort, transport === 'tls');
    t.after(() => rx.close());
    await waitFor(() => rx.seen.size >= N, 'all delivered after the receiver returns', 60_000, 100);
    t.diagnostic(`${transport} receiver: ${rx.seen.size} distinct, ${rx.dups()} duplicates`);
    assert.equal(rx.seen.size, N);
    assert.equal(rx.dups(), 0);
    lw.child.kill('SIGTERM');
    assert.equal(await lw.exited, 0, lw.stderr());
  });
}

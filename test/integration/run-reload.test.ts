// `logwarden run` as a real process: SIGHUP with a changed rule takes effect without losing or duplicating a
// message sent during the reload; a broken config on SIGHUP is rejected and the old one keeps running; SIGTERM
// drains and exits 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, readLines, tempDir, waitFor, waitForLines } from '../helpers/util';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'logwarden.js');
const tmp = tempDir();
after(() => tmp.cleanup());

function config(port: number, withNewRule: boolean): string {
  return `
module(load="imtcp")
input(type="imtcp" port="${port}" address="127.0.0.1")
template(name="m" type="string" string="%msg%\\n")
action(type="omfile" file="${join(tmp.dir, 'all.log')}" template="m")
${withNewRule ? `if $msg contains "after" then { action(type="omfile" file="${join(tmp.dir, 'new.log')}" template="m") }` : ''}
`;
}

function startRun(conf: string): { proc: ChildProcess; stderr: () => string } {
  let err = '';
  const proc = spawn(process.execPath, [BIN, 'run', '-f', conf, '--data-dir', join(tmp.dir, 'data')], { stdio: ['ignore', 'ignore', 'pipe'] });
  proc.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
  return { proc, stderr: () => err };
}

function connectTo(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

async function tryConnect(port: number): Promise<Socket | false> {
  try {
    return await connectTo(port);
  } catch {
    return false;
  }
}

test('SIGHUP reload: new rule applies, no message lost or duplicated; bad config rejected; SIGTERM exits 0', async () => {
  const port = await freePort();
  const conf = join(tmp.dir, 'logwarden.conf');
  writeFileSync(conf, config(port, false));
  const { proc, stderr } = startRun(conf);
  try {
    const sock: Socket = await waitFor(() => tryConnect(port), 'the TCP input to accept', 20_000);

    // Keep one connection streaming numbered messages throughout the reload.
    let seq = 0;
    let phase = 'before';
    const send = (n: number): void => {
      let chunk = '';
      for (let i = 0; i < n; i++) chunk += `<13>Oct 11 22:14:15 host app: seq=${seq++} ${phase}\n`;
      sock.write(chunk);
    };
    send(200);
    await waitFor(() => readLines(join(tmp.dir, 'all.log')).length >= 200, 'messages before reload');

    writeFileSync(conf, config(port, true));
    proc.kill('SIGHUP');
    // Messages sent while the reload is in progress.
    for (let i = 0; i < 20; i++) {
      send(50);
      await new Promise((r) => setImmediate(r));
    }
    await waitFor(() => /LW_INFO_RELOADED/.test(stderr()), 'the reload to complete');
    phase = 'after';
    send(300);
    const total = seq;

    const all = await waitForLines(join(tmp.dir, 'all.log'), total);
    const seqs = all.map((l) => Number(/seq=(\d+)/.exec(l)?.[1]));
    assert.equal(new Set(seqs).size, total, 'every message exactly once');
    assert.equal(all.length, total, 'no duplicates');
    const fresh = await waitForLines(join(tmp.dir, 'new.log'), 300);
    assert.equal(fresh.length, 300, 'the new rule routes every message sent after the reload');
    assert.ok(fresh.every((l) => l.endsWith(' after')));

    // A broken config is rejected with its errors, and the running one keeps working.
    writeFileSync(conf, config(port, true) + '\nif $msg contains "x" then {\n');
    proc.kill('SIGHUP');
    await waitFor(() => /LW_ERR_RELOAD_REJECTED/.test(stderr()), 'the bad config to be rejected');
    sock.write('<13>Oct 11 22:14:15 host app: still-working after\n');
    await waitFor(() => readLines(join(tmp.dir, 'new.log')).includes(' still-working after'), 'a message after the rejected reload');

    sock.end();
    const exit = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.kill('SIGTERM');
    assert.equal(await exit, 0, `exit code; stderr:\n${stderr()}`);
  } finally {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  }
});

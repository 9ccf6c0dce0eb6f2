// `logwarden send` streams: a line appended to a file piped through `tail -F` arrives while tail still runs
// (latency reported, bound 10 s); `--file --follow` follows a rename rotation and reconnects after the server
// went away and came back on the same port.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tcpInput } from '../../src/inputs/tcp';
import { freePort, tempDir, waitFor } from '../helpers/util';
import { ControlledSink, startInput } from './inputs-helpers';

const tmp = tempDir('lw-send-stream-');
after(() => tmp.cleanup());
const BIN = join(__dirname, '..', '..', '..', 'bin', 'logwarden.js');

function spawnGroup(cmd: string, args: string[]): ChildProcess {
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => { if (process.env.LW_TEST_LOG) process.stderr.write(d); });
  return child;
}

function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    try { process.kill(-child.pid!, 'SIGTERM'); } catch { resolve(); }
  });
}

const has = (sink: ControlledSink, text: string): boolean => sink.messages.some((m) => m.msg.includes(text));

describe('logwarden send streaming', () => {
  it('tail -F FILE | logwarden send --tcp: an appended line arrives while tail runs', async (t) => {
    if (!existsSync('/usr/bin/tail')) return t.skip('tail not installed');
    const f = join(tmp.dir, 'piped.log');
    writeFileSync(f, '');
    const { input, sink } = await startInput(tcpInput, 'imtcp', { port: '0', address: '127.0.0.1' });
    const port = input.addresses()[0].port;
    const child = spawnGroup('/bin/sh', ['-c', `exec /usr/bin/tail -n0 -F '${f}' | exec '${process.execPath}' '${BIN}' send --tcp --host 127.0.0.1 --port ${port} --tag piped`]);
    try {
      await new Promise((r) => setTimeout(r, 500)); // tail opens the file (no marker can be lost: we wait for it below)
      for (let i = 0; i < 3; i++) {
        const marker = `stream-marker-${i}`;
        const t0 = Date.now();
        appendFileSync(f, `${marker}\n`);
        await waitFor(() => has(sink, marker), marker, 10_000, 10);
        t.diagnostic(`line ${i} received ${Date.now() - t0} ms after it was appended`);
      }
      assert.equal(sink.messages[0].programname, 'piped');
    } finally {
      await killGroup(child);
      await input.stop();
    }
  });

  it('--file --follow: rotation followed, reconnects when the server comes back', async () => {
    const f = join(tmp.dir, 'follow.log');
    writeFileSync(f, 'before-start\n');
    const port = await freePort();
    let { input, sink } = await startInput(tcpInput, 'imtcp', { port: String(port), address: '127.0.0.1' });
    const child = spawnGroup(process.execPath, [BIN, 'send', '--tcp', '--host', '127.0.0.1', '--port', String(port), '--file', f, '--follow']);
    try {
      await waitFor(() => has(sink, 'before-start'), 'the existing line', 10_000);
      appendFileSync(f, 'appended-1\n');
      await waitFor(() => has(sink, 'appended-1'), 'appended-1', 10_000);
      renameSync(f, `${f}.1`);
      writeFileSync(f, 'after-rotation\n');
      await waitFor(() => has(sink, 'after-rotation'), 'a line of the new file', 10_000);
      await input.stop();
      ({ input, sink } = await startInput(tcpInput, 'imtcp', { port: String(port), address: '127.0.0.1' }));
      // The first write after the server went away may be lost with the dead connection (TCP syslog has no
      // acknowledgements); keep appending until lines flow again.
      let i = 0;
      await waitFor(() => {
        appendFileSync(f, `after-reconnect-${i++}\n`);
        return sink.messages.some((m) => m.msg.includes('after-reconnect-'));
      }, 'lines after the reconnect', 20_000, 300);
    } finally {
      await killGroup(child);
      await input.stop();
    }
  });
});

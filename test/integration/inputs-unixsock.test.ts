// Unix socket input: the real logger(1) and raw stream clients (LF- and NUL-terminated frames, as glibc's
// syslog() sends over a stream socket), local origin properties, ignoreTimestamp, garbage, graceful stop.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { unixSockInput } from '../../src/inputs/unixsock';
import { tempDir, waitFor } from '../helpers/util';
import { endAndWaitClose, startInput, write } from './inputs-helpers';

const tmp = tempDir('lw-uxsock-');
after(() => tmp.cleanup());

let n = 0;
const sockPath = (): string => join(tmp.dir, `log-${++n}.sock`);

function connectUnix(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path, () => resolve(s));
    s.once('error', reject);
  });
}

describe('unix socket input', () => {
  it('receives from logger(1) with local origin properties', async (t) => {
    if (!existsSync('/usr/bin/logger')) return t.skip('logger(1) not installed');
    const path = sockPath();
    const { input, sink } = await startInput(unixSockInput, 'imuxsock', { socket: path, name: 'local-in', ruleset: 'loc' });
    try {
      assert.equal(statSync(path).mode & 0o777, 0o666);
      const marker = `ux-${randomBytes(4).toString('hex')}`;
      const r = spawnSync('/usr/bin/logger', ['-u', path, '--socket-errors=on', '-t', 'lwtest', '-p', 'local3.warning', marker], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      await waitFor(() => sink.messages.length === 1, 'the logger message');
      const m = sink.messages[0];
      assert.equal(m.msg, ` ${marker}`);
      assert.equal(m.syslogtag, 'lwtest:');
      assert.equal(m.programname, 'lwtest');
      assert.equal(m.facility, 19);
      assert.equal(m.severity, 4);
      assert.equal(m.inputname, 'local-in');
      assert.equal(m.ruleset, 'loc');
      assert.equal(m.fromhostIp, '127.0.0.1');
      assert.equal(m.hostname, hostname().split('.')[0]); // parseHostname off: the local host name
      assert.equal(m.timereported, m.timegenerated, 'ignoreTimestamp (default on) uses the reception time');
    } finally {
      await input.stop();
    }
  });

  it('LF- and NUL-terminated frames on one stream connection, in order', async () => {
    const path = sockPath();
    const { input, sink } = await startInput(unixSockInput, 'imuxsock', { socket: path, ignoreTimestamp: 'off' });
    try {
      const s = await connectUnix(path);
      await write(s, '<14>Oct 11 22:14:15 app[1]: one\0<14>Oct 11 22:14:15 app[1]: two\n<14>Oct 11 22:14:15 app[1]: three\0');
      await endAndWaitClose(s);
      await waitFor(() => sink.messages.length === 3, 'three frames');
      assert.deepEqual(sink.messages.map((m) => m.msg), [' one', ' two', ' three']);
      assert.deepEqual(sink.messages.map((m) => m.procid), ['1', '1', '1']);
      assert.equal(sink.messages[0].timereported.month, 10, 'ignoreTimestamp off keeps the sent timestamp');
      assert.equal(sink.messages[0].inputname, 'imuxsock');
    } finally {
      await input.stop();
    }
  });

  it('garbage on one connection does not affect the next; stop() flushes a frame without terminator', async () => {
    const path = sockPath();
    const { input, sink } = await startInput(unixSockInput, 'imuxsock', { socket: path });
    const bad = await connectUnix(path);
    await write(bad, randomBytes(3000));
    bad.destroy();
    const s = await connectUnix(path);
    s.on('error', () => undefined);
    const closed = new Promise<void>((r) => s.once('close', () => r()));
    await write(s, '<13>app: good\n<13>app: unterminated');
    await waitFor(() => sink.messages.some((m) => m.msg === ' good'), 'the good frame');
    await input.stop();
    await closed;
    assert.ok(sink.messages.some((m) => m.msg === ' unterminated'), 'the partial frame was submitted at stop');
    assert.equal(existsSync(path), false, 'the socket file is removed on stop');
  });

  it('restarts on the same socket path, refuses to replace a regular file', async () => {
    const path = sockPath();
    const first = await startInput(unixSockInput, 'imuxsock', { socket: path });
    await first.input.stop();
    const second = await startInput(unixSockInput, 'imuxsock', { socket: path });
    await second.input.stop();
    const file = join(tmp.dir, 'not-a-socket');
    writeFileSync(file, 'keep me');
    await assert.rejects(startInput(unixSockInput, 'imuxsock', { socket: file }), (e: Error & { code?: string }) => e.code === 'LW_ERR_LISTEN' && e.message.includes(file));
  });
});

// The disk queues' writer thread and its shared job ring (src/queue/disk/writer.ts, write-worker.ts, write-ring.ts):
// jobs run in order, callbacks come later and in order, a failed write reports its error and fails the fd's later
// jobs until the fd is forgotten, a ring with more jobs than slots waits instead of overwriting one, and a thread
// that went to sleep after an idle spell wakes for the next job.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { drainWrites, forgetFd, postWrite, writeBuffer } from '../../../src/queue/disk/writer';
import { SLOTS } from '../../../src/queue/disk/write-ring';
import { tempDir } from '../../helpers/util';

/** A run of `n` raw bytes (no record headers: the writer only seals what it is told are records). */
function bytes(text: string): Buffer {
  const b = writeBuffer(text.length);
  b.write(text, 'latin1');
  return b;
}

/** postWrite as a promise of its callback's error. */
function write(fd: number, pos: number, text: string): Promise<string | null> {
  return new Promise((resolve) => postWrite(fd, pos, bytes(text), resolve, true));
}

// sealRun reads record headers; a buffer shorter than one header is written as it is.
const SHORT = 'abcdefghij';

test('writes land in order, callbacks come later (never inside postWrite) and in the order posted', async (t) => {
  const { dir, cleanup } = tempDir('lw-wring-');
  t.after(cleanup);
  const fd = openSync(join(dir, 'f'), 'w+');
  t.after(() => closeSync(fd));
  const order: number[] = [];
  const all: Array<Promise<void>> = [];
  let inside = true;
  for (let i = 0; i < 50; i++) {
    all.push(new Promise((resolve) => postWrite(fd, i * SHORT.length, bytes(SHORT), (e) => {
      assert.equal(e, null);
      assert.equal(inside, false, 'callback ran inside postWrite');
      order.push(i);
      resolve();
    }, i % 2 === 0)));
  }
  inside = false;
  await Promise.all(all);
  assert.deepEqual(order, Array.from({ length: 50 }, (_, i) => i));
  assert.equal(readFileSync(join(dir, 'f'), 'latin1'), SHORT.repeat(50));
});

test('more jobs than ring slots posted at once: postWrite waits for a slot, every job runs once, in order', async (t) => {
  const { dir, cleanup } = tempDir('lw-wring-');
  t.after(cleanup);
  const fd = openSync(join(dir, 'f'), 'w+');
  t.after(() => closeSync(fd));
  const n = SLOTS * 2 + 7;
  const done: Array<Promise<string | null>> = [];
  for (let i = 0; i < n; i++) done.push(write(fd, i * 4, String(i % 10000).padStart(4, '0')));
  assert.deepEqual(new Set(await Promise.all(done)), new Set([null]));
  const text = readFileSync(join(dir, 'f'), 'latin1');
  assert.equal(text.length, n * 4);
  for (let i = 0; i < n; i++) assert.equal(text.slice(i * 4, i * 4 + 4), String(i % 10000).padStart(4, '0'));
});

test('a failed write reports the error, fails the later jobs of that fd, not of others; forgetFd clears it', async (t) => {
  const { dir, cleanup } = tempDir('lw-wring-');
  t.after(cleanup);
  const good = openSync(join(dir, 'good'), 'w+');
  const other = openSync(join(dir, 'other'), 'w+');
  closeSync(openSync(join(dir, 'ro'), 'w'));
  const ro = openSync(join(dir, 'ro'), 'r'); // write() on it: EBADF
  // forgetFd before the close, as DiskQueue does: a later open may get the same number
  t.after(() => { forgetFd(ro); closeSync(good); closeSync(other); closeSync(ro); });
  const [e1, e2, e3] = await Promise.all([write(ro, 0, SHORT), write(ro, 10, SHORT), write(good, 0, SHORT)]);
  assert.match(String(e1), /EBADF/);
  assert.equal(e2, e1, 'a later job of the failed fd fails the same way');
  assert.equal(e3, null);
  forgetFd(ro);
  assert.match(String(await write(ro, 0, SHORT)), /EBADF/, 'tried again after forgetFd (and failed again)');
  assert.equal(await write(other, 0, SHORT), null, 'another fd is unaffected');
  assert.equal(readFileSync(join(dir, 'good'), 'latin1'), SHORT);
});

test('after an idle spell (the thread sleeps until notified) the next write still runs; drainWrites waits for it', async (t) => {
  const { dir, cleanup } = tempDir('lw-wring-');
  t.after(cleanup);
  const fd = openSync(join(dir, 'f'), 'w+');
  t.after(() => closeSync(fd));
  assert.equal(await write(fd, 0, SHORT), null);
  await new Promise((resolve) => setTimeout(resolve, 400)); // > POLL_MS × IDLE_POLLS: asleep
  let called = false;
  postWrite(fd, SHORT.length, bytes(SHORT), () => { called = true; }, true);
  drainWrites(10_000);
  assert.equal(readFileSync(join(dir, 'f'), 'latin1'), SHORT + SHORT, 'written when drainWrites returns');
  assert.equal(called, false, 'the callback still comes later');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(called, true);
});

// DiskQueue basics: order across segment boundaries, peek/ack semantics, maxDiskSpace, reopen, segment deletion,
// oldestAppendedAt, the lock file, a missing index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StreamLogger } from '../../../src/log';
import { DiskQueue, type DiskQueueOptions } from '../../../src/queue/disk/disk-queue';
import { tempDir } from '../../helpers/util';

function opts(dir: string, o: Partial<DiskQueueOptions> = {}): DiskQueueOptions & { logger: StreamLogger } {
  return { dir, name: 'q', maxFileSize: 1024, maxDiskSpace: 0, checkpointInterval: 0, syncQueueFiles: false,
    logger: new StreamLogger({ out: null, keep: true }), checkpointMs: 0, ...o } as DiskQueueOptions & { logger: StreamLogger };
}
const rec = (i: number, size = 100): Buffer => Buffer.from(`r${i}:`.padEnd(size, 'x'));
const ids = (bufs: Buffer[]): number[] => bufs.map((b) => Number(b.toString().slice(1, b.indexOf(':'))));
const segs = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.seg')).sort();

test('append, peek and ack keep order across segment boundaries; peek repeats until ack', (t) => {
  const { dir, cleanup } = tempDir('lw-dq-');
  t.after(cleanup);
  const q = DiskQueue.open(opts(dir));
  assert.equal(q.length, 0);
  assert.deepEqual(q.peek(10), []);
  assert.equal(q.append(Array.from({ length: 50 }, (_, i) => rec(i))), 50);
  assert.equal(q.length, 50);
  assert.ok(segs(dir).length >= 5, `several 1 KiB segments (${segs(dir).length})`);
  assert.deepEqual(ids(q.peek(7)), [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(ids(q.peek(7)), [0, 1, 2, 3, 4, 5, 6]);
  q.ack(3);
  assert.deepEqual(ids(q.peek(2)), [3, 4]);
  assert.throws(() => q.ack(3), RangeError);
  q.ack(2);
  const got: number[] = [];
  for (;;) {
    const b = q.peek(9);
    if (b.length === 0) break;
    got.push(...ids(b));
    q.ack(4); // partial acks of one peek
    q.ack(b.length - 4 > 0 ? b.length - 4 : 0);
  }
  assert.deepEqual(got, Array.from({ length: 45 }, (_, i) => i + 5));
  assert.equal(q.length, 0);
  assert.equal(q.stats.appended, 50);
  assert.equal(q.stats.acked, 50);
  q.close();
});

test('peek honours maxBytes but always returns one record', (t) => {
  const { dir, cleanup } = tempDir('lw-dq-');
  t.after(cleanup);
  const q = DiskQueue.open(opts(dir, { maxFileSize: 1 << 20 }));
  q.append([rec(0, 300), rec(1, 300), rec(2, 300)]);
  assert.deepEqual(ids(q.peek(10, 100)), [0]);
  assert.deepEqual(ids(q.peek(10, 600)), [0, 1]);
  q.close();
});

test('a record bigger than maxFileSize gets a segment of its own', (t) => {
  const { dir, cleanup } = tempDir('lw-dq-');
  t.after(cleanup);
  const q = DiskQueue.open(opts(dir));
  assert.equal(q.append([rec(0, 10), rec(1, 5000), rec(2, 10)]), 3);
  assert.equal(segs(dir).length, 3);
  assert.deepEqual(q.peek(10).map((b) => b.length), [10, 5000, 10]);
  q.close();
});

test('maxDiskSpace: append stops at the limit and returns how many fit; acking frees room', (t) => {
  const { dir, cleanup } = tempDir('lw-dq-');
  t.after(cleanup);
  const q = DiskQueue.open(opts(dir, { maxFileSize: 500, maxDiskSpace: 2000 }));
  const n = q.append(Array.from({ length: 100 }, (_, i) => rec(i)));
  assert.ok(n > 0 && n < 100);
  assert.ok(q.bytes <= 2000);
  assert.equal(n, Math.floor(2000 / 124)); // 100-byte payload + 24-byte header
  assert.equal(q.append([rec(999)]), 0);
  q.peek(10);
  q.ack(10);
  assert.ok(q.append([rec(1000)]) === 1, 'room again once a segment was consumed and deleted');
  q.close();
});

test('reopen after close keeps exactly the unacked records in order, and new appends follow them', (t) => {
  const { dir, cleanup } = tempDir('lw-dq-');
  t.after(cleanup);
  let q = DiskQueue.open(opts(dir));
  q.append(Array.from({ length: 30 }, (_, i) => rec(i)));
  q.peek(12);
  q.ack(12);
  q.close();
  q = DiskQueue.open(opts(dir));
  assert.equal(q.length, 18);
  assert.equal(q.stats.recoveries, 0);
  assert.equal(q.stats.lostAtRecovery, 0);
  q.append([rec(30), rec(31)]);
  assert.deepEqual(ids(q.peek(100)), Array.from({ length: 20 }, (_, i) => i + 12));
  q.close();
  q = DiskQueue.open(opts(dir));
  assert.deepEqual(ids(q.peek(100)), Array.from({ length: 20 }, (_, i) => i + 12));
  q.close();
});

test('ack deletes fully consumed segments, never the one being written', (t) => {
  const { dir, cleanup } = tempDir('lw-dq-');
  t.after(cleanup);
  const q = DiskQueue.open(opts(dir, { checkpointInterval: 1000 }));
  q.append(Array.from({ length: 40 }, (_, i) => rec(i)));
  const before = segs(dir);
  q.peek(16);
  q.ack(16);
  const after = segs(dir);
  assert.ok(after.length < before.length);
  assert.deepEqual(after, before.slice(before.length - after.length), 'the oldest ones went');
  q.peek(100);
  q.ack(24);
  assert.equal(segs(dir).length, 1, 'the write segment stays');
  assert.equal(q.bytes > 0, true);
  q.append([rec(40)]);
  assert.deepEqual(ids(q.peek(5)), [40]);
  q.close();
});

test('segment numbers are never reused, even after every segment was deleted', (t) => {
  const { dir, cleanup } = tempDir('lw-dq-');
  t.after(cleanup);
  let q = DiskQueue.open(opts(dir));
  q.append(Array.from({ length: 20 }, (_, i) => rec(i)));
  const first = segs(dir);
  q.peek(20);
  q.ack(20);
  q.close();
  q = DiskQueue.open(opts(dir));
  q.append([rec(1)]);
  const last = segs(dir).at(-1)!;
  assert.ok(last > first.at(-1)!, `${last} after ${first.at(-1)}`);
  q.close();
});

test('oldestAppendedAt is the append time of the head record, null when empty, and survives a reopen', (t) => {
  const { dir, cleanup } = tempDir('lw-dq-');
  t.after(cleanup);
  let q = DiskQueue.open(opts(dir));
  assert.equal(q.oldestAppendedAt, null);
  const t0 = Date.now();
  q.append([rec(0)]);
  const t1 = Date.now();
  const at = q.oldestAppendedAt!;
  assert.ok(at >= t0 && at <= t1);
  q.close();
  q = DiskQueue.open(opts(dir));
  assert.equal(q.oldestAppendedAt, at);
  q.peek(1);
  q.ack(1);
  assert.equal(q.oldestAppendedAt, null);
  q.close();
});

test('the lock refuses a second open of the same queue and takes over a dead owner\'s lock', (t) => {
  const { dir, cleanup } = tempDir('lw-dq-');
  t.after(cleanup);
  const q = DiskQueue.open(opts(dir));
  assert.throws(() => DiskQueue.open(opts(dir)), (e: Error & { code?: string }) => e.code === 'LW_ERR_QUEUE_DISK_LOCKED' && /process \d+/.test(e.message));
  q.append([rec(1)]);
  q.close();
  assert.equal(existsSync(join(dir, 'q.lock')), false);
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  writeFileSync(join(dir, 'q.lock'), `${dead}\n`);
  const o = opts(dir);
  const q2 = DiskQueue.open(o);
  assert.ok(o.logger.records!.some((r) => r.code === 'LW_WARN_QUEUE_DISK_STALE_LOCK'));
  assert.equal(q2.length, 1);
  q2.close();
});

test('a missing index is rebuilt from the segments and said so', (t) => {
  const { dir, cleanup } = tempDir('lw-dq-');
  t.after(cleanup);
  let q = DiskQueue.open(opts(dir));
  q.append(Array.from({ length: 5 }, (_, i) => rec(i)));
  q.close();
  unlinkSync(join(dir, 'q.qi'));
  const o = opts(dir);
  q = DiskQueue.open(o);
  assert.deepEqual(ids(q.peek(10)), [0, 1, 2, 3, 4]);
  assert.ok(o.logger.records!.some((r) => r.code === 'LW_WARN_QUEUE_DISK_INDEX'));
  assert.equal(q.stats.lostAtRecovery, 0);
  q.close();
});

test('checkpointInterval=0 without syncQueueFiles deletes consumed segments at the next checkpoint (here: close)', (t) => {
  const { dir, cleanup } = tempDir('lw-dq-');
  t.after(cleanup);
  const q = DiskQueue.open(opts(dir));
  q.append(Array.from({ length: 20 }, (_, i) => rec(i)));
  const before = segs(dir).length;
  q.peek(8);
  q.ack(8); // about 2 segments consumed: fewer than RETIRE_MAX, so they wait for a checkpoint
  assert.equal(segs(dir).length, before);
  assert.deepEqual(ids(q.peek(3)), [8, 9, 10]);
  q.close();
  assert.ok(segs(dir).length < before);
  const q2 = DiskQueue.open(opts(dir));
  assert.deepEqual(ids(q2.peek(100)), Array.from({ length: 12 }, (_, i) => i + 8));
  q2.close();
});

test('a record corrupted on disk while the queue runs is skipped, counted and logged; its neighbours are kept', (t) => {
  const { dir, cleanup } = tempDir('lw-dq-');
  t.after(cleanup);
  const o = opts(dir, { maxFileSize: 1 << 20 });
  const q = DiskQueue.open(o);
  q.append(Array.from({ length: 10 }, (_, i) => rec(i)));
  const file = join(dir, segs(dir)[0]!);
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.from('!'), 0, 1, 3 * 124 + 24 + 50); // a payload byte of record 3
  closeSync(fd);
  assert.deepEqual(ids(q.peek(100)), [0, 1, 2, 4, 5, 6, 7, 8, 9]);
  assert.equal(q.length, 9);
  assert.equal(q.stats.lostAtRecovery, 1);
  assert.equal(o.logger.records!.filter((r) => r.code === 'LW_ERR_QUEUE_DISK_LOST').length, 1);
  q.ack(9);
  assert.equal(q.length, 0);
  q.close();
});

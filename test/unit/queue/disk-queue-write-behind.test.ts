// DiskQueue with writeBehind: the writer thread computes the CRCs and writes; records are held at once,
// readable once written, checkpoints never claim unwritten ones, and close() waits for writes in flight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { StreamLogger } from '../../../src/log';
import { DiskQueue, type DiskQueueOptions } from '../../../src/queue/disk/disk-queue';
import { HDR, crcOk, parseHeader } from '../../../src/queue/disk/format';
import { tempDir } from '../../helpers/util';

function opts(dir: string, o: Partial<DiskQueueOptions> = {}): DiskQueueOptions {
  return { dir, name: 'q', maxFileSize: 4096, maxDiskSpace: 0, checkpointInterval: 0, syncQueueFiles: false,
    logger: new StreamLogger({ out: null, keep: true }), checkpointMs: 0, ...o };
}
const rec = (i: number, size = 100): Buffer => Buffer.from(`r${i}:`.padEnd(size, 'x'));
const ids = (bufs: Buffer[]): number[] => bufs.map((b) => Number(b.toString().slice(1, b.indexOf(':'))));

/** Peek and ack `per` at a time until empty; the record numbers in order. */
function drain(q: DiskQueue, per: number): number[] {
  const got: number[] = [];
  for (;;) {
    const b = q.peek(per);
    if (b.length === 0) return got;
    got.push(...ids(b));
    q.ack(b.length);
  }
}

test('write-behind: records count at once, are readable after whenWritten, in order across segments', async (t) => {
  const { dir, cleanup } = tempDir('lw-dqwb-');
  t.after(cleanup);
  let notified = 0;
  const q = DiskQueue.open(opts(dir, { writeBehind: true, onWritten: () => { notified++; } }));
  assert.equal(q.append(Array.from({ length: 200 }, (_, i) => rec(i))), 200);
  assert.equal(q.length, 200);
  await q.whenWritten();
  assert.ok(notified > 0);
  assert.ok(readdirSync(dir).filter((f) => f.endsWith('.seg')).length > 3, 'several segments');
  assert.deepEqual(drain(q, 17), Array.from({ length: 200 }, (_, i) => i));
  assert.equal(q.length, 0);
  q.close();
});

test('write-behind: close() with writes in flight keeps every record for the next open (CRCs valid)', async (t) => {
  const { dir, cleanup } = tempDir('lw-dqwb-');
  t.after(cleanup);
  const q = DiskQueue.open(opts(dir, { writeBehind: true }));
  for (let k = 0; k < 10; k++) q.append(Array.from({ length: 50 }, (_, i) => rec(k * 50 + i, 80 + (i % 7))));
  q.close(); // no await: close must wait for the writer itself
  const logger = new StreamLogger({ out: null, keep: true });
  const r = DiskQueue.open(opts(dir, { logger }));
  assert.equal(r.length, 500);
  assert.equal(r.stats.lostAtRecovery, 0);
  assert.deepEqual(drain(r, 64), Array.from({ length: 500 }, (_, i) => i));
  r.close();
});

test('write-behind and synchronous appends write the same bytes', async (t) => {
  const a = tempDir('lw-dqwb-');
  const b = tempDir('lw-dqwb-');
  t.after(() => { a.cleanup(); b.cleanup(); });
  const records = Array.from({ length: 60 }, (_, i) => rec(i, 50 + i));
  const qa = DiskQueue.open(opts(a.dir, { writeBehind: true }));
  const qb = DiskQueue.open(opts(b.dir));
  qa.append(records);
  qb.append(records);
  await qa.whenWritten();
  const pa = qa.peek(100);
  const pb = qb.peek(100);
  assert.equal(pa.length, 60);
  assert.deepEqual(pa.map((x) => x.toString()), pb.map((x) => x.toString()));
  qa.close();
  qb.close();
});

/** Every record of every segment in `dir`, in order: [seq, payload], each checked for magic, length and CRC. */
function segmentRecords(dir: string): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.seg')).sort()) {
    const b = readFileSync(join(dir, f));
    for (let o = 0; o < b.length;) {
      const h = parseHeader(b, o);
      assert.ok(h, `${f}: a record header at ${o}`);
      assert.ok(crcOk(b, o, b, o + HDR, h.len), `${f}: CRC of the record at ${o}`);
      out.push([h.seq, b.toString('latin1', o + HDR, o + HDR + h.len)]);
      o += HDR + h.len;
    }
  }
  return out;
}

test('write-behind, runs that fit the segment (headers filled by the writer thread): the same records and seq numbers as synchronous appends, reopened without loss', async (t) => {
  const a = tempDir('lw-dqwb-');
  const b = tempDir('lw-dqwb-');
  t.after(() => { a.cleanup(); b.cleanup(); });
  const big = { maxFileSize: 64 * 1024 };
  const qa = DiskQueue.open(opts(a.dir, { ...big, writeBehind: true }));
  const qb = DiskQueue.open(opts(b.dir, big));
  let n = 0;
  for (let k = 0; k < 12; k++) {
    // 40 records of 60-68 bytes a run: several runs fit a segment whole, some cross into the next one
    const run = Array.from({ length: 40 }, (_, i) => rec(n + i, 60 + ((k + i) % 9)));
    n += run.length;
    assert.equal(qa.append(run), run.length);
    qb.append(run);
  }
  await qa.whenWritten();
  qa.close();
  qb.close();
  const written = segmentRecords(a.dir);
  assert.equal(written.length, n);
  assert.deepEqual(written.map(([seq]) => seq), written.map((_, i) => written[0]![0] + i), 'consecutive seq numbers');
  assert.deepEqual(written, segmentRecords(b.dir));
  const r = DiskQueue.open(opts(a.dir, big));
  assert.equal(r.length, n);
  assert.equal(r.stats.lostAtRecovery, 0);
  assert.deepEqual(drain(r, 50), Array.from({ length: n }, (_, i) => i));
  r.close();
});

// DiskQueue against a model under random operations, then random damage to the spool directory (fast-check):
// truncated or bit-flipped segments, a deleted segment, a deleted/truncated/garbled index. Reopening never
// throws; every intact unacked record comes out once, in order; lostAtRecovery is the number of unacked records
// whose bytes were destroyed; damaged segments are renamed, never rewritten; a second open counts nothing again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { copyFileSync, existsSync, readFileSync, readdirSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StreamLogger } from '../../../src/log';
import { DiskQueue, type DiskQueueOptions } from '../../../src/queue/disk/disk-queue';
import { tempDir } from '../../helpers/util';

const HDR = 24;
type Op = { kind: 'append'; sizes: number[] } | { kind: 'consume'; peek: number; ack: number } | { kind: 'reopen' };
type Damage =
  | { kind: 'truncate'; seg: number; at: number }
  | { kind: 'flip'; seg: number; at: number[] }
  | { kind: 'deleteSeg'; seg: number }
  | { kind: 'deleteIndex' }
  | { kind: 'truncateIndex'; at: number }
  | { kind: 'garbleIndex'; at: number; byte: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 12 }).map((sizes) => ({ kind: 'append' as const, sizes })) },
  { weight: 3, arbitrary: fc.tuple(fc.integer({ min: 1, max: 15 }), fc.nat(15)).map(([peek, ack]) => ({ kind: 'consume' as const, peek, ack })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
);
const damageArb: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), seg: fc.nat(), at: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x) as unknown as fc.Arbitrary<number> }),
  fc.record({ kind: fc.constant('flip' as const), seg: fc.nat(), at: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 4 }) as unknown as fc.Arbitrary<number[]> }),
  fc.record({ kind: fc.constant('deleteSeg' as const), seg: fc.nat() }),
  fc.constant({ kind: 'deleteIndex' as const }),
  fc.record({ kind: fc.constant('truncateIndex' as const), at: fc.nat(80) }),
  fc.record({ kind: fc.constant('garbleIndex' as const), at: fc.nat(79), byte: fc.integer({ min: 1, max: 255 }) }),
);

const payload = (id: number, size: number): Buffer => Buffer.from(`#${id};`.padEnd(Math.max(size, `#${id};`.length), 'abcdefgh'));
const idOf = (b: Buffer): number => Number(b.toString('latin1', 1, b.indexOf(';')));

interface OnDisk { file: string; off: number; end: number; id: number }
/** Independent parser: the records of a clean segment file, by their length headers. */
function parseSegment(dir: string, file: string): OnDisk[] {
  const b = readFileSync(join(dir, file));
  const out: OnDisk[] = [];
  for (let o = 0; o + HDR <= b.length;) {
    const len = b.readUInt32LE(o + 8);
    out.push({ file, off: o, end: o + HDR + len, id: idOf(b.subarray(o + HDR, o + HDR + len)) });
    o += HDR + len;
  }
  return out;
}
const segFiles = (dir: string): string[] => readdirSync(dir).filter((f) => /^q\.\d+\.seg$/.test(f)).sort();

function drain(q: DiskQueue): number[] {
  const out: number[] = [];
  for (let guard = 0; guard < 10_000; guard++) {
    const b = q.peek(7);
    if (b.length === 0) return out;
    out.push(...b.map(idOf));
    q.ack(b.length);
  }
  throw new Error('drain did not finish');
}

function run(ops: Op[], damage: Damage, maxFileSize: number, checkpointInterval: number, crash: boolean): void {
  const { dir, cleanup } = tempDir('lw-dqd-');
  try {
    const o = (): DiskQueueOptions & { logger: StreamLogger } => ({ dir, name: 'q', maxFileSize, maxDiskSpace: 0, checkpointInterval,
      syncQueueFiles: false, logger: new StreamLogger({ out: null, keep: true }), checkpointMs: 0 });
    let q = DiskQueue.open(o());
    let nextId = 0;
    const unacked: number[] = [];
    for (const op of ops) {
      if (op.kind === 'append') {
        const recs = op.sizes.map((s) => payload(nextId++, s));
        assert.equal(q.append(recs), recs.length);
        unacked.push(...recs.map(idOf));
      } else if (op.kind === 'consume') {
        const got = q.peek(op.peek).map(idOf);
        assert.deepEqual(got, unacked.slice(0, op.peek));
        const n = Math.min(op.ack, got.length);
        q.ack(n);
        unacked.splice(0, n);
      } else {
        q.close();
        q = DiskQueue.open(o());
        assert.equal(q.stats.lostAtRecovery, 0);
      }
      assert.equal(q.length, unacked.length);
    }
    let dmgDir = dir;
    let snap: ReturnType<typeof tempDir> | null = null;
    if (crash) { // a process crash: the files as they are now (page cache), the owner gone, no lock file
      snap = tempDir('lw-dqd-crash-');
      for (const f of readdirSync(dir)) if (!f.endsWith('.lock')) copyFileSync(join(dir, f), join(snap.dir, f));
      dmgDir = snap.dir;
    }
    q.close();
    try {
      checkDamage(dmgDir, o, damage, unacked, crash, checkpointInterval);
    } finally {
      snap?.cleanup();
    }
  } finally {
    cleanup();
  }
}

/** Apply one damage; adds the ids of records whose bytes it destroyed to `destroyed`. */
function applyDamage(dir: string, files: string[], records: OnDisk[], damage: Damage, destroyed: Set<number>): { seg: string | null; indexDamaged: boolean } {
  const live = files.filter((f) => existsSync(join(dir, f)));
  let indexDamaged = false;
  const seg = live.length > 0 && 'seg' in damage ? live[damage.seg % live.length]! : null;
  switch (damage.kind) {
    case 'truncate': {
      if (!seg) break;
      const size = statSync(join(dir, seg)).size;
      const at = Math.floor(damage.at * size);
      truncateSync(join(dir, seg), at);
      for (const r of records) if (r.file === seg && r.end > at) destroyed.add(r.id);
      break;
    }
    case 'flip': {
      if (!seg) break;
      const b = readFileSync(join(dir, seg));
      if (b.length === 0) break;
      for (const at of new Set(damage.at.map((x) => Math.min(b.length - 1, Math.floor(x * b.length))))) { // a byte flipped twice is intact
        b[at] ^= 0x5a;
        for (const r of records) if (r.file === seg && r.off <= at && at < r.end) destroyed.add(r.id);
      }
      writeFileSync(join(dir, seg), b); // same inode: only the flipped bytes differ
      break;
    }
    case 'deleteSeg':
      if (!seg) break;
      unlinkSync(join(dir, seg));
      for (const r of records) if (r.file === seg) destroyed.add(r.id);
      break;
    case 'deleteIndex':
      if (existsSync(join(dir, 'q.qi'))) unlinkSync(join(dir, 'q.qi'));
      indexDamaged = true;
      break;
    case 'truncateIndex':
      if (!existsSync(join(dir, 'q.qi'))) break;
      truncateSync(join(dir, 'q.qi'), Math.min(damage.at, statSync(join(dir, 'q.qi')).size - 1));
      indexDamaged = true;
      break;
    case 'garbleIndex': {
      if (!existsSync(join(dir, 'q.qi'))) break;
      const b = readFileSync(join(dir, 'q.qi'));
      b[damage.at % b.length] ^= damage.byte;
      writeFileSync(join(dir, 'q.qi'), b);
      indexDamaged = true;
      break;
    }
  }
  return { seg, indexDamaged };
}

function checkDamage(dir: string, mk: () => DiskQueueOptions & { logger: StreamLogger }, damage: Damage, unacked: number[],
  crash: boolean, checkpointInterval: number): void {
  const o = (): DiskQueueOptions & { logger: StreamLogger } => ({ ...mk(), dir });
  const files = segFiles(dir);
  const records = files.flatMap((f) => parseSegment(dir, f));
  const destroyed = new Set<number>();
  const before = new Map(files.map((f) => [f, { bytes: readFileSync(join(dir, f)), ino: statSync(join(dir, f)).ino }]));
  const { seg, indexDamaged } = applyDamage(dir, files, records, damage, destroyed);
  const damagedCopy = seg && existsSync(join(dir, seg)) ? readFileSync(join(dir, seg)) : null;
  const damagedIno = seg && existsSync(join(dir, seg)) ? statSync(join(dir, seg)).ino : 0;

  const opts = o();
  const q = DiskQueue.open(opts); // must not throw
  const lostUnacked = unacked.filter((id) => destroyed.has(id)).length;

  // Files: kept byte for byte, truncated (newest only) to a prefix, renamed to *.quarantine, or deleted.
  const after = new Set(readdirSync(dir));
  const newest = files.filter((f) => existsSync(join(dir, f)) || f === seg).at(-1);
  for (const f of files) {
    const was = f === seg && damagedCopy ? damagedCopy : before.get(f)!.bytes;
    if (f === seg && !damagedCopy) continue; // deleted by the damage itself
    if (after.has(f)) {
      const now = readFileSync(join(dir, f));
      if (!now.equals(was)) {
        assert.equal(f, newest, `${f} changed but is not the newest segment`);
        assert.ok(now.length < was.length && was.subarray(0, now.length).equals(now), `${f} was truncated, not rewritten`);
      }
    } else if (after.has(`${f}.quarantine`)) {
      assert.ok(readFileSync(join(dir, `${f}.quarantine`)).equals(was), 'quarantined bytes unchanged');
      if (f === seg) assert.equal(statSync(join(dir, `${f}.quarantine`)).ino, damagedIno, 'renamed, not copied');
    }
  }
  assert.equal(q.stats.quarantinedSegments, [...after].filter((f) => f.endsWith('.quarantine')).length);

  const lost = q.stats.lostAtRecovery;
  q.close();
  // A second open counts nothing again and changes nothing.
  const q2 = DiskQueue.open(o());
  assert.equal(q2.stats.lostAtRecovery, 0, 'a loss is reported once');
  const out = drain(q2);
  q2.close();

  assert.equal(new Set(out).size, out.length, 'no record twice');
  for (let i = 1; i < out.length; i++) assert.ok(out[i - 1]! < out[i]!, 'in order');
  const intact = unacked.filter((id) => !destroyed.has(id));
  const firstUnacked = unacked[0] ?? Infinity;
  const extra = out.filter((id) => id < firstUnacked);
  assert.deepEqual(out.filter((id) => id >= firstUnacked), intact, 'every intact unacked record, exactly once');
  for (const id of extra) assert.ok(!destroyed.has(id) && records.some((r) => r.id === id), 'redelivered only intact acked records');
  if (!crash && !indexDamaged) assert.deepEqual(extra, [], 'a clean close checkpoints the exact head');
  if (crash && !indexDamaged && checkpointInterval > 0) assert.ok(extra.length < checkpointInterval, `redelivered ${extra.length} < checkpointInterval`);
  if (indexDamaged) {
    // Rebuilt from the first segment: whatever is on disk comes out, and nothing was lost.
    assert.deepEqual(out, records.map((r) => r.id));
    assert.equal(lost, 0);
  } else if (!crash) {
    assert.equal(lost, lostUnacked, `lostAtRecovery ${lost} = unacked records destroyed ${lostUnacked}`);
  } else {
    // A crash before the checkpoint covered them: records whose every trace is gone cannot be counted.
    assert.ok(lost <= destroyed.size, `lostAtRecovery ${lost} <= records destroyed ${destroyed.size}`);
  }
  if (lost > 0) assert.equal(opts.logger.records!.filter((r) => r.code === 'LW_ERR_QUEUE_DISK_LOST').length, 1);
}

test('disk queue: random operations, then random damage, then reopen (fast-check)', () => {
  fc.assert(fc.property(fc.array(opArb, { minLength: 1, maxLength: 25 }), damageArb, fc.integer({ min: 150, max: 3000 }),
    fc.constantFrom(0, 1, 3, 50), fc.boolean(), (ops, damage, maxFileSize, cpi, crash) => {
      run(ops, damage, maxFileSize, cpi, crash);
    }), { numRuns: Number(process.env.LW_FC_RUNS ?? 200), includeErrorInReport: true });
});

test('disk queue: several damages at once, then reopen: never throws, order kept, no duplicates, reported once (fast-check)', () => {
  fc.assert(fc.property(fc.array(opArb, { minLength: 1, maxLength: 25 }), fc.array(damageArb, { minLength: 2, maxLength: 4 }),
    fc.integer({ min: 150, max: 3000 }), fc.constantFrom(0, 1, 50), (ops, damages, maxFileSize, cpi) => {
      const { dir, cleanup } = tempDir('lw-dqm-');
      try {
        const o = (): DiskQueueOptions & { logger: StreamLogger } => ({ dir, name: 'q', maxFileSize, maxDiskSpace: 0,
          checkpointInterval: cpi, syncQueueFiles: false, logger: new StreamLogger({ out: null, keep: true }), checkpointMs: 0 });
        let q = DiskQueue.open(o());
        let nextId = 0;
        const unacked: number[] = [];
        for (const op of ops) {
          if (op.kind === 'append') {
            const recs = op.sizes.map((sz) => payload(nextId++, sz));
            q.append(recs);
            unacked.push(...recs.map(idOf));
          } else if (op.kind === 'consume') {
            const n = Math.min(op.ack, q.peek(op.peek).length);
            q.ack(n);
            unacked.splice(0, n);
          } else {
            q.close();
            q = DiskQueue.open(o());
          }
        }
        q.close();
        const files = segFiles(dir);
        const records = files.flatMap((f) => parseSegment(dir, f));
        const original = new Map(files.map((f) => [f, readFileSync(join(dir, f))]));
        for (const d of damages) applyDamage(dir, files, records, d, new Set());
        // Destroyed = a record whose bytes are no longer all there unchanged (two flips of one byte cancel out).
        const destroyed = new Set<number>();
        for (const r of records) {
          const now = existsSync(join(dir, r.file)) ? readFileSync(join(dir, r.file)) : null;
          if (!now || now.length < r.end || !now.subarray(r.off, r.end).equals(original.get(r.file)!.subarray(r.off, r.end))) destroyed.add(r.id);
        }
        const q1 = DiskQueue.open(o());
        q1.close();
        const q2 = DiskQueue.open(o());
        assert.equal(q2.stats.lostAtRecovery, 0, 'a loss is reported once');
        const out = drain(q2);
        q2.close();
        assert.equal(new Set(out).size, out.length, 'no record twice');
        for (let i = 1; i < out.length; i++) assert.ok(out[i - 1]! < out[i]!, 'in order');
        const all = new Set(records.map((r) => r.id));
        for (const id of out) assert.ok(all.has(id) && !destroyed.has(id), 'only intact records that were written');
        const got = new Set(out);
        for (const id of unacked) if (!destroyed.has(id)) assert.ok(got.has(id), `intact unacked record ${id} delivered`);
      } finally {
        cleanup();
      }
    }), { numRuns: Number(process.env.LW_FC_RUNS ?? 100), includeErrorInReport: true });
});

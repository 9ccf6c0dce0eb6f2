// The full-text bitmap (src/store/fts-bitmap.ts) gives the same set of rows on both paths: the native lw_bitmap
// aggregate (native/lw_sqlite.c, when built) and the portable group_concat path, and that set is exactly the
// rows a match expression selects within [lo, hi]. Also the aggregate's own contract (range checks, errors,
// empty results) and that store partitions load the helper.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { emptyBitmap, ftsBitmap, hasId, loadNativeExtension, nativeInUse, type IdBitmap } from '../../src/store/fts-bitmap';
import { Partition } from '../../src/store/sqlite-partition';
import { peersRequired } from '../helpers/util';

/** Same FTS5 definition as sqlite-partition.ts (contentless, no column sizes, unicode61 without diacritics). */
const FTS_SCHEMA = `CREATE VIRTUAL TABLE logs_fts USING fts5(msg, content='', columnsize=0,
  tokenize='unicode61 remove_diacritics 2')`;

/** Stored ids: FIRST_ID..LAST_ID minus the gaps; the tested ranges start and end inside, so rows lie outside. */
const FIRST_ID = 990;
const LAST_ID = 5010;
/** Gaps: one not word-aligned (relative to LO), one covering whole words of the bitmap. */
const GAPS: Array<[number, number]> = [[1100, 1199], [2024, 2151]];
const LO = 1000;
const HI = 5000;
const SKIP_REASON = 'native extension not built';

function stored(id: number): boolean {
  return !GAPS.some(([a, b]) => id >= a && id <= b);
}

/** Which words row `id` contains; the message is built from these, and the expected sets are derived from them. */
interface Words { failed: boolean; password: boolean; adjacent: boolean; passphrase: boolean; user: boolean }

function wordsOf(id: number): Words {
  const failed = id % 3 === 0;
  const password = id % 5 === 0;
  // Half of the rows with both words have them as the phrase "failed password", half in the other order.
  return { failed, password, adjacent: failed && password && id % 2 === 1, passphrase: id % 7 === 0, user: id % 2 === 0 };
}

function messageOf(id: number): string {
  const w = wordsOf(id);
  const parts = [`row${id}`];
  if (w.adjacent) parts.push('Failed password for root');
  else if (w.failed && w.password) parts.push('password check failed');
  else if (w.failed) parts.push('failed login');
  else if (w.password) parts.push('password accepted');
  if (w.passphrase) parts.push('bad passphrase');
  if (w.user) parts.push('user=bob');
  return parts.join(' ');
}

/** Match expressions (as compile-sqlite builds them) with the rows each must select. */
const CASES: Array<{ name: string; match: string; want: (w: Words) => boolean }> = [
  { name: 'word', match: '"failed"', want: (w) => w.failed },
  { name: 'phrase', match: '"failed password"', want: (w) => w.adjacent },
  { name: 'prefix', match: '"pass" *', want: (w) => w.password || w.passphrase },
  { name: 'AND', match: '"failed" AND "user"', want: (w) => w.failed && w.user },
  { name: 'no match', match: '"nosuchword"', want: () => false },
];

/** Ranges checked for every case: word boundaries (31/32/33 ids), a single id, a range inside a gap, empty. */
const RANGES: Array<[number, number]> = [
  [LO, HI], [LO, LO + 30], [LO, LO + 31], [LO, LO + 32], [LO + 1, LO + 33], [LO + 31, LO + 64],
  [2100, 2100], [2030, 2140], [HI, HI], [HI, HI - 1],
];

/**
 * The FTS table filled with the test rows. With `logs` (ids only), the native path may drop the rowid WHERE
 * for wide ranges (it reads the id bounds there); without it, it always keeps it: both SQL shapes get tested.
 */
function openDb(withLogs = true): Database.Database {
  const db = new Database(':memory:');
  db.exec(FTS_SCHEMA);
  if (withLogs) db.exec('CREATE TABLE logs (id INTEGER PRIMARY KEY)');
  const ins = db.prepare('INSERT INTO logs_fts (rowid, msg) VALUES (?, ?)');
  const insLog = withLogs ? db.prepare('INSERT INTO logs (id) VALUES (?)') : null;
  db.transaction(() => {
    for (let id = FIRST_ID; id <= LAST_ID; id++) {
      if (!stored(id)) continue;
      ins.run(id, messageOf(id));
      insLog?.run(id);
    }
  })();
  return db;
}

function expected(want: (w: Words) => boolean, lo: number, hi: number): IdBitmap {
  const b = emptyBitmap(lo, hi);
  for (let id = lo; id <= hi; id++) {
    if (!stored(id) || !want(wordsOf(id))) continue;
    const off = id - lo;
    b.words[off >>> 5] |= 1 << (off & 31);
  }
  return b;
}

/** Compares as plain data, and membership of each id around the range through hasId. */
function assertSame(actual: IdBitmap, want: IdBitmap, label: string): void {
  assert.equal(actual.lo, want.lo, label);
  assert.equal(actual.hi, want.hi, label);
  assert.deepEqual(Array.from(actual.words), Array.from(want.words), label);
  for (let id = want.lo - 2; id <= want.hi + 2; id++) assert.equal(hasId(actual, id), hasId(want, id), `${label} id ${id}`);
}

/** Runs `fn` with the portable path forced (LW_NO_NATIVE=1), restoring the variable after. */
function portable<T>(fn: () => T): T {
  const prev = process.env.LW_NO_NATIVE;
  process.env.LW_NO_NATIVE = '1';
  try {
    return fn();
  } finally {
    if (prev === undefined) delete process.env.LW_NO_NATIVE;
    else process.env.LW_NO_NATIVE = prev;
  }
}

/** Loads the extension on `db`; false means skip (visibly), unless CI demands it (LW_REQUIRE_PEERS=1). */
function nativeOrSkip(t: TestContext, db: Database.Database): boolean {
  if (loadNativeExtension(db)) return true;
  assert.ok(!peersRequired(), 'native/lw_sqlite.so must be built and load when LW_REQUIRE_PEERS=1 (npm run build)');
  t.skip(SKIP_REASON);
  return false;
}

test('portable path: the bitmap holds exactly the matching rows in [lo, hi]', () => {
  const db = openDb();
  for (const c of CASES) {
    for (const [lo, hi] of RANGES) {
      assertSame(portable(() => ftsBitmap(db, c.match, lo, hi)), expected(c.want, lo, hi), `${c.name} ${lo}..${hi}`);
    }
  }
  db.close();
});

test('native path: the same bitmaps as the portable path and the expected sets', (t) => {
  for (const withLogs of [true, false]) {
    const db = openDb(withLogs);
    if (!nativeOrSkip(t, db)) return;
    assert.equal(nativeInUse(db), true);
    assert.equal(portable(() => nativeInUse(db)), false, 'LW_NO_NATIVE=1 forces the portable path');
    for (const c of CASES) {
      for (const [lo, hi] of RANGES) {
        const label = `${c.name} ${lo}..${hi} ${withLogs ? 'with' : 'without'} logs`;
        const want = expected(c.want, lo, hi);
        assertSame(ftsBitmap(db, c.match, lo, hi), want, `native ${label}`);
        assertSame(portable(() => ftsBitmap(db, c.match, lo, hi)), want, `portable ${label}`);
      }
    }
    db.close();
  }
});

test('lw_bitmap: blob layout, ignored rows, empty results and range errors', (t) => {
  const db = new Database(':memory:');
  if (!nativeOrSkip(t, db)) return;
  const agg = (rows: string, lo: unknown, hi: unknown): Buffer =>
    db.prepare(`SELECT lw_bitmap(x, ?, ?) FROM (${rows})`).pluck().get(lo, hi) as Buffer;
  const ids = 'SELECT -3 AS x UNION ALL SELECT 0 UNION ALL SELECT 31 UNION ALL SELECT 32 UNION ALL SELECT 40 UNION ALL SELECT NULL';
  // Little-endian words: id 0 → bit 0 of byte 0, 31 → bit 7 of byte 3, 32 → bit 0 of byte 4, 40 → byte 5.
  // -3 is below lo and NULL carries no id: both ignored. 41 ids → 2 words.
  assert.deepEqual([...agg(ids, 0, 40)], [0x01, 0, 0, 0x80, 0x01, 0x01, 0, 0]);
  // A BigInt binds as INTEGER, a JS number as an integral REAL: both accepted.
  assert.deepEqual([...agg(ids, 0n, 40n)], [...agg(ids, 0, 40)]);
  // Negative lo: offsets are relative to lo (-3 → bit 0, 0 → bit 3).
  assert.deepEqual([...agg(ids, -3, 0)], [0x09, 0, 0, 0]);
  // Rows seen, none in range: a zero blob of the right size (a NULL row can serve as such a sentinel).
  assert.deepEqual([...agg('SELECT NULL AS x', 100, 164)], new Array(12).fill(0));
  // No row at all: the range is unknown, so an empty blob, never NULL.
  assert.deepEqual([...agg('SELECT 1 AS x WHERE 0', 0, 40)], []);
  // hi < lo is an empty range.
  assert.deepEqual([...agg(ids, 5, 4)], []);
  // A range of 2^20 ids is 2^17 bytes; beyond 2^31 ids (256 MiB, not allocated here) is an SQL error.
  assert.equal(agg('SELECT 7 AS x', 0, 2 ** 20 - 1).length, 2 ** 17);
  assert.throws(() => agg('SELECT 7 AS x', 0, 2 ** 31), /exceeds 2\^31 ids/);
  assert.throws(() => agg('SELECT 7 AS x', -(2 ** 62), 2 ** 62), /exceeds 2\^31 ids/);
  assert.throws(() => agg('SELECT 7 AS x', 0.5, 10), /must be integers/);
  assert.throws(() => agg('SELECT 7 AS x', 'a', 10), /must be integers/);
  assert.throws(() => agg('SELECT 7 AS x', null, 10), /must be integers/);
  assert.throws(() => db.prepare('SELECT lw_bitmap(x, x, 10) FROM (SELECT 1 AS x UNION ALL SELECT 2)').get(), /same on every row/);
  db.close();
});

test('store partitions load the native helper when it is built', (t) => {
  const probe = new Database(':memory:');
  const built = nativeOrSkip(t, probe);
  probe.close();
  if (!built) return;
  const dir = mkdtempSync(join(tmpdir(), 'lw-fts-bitmap-'));
  try {
    const p = new Partition(dir, 'p20261122', false);
    assert.equal(nativeInUse(p.db), true);
    p.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('extendBitmap: a bitmap over [lo, h] followed by one over [h + 1, hi] is the bitmap of both sets (fast-check)', async () => {
  const { extendBitmap } = await import('../../src/store/columns');
  const fc = (await import('fast-check')).default;
  const build = (ids: number[], lo: number, hi: number): IdBitmap => {
    const b = emptyBitmap(lo, hi);
    for (const id of ids) if (id >= lo && id <= hi) b.words[(id - lo) >>> 5]! |= 1 << ((id - lo) & 31);
    return b;
  };
  fc.assert(fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }),
    fc.array(fc.integer({ min: 0, max: 600 }), { maxLength: 200 }), (lo, headLen, tailLen, offs) => {
      const h = lo + headLen - 1; // headLen 0: an empty first bitmap
      const hi = h + 1 + tailLen;
      const ids = offs.map((o) => lo + o).filter((id) => id <= hi);
      const got = extendBitmap(build(ids, lo, h), build(ids, h + 1, hi));
      const want = build(ids, lo, hi);
      assert.equal(got.lo, lo);
      assert.equal(got.hi, hi);
      assert.deepEqual([...got.words], [...want.words]);
      for (let id = lo; id <= hi; id++) assert.equal(hasId(got, id), ids.includes(id));
    }), { numRuns: 300, seed: 7 });
  assert.throws(() => extendBitmap(emptyBitmap(10, 20), emptyBitmap(22, 30)), /does not follow/);
});

// The set of rows of one partition that match a free-text (FTS5) expression, as a bitmap over an id range.
// Aggregations over the column cache (columns.ts) test membership per row instead of joining every match back
// to `logs`, which is what makes `failed | count by host` over millions of matches cheap.
import type Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';

/** Bits per bitmap word. */
const WORD_BITS = 32;
/** Bytes per bitmap word. */
const WORD_BYTES = 4;

/**
 * The optional native helper (native/lw_sqlite.c, built by scripts/build-native.mjs into dist/native/). This
 * module compiles to dist/src/store/, hence two levels up. SQLite finds its entry point from the file name.
 */
const NATIVE_LIB = join(__dirname, '..', '..', 'native', 'lw_sqlite.so');
/** Env switch forcing the portable path (checked on each call, so tests can compare both paths). */
const NO_NATIVE_ENV = 'LW_NO_NATIVE';

const PORTABLE_SQL = 'SELECT group_concat(rowid) FROM logs_fts WHERE logs_fts MATCH ? AND rowid >= ? AND rowid <= ?';
/** lo/hi are passed twice: to the aggregate (the bitmap's range) and to the WHERE (so FTS5 skips the rest). */
const NATIVE_SQL = 'SELECT lw_bitmap(rowid, ?, ?) FROM logs_fts WHERE logs_fts MATCH ? AND rowid >= ? AND rowid <= ?';
/** Without the rowid WHERE: lw_bitmap itself ignores rows outside [lo, hi]. */
const NATIVE_ALL_SQL = 'SELECT lw_bitmap(rowid, ?, ?) FROM logs_fts WHERE logs_fts MATCH ?';
/** The partition's id bounds (two index lookups: each subquery gets SQLite's min/max optimisation). */
const ID_BOUNDS_SQL = 'SELECT (SELECT min(id) FROM logs), (SELECT max(id) FROM logs)';
/**
 * The rowid WHERE costs ~17 ns per match (SQLite re-checks both bounds on every row FTS5 returns: 33 ms of
 * 137 ms for 1.9M matches) and lets FTS5 skip rows outside, ~50 ns each. So it is dropped when the ids outside
 * [lo, hi] are at most this fraction of those inside: the usual case of a bitmap over a whole partition.
 */
const MAX_OUTSIDE_FRACTION = 0.25;

/** Connections on which the extension is loaded. */
const nativeConnections = new WeakSet<Database.Database>();
/** Set once the library is missing or failed to load: no later connection tries again (per process). */
let nativeUnavailable = false;

function nativeDisabled(): boolean {
  return process.env[NO_NATIVE_ENV] === '1';
}

/**
 * Loads the native helper on `db` (once per connection). Returns false, silently, when it is disabled
 * (LW_NO_NATIVE=1), not built, or does not load; searches then use the portable path, same results.
 */
export function loadNativeExtension(db: Database.Database): boolean {
  if (nativeConnections.has(db)) return true;
  if (nativeUnavailable || nativeDisabled()) return false;
  // The blob holds little-endian words and is read through a Uint32Array (host order): LE hosts only.
  if (endianness() !== 'LE' || !existsSync(NATIVE_LIB)) {
    nativeUnavailable = true;
    return false;
  }
  try {
    db.loadExtension(NATIVE_LIB);
  } catch {
    nativeUnavailable = true; // e.g. built for another platform, or SQLite built without extension loading
    return false;
  }
  nativeConnections.add(db);
  return true;
}

/** Whether ftsBitmap on `db` uses the native helper right now. */
export function nativeInUse(db: Database.Database): boolean {
  return nativeConnections.has(db) && !nativeDisabled();
}

/** A bitmap over ids [lo, hi]: bit (id - lo) of word ((id - lo) >>> 5) is set when the id matched. */
export interface IdBitmap {
  lo: number;
  hi: number;
  words: Uint32Array;
}

export function emptyBitmap(lo: number, hi: number): IdBitmap {
  const n = Math.max(0, hi - lo + 1);
  return { lo, hi, words: new Uint32Array(Math.ceil(n / WORD_BITS)) };
}

export function hasId(b: IdBitmap, id: number): boolean {
  if (id < b.lo || id > b.hi) return false;
  const off = id - b.lo;
  return (b.words[off >>> 5]! & (1 << (off & 31))) !== 0;
}

/**
 * Rowids in [lo, hi] matching `match` (an FTS5 query string as built by compile-sqlite's ftsExpression).
 * Uses the native helper when it is loaded on `db` (loadNativeExtension), else the portable path.
 */
export function ftsBitmap(db: Database.Database, match: string, lo: number, hi: number): IdBitmap {
  return nativeInUse(db) ? nativeFtsBitmap(db, match, lo, hi) : portableFtsBitmap(db, match, lo, hi);
}

/**
 * Native path: the lw_bitmap aggregate sets the bits inside SQLite and returns them as one blob, viewed here
 * as words without parsing (104 ms against 219 ms for the portable path on 1.9M matches of 9.5M rows).
 */
function nativeFtsBitmap(db: Database.Database, match: string, lo: number, hi: number): IdBitmap {
  const out = emptyBitmap(lo, hi);
  // BigInt binds as INTEGER (a JS number binds as REAL): integer comparisons per row are ~10% faster.
  const [blo, bhi] = [BigInt(lo), BigInt(hi)];
  const blob = (rangeWhereNeeded(db, lo, hi)
    ? db.prepare(NATIVE_SQL).pluck().get(blo, bhi, match, blo, bhi)
    : db.prepare(NATIVE_ALL_SQL).pluck().get(blo, bhi, match)) as Buffer;
  // No matching row at all: the aggregate never saw lo/hi and returns an empty blob.
  if (blob.length === 0) return out;
  if (blob.length !== out.words.length * WORD_BYTES) {
    throw new Error(`lw_bitmap returned ${blob.length} bytes for ids ${lo}..${hi}`); // extension/JS mismatch
  }
  if (blob.byteOffset % WORD_BYTES === 0) {
    out.words = new Uint32Array(blob.buffer, blob.byteOffset, out.words.length);
  } else {
    new Uint8Array(out.words.buffer).set(blob); // a Uint32Array view needs a 4-aligned offset: copy instead
  }
  return out;
}

/**
 * Whether the native query should restrict rowids in SQL (see MAX_OUTSIDE_FRACTION). Estimated from the id
 * bounds of `logs` (ids in a partition are dense); without a `logs` table, keeps the restriction. A row added
 * after this check is harmless either way: lw_bitmap ignores ids outside [lo, hi].
 */
function rangeWhereNeeded(db: Database.Database, lo: number, hi: number): boolean {
  let bounds: [number | null, number | null];
  try {
    bounds = db.prepare(ID_BOUNDS_SQL).raw().get() as [number | null, number | null];
  } catch {
    return true; // no `logs` table (a bare FTS table)
  }
  const [min, max] = bounds;
  if (min === null || max === null) return false; // no rows: nothing to skip
  const outside = Math.max(0, lo - min) + Math.max(0, max - hi);
  return outside > MAX_OUTSIDE_FRACTION * (hi - lo + 1);
}

/**
 * Portable path: SQLite concatenates the matching rowids into one text value (one row crosses into JS instead
 * of one per match), parsed here digit by digit.
 */
function portableFtsBitmap(db: Database.Database, match: string, lo: number, hi: number): IdBitmap {
  const out = emptyBitmap(lo, hi);
  const text = db.prepare(PORTABLE_SQL).pluck().get(match, lo, hi) as string | null;
  if (text === null) return out;
  const words = out.words;
  let v = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2c;
    if (c === 0x2c /* , */) {
      const off = v - lo;
      words[off >>> 5] |= 1 << (off & 31);
      v = 0;
    } else {
      v = v * 10 + (c - 0x30);
    }
  }
  return out;
}

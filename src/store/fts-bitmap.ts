// The set of rows of one partition that match a free-text (FTS5) expression, as a bitmap over an id range.
// Aggregations over the column cache (columns.ts) test membership per row instead of joining every match back
// to `logs`, which is what makes `failed | count by host` over millions of matches cheap.
import type Database from 'better-sqlite3';

/** Bits per bitmap word. */
const WORD_BITS = 32;

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
 * Portable path: SQLite concatenates the matching rowids into one text value (one row crosses into JS instead
 * of one per match), parsed here digit by digit.
 */
export function ftsBitmap(db: Database.Database, match: string, lo: number, hi: number): IdBitmap {
  const out = emptyBitmap(lo, hi);
  const text = db.prepare('SELECT group_concat(rowid) FROM logs_fts WHERE logs_fts MATCH ? AND rowid >= ? AND rowid <= ?')
    .pluck().get(match, lo, hi) as string | null;
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

// The column cache: per row of a partition, the five values aggregations group and filter on most (reported
// time, host, app, severity, facility), kept by the writer as one compact block per insert transaction and
// loaded by searchers into typed arrays. Counting 10M rows then costs a JS loop over 14 bytes a row instead of
// an SQL GROUP BY over ~400-byte rows (see column-agg.ts; docs/store.md "Column cache").
//
// On disk (tables `dict` and `dims` of each partition, written in the insert's transaction):
//   dict (col, code, value)  host (col 0) and app (col 1) values, coded 0..65534 in order of first sight
//   dims (first_id, n, data) rows first_id .. first_id+n-1; data is columnar, little-endian:
//                            float64 ts_reported × n, uint16 host × n, uint16 app × n, uint8 severity × n,
//                            uint8 facility × n  (DIMS_ROW_BYTES = 14 bytes a row)
// A partition whose values do not fit (a 65,536th distinct host or app, a severity or facility outside 0..255,
// a non-integer time) stops writing blocks and records `dims_off` in `meta`; searches then use SQL for it, as
// they do for partitions written before blocks existed (Σ n ≠ rows).
import type Database from 'better-sqlite3';
import { emptyBitmap, ftsBitmap, type IdBitmap } from './fts-bitmap';

export const DIMS_ROW_BYTES = 14;
export const DICT_HOST = 0;
export const DICT_APP = 1;
/** Codes are uint16; 0xffff is never assigned. */
const MAX_CODES = 0xffff;
export const DIMS_OFF_KEY = 'dims_off';
/** Free-text bitmaps kept per partition (least recently used dropped first). */
const MAX_CACHED_MATCHES = 16;

export const DIMS_SCHEMA = `
CREATE TABLE IF NOT EXISTS dict (col INTEGER NOT NULL, code INTEGER NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY (col, code)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dims (first_id INTEGER PRIMARY KEY, n INTEGER NOT NULL, data BLOB NOT NULL);
`;

/** One row's values as the writer sees them. */
export interface DimsRow {
  ts: number;
  host: string;
  app: string;
  severity: number;
  facility: number;
}

/** Writer side: dictionaries of one partition and the encoding of a block. */
export class DimsWriter {
  private readonly codes: Array<Map<string, number>> = [new Map(), new Map()];
  private readonly putDict: Database.Statement;
  private readonly putBlock: Database.Statement;
  /** False once the partition could not be encoded (see the file comment). */
  on: boolean;

  constructor(db: Database.Database, on: boolean, private readonly maxCodes = MAX_CODES) {
    this.on = on;
    for (const r of db.prepare('SELECT col, code, value FROM dict').all() as Array<{ col: number; code: number; value: string }>) {
      this.codes[r.col]?.set(r.value, r.code);
    }
    this.putDict = db.prepare('INSERT INTO dict (col, code, value) VALUES (?, ?, ?)');
    this.putBlock = db.prepare('INSERT INTO dims (first_id, n, data) VALUES (?, ?, ?)');
  }

  private code(col: number, value: string): number {
    const m = this.codes[col]!;
    let c = m.get(value);
    if (c === undefined) {
      c = m.size;
      if (c >= this.maxCodes) return -1;
      m.set(value, c);
      this.putDict.run(col, c, value);
    }
    return c;
  }

  /**
   * Write the block of rows firstId.. (inside the caller's transaction). Returns false when a value does not
   * fit: the caller records dims_off and the partition has no column cache from then on.
   */
  write(firstId: number, n: number, row: (i: number, out: DimsRow) => void): boolean {
    if (!this.on) return false;
    const data = Buffer.alloc(n * DIMS_ROW_BYTES);
    const ts = new Float64Array(data.buffer, data.byteOffset, n);
    const host = new Uint16Array(data.buffer, data.byteOffset + 8 * n, n);
    const app = new Uint16Array(data.buffer, data.byteOffset + 10 * n, n);
    const sev = data.subarray(12 * n, 13 * n);
    const fac = data.subarray(13 * n, 14 * n);
    const r: DimsRow = { ts: 0, host: '', app: '', severity: 0, facility: 0 };
    for (let i = 0; i < n; i++) {
      row(i, r);
      const h = this.code(DICT_HOST, r.host);
      const a = this.code(DICT_APP, r.app);
      if (h < 0 || a < 0 || !isByte(r.severity) || !isByte(r.facility) || !Number.isSafeInteger(r.ts)) {
        this.on = false;
        return false;
      }
      ts[i] = r.ts;
      host[i] = h;
      app[i] = a;
      sev[i] = r.severity;
      fac[i] = r.facility;
    }
    this.putBlock.run(firstId, n, data);
    return true;
  }
}

function isByte(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 255;
}

/** Reader side: the loaded columns of one partition, grown by appending new blocks. */
export class PartitionColumns {
  rows = 0;
  ts = new Float64Array(0);
  host = new Uint16Array(0);
  app = new Uint16Array(0);
  severity = new Uint8Array(0);
  facility = new Uint8Array(0);
  /** Blocks in id order: first id and first row index of each. */
  readonly blockFirstId: number[] = [];
  readonly blockStart: number[] = [];
  /** Dictionaries, code → value. */
  readonly dict: [string[], string[]] = [[], []];
  private lastFirstId = -1;
  /**
   * Bitmaps of free-text expressions over the whole partition (from its first id), by FTS5 expression: what
   * Elasticsearch keeps per segment as its filter cache. Rows are only ever appended and a row's text never
   * changes, so a bitmap up to id H stays exact; a later query adds the matches of the ids committed since.
   */
  private readonly matchCache = new Map<string, IdBitmap>();
  private matchBytes = 0;

  get bytes(): number {
    return this.ts.length * DIMS_ROW_BYTES + this.matchBytes;
  }

  /**
   * Ids in [lo, hi] matching the FTS5 expression `match` (fts-bitmap.ts ftsBitmap). A bitmap from the
   * partition's first id is cached and extended by the ids added since; one from a later id (a time range
   * starting inside the partition) is computed each time, over fewer rows.
   */
  ftsMatches(db: Database.Database, match: string, lo: number, hi: number): IdBitmap {
    if (this.blockFirstId.length === 0 || lo !== this.blockFirstId[0]) return ftsBitmap(db, match, lo, hi);
    let bm = this.matchCache.get(match);
    if (bm !== undefined) this.matchCache.delete(match); // re-inserted below: Map order is recency order
    if (bm === undefined || bm.lo !== lo || bm.hi > hi) {
      if (bm !== undefined) this.matchBytes -= bm.words.byteLength;
      bm = ftsBitmap(db, match, lo, hi);
      this.matchBytes += bm.words.byteLength;
    } else if (bm.hi < hi) {
      const grown = extendBitmap(bm, ftsBitmap(db, match, bm.hi + 1, hi));
      this.matchBytes += grown.words.byteLength - bm.words.byteLength;
      bm = grown;
    }
    this.matchCache.set(match, bm);
    for (const [key, old] of this.matchCache) {
      if (this.matchCache.size <= MAX_CACHED_MATCHES) break;
      this.matchBytes -= old.words.byteLength;
      this.matchCache.delete(key);
    }
    return bm;
  }

  /** Id of row index i. */
  idAt(block: number, i: number): number {
    return this.blockFirstId[block]! + (i - this.blockStart[block]!);
  }

  /**
   * Append the blocks committed since the last load. Returns false when the partition has no complete column
   * cache (dims_off, or rows without blocks), in which case the caller uses SQL.
   */
  load(db: Database.Database, expectRows: number): boolean {
    const off = db.prepare('SELECT v FROM meta WHERE k = ?').pluck().get(DIMS_OFF_KEY) as number | undefined;
    if (off !== undefined && off !== 0) return false;
    const blocks = db.prepare('SELECT first_id, n, data FROM dims WHERE first_id > ? ORDER BY first_id')
      .raw(true).all(this.lastFirstId) as Array<[number, number, Buffer]>;
    if (blocks.length > 0) {
      this.loadDict(db);
      let add = 0;
      for (const b of blocks) add += b[1];
      this.grow(this.rows + add);
      for (const [firstId, n, data] of blocks) this.append(firstId, n, data);
    }
    return this.rows >= expectRows;
  }

  private loadDict(db: Database.Database): void {
    const rows = db.prepare('SELECT col, code, value FROM dict WHERE (col = 0 AND code >= ?) OR (col = 1 AND code >= ?)')
      .raw(true).all(this.dict[0].length, this.dict[1].length) as Array<[number, number, string]>;
    for (const [col, code, value] of rows) this.dict[col as 0 | 1][code] = value;
  }

  private grow(need: number): void {
    if (need <= this.ts.length) return;
    const cap = Math.max(need, Math.ceil(this.ts.length * 1.5));
    const copy = <T extends Float64Array | Uint16Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a.subarray(0, this.rows));
      return b;
    };
    this.ts = copy(this.ts, (n) => new Float64Array(n));
    this.host = copy(this.host, (n) => new Uint16Array(n));
    this.app = copy(this.app, (n) => new Uint16Array(n));
    this.severity = copy(this.severity, (n) => new Uint8Array(n));
    this.facility = copy(this.facility, (n) => new Uint8Array(n));
  }

  private append(firstId: number, n: number, data: Buffer): void {
    // The blob's offset inside its Buffer need not be aligned for Float64Array/Uint16Array: copy bytes.
    const at = this.rows;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length);
    new Uint8Array(this.ts.buffer, at * 8, n * 8).set(bytes.subarray(0, 8 * n));
    new Uint8Array(this.host.buffer, at * 2, n * 2).set(bytes.subarray(8 * n, 10 * n));
    new Uint8Array(this.app.buffer, at * 2, n * 2).set(bytes.subarray(10 * n, 12 * n));
    this.severity.set(bytes.subarray(12 * n, 13 * n), at);
    this.facility.set(bytes.subarray(13 * n, 14 * n), at);
    this.blockFirstId.push(firstId);
    this.blockStart.push(at);
    this.rows += n;
    this.lastFirstId = firstId;
  }
}

/** `old` ([lo, h]) followed by `tail` ([h + 1, hi]) as one bitmap over [lo, hi]. */
export function extendBitmap(old: IdBitmap, tail: IdBitmap): IdBitmap {
  if (tail.lo !== old.hi + 1) throw new Error(`bitmap ${tail.lo}.. does not follow ..${old.hi}`);
  const out = emptyBitmap(old.lo, tail.hi);
  out.words.set(old.words);
  const words = tail.words;
  const shift = tail.lo - old.lo;
  for (let w = 0; w < words.length; w++) {
    let bits = words[w]!;
    while (bits !== 0) {
      const off = shift + w * 32 + (31 - Math.clz32(bits & -bits));
      bits &= bits - 1;
      out.words[off >>> 5]! |= 1 << (off & 31);
    }
  }
  return out;
}

/** The column caches of a store's partitions, within a byte budget (least recently used evicted). */
export class ColumnCache {
  private readonly parts = new Map<string, PartitionColumns>();

  constructor(private readonly budgetBytes: number) {}

  /** The loaded columns of a partition, or null when it has none complete or they do not fit the budget. */
  get(name: string, db: Database.Database, rows: number): PartitionColumns | null {
    if (this.budgetBytes <= 0 || rows * DIMS_ROW_BYTES > this.budgetBytes) return null;
    let c = this.parts.get(name);
    if (c === undefined) c = new PartitionColumns();
    else this.parts.delete(name); // re-inserted below: Map order is recency order
    try {
      if (!c.load(db, rows)) return null;
    } catch {
      // A partition written before column blocks existed, opened read-only, has no dims/dict tables: SQL.
      return null;
    }
    this.parts.set(name, c);
    this.evict();
    return c;
  }

  drop(name: string): void {
    this.parts.delete(name);
  }

  private evict(): void {
    let total = 0;
    for (const c of this.parts.values()) total += c.bytes;
    for (const [name, c] of this.parts) {
      if (total <= this.budgetBytes || this.parts.size <= 1) break;
      total -= c.bytes;
      this.parts.delete(name);
    }
  }
}

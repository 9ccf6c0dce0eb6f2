// Aggregations (count / count by / top / timechart) computed over a partition's column cache (columns.ts):
// a filter of free text, host/app terms and severity/facility comparisons, grouped by host, app, severity,
// facility and time buckets. Rows come out shaped exactly like the SQL path's (sqlite-aggregate.ts), so
// AggMerger merges both kinds of partitions alike; a differential test holds the two paths equal.
import type Database from 'better-sqlite3';
import type { AggPipe } from './aggregate';
import type { AggValue } from './backend';
import { DICT_APP, DICT_HOST, type PartitionColumns } from './columns';
import { hasId, type IdBitmap } from './fts-bitmap';
import type { FieldRef, QueryNode } from './query/ast';
import { compileWhere, ftsExpression } from './query/compile-sqlite';

type Dim = 'host' | 'app' | 'severity' | 'facility';
const DIMS: readonly string[] = ['host', 'app', 'severity', 'facility'];
/** Distinct values a group key can take in the packed integer key: codes are uint16, levels uint8. */
const RADIX: Record<Dim, number> = { host: 0x10000, app: 0x10000, severity: 0x100, facility: 0x100 };
/** Packed group keys stay exact integers below this. */
const MAX_PACKED = 2 ** 52;

function dimOf(f: FieldRef): Dim | null {
  return f.kind === 'column' && DIMS.includes(f.name) ? (f.name as Dim) : null;
}

/** True when every leaf of the filter can be evaluated on the columns. */
function filterSupported(n: QueryNode | null): boolean {
  if (n === null) return true;
  switch (n.kind) {
    case 'text':
      return true;
    case 'field': {
      const d = dimOf(n.field);
      if (d === 'host' || d === 'app') return true;
      return d !== null && typeof n.value === 'number' && !n.wildcard;
    }
    case 'exists': {
      const d = dimOf(n.field);
      return d === 'host' || d === 'app';
    }
    case 'cidr':
    case 'received':
      return false;
    case 'not':
      return filterSupported(n.operand);
    case 'and':
    case 'or':
      return filterSupported(n.left) && filterSupported(n.right);
  }
}

/** The group keys of an aggregation as dims, or null when one is not a cached column. */
function groupDims(agg: AggPipe): Dim[] | null {
  const fields = agg.kind === 'count' ? agg.by : agg.kind === 'top' ? [agg.field] : agg.by === null ? [] : [agg.by];
  const dims: Dim[] = [];
  let span = 1;
  for (const f of fields) {
    const d = dimOf(f);
    if (d === null) return null;
    span *= RADIX[d];
    dims.push(d);
  }
  return span < MAX_PACKED ? dims : null;
}

/** Whether the column cache can answer this aggregation. */
export function columnsCanAnswer(where: QueryNode | null, agg: AggPipe): boolean {
  if (agg.kind === 'timechart' && agg.on === 'received') return false;
  return filterSupported(where) && groupDims(agg) !== null;
}

/** A per-row test: row index i, its id. */
type RowTest = (i: number, id: number) => boolean;

interface Ctx {
  db: Database.Database;
  cols: PartitionColumns;
  lo: number;
  hi: number;
}

/** Which dictionary codes satisfy a host/app term, decided by SQLite on each dictionary value (exact SQL semantics). */
function codesMatching(ctx: Ctx, n: QueryNode, dim: 'host' | 'app'): Uint8Array {
  const col = dim === 'host' ? DICT_HOST : DICT_APP;
  const f = compileWhere(n);
  // The term's SQL names the column (`host`/`app`): alias the dictionary value under that name.
  const sql = `SELECT code FROM (SELECT code, value AS ${dim} FROM dict WHERE col = ?) WHERE ${f.sql}`;
  const codes = ctx.db.prepare(sql).pluck().all(col, ...f.params) as number[];
  const ok = new Uint8Array(0x10000);
  for (const c of codes) ok[c] = 1;
  return ok;
}

function compare(op: string, a: number, b: number): boolean {
  switch (op) {
    case 'eq': return a === b;
    case 'ne': return a !== b;
    case 'lt': return a < b;
    case 'le': return a <= b;
    case 'gt': return a > b;
    default: return a >= b;
  }
}

function compileTest(ctx: Ctx, n: QueryNode): RowTest {
  const c = ctx.cols;
  switch (n.kind) {
    case 'text': {
      const bm: IdBitmap = c.ftsMatches(ctx.db, ftsExpression(n), ctx.lo, ctx.hi);
      return (_i, id) => hasId(bm, id);
    }
    case 'field':
    case 'exists': {
      const d = dimOf(n.field)!;
      if (d === 'host' || d === 'app') {
        const ok = codesMatching(ctx, n, d);
        const arr = d === 'host' ? c.host : c.app;
        return (i) => ok[arr[i]!] === 1;
      }
      const arr = d === 'severity' ? c.severity : c.facility;
      // Levels are 0..255: decide each once.
      const ok = new Uint8Array(256);
      const f = n as Extract<QueryNode, { kind: 'field' }>;
      for (let v = 0; v < 256; v++) ok[v] = compare(f.op, v, f.value as number) ? 1 : 0;
      return (i) => ok[arr[i]!] === 1;
    }
    case 'not': {
      const t = compileTest(ctx, n.operand);
      return (i, id) => !t(i, id);
    }
    case 'and': {
      const l = compileTest(ctx, n.left);
      const r = compileTest(ctx, n.right);
      return (i, id) => l(i, id) && r(i, id);
    }
    case 'or': {
      const l = compileTest(ctx, n.left);
      const r = compileTest(ctx, n.right);
      return (i, id) => l(i, id) || r(i, id);
    }
    case 'cidr':
    case 'received':
      throw new Error(`${n.kind} is not answered from columns`);
  }
}

/** SQLite's INTEGER `(ts / b) * b`: division truncating toward zero, computed exactly for safe integers. */
export function bucketOf(ts: number, b: number): number {
  let q = Math.trunc(ts / b);
  let r = ts - q * b;
  // ts / b rounded to the nearest double may land on the neighbouring integer: correct q by the remainder.
  if (ts >= 0) {
    if (r < 0) { q--; r += b; }
    if (r >= b) q++;
  } else {
    if (r > 0) { q++; r -= b; }
    if (r <= -b) q--;
  }
  return q * b + 0; // + 0: -0 (a negative time in the bucket next to zero) is 0, as in SQL
}

/** Dense counters (one float per possible group key) up to this many keys; a Map beyond. */
const DENSE_KEYS = 1 << 20;

/** Group counters: a typed array over packed keys when the key space is small, a Map otherwise. */
class Counter {
  private readonly dense: Float64Array | null;
  private readonly sparse = new Map<number, number>();

  constructor(span: number) {
    this.dense = span <= DENSE_KEYS ? new Float64Array(span) : null;
  }

  add(key: number): void {
    if (this.dense !== null) this.dense[key]!++;
    else this.sparse.set(key, (this.sparse.get(key) ?? 0) + 1);
  }

  *entries(): Generator<[number, number]> {
    if (this.dense === null) {
      yield* this.sparse;
      return;
    }
    for (let k = 0; k < this.dense.length; k++) if (this.dense[k]! > 0) yield [k, this.dense[k]!];
  }
}

/** The first free-text term of the top-level AND chain (its matches drive the loop), and the rest of the filter. */
function splitDriver(where: QueryNode | null): { driver: Extract<QueryNode, { kind: 'text' }> | null; rest: QueryNode | null } {
  if (where === null) return { driver: null, rest: null };
  const parts: QueryNode[] = [];
  const walk = (n: QueryNode): void => {
    if (n.kind === 'and') {
      walk(n.left);
      walk(n.right);
    } else parts.push(n);
  };
  walk(where);
  const at = parts.findIndex((p) => p.kind === 'text');
  if (at < 0) return { driver: null, rest: where };
  const driver = parts[at] as Extract<QueryNode, { kind: 'text' }>;
  const others = parts.filter((_, k) => k !== at);
  const rest = others.length === 0 ? null : others.reduce((l, r) => ({ kind: 'and', left: l, right: r, pos: l.pos }));
  return { driver, rest };
}

/**
 * The aggregation rows of one partition from its columns: [key..., count] per group (one [count] row for a
 * plain count), like the SQL path. `idFloor`: rows with smaller ids cannot be in the time range (marks).
 * With a free-text term in the top-level AND chain the loop visits only that term's matches (bits of its
 * bitmap); otherwise every row, newest blocks included.
 */
export function aggregateColumns(db: Database.Database, cols: PartitionColumns, where: QueryNode | null, agg: AggPipe,
  fromUs: number | null, toUs: number | null, idFloor: number): AggValue[][] {
  const dims = groupDims(agg)!;
  const nBlocks = cols.blockFirstId.length;
  if (nBlocks === 0) return agg.kind === 'count' && dims.length === 0 ? [[0]] : [];
  const lo = Math.max(cols.blockFirstId[0]!, idFloor);
  const lastBlock = nBlocks - 1;
  const hi = cols.idAt(lastBlock, cols.rows - 1);
  const ctx: Ctx = { db, cols, lo, hi };
  const { driver, rest } = splitDriver(where);
  const test = rest === null ? null : compileTest(ctx, rest);
  const from = fromUs ?? -Infinity;
  const to = toUs ?? Infinity;
  const bucket = agg.kind === 'timechart' ? agg.bucketUs : 0;
  const arrays = dims.map((d) => (d === 'host' ? cols.host : d === 'app' ? cols.app : d === 'severity' ? cols.severity : cols.facility));
  // Packed keys over the codes in use: dictionary sizes for host/app, 256 for levels.
  const radix = dims.map((d) => (d === 'host' || d === 'app' ? Math.max(1, cols.dict[d === 'host' ? DICT_HOST : DICT_APP].length) : 0x100));
  const span = radix.reduce((a, r) => a * r, 1);
  const counts = new Counter(span);
  const buckets = new Map<number, Counter>();
  // Rows mostly arrive in time order: remember the last bucket instead of dividing for every row.
  let bStart = 0;
  let bEnd = -Infinity;
  let bCounter = counts;
  const ts = cols.ts;
  const visit = (i: number, id: number): void => {
    const t = ts[i]!;
    if (t < from || t >= to) return;
    if (test !== null && !test(i, id)) return;
    let key = 0;
    for (let k = 0; k < arrays.length; k++) key = key * radix[k]! + arrays[k]![i]!;
    if (bucket > 0 && !(t >= bStart && t < bEnd)) {
      const start = bucketOf(t, bucket);
      let c = buckets.get(start);
      if (c === undefined) buckets.set(start, (c = new Counter(span)));
      bCounter = c;
      // A bucket holds [start, start + b) for t >= 0 and (start - b, start] for t < 0 (truncation toward zero).
      if (t >= 0) { bStart = start; bEnd = start + bucket; } else { bStart = Infinity; bEnd = -Infinity; }
    }
    bCounter.add(key);
  };
  if (driver !== null) visitMatches(cols, cols.ftsMatches(db, ftsExpression(driver), lo, hi), visit);
  else visitAll(cols, lo, visit);
  const value = (d: Dim, code: number): AggValue =>
    d === 'host' ? cols.dict[DICT_HOST][code]! : d === 'app' ? cols.dict[DICT_APP][code]! : code;
  const unpack = (key: number): AggValue[] => {
    const out: AggValue[] = new Array<AggValue>(dims.length);
    for (let k = dims.length - 1; k >= 0; k--) {
      const r = radix[k]!;
      out[k] = value(dims[k]!, key % r);
      key = Math.floor(key / r);
    }
    return out;
  };
  const rows: AggValue[][] = [];
  if (bucket > 0) {
    for (const [t, c] of buckets) for (const [key, n] of c.entries()) rows.push([t, ...unpack(key), n]);
  } else if (dims.length === 0) {
    let n = 0;
    for (const [, v] of counts.entries()) n += v;
    rows.push([n]);
  } else {
    for (const [key, n] of counts.entries()) rows.push([...unpack(key), n]);
  }
  return rows;
}

/** Every row of blocks that reach id `lo`. */
function visitAll(cols: PartitionColumns, lo: number, visit: (i: number, id: number) => void): void {
  const last = cols.blockFirstId.length - 1;
  for (let b = 0; b <= last; b++) {
    const start = cols.blockStart[b]!;
    const end = b === last ? cols.rows : cols.blockStart[b + 1]!;
    const first = cols.blockFirstId[b]!;
    if (first + (end - start) - 1 < lo) continue;
    for (let i = start; i < end; i++) visit(i, first + (i - start));
  }
}

/** The rows whose ids are set in `bm`, in id order (ids between blocks are skipped). */
function visitMatches(cols: PartitionColumns, bm: IdBitmap, visit: (i: number, id: number) => void): void {
  const last = cols.blockFirstId.length - 1;
  let b = 0;
  const words = bm.words;
  for (let w = 0; w < words.length; w++) {
    let bits = words[w]!;
    while (bits !== 0) {
      const bit = 31 - Math.clz32(bits & -bits);
      bits &= bits - 1;
      const id = bm.lo + w * 32 + bit;
      // Advance to the block holding id (blocks are in id order).
      while (b < last && id >= cols.blockFirstId[b + 1]!) b++;
      const first = cols.blockFirstId[b]!;
      const end = b === last ? cols.rows : cols.blockStart[b + 1]!;
      const i = cols.blockStart[b]! + (id - first);
      if (id < first || i >= end) continue;
      visit(i, id);
    }
  }
}

// The SQLite store backend: day partitions (one file each, see sqlite-partition.ts), one writer, keyset-paged
// search merged across partitions, aggregations merged in JS, and retention by age and total size.
import { chmodSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import type { Logger } from '../log';
import { AggMerger, aggColumns, aggregationOf, type AggPipe } from './aggregate';
import {
  DEFAULT_PAGE, MAX_PAGE, StoreError, type AggValue, type CompiledQueryInput, type Hit, type RetentionResult,
  type SearchResult, type StoreBackend, type StoreStats, type StoredRow,
} from './backend';
import { decodeCursor, encodeCursor, queryHash } from './cursor';
import { NUM_COLUMNS, N_TS_RECEIVED, type DecodedRows } from './encoded-rows';
import { compileWhere, FTS_TOP_EDGE, MATCH_ALL, usesText, type CompiledWhere, type SqlFragment } from './query/compile-sqlite';
import { aggregateColumns, columnsCanAnswer } from './column-agg';
import { ColumnCache } from './columns';
import type { QueryNode } from './query/ast';
import { aggregateSql } from './sqlite-aggregate';
import { decodeRaw } from '../util/raw-text';
import { DAY_US, PARTITION_FILE, Partition, ROW_COLUMNS, partitionName } from './sqlite-partition';

export interface SqliteStoreOptions {
  /** Directory holding the partition files (created when writable). */
  path: string;
  /** Drop partitions whose whole day is older than this many days (0: keep). */
  retentionDays?: number;
  /** Drop oldest partitions while the store is larger than this (0: no limit). The newest is never dropped. */
  retentionMaxBytes?: number;
  /** Open existing partitions for reading only (the search CLI). */
  readonly?: boolean;
  logger?: Logger;
  /** First id window of free-text walks (tests use a small one to exercise the walk). */
  firstWindow?: number;
  /** Clock for retention, µs (tests). */
  nowUs?: () => number;
  /** Memory for the column cache of searches (columns.ts), bytes; 0 turns it off (aggregations use SQL). */
  columnCacheBytes?: number;
  /** Most distinct hosts/apps a partition's column cache codes (tests lower it to exercise the fallback). */
  dictLimit?: number;
  /** Mode of new partition files, whatever the umask (default 0640). */
  fileMode?: number;
  /** Mode of the store directory when it is created (default 0750). */
  dirMode?: number;
}

export const DEFAULT_STORE_DIR_MODE = 0o750;

/** Default column-cache budget: 14 bytes a row, so ~19M rows. */
export const DEFAULT_COLUMN_CACHE_BYTES = 256 * 1024 * 1024;

interface RawRow {
  id: number; ts_reported: number; ts_received: number; host: string; fromhost_ip: string; app: string;
  procid: string; msgid: string; facility: number; severity: number; structured_data: string; msg: string;
  fields: string | null; raw: string | Buffer | null;
}

const RATE_WINDOW_S = 60;
/** First id window of a newest-first filtered walk; doubles each step. */
const FIRST_WINDOW = 16_384;
/** The first window of a walk by free-text matches: matches, not ids (most of them are hits). */
const FIRST_TEXT_WINDOW = 1_024;
/** Its largest window: the ids travel as a JSON array (~2 MB at this size). */
const MAX_TEXT_WINDOW = 262_144;
/** Binds the rowid window placeholders to "everything". */
const ALL_IDS = { wlo: -1, whi: Number.MAX_SAFE_INTEGER };

function toHit(r: RawRow): Hit {
  return {
    id: String(r.id), tsReported: r.ts_reported, tsReceived: r.ts_received, host: r.host, fromhostIp: r.fromhost_ip,
    app: r.app, procid: r.procid, msgid: r.msgid, facility: r.facility, severity: r.severity,
    structuredData: r.structured_data, msg: r.msg, fields: r.fields === null ? {} : JSON.parse(r.fields),
    raw: Buffer.isBuffer(r.raw) ? decodeRaw(r.raw) : r.raw, // a BLOB: rawmsg that was not valid UTF-8
  };
}

export class SqliteStore implements StoreBackend {
  private readonly parts = new Map<string, Partition>();
  private readonly opts: SqliteStoreOptions;
  private nextId = 1;
  private inserted = 0;
  /** Per-second insert counts over the last minute: [epoch second, count]. */
  private readonly rate: Array<[number, number]> = [];
  private closed = false;
  private readonly columns: ColumnCache;

  constructor(opts: SqliteStoreOptions) {
    this.opts = opts;
    this.columns = new ColumnCache(opts.columnCacheBytes ?? DEFAULT_COLUMN_CACHE_BYTES);
    if (!opts.readonly && !existsSync(opts.path)) {
      mkdirSync(opts.path, { recursive: true, mode: opts.dirMode ?? DEFAULT_STORE_DIR_MODE });
      chmodSync(opts.path, opts.dirMode ?? DEFAULT_STORE_DIR_MODE); // the umask filtered mkdir's mode
    }
    let names: string[] = [];
    try {
      names = readdirSync(opts.path).filter((f) => PARTITION_FILE.test(f)).map((f) => f.slice(0, -3)).sort();
    } catch (e) {
      // A reader (search) started before the writer stored anything: an empty store, caught up at each search.
      const missing = (e as NodeJS.ErrnoException).code === 'ENOENT' && opts.readonly === true;
      if (!missing) throw new StoreError('LW_ERR_STORE_OPEN', `cannot read store directory ${opts.path}: ${(e as Error).message}`);
    }
    for (const name of names) {
      const p = this.openPartition(name);
      this.nextId = Math.max(this.nextId, p.maxId + 1);
    }
  }

  private openPartition(name: string): Partition {
    try {
      const p = new Partition(this.opts.path, name, this.opts.readonly === true, this.opts.dictLimit, this.opts.fileMode);
      this.parts.set(name, p);
      return p;
    } catch (e) {
      throw new StoreError('LW_ERR_STORE_OPEN', `cannot open store partition ${name} in ${this.opts.path}: ${(e as Error).message}`);
    }
  }

  async insert(batch: StoredRow[]): Promise<void> {
    if (this.closed) throw new StoreError('LW_ERR_STORE_CLOSED', 'store is closed');
    if (this.opts.readonly) throw new StoreError('LW_ERR_STORE_READONLY', 'store opened read-only');
    if (batch.length === 0) return;
    // Group by partition, keeping batch order inside each group (usually the whole batch is one day).
    const groups = new Map<string, StoredRow[]>();
    for (const r of batch) {
      const name = partitionName(r.tsReceived);
      const g = groups.get(name);
      if (g === undefined) groups.set(name, [r]);
      else g.push(r);
    }
    const ipCache = new Map<string, Buffer | null>();
    for (const [name, rows] of groups) {
      const p = this.parts.get(name) ?? this.openPartition(name);
      writeTo(p, () => p.insert(rows, this.nextId, ipCache));
      this.nextId += rows.length;
    }
    this.count(batch.length);
  }

  /**
   * insert() for a columnar batch (the writer thread, see writer-worker.ts). Each run of consecutive rows of
   * one day is one transaction; the store action never mixes days in a batch, so a batch is all or nothing.
   */
  insertEncoded(b: DecodedRows): void {
    if (this.closed) throw new StoreError('LW_ERR_STORE_CLOSED', 'store is closed');
    if (this.opts.readonly) throw new StoreError('LW_ERR_STORE_READONLY', 'store opened read-only');
    const ipCache = new Map<string, Buffer | null>();
    const dayOf = (i: number): number => Math.floor(b.nums[i * NUM_COLUMNS + N_TS_RECEIVED]! / DAY_US);
    let start = 0;
    while (start < b.count) {
      const day = dayOf(start);
      let end = start + 1;
      while (end < b.count && dayOf(end) === day) end++;
      const name = partitionName(day * DAY_US);
      const p = this.parts.get(name) ?? this.openPartition(name);
      writeTo(p, () => p.insertEncoded(b, start, end - start, this.nextId, ipCache));
      this.nextId += end - start;
      this.count(end - start);
      start = end;
    }
  }

  private count(n: number): void {
    this.inserted += n;
    const sec = Math.floor(Date.now() / 1000);
    const last = this.rate[this.rate.length - 1];
    if (last !== undefined && last[0] === sec) last[1] += n;
    else this.rate.push([sec, n]);
    while (this.rate.length > 0 && this.rate[0]![0] <= sec - RATE_WINDOW_S) this.rate.shift();
  }

  /** Partitions that may hold reported times in [from, to). */
  private candidates(fromUs: number | null, toUs: number | null): Partition[] {
    const out: Partition[] = [];
    for (const p of this.parts.values()) {
      if (p.rows === 0) continue;
      if (fromUs !== null && p.maxTs < fromUs) continue;
      if (toUs !== null && p.minTs >= toUs) continue;
      out.push(p);
    }
    return out;
  }

  /** A reader picks up the writer's progress: new partitions, and new rows of known ones (meta tables). */
  private catchUp(): void {
    this.discoverNew();
    for (const p of this.parts.values()) p.refresh();
  }

  private discoverNew(): void {
    let names: string[];
    try {
      names = readdirSync(this.opts.path).filter((f) => PARTITION_FILE.test(f)).map((f) => f.slice(0, -3));
    } catch {
      return;
    }
    const present = new Set(names);
    for (const [n, p] of this.parts) {
      if (present.has(n)) continue;
      p.close(); // dropped by the writer's retention
      this.parts.delete(n);
      this.columns.drop(n);
    }
    for (const n of names) {
      if (this.parts.has(n)) continue;
      try {
        this.openPartition(n);
      } catch {
        // The writer is creating it right now (no schema yet): the next search picks it up.
      }
    }
  }

  async search(req: CompiledQueryInput): Promise<SearchResult> {
    if (this.closed) throw new StoreError('LW_ERR_STORE_CLOSED', 'store is closed');
    if (this.opts.readonly) this.catchUp();
    const q = req.query;
    const hash = queryHash(q);
    const cur = req.cursor ? decodeCursor(req.cursor, hash, q.text) : null;
    const fromUs = cur !== null ? cur.fromUs ?? null : maxOf(q.fromUs, req.fromUs ?? null);
    const toUs = cur !== null ? cur.toUs ?? null : minOf(q.toUs, req.toUs ?? null);
    const where = compileWhere(q.where);
    const agg = aggregationOf(q.pipes);
    const limitPipe = q.pipes.find((p) => p.kind === 'limit');
    if (agg !== null) return this.aggregate(agg, where, q.where, fromUs, toUs, limitPipe?.kind === 'limit' ? limitPipe.n : MAX_PAGE);
    const sortPipe = q.pipes.find((p) => p.kind === 'sort');
    const asc = sortPipe?.kind === 'sort' && sortPipe.order === 'asc';
    let pageSize = Math.min(Math.max(1, Math.floor(req.limit ?? DEFAULT_PAGE)), MAX_PAGE);
    if (limitPipe?.kind === 'limit') pageSize = Math.min(pageSize, limitPipe.n);
    const snapshot = cur !== null ? Number(cur.snapshot) : this.snapshotId();
    const hits = this.pageHits(where, usesText(q.where), fromUs, toUs, asc, pageSize, snapshot, cur);
    const lastHit = hits[hits.length - 1];
    const more = hits.length === pageSize && limitPipe === undefined && lastHit !== undefined;
    return {
      kind: 'hits',
      hits,
      nextCursor: more ? encodeCursor({ snapshot: String(snapshot), ts: lastHit.tsReported, id: lastHit.id, fromUs, toUs }, hash) : null,
    };
  }

  private snapshotId(): number {
    if (!this.opts.readonly) return this.nextId - 1;
    let max = 0;
    for (const p of this.parts.values()) max = Math.max(max, p.maxId);
    return max;
  }

  /**
   * One page across partitions. Partitions are visited newest first (oldest first for asc); once the page is
   * full, a partition whose whole time range lies beyond the page's last hit cannot contribute and ends the walk.
   */
  private pageHits(where: CompiledWhere, text: boolean, fromUs: number | null, toUs: number | null, asc: boolean, n: number,
    snapshot: number, cur: { ts: number; id: string } | null): Hit[] {
    const parts = this.candidates(fromUs, toUs).sort((a, b) => (asc ? a.minTs - b.minTs : b.maxTs - a.maxTs));
    const cmp = asc ? '>' : '<';
    const dir = asc ? 'ASC' : 'DESC';
    // Newest-first pages of a filtered query walk id windows (rowid order: contiguous pages, no index lookup per
    // row); only an unfiltered query reads the ts index top down. Only a windowed walk constrains the outer id
    // range: elsewhere it would lure the planner off the ts index.
    const windowed = !asc && (text || where.sql !== MATCH_ALL);
    const conds = windowed ? ['id <= ?', 'id > @wlo', 'id <= @whi'] : ['id <= ?'];
    const base: unknown[] = [snapshot];
    if (fromUs !== null) { conds.push('ts_reported >= ?'); base.push(fromUs); }
    if (toUs !== null) { conds.push('ts_reported < ?'); base.push(toUs); }
    if (cur !== null) { conds.push(`(ts_reported, id) ${cmp} (?, ?)`); base.push(cur.ts, Number(cur.id)); }
    const select = (filter: string): string => `SELECT ${ROW_COLUMNS} FROM logs WHERE ${conds.join(' AND ')} AND (${filter})
      ORDER BY ts_reported ${dir}, id ${dir} LIMIT ?`;
    const sql = select(where.sql);
    // A filter with a free-text conjunct walks windows of its newest matches rather than of ids (windowedHits).
    const byMatch = windowed && where.byMatch !== null
      ? { sql: select(where.byMatch.sql), params: [...base, ...where.byMatch.params, n], text: where.byMatch.text } : null;
    const params = [...base, ...where.params, n];
    let hits: Hit[] = [];
    for (const p of parts) {
      const edge = hits[n - 1];
      if (hits.length >= n && edge !== undefined && (asc ? p.minTs > edge.tsReported : p.maxTs < edge.tsReported)) break;
      const got = byMatch !== null ? this.windowedHits(p, byMatch.sql, byMatch.params, n, snapshot, fromUs, byMatch.text)
        : windowed ? this.windowedHits(p, sql, params, n, snapshot, fromUs) : this.run(p, sql, params, ALL_IDS).map(toHit);
      if (got.length === 0) continue;
      hits = hits.concat(got);
      hits.sort((a, b) => orderOf(a, b, asc));
      if (hits.length > n) hits.length = n;
    }
    return hits;
  }

  /**
   * Newest-first hits of one partition for a filtered query, walking id ranges from the top with growing
   * windows: FTS5 only expands the matches of each window instead of every match in the partition, and other
   * filters read contiguous rowid ranges. Exact: the walk stops when the partition's running-maximum mark
   * proves that no row below the window can be newer than the current n-th hit, or can reach the query's
   * lower time bound (rows whose senders' clocks run ahead just make the walk longer).
   *
   * With `text` (the filter's free-text conjunct; `sql` is the filter's byMatch form) a window is the `width`
   * newest matches at or below its top instead of `width` ids, its bottom the lowest of them: the same rows the
   * FTS_IN form would give for that id range, without FTS5's range seek, and with one FTS5 query per window.
   */
  private windowedHits(p: Partition, sql: string, params: unknown[], n: number, snapshot: number, fromUs: number | null, text?: string): Hit[] {
    let hi = Math.min(snapshot, p.maxId);
    const bottom = p.minId() - 1;
    let width = this.opts.firstWindow ?? (text === undefined ? FIRST_WINDOW : FIRST_TEXT_WINDOW);
    let hits: Hit[] = [];
    while (hi > bottom) {
      let lo = Math.max(bottom, hi - width);
      let window: Record<string, number | string> = { wlo: lo, whi: hi };
      if (text !== undefined) {
        const edge = this.edge(p, text, hi, width);
        if (edge.c === 0 || edge.m === null) break; // no match at or below hi
        lo = edge.c < width ? bottom : Math.max(bottom, edge.m - 1);
        window = { wlo: lo, whi: hi, wids: edge.ids };
      }
      const rows = this.run(p, sql, params, window);
      if (rows.length > 0) {
        hits = hits.concat(rows.map(toHit));
        hits.sort((a, b) => orderOf(a, b, false));
        if (hits.length > n) hits.length = n;
      }
      if (lo <= bottom) break;
      const below = p.maxTsUpTo(lo);
      if (hits.length >= n && below < hits[n - 1]!.tsReported) break;
      if (fromUs !== null && below < fromUs) break;
      hi = lo;
      width = text === undefined ? width * 2 : Math.min(width * 2, MAX_TEXT_WINDOW);
    }
    return hits;
  }

  /** The `k` newest matches of `text` at or below id `hi`: how many, the lowest, and their ids as a JSON array. */
  private edge(p: Partition, text: string, hi: number, k: number): { c: number; m: number | null; ids: string } {
    try {
      return p.db.prepare(FTS_TOP_EDGE).get(text, { whi: hi, wk: k }) as { c: number; m: number | null; ids: string };
    } catch (e) {
      throw readError(p, e);
    }
  }

  private run(p: Partition, sql: string, params: unknown[], window: Record<string, number | string>): RawRow[] {
    try {
      return p.db.prepare(sql).all(...(sql.includes('@wlo') ? [...params, window] : params)) as RawRow[];
    } catch (e) {
      throw readError(p, e);
    }
  }

  private aggregate(agg: AggPipe, where: SqlFragment, q: QueryNode | null, fromUs: number | null, toUs: number | null, limit: number): SearchResult {
    const merger = new AggMerger();
    if (agg.kind === 'count' && agg.by.length === 0) merger.add([0]);
    const onColumns = columnsCanAnswer(q, agg);
    let sql: SqlFragment | null = null;
    for (const p of this.candidates(fromUs, toUs)) {
      const cols = onColumns ? this.columns.get(p.name, p.db, p.rows) : null;
      let rows: AggValue[][];
      try {
        if (cols !== null) {
          const floor = fromUs === null ? 0 : p.idsBefore(fromUs) + 1;
          rows = aggregateColumns(p.db, cols, q, agg, fromUs, toUs, floor);
        } else {
          sql ??= aggregateSql(agg, where, fromUs, toUs);
          const bind = sql.sql.includes('@wlo') ? [...sql.params, ALL_IDS] : sql.params;
          rows = p.db.prepare(sql.sql).raw(true).all(...bind) as AggValue[][];
        }
      } catch (e) {
        const msg = (e as Error).message;
        if (msg.includes('fts5')) throw new StoreError('LW_ERR_QUERY_TEXT', `free-text search failed: ${msg}`);
        throw new StoreError('LW_ERR_STORE_READ', `aggregation in ${p.file} failed: ${msg}`);
      }
      for (const r of rows) merger.add(r);
    }
    return { kind: 'aggregate', columns: aggColumns(agg), rows: merger.finish(agg, limit) };
  }

  async stats(): Promise<StoreStats> {
    if (this.opts.readonly) this.catchUp();
    const partitions = [...this.parts.values()].sort((a, b) => a.startUs - b.startUs)
      .map((p) => ({ name: p.name, startUs: p.startUs, rows: p.rows, bytes: p.bytes() }));
    const sec = Math.floor(Date.now() / 1000);
    let recent = 0;
    for (const [s, n] of this.rate) if (s > sec - RATE_WINDOW_S) recent += n;
    return {
      rows: partitions.reduce((a, p) => a + p.rows, 0),
      bytes: partitions.reduce((a, p) => a + p.bytes, 0),
      partitions,
      ingestRate: recent / RATE_WINDOW_S,
      inserted: this.inserted,
    };
  }

  async applyRetention(): Promise<RetentionResult> {
    const dropped: string[] = [];
    if (this.opts.readonly || this.closed) return { dropped };
    const now = this.opts.nowUs?.() ?? Date.now() * 1000;
    const ordered = [...this.parts.values()].sort((a, b) => a.startUs - b.startUs);
    const days = this.opts.retentionDays ?? 0;
    const drop = (p: Partition, why: string): void => {
      p.drop();
      this.parts.delete(p.name);
      this.columns.drop(p.name);
      dropped.push(p.name);
      this.opts.logger?.info('LW_STORE_RETENTION', `dropped store partition ${p.name}`, { reason: why, rows: p.rows });
    };
    while (days > 0 && ordered.length > 0 && ordered[0]!.startUs + DAY_US <= now - days * DAY_US) {
      drop(ordered.shift()!, `older than ${days} days`);
    }
    const maxBytes = this.opts.retentionMaxBytes ?? 0;
    if (maxBytes > 0) {
      let total = ordered.reduce((a, p) => a + p.bytes(), 0);
      while (total > maxBytes && ordered.length > 1) {
        const p = ordered.shift()!;
        total -= p.bytes();
        drop(p, `store larger than ${maxBytes} bytes`);
      }
    }
    return { dropped };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.parts.values()) p.close();
  }
}

/** SQLite result codes that blame the rows written (a value too big, a constraint or trigger refusing it). */
const ROW_CODES = /^SQLITE_(TOOBIG|CONSTRAINT|MISMATCH|RANGE)/;

/**
 * Run a partition write; an SQLite failure becomes LW_ERR_STORE_BUSY (lock held elsewhere), LW_ERR_STORE_ROW
 * (the rows themselves are refused: poison, see ROW_CODES) or LW_ERR_STORE_WRITE (disk full, I/O, corruption).
 */
function writeTo(p: Partition, write: () => void): void {
  try {
    write();
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    throw new StoreError(code.startsWith('SQLITE_BUSY') ? 'LW_ERR_STORE_BUSY' : ROW_CODES.test(code) ? 'LW_ERR_STORE_ROW' : 'LW_ERR_STORE_WRITE',
      `store insert into ${p.file} failed: ${code ? code + ': ' : ''}${(e as Error).message}`);
  }
}

function orderOf(a: Hit, b: Hit, asc: boolean): number {
  const d = a.tsReported - b.tsReported || Number(a.id) - Number(b.id);
  return asc ? d : -d;
}

function maxOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

function minOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

/** A failed read of a partition as the search's error: FTS5 complaints name the free text. */
function readError(p: Partition, e: unknown): StoreError {
  const msg = (e as Error).message;
  if (msg.includes('fts5')) return new StoreError('LW_ERR_QUERY_TEXT', `free-text search failed: ${msg}`);
  return new StoreError('LW_ERR_STORE_READ', `search in ${p.file} failed: ${msg}`);
}

// StoreBackend over ClickHouse's HTTP interface (@clickhouse/client; works with servers from 18.16 on):
// batched JSONEachRow inserts with retry-safe dedup, searches compiled from the shared query AST, and
// retention by dropping whole daily partitions.
import { randomBytes } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type * as ClickHouse from '@clickhouse/client';
import { AggMerger } from './aggregate';
import {
  DEFAULT_PAGE, MAX_PAGE, StoreError,
  type CompiledQueryInput, type Hit, type PartitionStats, type RetentionResult, type SearchResult, type StoreBackend,
  type StoreStats, type StoredRow,
} from './backend';
import { IdClock } from './clickhouse-ids';
import { createTableSql, fromChRow, toChRow, type ChHitRow, type ChRow } from './clickhouse-schema';
import { sqlIdent, sqlInt, sqlString } from './clickhouse-sql';
import { decodeCursor, encodeCursor, queryHash } from './cursor';
import { compileClickHouse } from './query/compile-clickhouse';

export interface ClickHouseStoreOptions {
  /** HTTP interface, e.g. "http://127.0.0.1:8123". */
  url: string;
  database?: string;
  table?: string;
  user?: string;
  password?: string;
  /** Drop partitions whose whole UTC day is older than this (null: keep by age forever). */
  maxAgeSeconds?: number | null;
  /** Drop the oldest partitions while the table is larger than this on disk (null: no size limit). */
  maxBytes?: number | null;
  /** Writer id 0..31 inside row ids (see clickhouse-ids.ts); distinct per collector sharing a table. */
  nodeId?: number;
  requestTimeoutMs?: number;
  /** Clock for retention and ids (tests). */
  now?: () => number;
}

export const DEFAULT_DATABASE = 'default';
export const DEFAULT_TABLE = 'logs';
const DEFAULT_TIMEOUT_MS = 30_000;
const RATE_WINDOW_MS = 60_000;
const US_PER_DAY = 86_400_000_000;
/** system.parts names a toYYYYMMDD partition by its value, e.g. "20250115". */
const PARTITION_RE = /^(\d{4})(\d{2})(\d{2})$/;

/**
 * One batch ready to send: ids and the batch id are fixed once, so a retry sends the same rows. On a retry the
 * rows already committed by an earlier attempt (whose answer was lost) are looked up by batch_id and skipped.
 */
export interface PreparedBatch {
  readonly batchId: string;
  readonly rows: ChRow[];
  readonly minTs: number;
  readonly maxTs: number;
  attempts: number;
}

/** A StoreBackend on ClickHouse. Create with openClickHouseStore(), which creates the database and table. */
export class ClickHouseStore implements StoreBackend {
  readonly table: string;
  private readonly client: ClickHouseClient;
  private readonly db: string;
  private readonly tbl: string;
  private readonly ids: IdClock;
  private readonly opts: ClickHouseStoreOptions;
  private readonly now: () => number;
  private readonly recent: Array<[number, number]> = [];
  private inserted = 0;

  constructor(opts: ClickHouseStoreOptions) {
    this.opts = opts;
    this.db = opts.database ?? DEFAULT_DATABASE;
    this.tbl = opts.table ?? DEFAULT_TABLE;
    this.table = `${sqlIdent(this.db)}.${sqlIdent(this.tbl)}`;
    this.now = opts.now ?? Date.now;
    this.ids = new IdClock(opts.nodeId, this.now);
    // No `database` here: the URL parameter would make CREATE DATABASE fail when it does not exist yet; every
    // statement names its table fully instead.
    // Loaded on first use, not at startup (~35 ms of CPU for every process, most have no clickhouse action).
    const { createClient, ClickHouseLogLevel } = require('@clickhouse/client') as typeof ClickHouse;
    this.client = createClient({
      url: opts.url, username: opts.user ?? 'default', password: opts.password ?? '',
      request_timeout: opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS, application: 'logwarden',
      // Failures surface as StoreErrors to the caller (and the queue's log line); the client must not print.
      log: { level: ClickHouseLogLevel.OFF },
    });
  }

  /** Create the database and table if missing and continue ids after the largest stored one. */
  async init(): Promise<void> {
    await this.run('init', () => this.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${sqlIdent(this.db)}` }));
    await this.run('init', () => this.client.command({ query: createTableSql(this.db, this.tbl) }));
    const rows = await this.select<{ m: string | number }>('init', `SELECT max(id) AS m FROM ${this.table}`);
    this.ids.advancePast(Number(rows[0]?.m ?? 0));
  }

  /** Assign ids and a batch id; the result can be committed, and re-committed after a failure, without duplicates. */
  prepare(batch: StoredRow[]): PreparedBatch {
    const batchId = randomBytes(12).toString('base64url');
    const rows = new Array<ChRow>(batch.length);
    let minTs = Infinity;
    let maxTs = -Infinity;
    for (let i = 0; i < batch.length; i++) {
      const row = toChRow(batch[i]!, this.ids.next(), batchId);
      if (row.ts < minTs) minTs = row.ts;
      if (row.ts > maxTs) maxTs = row.ts;
      rows[i] = row;
    }
    return { batchId, rows, minTs, maxTs, attempts: 0 };
  }

  /** Send a prepared batch. Rejects (StoreError) when the server did not confirm; call again to retry. */
  async commit(p: PreparedBatch): Promise<void> {
    if (p.rows.length === 0) return;
    const retry = p.attempts++ > 0;
    const rows = retry ? await this.missingRows(p) : p.rows;
    if (rows.length > 0) {
      await this.run('insert', () => this.client.insert({ table: this.table, values: rows, format: 'JSONEachRow' }));
    }
    this.count(rows.length);
  }

  insert(batch: StoredRow[]): Promise<void> {
    return this.commit(this.prepare(batch));
  }

  /** Rows of `p` not yet in the table (an earlier attempt may have committed some or all partitions). */
  private async missingRows(p: PreparedBatch): Promise<ChRow[]> {
    const found = await this.select<{ id: string }>('insert',
      `SELECT toString(id) AS id FROM ${this.table} WHERE ts >= ${sqlInt(p.minTs)} AND ts <= ${sqlInt(p.maxTs)} ` +
      `AND batch_id = ${sqlString(p.batchId)}`);
    if (found.length === 0) return p.rows;
    const have = new Set(found.map((r) => r.id));
    return p.rows.filter((r) => !have.has(String(r.id)));
  }

  async search(q: CompiledQueryInput): Promise<SearchResult> {
    const hash = queryHash(q.query, q.fromUs ?? null, q.toUs ?? null);
    const cursor = q.cursor ? decodeCursor(q.cursor, hash, q.query.text) : null;
    const snapshotId = cursor ? Number(cursor.snapshot) : await this.snapshotId();
    const compiled = compileClickHouse(q, this.table, { snapshotId, after: cursor, defaultPage: DEFAULT_PAGE, maxPage: MAX_PAGE });
    if (compiled.kind === 'aggregate') {
      const merger = new AggMerger();
      // `| count` with no match is one row [0], as in the SQLite store.
      if (compiled.pipe.kind === 'count' && compiled.pipe.by.length === 0) merger.add([0]);
      for (const r of await this.select<Record<string, unknown>>('search', compiled.sql)) merger.add(compiled.decodeRow(r));
      return { kind: 'aggregate', columns: compiled.columns, rows: merger.finish(compiled.pipe, compiled.limit) };
    }
    const rows = await this.select<ChHitRow>('search', compiled.sql);
    // A `| limit` query is one page (no cursor), as in the SQLite store.
    const more = rows.length > compiled.pageSize && !compiled.limited;
    const hits: Hit[] = rows.slice(0, compiled.pageSize).map(fromChRow);
    const last = hits[hits.length - 1];
    const nextCursor = more && last ? encodeCursor({ snapshot: String(snapshotId), ts: last.tsReported, id: last.id }, hash) : null;
    return { kind: 'hits', hits, nextCursor };
  }

  /**
   * The largest id a first page may show: the table's max id in the recent partitions, or the id clock's value
   * for "now" if larger. Rows inserted after this never appear in the pages of the same cursor chain.
   */
  private async snapshotId(): Promise<number> {
    const recentSec = Math.floor(this.now() / 1000) - 86_400;
    const rows = await this.select<{ m: string | number }>('search',
      `SELECT max(id) AS m FROM ${this.table} WHERE ts >= ${sqlInt(recentSec)}`);
    return Math.max(Number(rows[0]?.m ?? 0), this.ids.next());
  }

  async stats(): Promise<StoreStats> {
    const parts = await this.partitions();
    let rows = 0;
    let bytes = 0;
    for (const p of parts) { rows += p.rows; bytes += p.bytes; }
    return { rows, bytes, partitions: parts, ingestRate: this.rate(), inserted: this.inserted };
  }

  /** Active partitions, oldest first, from system.parts. */
  async partitions(): Promise<PartitionStats[]> {
    const rows = await this.select<{ partition: string; rows: string | number; bytes: string | number }>('stats',
      `SELECT partition, sum(rows) AS rows, sum(bytes_on_disk) AS bytes FROM system.parts WHERE active ` +
      `AND database = ${sqlString(this.db)} AND table = ${sqlString(this.tbl)} GROUP BY partition ORDER BY partition`);
    const out: PartitionStats[] = [];
    for (const r of rows) {
      const m = PARTITION_RE.exec(r.partition);
      if (!m) continue;
      const startUs = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) * 1000;
      out.push({ name: 'p' + r.partition, startUs, rows: Number(r.rows), bytes: Number(r.bytes) });
    }
    return out;
  }

  /** Drop days wholly older than maxAgeSeconds, then the oldest days while over maxBytes (never the newest). */
  async applyRetention(): Promise<RetentionResult> {
    const parts = await this.partitions();
    const dropped: string[] = [];
    const { maxAgeSeconds, maxBytes } = this.opts;
    let keep = parts;
    if (maxAgeSeconds != null) {
      const cutoffUs = (this.now() - maxAgeSeconds * 1000) * 1000;
      keep = parts.filter((p) => p.startUs + US_PER_DAY > cutoffUs);
      for (const p of parts) if (!keep.includes(p)) dropped.push(p.name);
    }
    if (maxBytes != null) {
      let total = keep.reduce((s, p) => s + p.bytes, 0);
      while (total > maxBytes && keep.length > 1) {
        const p = keep.shift()!;
        total -= p.bytes;
        dropped.push(p.name);
      }
    }
    for (const name of dropped) {
      await this.run('retention', () => this.client.command({ query: `ALTER TABLE ${this.table} DROP PARTITION ${name.slice(1)}` }));
    }
    return { dropped };
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private count(n: number): void {
    const t = this.now();
    this.inserted += n;
    this.recent.push([t, n]);
    while (this.recent.length > 0 && this.recent[0]![0] < t - RATE_WINDOW_MS) this.recent.shift();
  }

  private rate(): number {
    const t = this.now();
    let n = 0;
    for (const [at, c] of this.recent) if (at >= t - RATE_WINDOW_MS) n += c;
    return n / (RATE_WINDOW_MS / 1000);
  }

  private async select<T>(what: string, sql: string): Promise<T[]> {
    return this.run(what, async () => {
      const rs = await this.client.query({ query: sql, format: 'JSONEachRow' });
      return rs.json<T>();
    });
  }

  /** Run a request; any failure becomes a StoreError naming the server (never the password). */
  private async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      const e = err as { message?: string; code?: string };
      const code = what === 'search' ? 'LW_ERR_QUERY_CLICKHOUSE' : 'LW_ERR_CLICKHOUSE_' + what.toUpperCase();
      // The server's exception (VIOLATED_CONSTRAINT, CANNOT_PARSE_NUMBER …) travels on: callers tell bad rows
      // from an unreachable server by it (invalidRowType).
      throw Object.assign(new StoreError(code, `clickhouse ${what} at ${this.opts.url} failed: ${e.code ? e.code + ' ' : ''}${e.message ?? String(err)}`),
        { serverType: serverType(err) });
    }
  }
}

/**
 * ClickHouse exceptions that blame the data of an INSERT, not the server or the connection: a row the table
 * refuses (a CHECK constraint, a value it cannot parse or hold). Schema mismatches (UNKNOWN_FIELD, NO_SUCH_COLUMN
 * …) are left out on purpose: every row would fail, so they are the action's failure, retried, never poison.
 */
const INVALID_ROW_TYPES = new Map<number, string>([
  [6, 'CANNOT_PARSE_TEXT'], [25, 'CANNOT_PARSE_ESCAPE_SEQUENCE'], [26, 'CANNOT_PARSE_QUOTED_STRING'],
  [27, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED'], [38, 'CANNOT_PARSE_DATE'], [41, 'CANNOT_PARSE_DATETIME'],
  [69, 'ARGUMENT_OUT_OF_BOUND'], [70, 'CANNOT_CONVERT_TYPE'], [72, 'CANNOT_PARSE_NUMBER'], [117, 'INCORRECT_DATA'],
  [128, 'TOO_LARGE_ARRAY_SIZE'], [130, 'CANNOT_READ_ARRAY_FROM_TEXT'], [131, 'TOO_LARGE_STRING_SIZE'],
  [321, 'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE'], [349, 'CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN'], [376, 'CANNOT_PARSE_UUID'],
  [407, 'DECIMAL_OVERFLOW'], [467, 'CANNOT_PARSE_BOOL'], [469, 'VIOLATED_CONSTRAINT'],
]);
const INVALID_ROW_NAMES = new Set(INVALID_ROW_TYPES.values());

/**
 * The server's exception name: the client parses "(TYPE)" from newer servers' messages; older ones (18.x) only
 * say "Code: 72, e.displayText() = …", so the number is looked up (INVALID_ROW_TYPES names the ones we need).
 */
function serverType(err: unknown): string | undefined {
  const e = err as { type?: unknown; code?: unknown; message?: unknown };
  if (typeof e.type === 'string') return e.type;
  const m = /\bCode: (\d+)/.exec(typeof e.message === 'string' ? e.message : '') ?? (typeof e.code === 'string' ? /^(\d+)$/.exec(e.code) : null);
  if (m === null) return undefined;
  return INVALID_ROW_TYPES.get(Number(m[1])) ?? `CODE_${m[1]}`;
}


/** The server's exception name when an INSERT failed because of its rows (see INVALID_ROW_TYPES), else null. */
export function invalidRowType(err: unknown): string | null {
  const t = (err as { serverType?: unknown } | null)?.serverType;
  return typeof t === 'string' && INVALID_ROW_NAMES.has(t) ? t : null;
}

/** Open (and create if missing) a ClickHouse store. */
export async function openClickHouseStore(opts: ClickHouseStoreOptions): Promise<ClickHouseStore> {
  const store = new ClickHouseStore(opts);
  try {
    await store.init();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

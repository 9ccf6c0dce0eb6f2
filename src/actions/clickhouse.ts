// The ClickHouse action: `action(type="clickhouse" url=… database=… table=…)` writes messages into a ClickHouse
// table shared with search (src/store/clickhouse.ts). Also answers to rsyslog's `omclickhouse` and its
// server/port/usehttps/pwd parameters; its SQL `template` is not used, since rows are structured here.
import type { ActionFactory, ComponentSpec, ParamSpec } from '../components';
import { getParam, type ActionDecl, type Params, type ParamValue } from '../config/model';
import type { Logger } from '../log';
import type { Message } from '../message';
import type { RuntimeContext } from '../runtime/context';
import { toStoredRow } from '../store/backend';
import { DEFAULT_DATABASE, DEFAULT_TABLE, invalidRowType, openClickHouseStore, type ClickHouseStore, type ClickHouseStoreOptions, type PreparedBatch } from '../store/clickhouse';
import { MAX_NODE } from '../store/clickhouse-ids';
import { isValidIdent } from '../store/clickhouse-sql';
import { DeliveryFailure, type Action, type ActionStats, type DeliveryReport, type Rejection } from './action';

const DEFAULT_URL = 'http://127.0.0.1:8123';
/** Rows per INSERT: big enough to amortise a request, small enough that one part stays a few MB. */
const DEFAULT_BATCH_SIZE = 1000;
const DEFAULT_TIMEOUT_MS = 30_000;
/** Retention runs at most this often, after a successful delivery. */
const RETENTION_INTERVAL_MS = 600_000;
const SECONDS_PER_DAY = 86_400;

const PARAMS: ParamSpec[] = [
  { name: 'url', type: 'string', default: DEFAULT_URL, doc: 'ClickHouse HTTP interface (http:// or https://)' },
  { name: 'server', type: 'string', doc: 'rsyslog omclickhouse: host name; with port/usehttps it builds url' },
  { name: 'port', type: 'int', doc: 'rsyslog omclickhouse: HTTP port (default 8123, 8443 with usehttps)' },
  { name: 'usehttps', type: 'binary', default: false, doc: 'rsyslog omclickhouse: use https:// with server/port' },
  { name: 'database', type: 'string', default: DEFAULT_DATABASE, doc: 'database (created if missing)' },
  { name: 'table', type: 'string', default: DEFAULT_TABLE, doc: 'table (created if missing, MergeTree by day)' },
  { name: 'user', type: 'string', default: 'default', doc: 'ClickHouse user' },
  { name: 'password', type: 'string', default: '', doc: 'ClickHouse password' },
  { name: 'pwd', type: 'string', doc: 'rsyslog omclickhouse spelling of password' },
  { name: 'batch.size', type: 'int', default: DEFAULT_BATCH_SIZE, doc: 'most rows per INSERT request' },
  { name: 'timeout', type: 'int', default: DEFAULT_TIMEOUT_MS, unit: 'ms', doc: 'HTTP request timeout' },
  { name: 'node.id', type: 'int', doc: `writer id 0..${MAX_NODE} inside row ids; distinct per collector sharing a table (default random)` },
  { name: 'keepraw', type: 'binary', default: false, doc: 'also store rawmsg (the frame as received)' },
  { name: 'retention.days', type: 'int', unit: 'days', doc: 'drop daily partitions older than this' },
  { name: 'retention.maxsize', type: 'size', unit: 'bytes', doc: 'drop the oldest partitions while the table is larger' },
  { name: 'retention.maxBytes', type: 'size', unit: 'bytes', doc: 'same as retention.maxsize (the store action\'s spelling)' },
  { name: 'template', type: 'string', doc: 'rsyslog omclickhouse SQL template', ignored: 'rows are structured columns, not a rendered INSERT' },
  { name: 'bulkmode', type: 'binary', doc: 'rsyslog omclickhouse bulk mode', ignored: 'inserts are always batched' },
];

export const clickhouseSpec: ComponentSpec = {
  name: 'clickhouse', aliases: ['omclickhouse'], kind: 'action', params: PARAMS, moduleParams: [],
};

/** A parameter's value: the action's, else module(load=…)'s, else the table default. */
function raw(decl: ActionDecl, moduleParams: Params, name: string): ParamValue | undefined {
  return getParam(decl.params, name)?.value ?? getParam(moduleParams, name)?.value ?? PARAMS.find((p) => p.name === name)?.default;
}

function where(decl: ActionDecl, name: string): string {
  const p = getParam(decl.params, name);
  const loc = p?.loc ?? decl.loc;
  return `${loc.file}:${loc.line}:${loc.col}`;
}

class ClickHouseParamError extends Error {
  readonly code = 'LW_ERR_CLICKHOUSE_PARAM';
}

/** rsyslog size suffixes: k, m, g are powers of 1024. */
const SIZE_RE = /^\s*(\d+)\s*([kmg]?)b?\s*$/i;

function intParam(decl: ActionDecl, mp: Params, name: string, min: number, max: number): number | null {
  const v = raw(decl, mp, name);
  if (v === undefined || v === '') return null;
  const m = typeof v === 'number' ? null : SIZE_RE.exec(String(v));
  const n = typeof v === 'number' ? v : m === null ? NaN : Number(m[1]) * 1024 ** ' kmg'.indexOf((m[2] || ' ').toLowerCase());
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ClickHouseParamError(`${where(decl, name)}: ${name}="${String(v)}" must be an integer ${min}..${max}`);
  }
  return n;
}

function boolParam(decl: ActionDecl, mp: Params, name: string): boolean {
  const v = raw(decl, mp, name);
  return v === true || (typeof v === 'string' && /^(on|yes|true|1)$/i.test(v)) || v === 1;
}

function strParam(decl: ActionDecl, mp: Params, name: string): string | undefined {
  const v = raw(decl, mp, name);
  return v === undefined ? undefined : String(v);
}

/** Decide every option at config load; throws LW_ERR_CLICKHOUSE_PARAM naming file:line:col. */
export function clickhouseOptions(decl: ActionDecl, mp: Params): ClickHouseStoreOptions & { batchSize: number; keepRaw: boolean } {
  const server = strParam(decl, mp, 'server');
  const https = boolParam(decl, mp, 'usehttps');
  const port = intParam(decl, mp, 'port', 1, 65535) ?? (https ? 8443 : 8123);
  const url = server !== undefined && getParam(decl.params, 'url') === undefined
    ? `${https ? 'https' : 'http'}://${server}:${port}` : strParam(decl, mp, 'url')!;
  if (!/^https?:\/\/[^\s/]+/.test(url)) throw new ClickHouseParamError(`${where(decl, 'url')}: url="${url}" must be http(s)://host[:port]`);
  const database = strParam(decl, mp, 'database')!;
  const table = strParam(decl, mp, 'table')!;
  for (const [n, v] of [['database', database], ['table', table]] as const) {
    if (!isValidIdent(v)) throw new ClickHouseParamError(`${where(decl, n)}: ${n}="${v}" must be letters, digits and _`);
  }
  const days = intParam(decl, mp, 'retention.days', 1, 100_000);
  return {
    url, database, table,
    user: strParam(decl, mp, 'user'),
    password: strParam(decl, mp, 'pwd') ?? strParam(decl, mp, 'password'),
    batchSize: intParam(decl, mp, 'batch.size', 1, 1_000_000)!,
    requestTimeoutMs: intParam(decl, mp, 'timeout', 100, 3_600_000)!,
    nodeId: intParam(decl, mp, 'node.id', 0, MAX_NODE) ?? undefined,
    keepRaw: boolParam(decl, mp, 'keepraw'),
    maxAgeSeconds: days === null ? null : days * SECONDS_PER_DAY,
    maxBytes: intParam(decl, mp, 'retention.maxsize', 1, Number.MAX_SAFE_INTEGER)
      ?? intParam(decl, mp, 'retention.maxBytes', 1, Number.MAX_SAFE_INTEGER),
  };
}

/** A batch in flight: the messages it covers and their prepared INSERT chunks (kept across retries). */
interface Pending {
  messages: Message[];
  chunks: Chunk[];
}

/** One INSERT of a delivery: batch[start …] as prepared rows; `rejected` are indices into its rows. */
interface Chunk {
  start: number;
  prepared: PreparedBatch;
  done: boolean;
  rejected: Array<{ row: number; type: string; message: string }>;
}

/** Where `prev` continues in `batch`: batch = prev[k…] followed by more messages; -1 if it does not. */
function resumeOffset(prev: Message[], batch: Message[]): number {
  if (batch.length === 0) return -1;
  const k = prev.indexOf(batch[0]!);
  if (k < 0 || prev.length - k > batch.length) return -1;
  for (let i = k; i < prev.length; i++) if (prev[i] !== batch[i - k]) return -1;
  return k;
}

export class ClickHouseAction implements Action {
  readonly name: string;
  readonly stats: ActionStats = { delivered: 0, failed: 0 };
  /** Backlogs read from disk in big batches too: every INSERT makes a part, and ClickHouse wants few (≥ 1,000 rows each). */
  readonly diskBatchBytes = 16 * 1024 * 1024;
  private readonly opts: ReturnType<typeof clickhouseOptions>;
  private readonly logger: Logger;
  private store: Promise<ClickHouseStore> | null = null;
  private pending: Pending | null = null;
  private lastRetention = 0;
  private retention: Promise<void> | null = null;

  constructor(name: string, opts: ReturnType<typeof clickhouseOptions>, logger: Logger) {
    this.name = name;
    this.opts = opts;
    this.logger = logger;
  }

  /**
   * Insert the batch. On a retry the queue hands back the same Message objects (the whole batch, or from the
   * failure's `done`, possibly with more after them): chunks already confirmed are skipped and the others re-sent
   * with the same ids, so the store can drop rows an unconfirmed earlier attempt did commit (ClickHouseStore.commit).
   * A chunk the server refuses for its data (invalidRowType) is split in halves until the refused rows are
   * alone: those are poison (rejected), the others are committed. A server that is down or slow fails the
   * delivery (DeliveryFailure, transient) after the chunks confirmed so far.
   */
  async deliver(batch: Message[]): Promise<DeliveryReport | void> {
    const store = await this.open();
    const pending = this.resume(store, batch);
    this.pending = pending;
    for (const chunk of pending.chunks) {
      if (chunk.done) continue;
      try {
        await this.commit(store, chunk);
      } catch (err) {
        const done = chunk.start;
        const rejected = this.rejections(pending.chunks.filter((c) => c.start < done));
        const e = err as Error & { code?: string };
        throw new DeliveryFailure(e.message, { done, rejected, code: e.code ?? 'LW_ERR_CLICKHOUSE_INSERT', transient: true, cause: err });
      }
    }
    this.pending = null;
    const rejected = this.rejections(pending.chunks);
    this.maybeRetention(store);
    if (rejected.length === 0) return undefined;
    this.logger.warn('LW_WARN_CLICKHOUSE_ROW_REJECTED', 'ClickHouse refused rows for their data; they are dropped (poison)', {
      action: this.name, count: rejected.length, type: rejected[0]!.code, error: rejected[0]!.reason,
    });
    return { rejected };
  }

  private rejections(chunks: Chunk[]): Rejection[] {
    const out: Rejection[] = [];
    for (const c of chunks) for (const r of c.rejected) out.push({ index: c.start + r.row, code: r.type, reason: r.message });
    return out;
  }

  private async commit(store: ClickHouseStore, chunk: Chunk): Promise<void> {
    try {
      await store.commit(chunk.prepared);
    } catch (err) {
      if (invalidRowType(err) === null) throw err;
      chunk.rejected = [];
      await this.isolate(store, chunk, chunk.prepared.rows.map((_, i) => i));
    }
    chunk.done = true;
    // counted per confirmed chunk: a retry skips confirmed chunks, whether the queue resends them or not
    this.stats.delivered += chunk.prepared.rows.length - chunk.rejected.length;
    this.stats.failed += chunk.rejected.length;
  }

  /** Commit rows `idx` of a refused chunk, halving until each refused row is alone (k bad rows: ~k·log n inserts). */
  private async isolate(store: ClickHouseStore, chunk: Chunk, idx: number[]): Promise<void> {
    const p = chunk.prepared;
    const rows = idx.map((i) => p.rows[i]!);
    let minTs = Infinity;
    let maxTs = -Infinity;
    for (const r of rows) { if (r.ts < minTs) minTs = r.ts; if (r.ts > maxTs) maxTs = r.ts; }
    // attempts 1: commit() first looks up which of these rows an unconfirmed earlier attempt committed
    try {
      await store.commit({ batchId: p.batchId, rows, minTs, maxTs, attempts: 1 });
    } catch (err) {
      const type = invalidRowType(err);
      if (type === null) throw err;
      if (idx.length === 1) {
        chunk.rejected.push({ row: idx[0]!, type, message: `clickhouse refused the row (${type}): ${(err as Error).message.slice(0, 200)}` });
        return;
      }
      const half = idx.length >> 1;
      await this.isolate(store, chunk, idx.slice(0, half));
      await this.isolate(store, chunk, idx.slice(half));
    }
  }

  private resume(store: ClickHouseStore, batch: Message[]): Pending {
    const prev = this.pending;
    let k = prev === null ? -1 : resumeOffset(prev.messages, batch);
    // k is the `done` the failure reported, a chunk start; anything else starts afresh (new ids).
    if (k > 0 && !prev!.chunks.some((c) => c.start === k)) k = -1;
    // Chunks from the failure point on are kept with their ids, so rows an unconfirmed attempt committed are found.
    const chunks = k < 0 ? [] : prev!.chunks.filter((c) => c.start >= k).map((c) => ({ ...c, start: c.start - k }));
    const from = k < 0 ? 0 : prev!.messages.length - k;
    for (let i = from; i < batch.length; i += this.opts.batchSize) {
      const rows = batch.slice(i, i + this.opts.batchSize).map((m) => toStoredRow(m, this.opts.keepRaw));
      chunks.push({ start: i, prepared: store.prepare(rows), done: false, rejected: [] });
    }
    return { messages: batch, chunks };
  }

  private open(): Promise<ClickHouseStore> {
    if (this.store === null) {
      this.store = openClickHouseStore(this.opts);
      this.store.catch(() => { this.store = null; });
    }
    return this.store;
  }

  private maybeRetention(store: ClickHouseStore): void {
    if (this.opts.maxAgeSeconds == null && this.opts.maxBytes == null) return;
    const now = Date.now();
    if (this.retention !== null || now - this.lastRetention < RETENTION_INTERVAL_MS) return;
    this.lastRetention = now;
    this.retention = store.applyRetention().then(
      (r) => { if (r.dropped.length > 0) this.logger.info('LW_CLICKHOUSE_RETENTION', 'dropped partitions', { action: this.name, dropped: r.dropped }); },
      (err: Error) => this.logger.warn('LW_WARN_CLICKHOUSE_RETENTION', 'retention failed', { action: this.name, error: err.message }),
    ).finally(() => { this.retention = null; });
  }

  async close(): Promise<void> {
    if (this.retention) await this.retention;
    const s = this.store;
    this.store = null;
    if (s) await s.then((st) => st.close(), () => undefined);
  }
}

export const clickhouseAction: ActionFactory = {
  spec: clickhouseSpec,
  create(decl: ActionDecl, moduleParams: Params, ctx: RuntimeContext): Action {
    const name = strParam(decl, moduleParams, 'name') ?? `clickhouse@${decl.loc.file}:${decl.loc.line}`;
    return new ClickHouseAction(name, clickhouseOptions(decl, moduleParams), ctx.logger);
  },
};

// The store action: `action(type="store" path=… retention.days=… retention.maxBytes=…)` writes messages into the
// searchable SQLite store (src/store/sqlite.ts). The rows go to the store's writer thread, which commits them in
// order and retries failures (SQLITE_BUSY, disk full) itself; a batch resolves once handed over, and waits while
// the thread is too far behind (backpressure). Rows the store refuses for their content (LW_ERR_STORE_ROW: too
// big, a constraint or trigger) are dropped by the thread with LW_WARN_STORE_ROW_DROPPED, never retried forever;
// they cannot be in the delivery report, which was given at handover. On a store on this thread (tests,
// `inProcess`) a batch resolves after its transactions commit: refused rows are found by halving the chunk and
// reported as poison, another failure throws a DeliveryFailure whose `done` counts the committed messages, and
// chunks already committed are not rewritten.
import { isAbsolute, join } from 'node:path';
import type { ActionFactory, ComponentSpec, ParamSpec } from '../components';
import { getParam, type ActionDecl, type Params, type ParamValue } from '../config/model';
import type { Logger } from '../log';
import type { Message } from '../message';
import type { RuntimeContext } from '../runtime/context';
import { toStoredRow, type StoreBackend, type StoredRow } from '../store/backend';
import { DAY_US } from '../store/sqlite-partition';
import { acquireSqliteStore, releaseSqliteStore } from '../store/shared';
import { WorkerStoreWriter } from '../store/writer-worker';
import { DeliveryFailure, type Action, type ActionStats, type DeliveryReport, type Rejection } from './action';

/** Most rows per transaction: big enough to amortise the commit (and FTS5 segment) cost. */
const DEFAULT_CHUNK_ROWS = 5000;
/**
 * Rows per insert posted to the writer thread. Small, so the thread starts early; its transactions stay big
 * because it commits the pieces that queued up while it was busy together.
 */
const PIPELINE_ROWS = 1000;
/** The first piece of a delivery is smaller: the writer thread idles until it arrives. */
const FIRST_PIECE_ROWS = 200;
/** Retention is checked at most this often (after a delivery, and on an idle timer). */
const RETENTION_INTERVAL_MS = 10_000;

const PARAMS: ParamSpec[] = [
  { name: 'path', type: 'path', doc: 'store directory (one SQLite file per UTC day); default <workDirectory>/store' },
  { name: 'retention.days', type: 'int', unit: 'days', default: 0, doc: 'drop day partitions older than this (0: keep)' },
  { name: 'retention.maxBytes', type: 'size', unit: 'bytes', default: 0, doc: 'drop the oldest partitions while the store is larger (0: no limit)' },
  { name: 'retention.maxsize', type: 'size', unit: 'bytes', doc: 'same as retention.maxBytes (the clickhouse action\'s spelling)' },
  { name: 'keepraw', type: 'binary', default: false, doc: 'also store rawmsg (the frame as received), searchable as raw:' },
  { name: 'fileCreateMode', type: 'string', default: '0640', doc: 'mode of new partition files (octal, whatever the umask; SQLite gives -wal/-shm the same)' },
  { name: 'dirCreateMode', type: 'string', default: '0750', doc: 'mode of the store directory when it is created (octal)' },
  { name: 'batch.size', type: 'int', default: DEFAULT_CHUNK_ROWS, doc: 'most rows per SQLite transaction' },
];

export const storeSpec: ComponentSpec = { name: 'store', aliases: ['omstore', 'sqlite'], kind: 'action', params: PARAMS, moduleParams: [] };

class StoreParamError extends Error {
  readonly code = 'LW_ERR_STORE_PARAM';
}

function value(decl: ActionDecl, mp: Params, name: string): ParamValue | undefined {
  return getParam(decl.params, name)?.value ?? getParam(mp, name)?.value ?? PARAMS.find((p) => p.name === name)?.default;
}

function place(decl: ActionDecl, name: string): string {
  const loc = getParam(decl.params, name)?.loc ?? decl.loc;
  return `${loc.file}:${loc.line}:${loc.col}`;
}

/** An integer, accepting rsyslog size suffixes k/m/g (powers of 1024) for sizes. */
function intValue(decl: ActionDecl, mp: Params, name: string, min: number): number | undefined {
  const v = value(decl, mp, name);
  if (v === undefined || v === '') return undefined;
  const m = /^\s*(\d+)\s*([kmg]?)b?\s*$/i.exec(String(v));
  const n = m === null ? NaN : Number(m[1]) * 1024 ** ('_kmg'.indexOf((m[2] || '_').toLowerCase()) || 0);
  if (!Number.isSafeInteger(n) || n < min) throw new StoreParamError(`${place(decl, name)}: ${name}="${String(v)}" must be an integer >= ${min}`);
  return n;
}

export interface StoreActionOptions {
  path: string;
  retentionDays: number;
  retentionMaxBytes: number;
  keepRaw: boolean;
  chunkRows: number;
  fileMode: number;
  dirMode: number;
}

function octalMode(decl: ActionDecl, mp: Params, name: string, def: number): number {
  const v = value(decl, mp, name);
  if (v === undefined || v === '') return def;
  if (!/^0?[0-7]{3,4}$/.test(String(v))) throw new StoreParamError(`${place(decl, name)}: ${name}="${String(v)}" must be an octal mode like 0640`);
  return Number.parseInt(String(v), 8);
}

/** Decide every option at config load; throws LW_ERR_STORE_PARAM naming file:line:col. */
export function storeOptions(decl: ActionDecl, mp: Params, dataDir: string): StoreActionOptions {
  const p = value(decl, mp, 'path');
  const path = p === undefined || p === '' ? join(dataDir, 'store') : String(p);
  const keep = value(decl, mp, 'keepraw');
  return {
    path: isAbsolute(path) ? path : join(process.cwd(), path),
    retentionDays: intValue(decl, mp, 'retention.days', 0) ?? 0,
    retentionMaxBytes: intValue(decl, mp, 'retention.maxsize', 0) ?? intValue(decl, mp, 'retention.maxBytes', 0) ?? 0,
    keepRaw: keep === true || keep === 1 || (typeof keep === 'string' && /^(on|yes|true|1)$/i.test(keep)),
    chunkRows: intValue(decl, mp, 'batch.size', 1) ?? DEFAULT_CHUNK_ROWS,
    fileMode: octalMode(decl, mp, 'fileCreateMode', 0o640),
    dirMode: octalMode(decl, mp, 'dirCreateMode', 0o750),
  };
}

/** Where `prev` continues in `batch`: batch = prev[k…] followed by more messages (a retry from `done`); else -1. */
function resumeOffset(prev: Message[], batch: Message[]): number {
  if (batch.length === 0) return -1;
  const k = prev.indexOf(batch[0]!);
  if (k < 0 || prev.length - k > batch.length) return -1;
  for (let i = k; i < prev.length; i++) if (prev[i] !== batch[i - k]) return -1;
  return k;
}

export class StoreAction implements Action {
  readonly name: string;
  readonly stats: ActionStats = { delivered: 0, failed: 0 };
  private readonly opts: StoreActionOptions;
  private readonly logger: Logger;
  /** The shared writer (its SQLite work runs in a worker thread, see src/store/writer-worker.ts). */
  private store: StoreBackend | null = null;
  /** The batch being delivered, how many of its messages are finished, and the poison among them (kept across a retry). */
  private pending: { messages: Message[]; committed: number; rejected: Rejection[] } | null = null;
  private lastRetention = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(name: string, opts: StoreActionOptions, logger: Logger) {
    this.name = name;
    this.opts = opts;
    this.logger = logger;
  }

  private open(): StoreBackend {
    if (this.store === null) {
      this.store = acquireSqliteStore({
        path: this.opts.path, retentionDays: this.opts.retentionDays, retentionMaxBytes: this.opts.retentionMaxBytes,
        fileMode: this.opts.fileMode, dirMode: this.opts.dirMode, logger: this.logger,
      });
      if (this.opts.retentionDays > 0 || this.opts.retentionMaxBytes > 0) {
        this.timer = setInterval(() => this.retention(), RETENTION_INTERVAL_MS);
        this.timer.unref();
      }
    }
    return this.store;
  }

  async deliver(batch: Message[]): Promise<DeliveryReport | void> {
    const store = this.open();
    const prev = this.pending;
    const k = prev === null ? -1 : resumeOffset(prev.messages, batch);
    // a retry (the whole batch, or from `done`): what was committed before is not written again
    const done = k < 0 ? 0 : Math.max(0, prev!.committed - k);
    const rejected = k < 0 ? [] : prev!.rejected.filter((r) => r.index >= k).map((r) => ({ ...r, index: r.index - k }));
    const pending = { messages: batch, committed: done, rejected };
    this.pending = pending;
    try {
      if (store instanceof WorkerStoreWriter) await this.deliverPipelined(store, batch, done);
      else await this.deliverInOrder(store, batch, done);
    } catch (err) {
      const e = err as Error & { code?: string };
      const finished = pending.rejected.filter((r) => r.index < pending.committed);
      throw new DeliveryFailure(e.message, { done: pending.committed, rejected: finished, code: e.code ?? 'LW_ERR_STORE_WRITE', transient: true, cause: err });
    }
    this.pending = null;
    const newPoison = pending.rejected.filter((r) => r.index >= done).length;
    if (Date.now() - this.lastRetention >= RETENTION_INTERVAL_MS) this.retention();
    if (pending.rejected.length === 0) return undefined;
    if (newPoison === 0) return { rejected: pending.rejected };
    this.logger.warn('LW_WARN_STORE_ROW_DROPPED', 'the store refused rows for their content; they are dropped, the others kept', {
      action: this.name, rows: newPoison, error: pending.rejected[0]!.reason,
    });
    return { rejected: pending.rejected };
  }

  /** The end of batch[from…] up to `max` messages, all of one day (timegenerated): a chunk never spans two partitions. */
  private dayEnd(batch: Message[], from: number, max: number): number {
    const limit = Math.min(batch.length, from + max);
    const day = Math.floor(batch[from]!.timegenerated.toEpochMicros() / DAY_US);
    let end = from + 1;
    while (end < limit && Math.floor(batch[end]!.timegenerated.toEpochMicros() / DAY_US) === day) end++;
    return end;
  }

  /** Rows of batch[from…] up to `max` of them, all of one day. */
  private rowsFrom(batch: Message[], from: number, max: number): StoredRow[] {
    const rows: StoredRow[] = [];
    for (let i = from, end = this.dayEnd(batch, from, max); i < end; i++) rows.push(toStoredRow(batch[i]!, this.opts.keepRaw));
    return rows;
  }

  /** One transaction (one chunk) at a time, each awaited (a store on this thread). */
  private async deliverInOrder(store: StoreBackend, batch: Message[], from: number): Promise<void> {
    for (let done = from; done < batch.length;) {
      const rows = this.rowsFrom(batch, done, this.opts.chunkRows);
      try {
        await store.insert(rows);
        this.stats.delivered += rows.length;
      } catch (err) {
        if ((err as { code?: string }).code !== 'LW_ERR_STORE_ROW') throw err;
        await this.isolate(store, rows, done);
      }
      done += rows.length;
      this.pending!.committed = done;
    }
  }

  /**
   * A chunk the store refused for its content: commit it in halves until each refused row is alone, and list
   * those as poison (k bad rows of n: ~k·log n transactions). Halves run in order, so rows keep their order.
   * Another failure midway propagates; committed halves are then not known to the retry, which is why this
   * runs only on the in-process store (tests) and the writer thread does the same for itself (writer-worker.ts).
   */
  private async isolate(store: StoreBackend, rows: StoredRow[], base: number): Promise<void> {
    const ranges: Array<[number, number]> = [[0, rows.length]];
    while (ranges.length > 0) {
      const [lo, hi] = ranges.shift()!;
      try {
        await store.insert(rows.slice(lo, hi));
        this.stats.delivered += hi - lo;
      } catch (err) {
        if ((err as { code?: string }).code !== 'LW_ERR_STORE_ROW') throw err;
        if (hi - lo === 1) {
          this.pending!.rejected.push({ index: base + lo, code: 'LW_ERR_STORE_ROW', reason: (err as Error).message.slice(0, 300) });
          this.stats.failed++;
          continue;
        }
        const mid = lo + ((hi - lo) >> 1);
        ranges.unshift([lo, mid], [mid, hi]);
      }
    }
  }

  /**
   * The writer thread: hand the batch over in pieces; the thread commits them in order (queued pieces of one
   * day together, up to batch.size rows a transaction) and retries failures itself, so the delivery completes
   * once the rows are handed over and the thread is not too far behind (WorkerStoreWriter.append). Nothing
   * handed over is lost while the process lives: close() waits for the thread to commit it.
   */
  private async deliverPipelined(store: WorkerStoreWriter, batch: Message[], from: number): Promise<void> {
    for (let at = from; at < batch.length;) {
      const end = this.dayEnd(batch, at, Math.min(this.opts.chunkRows, at === from ? FIRST_PIECE_ROWS : PIPELINE_ROWS));
      await store.appendMessages(batch, at, end, this.opts.keepRaw, this.opts.chunkRows);
      this.stats.delivered += end - at; // handed over; the thread commits them (or drops refused rows, logged)
      at = end;
      this.pending!.committed = at;
    }
  }

  private retention(): void {
    const store = this.store;
    if (store === null || (this.opts.retentionDays === 0 && this.opts.retentionMaxBytes === 0)) return;
    this.lastRetention = Date.now();
    store.applyRetention().catch((err: Error) => {
      this.logger.warn('LW_WARN_STORE_RETENTION', 'store retention failed', { action: this.name, error: err.message });
    });
  }

  /** Resolves with the rows the writer thread could not commit in time (counted in the stop summary). */
  async close(): Promise<number> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    const s = this.store;
    this.store = null;
    return s !== null ? releaseSqliteStore(s) : 0;
  }
}

export const storeAction: ActionFactory = {
  spec: storeSpec,
  create(decl: ActionDecl, moduleParams: Params, ctx: RuntimeContext): Action {
    const n = getParam(decl.params, 'name')?.value;
    const name = n !== undefined ? String(n) : `store@${decl.loc.file}:${decl.loc.line}`;
    return new StoreAction(name, storeOptions(decl, moduleParams, ctx.dataDir), ctx.logger);
  },
};

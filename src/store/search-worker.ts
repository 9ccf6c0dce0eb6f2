// Searches off the main thread: a worker thread holds a read-only SqliteStore over the writer's directory, so a
// heavy query never stalls ingest (better-sqlite3 is synchronous); a pool of them so a heavy query never starves a
// light one; a query past its deadline is stopped by terminating its worker (a fresh one starts for the next
// search). Writes, stats and retention stay with the writer.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { StoreError, type CompiledQueryInput, type RetentionResult, type SearchResult, type StoreBackend, type StoreStats, type StoredRow } from './backend';
import { QueryError, type QueryErrorCode } from './query/errors';
import { SqliteStore } from './sqlite';
import type { Scrape } from '../metrics/exposition';
import { Histogram } from '../metrics/histogram';

/** Default query deadline: well above any interactive query, well below the HTTP request timeout (30 s). */
export const DEFAULT_SEARCH_TIMEOUT_MS = 10_000;

interface Request { id: number; req: CompiledQueryInput }
type Reply =
  | { id: number; ok: true; result: SearchResult }
  | { id: number; ok: false; error: { name: string; code?: string; message: string; col?: number; query?: string } };

interface WorkerConfig { lwSearchWorker: true; path: string }

function isWorkerConfig(d: unknown): d is WorkerConfig {
  return typeof d === 'object' && d !== null && (d as WorkerConfig).lwSearchWorker === true;
}

/** Worker side: answer search requests one at a time. */
function serve(cfg: WorkerConfig): void {
  let store: SqliteStore | null = null;
  parentPort!.on('message', (m: Request) => {
    void (async (): Promise<void> => {
      try {
        store ??= new SqliteStore({ path: cfg.path, readonly: true });
        const result = await store.search(m.req);
        parentPort!.postMessage({ id: m.id, ok: true, result } satisfies Reply);
      } catch (e) {
        const err = e as Error & { code?: string; col?: number; query?: string };
        parentPort!.postMessage({ id: m.id, ok: false, error: { name: err.name, code: err.code, message: err.message, col: err.col, query: err.query } } satisfies Reply);
      }
    })();
  });
}

if (!isMainThread && isWorkerConfig(workerData)) serve(workerData);

function revive(e: Extract<Reply, { ok: false }>['error']): Error {
  if (e.name === 'QueryError' && e.col !== undefined && e.query !== undefined) {
    return new QueryError(e.code as QueryErrorCode, e.message.replace(/ at col \d+$/, ''), e.col, e.query);
  }
  return new StoreError(e.code ?? 'LW_ERR_STORE_READ', e.message);
}

export interface SearchPoolOptions {
  /** Worker threads (default 2): a heavy query holds one while the others answer light ones. */
  workers?: number;
  /** Deadline of one query from when a worker takes it (default 10 s). */
  timeoutMs?: number;
  /** Searches allowed to wait for a worker; beyond it a search is refused at once (HTTP 503). */
  queueLimit?: number;
}

export const DEFAULT_SEARCH_WORKERS = 2;
export const DEFAULT_SEARCH_QUEUE_LIMIT = 32;
/** How long a refused client should wait before it asks again (HTTP Retry-After). */
export const SEARCH_RETRY_AFTER_S = 1;

interface Job {
  id: number;
  req: CompiledQueryInput;
  resolve: (r: SearchResult) => void;
  reject: (e: Error) => void;
  enqueuedNs: bigint;
  timer: NodeJS.Timeout | null;
}

interface Slot {
  worker: Worker | null;
  job: Job | null;
}

/**
 * A StoreBackend whose searches run on a pool of worker threads; everything else goes to the writer. Each
 * worker runs one query at a time; queries wait in a bounded FIFO for a free worker. A query past its deadline
 * is stopped by terminating its worker, which the next query on that slot replaces.
 */
export class WorkerSearchBackend implements StoreBackend {
  private nextId = 1;
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private readonly timeoutMs: number;
  private readonly queueLimit: number;
  private closed = false;
  private readonly latency = new Map<string, Histogram>();
  private rejectedFull = 0;

  constructor(private readonly writer: StoreBackend, private readonly path: string, opts: number | SearchPoolOptions = {}) {
    const o = typeof opts === 'number' ? { timeoutMs: opts } : opts;
    this.timeoutMs = o.timeoutMs ?? DEFAULT_SEARCH_TIMEOUT_MS;
    this.queueLimit = o.queueLimit ?? DEFAULT_SEARCH_QUEUE_LIMIT;
    this.slots = Array.from({ length: Math.max(1, o.workers ?? DEFAULT_SEARCH_WORKERS) }, () => ({ worker: null, job: null }));
  }

  search(req: CompiledQueryInput): Promise<SearchResult> {
    if (this.closed) return Promise.reject(new StoreError('LW_ERR_STORE_READ', 'search backend closed'));
    const idle = this.slots.some((s) => s.job === null);
    if (!idle && this.queue.length >= this.queueLimit) {
      this.rejectedFull++;
      return Promise.reject(new StoreError('LW_ERR_SEARCH_BUSY', `${this.queue.length} searches are waiting for a worker; retry in ${SEARCH_RETRY_AFTER_S} s`));
    }
    return new Promise<SearchResult>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, req, resolve, reject, enqueuedNs: process.hrtime.bigint(), timer: null });
      this.pump();
    });
  }

  /** Pool numbers for the metrics registry (src/metrics/families.ts). */
  collect(s: Scrape): void {
    s.add('logwarden_search_workers', {}, this.slots.length);
    s.add('logwarden_search_queue_depth', {}, this.queue.length);
    s.add('logwarden_search_rejected_total', { reason: 'queue_full' }, this.rejectedFull);
    for (const [outcome, h] of this.latency) s.add('logwarden_search_duration_seconds', { outcome }, h.value());
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.job === null) this.run(slot, this.queue.shift()!);
    }
  }

  private run(slot: Slot, job: Job): void {
    const w = slot.worker ?? this.spawn(slot);
    slot.job = job;
    job.timer = setTimeout(() => {
      // The only way to stop a synchronous SQLite query: end its thread; the slot gets a new one when needed.
      slot.worker = null;
      void w.terminate();
      this.finish(slot, job, new StoreError('LW_ERR_QUERY_TIMEOUT', `query ran longer than ${this.timeoutMs} ms and was stopped; narrow it (time range, fields)`));
    }, this.timeoutMs);
    w.postMessage({ id: job.id, req: job.req } satisfies Request);
  }

  private finish(slot: Slot, job: Job, result: SearchResult | Error): void {
    if (slot.job !== job) return;
    slot.job = null;
    if (job.timer !== null) clearTimeout(job.timer);
    const outcome = !(result instanceof Error) ? 'ok'
      : result instanceof QueryError ? 'bad_query'
        : (result as StoreError).code === 'LW_ERR_QUERY_TIMEOUT' ? 'timeout' : 'error';
    let h = this.latency.get(outcome);
    if (h === undefined) this.latency.set(outcome, (h = new Histogram()));
    h.observe(Number(process.hrtime.bigint() - job.enqueuedNs) / 1e9);
    if (result instanceof Error) job.reject(result);
    else job.resolve(result);
    if (!this.closed) this.pump();
  }

  private spawn(slot: Slot): Worker {
    const w = new Worker(__filename, { workerData: { lwSearchWorker: true, path: this.path } satisfies WorkerConfig });
    w.unref();
    w.on('message', (r: Reply) => {
      const job = slot.job;
      if (slot.worker !== w || job === null || job.id !== r.id) return;
      this.finish(slot, job, r.ok ? r.result : revive(r.error));
    });
    const fail = (why: string): void => {
      if (slot.worker !== w) return; // replaced after a timeout: its job was already answered
      slot.worker = null;
      if (slot.job !== null) this.finish(slot, slot.job, new StoreError('LW_ERR_STORE_READ', `search worker ${why}`));
    };
    w.on('error', (e) => fail(`failed: ${e.message}`));
    w.on('exit', (code) => fail(`exited (${code})`));
    slot.worker = w;
    return w;
  }

  insert(batch: StoredRow[]): Promise<void> {
    return this.writer.insert(batch);
  }

  stats(): Promise<StoreStats> {
    return this.writer.stats();
  }

  applyRetention(): Promise<RetentionResult> {
    return this.writer.applyRetention();
  }

  /** Stops the workers (searches in flight or waiting fail); the writer is closed by its owner. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new StoreError('LW_ERR_STORE_READ', 'search backend closed'));
    await Promise.all(this.slots.map(async (slot) => {
      const w = slot.worker;
      slot.worker = null;
      if (slot.job !== null) this.finish(slot, slot.job, new StoreError('LW_ERR_STORE_READ', 'search backend closed'));
      if (w !== null) await w.terminate();
    }));
  }
}

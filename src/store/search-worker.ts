// Searches off the main thread: a worker thread holds a read-only SqliteStore over the writer's directory, so a
// heavy query never stalls ingest (better-sqlite3 is synchronous), and a query past its deadline is stopped by
// terminating the worker (a fresh one starts for the next search). Writes, stats and retention stay with the writer.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { StoreError, type CompiledQueryInput, type RetentionResult, type SearchResult, type StoreBackend, type StoreStats, type StoredRow } from './backend';
import { QueryError, type QueryErrorCode } from './query/errors';
import { SqliteStore } from './sqlite';

/** Default query deadline. */
export const DEFAULT_SEARCH_TIMEOUT_MS = 30_000;

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

/** A StoreBackend whose search runs in a worker; everything else goes to the writer. */
export class WorkerSearchBackend implements StoreBackend {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: SearchResult) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();

  constructor(private readonly writer: StoreBackend, private readonly path: string, private readonly timeoutMs = DEFAULT_SEARCH_TIMEOUT_MS) {}

  private spawn(): Worker {
    if (this.worker !== null) return this.worker;
    const w = new Worker(__filename, { workerData: { lwSearchWorker: true, path: this.path } satisfies WorkerConfig });
    w.unref();
    w.on('message', (r: Reply) => {
      const p = this.waiting.get(r.id);
      if (p === undefined) return;
      this.waiting.delete(r.id);
      clearTimeout(p.timer);
      if (r.ok) p.resolve(r.result);
      else p.reject(revive(r.error));
    });
    const fail = (why: string): void => {
      if (this.worker === w) this.worker = null;
      for (const [id, p] of this.waiting) {
        clearTimeout(p.timer);
        p.reject(new StoreError('LW_ERR_STORE_READ', `search worker ${why}`));
        this.waiting.delete(id);
      }
    };
    w.on('error', (e) => fail(`failed: ${e.message}`));
    w.on('exit', (code) => fail(`exited (${code})`));
    this.worker = w;
    return w;
  }

  search(req: CompiledQueryInput): Promise<SearchResult> {
    const w = this.spawn();
    const id = this.nextId++;
    return new Promise<SearchResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new StoreError('LW_ERR_QUERY_TIMEOUT', `query ran longer than ${this.timeoutMs} ms and was stopped; narrow it (time range, fields)`));
        // The only way to stop a synchronous SQLite query: end its thread. Others in flight fail with it.
        if (this.worker === w) this.worker = null;
        void w.terminate();
      }, this.timeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
      w.postMessage({ id, req } satisfies Request);
    });
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

  /** Stops the worker; the writer is closed by its owner. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w !== null) await w.terminate();
  }
}

// The SQLite store's writer on its own thread. better-sqlite3 is synchronous: on the main thread every insert
// (FTS5 included) stalls TLS, framing and parsing, so ingest was the sum of both. Here a worker thread owns the
// writable SqliteStore and the main thread only converts messages and posts columnar batches
// (encoded-rows.ts), so the two run on two cores. An insert resolves after the worker committed it and rejects
// with the code the SqliteStore threw (LW_ERR_STORE_BUSY, ...), so the action queue's retry and backpressure
// work as before. A worker that dies fails what is in flight (LW_ERR_STORE_WRITE, the queue retries) and the
// next request starts a fresh one.
import {
  isMainThread, parentPort, receiveMessageOnPort, Worker, workerData, type MessagePort, type TransferListItem,
} from 'node:worker_threads';
import type { Level, Logger } from '../log';
import {
  StoreError, type CompiledQueryInput, type RetentionResult, type SearchResult, type StoreBackend, type StoreStats,
  type StoredRow,
} from './backend';
import type { Message } from '../message';
import { concatDecoded, decodeRows, encodeMessages, encodeRows, NUM_COLUMNS, N_TS_RECEIVED, TEXT_COLUMNS, transferList, type DecodedRows, type EncodedRows } from './encoded-rows';
import { DAY_US } from './sqlite-partition';
import { SqliteStore } from './sqlite';

/** SqliteStoreOptions that can cross to the worker (no logger, no clock function: the worker has its own). */
export interface WorkerStoreOptions {
  path: string;
  retentionDays?: number;
  retentionMaxBytes?: number;
  firstWindow?: number;
}

export interface WorkerStoreWriterOptions extends WorkerStoreOptions {
  /** Receives the worker's log lines (e.g. LW_STORE_RETENTION). */
  logger?: Logger;
}

type Request =
  /**
   * `chain` > 0 ties the inserts of one delivery together: once one fails, the later ones of its chain fail
   * too without running (so what is committed is always a prefix), and queued inserts of one chain and one
   * day may share a transaction of at most `maxRows`. `day` is the UTC day of every row, or -1 when mixed.
   */
  | { id: number; op: 'insert'; rows: EncodedRows; chain: number; day: number; maxRows: number }
  /**
   * Like insert, but the thread retries a failure itself (with backoff) until the rows commit, and only then
   * replies: the store action's path, where the thread is the store's own queue stage (see append()).
   */
  | { id: number; op: 'append'; rows: EncodedRows; day: number; maxRows: number }
  | { id: number; op: 'stats' }
  | { id: number; op: 'retention' }
  | { id: number; op: 'close' };
/** A request before request() numbers it (distributes over the union, which Omit alone would flatten). */
type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;

type Reply =
  | { kind: 'reply'; id: number; ok: true; result: unknown }
  | { kind: 'reply'; id: number; ok: false; code: string; message: string }
  | { kind: 'log'; level: Level; code: string; message: string; fields?: Record<string, unknown> };

interface WorkerConfig { lwStoreWriter: true; opts: WorkerStoreOptions }

function isWorkerConfig(d: unknown): d is WorkerConfig {
  return typeof d === 'object' && d !== null && (d as WorkerConfig).lwStoreWriter === true;
}

// ---- worker side ----

/** A Logger whose lines go to the main thread's logger. */
function forwardingLogger(port: MessagePort): Logger {
  const log = (level: Level, code: string, message: string, fields?: Record<string, unknown>): void => {
    try {
      port.postMessage({ kind: 'log', level, code, message, fields } satisfies Reply);
    } catch {
      // A field that cannot be cloned: send the line with its fields as JSON text.
      port.postMessage({ kind: 'log', level, code, message, fields: { fields: JSON.stringify(fields) } } satisfies Reply);
    }
  };
  return {
    log,
    debug: (c, m, f) => log('debug', c, m, f),
    info: (c, m, f) => log('info', c, m, f),
    notice: (c, m, f) => log('notice', c, m, f),
    warn: (c, m, f) => log('warn', c, m, f),
    error: (c, m, f) => log('error', c, m, f),
  };
}

type InsertRequest = Extract<Request, { op: 'insert' }>;
type AppendRequest = Extract<Request, { op: 'append' }>;

/** Whether `next` may join the transaction of an append group (same day, within the size limit). */
function appendJoins(group: AppendRequest[], rows: number, next: Request | undefined): next is AppendRequest {
  const first = group[0]!;
  return next !== undefined && next.op === 'append' && first.day >= 0 && next.day === first.day && rows + next.rows.count <= first.maxRows;
}

/** `first` and the queued requests right behind it that may share its transaction. */
function takeGroup<T extends InsertRequest | AppendRequest>(first: T, queue: Request[],
  canJoin: (group: T[], rows: number, next: Request | undefined) => next is T): T[] {
  const group = [first];
  let rows = first.rows.count;
  while (canJoin(group, rows, queue[0])) {
    const next = queue.shift() as T;
    group.push(next);
    rows += next.rows.count;
  }
  return group;
}

/** Retry delays of a failing append: from the first to the longest, doubling. */
const APPEND_RETRY_FIRST_MS = 100;
const APPEND_RETRY_MAX_MS = 5_000;

/** Whether `next` may join the transaction of `group` (same chain and day, within the size limit). */
function joins(group: InsertRequest[], rows: number, next: Request | undefined): next is InsertRequest {
  const first = group[0]!;
  return next !== undefined && next.op === 'insert' && first.chain > 0 && next.chain === first.chain && first.day >= 0
    && next.day === first.day && rows + next.rows.count <= first.maxRows;
}

/**
 * Worker side: one SqliteStore (opened on first use, so a failed open is retried by the next request), requests
 * answered in order. While a transaction runs, the main thread keeps posting: what queued up meanwhile is taken
 * at once (receiveMessageOnPort) so consecutive inserts of a delivery commit together, in big transactions.
 */
function serve(cfg: WorkerConfig): void {
  const port = parentPort!;
  const logger = forwardingLogger(port);
  let store: SqliteStore | null = null;
  const queue: Request[] = [];
  let running = false;
  /** The chain whose insert failed last, and why (its later inserts fail the same way). */
  let failed: { chain: number; code: string; message: string } | null = null;

  const reply = (id: number, result: unknown): void => port.postMessage({ kind: 'reply', id, ok: true, result } satisfies Reply);
  const replyError = (id: number, e: unknown): void => {
    const err = e as Error & { code?: string };
    // Only store codes cross as they are; anything else (a bug) is a failed write, which the queue retries.
    const code = typeof err.code === 'string' && err.code.startsWith('LW_ERR_') ? err.code : 'LW_ERR_STORE_WRITE';
    port.postMessage({ kind: 'reply', id, ok: false, code, message: String(err.message ?? err) } satisfies Reply);
  };
  const open = (): SqliteStore => (store ??= new SqliteStore({ ...cfg.opts, readonly: false, logger }));

  const insert = (group: InsertRequest[]): void => {
    const chain = group[0]!.chain;
    if (chain > 0 && failed?.chain === chain) {
      for (const m of group) replyError(m.id, failed);
      return;
    }
    try {
      open().insertEncoded(concatDecoded(group.map((m) => decodeRows(m.rows))));
    } catch (e) {
      const err = e as Error & { code?: string };
      if (chain > 0) failed = { chain, code: err.code ?? 'LW_ERR_STORE_WRITE', message: `an earlier insert of this delivery failed: ${err.message}` };
      for (const m of group) replyError(m.id, e);
      return;
    }
    for (const m of group) reply(m.id, undefined);
  };

  let retryDelay = APPEND_RETRY_FIRST_MS;
  /** A failed append waits for its retry timer: new requests queue up behind it meanwhile. */
  let backingOff = false;
  /** The rows of a failed append group not committed yet, retried before anything else (order is kept). */
  let leftover: { rows: DecodedRows; group: AppendRequest[] } | null = null;

  /**
   * Rows the store refuses (LW_ERR_STORE_ROW: too big, a constraint): commit the rest, halving the range until
   * each refused row is alone, and drop those (logged; the action resolved at handover, so they cannot be
   * reported to the queue). Returns the rows still to commit after another failure, or null when done.
   */
  const isolate = (rows: DecodedRows): DecodedRows | null => {
    const slice = (lo: number, hi: number): DecodedRows => ({
      count: hi - lo, nums: rows.nums.subarray(lo * NUM_COLUMNS, hi * NUM_COLUMNS), texts: rows.texts.slice(lo * TEXT_COLUMNS, hi * TEXT_COLUMNS),
    });
    const ranges: Array<[number, number]> = [[0, rows.count]];
    let dropped = 0;
    let why = '';
    try {
      while (ranges.length > 0) {
        const [lo, hi] = ranges[0]!;
        try {
          open().insertEncoded(slice(lo, hi));
        } catch (e) {
          if ((e as { code?: string }).code !== 'LW_ERR_STORE_ROW') throw e;
          ranges.shift();
          if (hi - lo === 1) { dropped++; why = (e as Error).message; continue; }
          const mid = lo + ((hi - lo) >> 1);
          ranges.unshift([lo, mid], [mid, hi]);
          continue;
        }
        ranges.shift();
      }
      return null;
    } catch {
      return concatDecoded(ranges.map(([lo, hi]) => slice(lo, hi)));
    } finally {
      if (dropped > 0) logger.warn('LW_WARN_STORE_ROW_DROPPED', 'the store refused rows for their content; they are dropped, the others kept', { rows: dropped, error: why });
    }
  };

  /** Commit an append group's rows; false (after logging) when what is left must be retried. */
  const commitAppend = (rows: DecodedRows, group: AppendRequest[]): boolean => {
    try {
      open().insertEncoded(rows);
    } catch (e) {
      const err = e as Error & { code?: string };
      const rest = err.code === 'LW_ERR_STORE_ROW' ? isolate(rows) : rows;
      if (rest !== null) {
        leftover = { rows: rest, group };
        if (retryDelay === APPEND_RETRY_FIRST_MS) {
          logger.warn('LW_WARN_STORE_RETRY', 'store insert failed; the writer keeps the rows and retries', {
            rows: rest.count, code: err.code ?? 'LW_ERR_STORE_WRITE', error: err.message,
          });
        }
        return false;
      }
    }
    leftover = null;
    if (retryDelay !== APPEND_RETRY_FIRST_MS) logger.info('LW_STORE_RESUMED', 'store inserts succeed again');
    retryDelay = APPEND_RETRY_FIRST_MS;
    for (const m of group) reply(m.id, undefined);
    return true;
  };
  const append = (group: AppendRequest[]): boolean => commitAppend(concatDecoded(group.map((m) => decodeRows(m.rows))), group);

  const other = async (m: Exclude<Request, InsertRequest | AppendRequest>): Promise<void> => {
    try {
      if (m.op === 'close') {
        await store?.close();
        store = null;
        reply(m.id, undefined);
      } else reply(m.id, m.op === 'stats' ? await open().stats() : await open().applyRetention());
    } catch (e) {
      replyError(m.id, e);
    }
  };

  const pump = async (): Promise<void> => {
    running = true;
    try {
      for (;;) {
        for (let x = receiveMessageOnPort(port); x !== undefined; x = receiveMessageOnPort(port)) queue.push(x.message as Request);
        const retry = leftover;
        const m = retry === null ? queue.shift() : undefined;
        if (retry === null && m === undefined) break;
        if (retry !== null || m!.op === 'append') {
          // a failed group's uncommitted rows are retried first: the order of rows is kept
          const ok = retry !== null ? commitAppend(retry.rows, retry.group) : append(takeGroup(m as AppendRequest, queue, appendJoins));
          if (!ok) {
            backingOff = true;
            setTimeout(() => { backingOff = false; if (!running) void pump(); }, retryDelay);
            retryDelay = Math.min(retryDelay * 2, APPEND_RETRY_MAX_MS);
            break;
          }
          continue;
        }
        if (m!.op !== 'insert') {
          await other(m as Exclude<Request, InsertRequest | AppendRequest>);
          continue;
        }
        insert(takeGroup(m as InsertRequest, queue, joins));
      }
    } finally {
      running = false;
    }
  };

  port.on('message', (m: Request) => {
    queue.push(m);
    if (!running && !backingOff) void pump();
  });
}

if (!isMainThread && isWorkerConfig(workerData)) serve(workerData);

// ---- main side ----

/** The chain of a lone insert: never joined with others, a failure does not affect later inserts. */
const NO_CHAIN = 0;

/** The UTC day of every row of the batch, or -1 when it spans several. */
function dayOf(e: EncodedRows): number {
  let day = -1;
  for (let i = 0; i < e.count; i++) {
    const d = Math.floor(e.nums[i * NUM_COLUMNS + N_TS_RECEIVED]! / DAY_US);
    if (day >= 0 && d !== day) return -1;
    day = d;
  }
  return day;
}

/** Young generation of the writer thread's heap, MB (Worker resourceLimits). */
const STORE_WRITER_YOUNG_GEN_MB = 24;
/** Rows a store action may have in flight in the writer thread before append() waits. */
const MAX_APPENDED_ROWS = 20_000;
/** Rows in flight beyond which appendMessages extracts fields on the calling thread (the writer is behind). */
const EXTRACT_HERE_ROWS = 5_000;
/** Pause before a new thread takes over the rows of one that died. */
const RESPAWN_DELAY_MS = 200;
/** How long close() waits for appended rows to commit. */
const CLOSE_FLUSH_MS = 10_000;

/**
 * Rows handed to append(), kept until committed in their encoded form (posted as a copy, not transferred, so a
 * new thread can get them again after a death): the messages themselves are not held meanwhile.
 */
interface Appended {
  rows: EncodedRows;
  maxRows: number;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  done: Promise<unknown>;
}

/** A StoreBackend whose inserts, stats and retention run in a worker thread. It does not search. */
export class WorkerStoreWriter implements StoreBackend {
  private readonly opts: WorkerStoreOptions;
  private readonly logger: Logger | undefined;
  private worker: Worker | null = null;
  private nextId = 1;
  private nextChain = NO_CHAIN + 1;
  private readonly waiting = new Map<number, Pending>();
  private closed = false;
  private closing: Promise<number> | null = null;
  /** Appended rows not yet committed, in posting order (a Set keeps insertion order). */
  private readonly appended = new Set<Appended>();
  private appendedRows = 0;
  private roomWaiters: Array<() => void> = [];
  private flushWaiters: Array<() => void> = [];

  constructor(opts: WorkerStoreWriterOptions) {
    const { logger, ...rest } = opts;
    this.opts = rest;
    this.logger = logger;
  }

  private spawn(): Worker {
    if (this.worker !== null) return this.worker;
    const w = new Worker(__filename, {
      workerData: { lwStoreWriter: true, opts: this.opts } satisfies WorkerConfig,
      // A young generation of 24 MB (8 MB semi-spaces) instead of V8's 48: the thread's garbage is rows
      // decoded for one transaction, short-lived; ~30 MB less peak RSS at the same rate (bench/README.md "store").
      resourceLimits: { maxYoungGenerationSizeMb: STORE_WRITER_YOUNG_GEN_MB },
    });
    // Idle, the thread must not keep the process alive; request() refs it while an answer is awaited.
    w.unref();
    w.on('message', (m: Reply) => this.onMessage(m));
    w.on('error', (e) => this.onDeath(w, `failed: ${e.message}`));
    w.on('exit', (code) => this.onDeath(w, `exited with code ${code}`));
    // A reply that cannot be deserialized would leave its caller waiting forever: treat it as a dead thread.
    w.on('messageerror', () => void w.terminate());
    this.worker = w;
    return w;
  }

  private onMessage(m: Reply): void {
    if (m.kind === 'log') {
      this.logger?.log(m.level, m.code, m.message, m.fields);
      return;
    }
    const p = this.waiting.get(m.id);
    if (p === undefined) return;
    this.settled(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new StoreError(m.code, m.message));
  }

  private settled(id: number): void {
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.worker?.unref();
  }

  /**
   * The thread ended without close(): fail everything in flight (an insert only resolves after its commit, so
   * nothing acknowledged is lost; a batch that committed just before the death is written again on retry).
   */
  private onDeath(w: Worker, why: string): void {
    if (this.worker !== w) return; // stopped on purpose, or already handled ('error' is followed by 'exit')
    this.worker = null;
    this.logger?.warn('LW_WARN_STORE_WRITER', `store writer thread ${why}; a new one starts with the next batch`,
      { path: this.opts.path, pending: this.waiting.size });
    for (const [id, p] of this.waiting) {
      this.waiting.delete(id);
      p.reject(new StoreError('LW_ERR_STORE_WRITE', `store writer thread ${why}`));
    }
    // Appended rows are ours until committed: hand them to a new thread, in order (after a pause, so rows that
    // crash the thread cannot make a hot loop). A row committed just before the death is written again.
    if (this.appended.size > 0 && !this.closed) {
      const again = setTimeout(() => { for (const e of this.appended) this.postAppend(e); }, RESPAWN_DELAY_MS);
      again.unref();
    }
  }

  private request<T>(req: Unnumbered<Request>, transfer?: TransferListItem[]): Promise<T> {
    const w = this.spawn();
    const id = this.nextId++;
    let resolve!: (v: unknown) => void;
    let reject!: (e: Error) => void;
    const done = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.waiting.set(id, { resolve, reject, done });
    w.ref();
    w.postMessage({ ...req, id } as Request, transfer);
    return done as Promise<T>;
  }

  async insert(batch: StoredRow[]): Promise<void> {
    return this.insertChained(batch, NO_CHAIN, 0);
  }

  /**
   * Hand rows to the writer thread, which commits them in order, retrying failures itself until they commit.
   * Resolves as soon as the rows in flight are at most MAX_APPENDED_ROWS (backpressure: the caller waits while
   * the thread is behind), not on commit: the thread is the store's own queue stage, so the action queue moves
   * on while it commits. Rows in flight stay here until committed; a thread that dies gets them re-posted by
   * its successor, in order. flush() waits for all of them.
   */
  async append(rows: StoredRow[], maxRows: number): Promise<void> {
    if (this.closed) throw new StoreError('LW_ERR_STORE_CLOSED', 'store is closed');
    // One day per append: a retried append is one transaction, so it can never re-commit part of itself.
    for (let at = 0; at < rows.length;) {
      const day = Math.floor(rows[at]!.tsReceived / DAY_US);
      let end = at + 1;
      while (end < rows.length && Math.floor(rows[end]!.tsReceived / DAY_US) === day) end++;
      const part = at === 0 && end === rows.length ? rows : rows.slice(at, end);
      this.handOver({ rows: encodeRows(part), maxRows });
      at = end;
    }
    await this.room();
  }

  /**
   * append() for messages (the store action): they are converted as toStoredRow would, straight into the
   * batch form (encodeMessages). Field extraction, the largest part of the conversion, runs on whichever
   * thread has room: on the writer thread while it keeps up (the main thread, which also reads and parses, is
   * then the slower one), here once more than EXTRACT_HERE_ROWS rows wait for the writer. The caller gives
   * messages msgs[from, to) of one UTC day (timegenerated); they are encoded before this returns.
   */
  async appendMessages(msgs: readonly Message[], from: number, to: number, keepRaw: boolean, maxRows: number): Promise<void> {
    if (this.closed) throw new StoreError('LW_ERR_STORE_CLOSED', 'store is closed');
    if (to <= from) return;
    const extractHere = this.appendedRows > EXTRACT_HERE_ROWS;
    this.handOver({ rows: encodeMessages(msgs, from, to, keepRaw, extractHere), maxRows });
    await this.room();
  }

  private handOver(entry: Appended): void {
    this.appended.add(entry);
    this.appendedRows += entry.rows.count;
    this.postAppend(entry);
  }

  /** Backpressure: waits while more than MAX_APPENDED_ROWS rows are in flight. */
  private async room(): Promise<void> {
    while (this.appendedRows > MAX_APPENDED_ROWS) await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
  }

  private postAppend(entry: Appended): void {
    const enc = entry.rows;
    this.request<void>({ op: 'append', rows: enc, day: dayOf(enc), maxRows: entry.maxRows }).then(() => {
      if (!this.appended.delete(entry)) return;
      this.appendedRows -= entry.rows.count;
      this.wakeAppenders();
    }, () => {
      // The thread died: onDeath re-posts every entry still in `appended`.
    });
  }

  private wakeAppenders(): void {
    if (this.appendedRows <= MAX_APPENDED_ROWS) for (const w of this.roomWaiters.splice(0)) w();
    if (this.appendedRows === 0) for (const w of this.flushWaiters.splice(0)) w();
  }

  /** Resolves when every appended row has committed, or after timeoutMs; the rows still in flight. */
  async flush(timeoutMs: number): Promise<number> {
    if (this.appendedRows === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.flushWaiters.push(resolve)),
      new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); }),
    ]);
    clearTimeout(timer);
    return this.appendedRows;
  }

  /** A number for insertChained: one per delivery. */
  newChain(): number {
    return this.nextChain++;
  }

  /**
   * insert() as part of a delivery: the caller may post several without awaiting (the worker commits them in
   * order, queued ones of one day together up to `maxRows` per transaction). Once one fails, the later ones of
   * the same chain fail too, so what is committed is always a prefix of what was posted.
   */
  async insertChained(batch: StoredRow[], chain: number, maxRows: number): Promise<void> {
    if (this.closed) throw new StoreError('LW_ERR_STORE_CLOSED', 'store is closed');
    if (batch.length === 0) return;
    const rows = encodeRows(batch);
    await this.request<void>({ op: 'insert', rows, chain, day: dayOf(rows), maxRows }, transferList(rows));
  }

  async search(_q: CompiledQueryInput): Promise<SearchResult> {
    throw new StoreError('LW_ERR_STORE_READ', 'the store writer does not search (searches run in WorkerSearchBackend)');
  }

  async stats(): Promise<StoreStats> {
    if (this.closed) throw new StoreError('LW_ERR_STORE_CLOSED', 'store is closed');
    return this.request<StoreStats>({ op: 'stats' });
  }

  async applyRetention(): Promise<RetentionResult> {
    if (this.closed) return { dropped: [] };
    return this.request<RetentionResult>({ op: 'retention' });
  }

  /**
   * Waits for the requests in flight, closes the store in the worker and ends the thread. Resolves with the
   * number of rows handed over that could not be committed in time (also logged), for the stop summary.
   */
  close(): Promise<number> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<number> {
    this.closed = true;
    const left = await this.flush(CLOSE_FLUSH_MS);
    if (left > 0) {
      this.logger?.error('LW_ERR_STORE_ABANDONED', 'shutdown: rows handed to the store writer were not committed', { path: this.opts.path, rows: left });
      for (const w of this.flushWaiters.splice(0)) w();
      const w = this.worker;
      this.worker = null;
      if (w !== null) await w.terminate();
      return left;
    }
    await Promise.allSettled([...this.waiting.values()].map((p) => p.done));
    if (this.worker === null) return 0; // never started, or died: its SQLite handles went with the thread
    try {
      await this.request<void>({ op: 'close' });
    } catch (e) {
      this.logger?.warn('LW_WARN_STORE_WRITER', 'store writer thread failed to close the store', { path: this.opts.path, error: (e as Error).message });
    }
    const w = this.worker;
    this.worker = null;
    if (w !== null) await w.terminate();
    return 0;
  }

  /** Ends the thread abruptly, as a crash would (tests): requests in flight reject with LW_ERR_STORE_WRITE. */
  async crashForTesting(): Promise<void> {
    await this.worker?.terminate();
  }
}

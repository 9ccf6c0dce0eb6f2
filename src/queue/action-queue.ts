// The queue stage between rules and an action (docs/queues.md). One per action, so one action's trouble never
// stalls another:
//
//   push ──► memory ring ─────────────┐
//      └──► spill buffer ──► disk segments ─┴──► deliver(batch) ──► action
//
// - memory: a ring; above highWatermark messages or memHighWatermarkBytes of estimated memory (queued and in
//   flight) the queue reports congestion (pausable inputs wait).
// - disk-assisted: memory first; once the ring reaches highWatermark, new messages are encoded and appended to
//   disk segments (src/queue/disk/) until the disk part is empty again. Memory holds the older messages, disk
//   the newer, so delivering memory first, then disk, keeps the order. Congestion only when the disk is full.
// - disk: every message goes through the segments.
//
// Delivery keeps one batch in flight. The action's report says which messages were poison (counted, written to
// action.errorFile, logged rate-limited, never retried) and, on failure, how far the batch got (DeliveryFailure
// .done): only the rest is retried, after a backoff, so nothing delivered is delivered again. A batch read from
// disk is acknowledged there only once delivered: a crash re-delivers it (at-least-once), never loses it.
import { DeliveryFailure, type Action, type DeliveryReport, type Rejection } from '../actions/action';
import type { Logger } from '../log';
import type { Message } from '../message';
import { FramedEncoder, decodeMessage, type FramedChunk } from './codec';
import { CountWaiters } from './count-waiters';
import { DiskQueue } from './disk/disk-queue';
import { HDR } from './disk/format';
import { writeBuffer } from './disk/writer';
import { ErrorFile } from './error-file';
import type { QueueOptions } from './options';
import { Ring } from './ring';

export { DEFAULT_QUEUE_OPTIONS, type QueueOptions } from './options';

/**
 * An idle queue holding this many messages starts delivering at once instead of at the end of the event-loop
 * turn: one turn can read ~8k messages, and held that long they survive a scavenge (TLS bench, 200k msgs:
 * delivering every 512 instead of every turn cut wall time 660 → ~600 ms and GC time by half).
 */
const EAGER_DELIVERY_AT = 512;
/** Spilled messages are appended to disk in groups of at most this many (one write each). */
const SPILL_FLUSH_AT = 1024;
/**
 * Upper bound on the bytes of one batch read back from disk (an action may ask for another: Action.diskBatchBytes).
 * Every message of such a batch is decoded at once and lives until the batch is delivered, so its size is the
 * young generation's survivors: with 16 MiB (~16,000 messages) a forward draining its disk part spent ~40 % of
 * the main thread in GC, and a 400,000-message drain took ~2× as long as with 256 KiB (bench/forward-hiccup.sh).
 */
const DISK_BATCH_BYTES = 256 * 1024;
/**
 * When the writer thread holds queue.writeBacklogBytes unwritten (a disk slower than the input), new spills
 * wait in memory, and past BACKLOG_PAUSE_AT of those the queue is congested (inputs that can wait are paused)
 * until the writer catches up. Without it a slow disk would grow the process without bound.
 */
const BACKLOG_PAUSE_AT = 16 * 1024;
/**
 * What a queued message costs beyond its frame, for the memory queue's byte bound: the Message object and its
 * parsed strings. Measured: 250-byte RFC 5424 frames, ~16k queued, ~1 KB of heap each after a full GC.
 */
export const MESSAGE_OVERHEAD_BYTES = 768;
/** Interval between repeated error lines of one kind (queue full, poison, discards). */
const LOG_INTERVAL_MS = 10_000;

/** Every counter of one queue; the metrics registry and /api/stats read these. */
export interface QueueStats {
  /** Messages accepted into the queue (memory or disk). */
  enqueued: number;
  /** Messages the action confirmed. */
  delivered: number;
  /** Failed delivery attempts (each is followed by a backoff). */
  retries: number;
  /** Refused because the queue (memory, or disk at maxDiskSpace) was full. */
  refused: number;
  /** Discarded by policy: queue.discardMark / queue.discardSeverity. */
  discarded: number;
  /** Refused for good by the action (per-message errors), not retried. */
  poisoned: number;
  /** Given up after action.resumeRetryCount retries. */
  gaveUp: number;
  /** Messages written to the disk part. */
  spilled: number;
  /** Records found damaged when the disk part was opened. */
  lostAtRecovery: number;
  /** Messages in memory now (gauge). */
  size: number;
  /** Largest memory size reached. */
  peak: number;
  /** Records on disk now (gauge), including those waiting to be written. */
  diskSize: number;
  /** Bytes of the disk segments (gauge). */
  diskBytes: number;
  /** Age of the oldest queued message in ms, 0 when empty (gauge). */
  oldestAgeMs: number;
}

export interface CloseResult {
  /** Accepted messages neither delivered nor saved: lost with this stop (each one also logged). */
  undelivered: number;
  /** Messages left on disk for the next start (disk-backed queues). */
  saved: number;
}

export class ActionQueue {
  readonly action: Action;
  readonly stats: QueueStats = {
    enqueued: 0, delivered: 0, retries: 0, refused: 0, discarded: 0, poisoned: 0, gaveUp: 0, spilled: 0,
    lostAtRecovery: 0, size: 0, peak: 0, diskSize: 0, diskBytes: 0, oldestAgeMs: 0,
  };
  private readonly mem = new Ring<Message>();
  private readonly opts: QueueOptions;
  private readonly logger: Logger;
  private readonly onCongestionChange: (queue: ActionQueue) => void;
  private disk: DiskQueue | null = null;
  private readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;
  /**
   * Messages waiting to be appended to disk (newer than everything on disk), encoded as they are queued straight
   * into write buffers (codec.ts FramedEncoder): one copy per message, made while it is still in the CPU cache.
   * `unwritten`: chunks taken from the encoder that the disk did not take yet (maxDiskSpace), older than the
   * encoder's. `spillCount` counts the messages of both.
   */
  private readonly spill = new FramedEncoder(HDR, writeBuffer);
  private unwritten: FramedChunk[] = [];
  private spillCount = 0;
  private diskFull = false;
  /** The last spill failed (the disk part could not be written): the spill waits in memory for diskRetryTimer. */
  private diskFailing = false;
  private diskRetryTimer: NodeJS.Timeout | null = null;
  private diskRetryDelay: number;
  /** The writer thread is WRITE_BACKLOG_BYTES behind and BACKLOG_PAUSE_AT messages wait to be spilled. */
  private backlogged = false;
  private readonly errorFile: ErrorFile | null;
  private running = false;
  private scheduled = false;
  private closed = false;
  private congestedFlag = false;
  private suspendedFlag = false;
  private attempts = 0;
  private retryDelay: number;
  private retryTimer: NodeJS.Timeout | null = null;
  private inflight: Message[] | null = null;
  private inflightFromDisk = false;
  private readonly lastLog = new Map<string, number>();
  private idleWaiters: Array<() => void> = [];
  /** Messages ever put in the memory ring, and those of them finished (delivered, poison, given up, saved). */
  private memPushed = 0;
  private memDone = 0;
  /** Estimated memory (frame + MESSAGE_OVERHEAD_BYTES each) of the messages pushed into the ring and not yet finished (queued or in flight). */
  private memBytes = 0;
  private readonly settleWaiters = new CountWaiters();
  /** settle() calls waiting until stats.spilled reaches `target` (their spills handed to the disk part). */
  private readonly spillWaiters = new CountWaiters();
  private suspendWaiters: Array<() => void> = [];
  private readonly pumpBound: () => void;

  /**
   * `after`: a disk-backed queue opens its segments only once this settles: on reload, the old graph's queue
   * for the same file closes (saving what it holds) before the new one takes the file over. Until then new
   * messages wait in memory.
   */
  constructor(action: Action, opts: QueueOptions, logger: Logger, onCongestionChange: (queue: ActionQueue) => void, after?: Promise<unknown>) {
    this.action = action;
    this.opts = opts;
    this.logger = logger;
    this.onCongestionChange = onCongestionChange;
    this.retryDelay = opts.retryInitialMs;
    this.diskRetryDelay = opts.retryInitialMs;
    this.pumpBound = () => { this.scheduled = false; this.runPump(); };
    this.errorFile = opts.errorFile ? new ErrorFile(opts.errorFile, action.name, logger) : null;
    this.closedPromise = new Promise((resolve) => { this.resolveClosed = resolve; });
    if (opts.kind === 'memory') return;
    if (after) {
      void after.then(() => this.openDisk(true), () => this.openDisk(true));
    } else this.openDisk(false);
  }

  private openDisk(afterReload: boolean): void {
    if (this.closed) return;
    const o = this.opts;
    try {
      this.disk = DiskQueue.open({
        dir: o.spoolDirectory, name: o.fileName, maxFileSize: o.maxFileSize, maxDiskSpace: o.maxDiskSpace,
        checkpointInterval: o.checkpointInterval, syncQueueFiles: o.syncQueueFiles, logger: this.logger,
        // CRC + write on the writer thread when nothing promises a record on disk at append time; settle()
        // and close() wait for it.
        writeBehind: o.checkpointInterval === 0 && !o.syncQueueFiles,
        onWritten: () => {
          if (this.spillCount > 0 && !this.closed) this.flushSpill(); // what waited for a write backlog
          this.schedule();
        },
      });
    } catch (err) {
      // A first start fails (the error names the directory); after a reload, keep working as a memory queue
      // rather than losing messages.
      if (!afterReload) throw err;
      this.logger.error('LW_ERR_QUEUE_DISK_OPEN', 'cannot open the disk queue; this action queues in memory only', {
        action: this.action.name, dir: o.spoolDirectory, name: o.fileName, error: (err as Error).message,
      });
      return;
    }
    this.stats.lostAtRecovery = this.disk.stats.lostAtRecovery;
    if (this.disk.length > 0) {
      this.logger.info('LW_INFO_QUEUE_RESUMED', 'disk queue holds messages from an earlier run; delivering them', {
        action: this.action.name, records: this.disk.length, bytes: this.disk.bytes,
      });
      this.schedule();
    }
  }

  /** Resolves when close() has finished (the disk files are released). */
  whenClosed(): Promise<void> {
    return this.closedPromise;
  }

  /** Messages in memory. */
  get size(): number {
    return this.mem.length;
  }

  /** Messages queued anywhere: memory, waiting to be spilled, on disk. */
  get total(): number {
    return this.mem.length + this.spillCount + (this.disk?.length ?? 0);
  }

  get congested(): boolean {
    return this.congestedFlag;
  }

  /** True while the action is failing and the queue waits to retry (rsyslog's "action suspended"). */
  get suspended(): boolean {
    return this.suspendedFlag;
  }

  get options(): Readonly<QueueOptions> {
    return this.opts;
  }

  /** Counters with the gauges brought up to date. */
  snapshot(): QueueStats {
    const s = this.stats;
    s.size = this.mem.length;
    s.diskSize = (this.disk?.length ?? 0) + this.spillCount;
    s.diskBytes = this.disk?.bytes ?? 0;
    let oldest = Infinity;
    if (this.inflight && this.inflight.length > 0 && !this.inflightFromDisk) oldest = this.inflight[0].timegenerated.toEpochMs();
    else if (this.mem.length > 0) oldest = this.mem.peekFirst()!.timegenerated.toEpochMs();
    const diskOldest = this.disk?.oldestAppendedAt ?? null;
    if (diskOldest !== null && diskOldest < oldest) oldest = diskOldest;
    s.oldestAgeMs = oldest === Infinity ? 0 : Math.max(0, Date.now() - oldest);
    return { ...s };
  }

  /**
   * Enqueue one message. Delivery starts on the next turn of the event loop, so a read's messages batch, or
   * at once when an idle queue already holds EAGER_DELIVERY_AT messages.
   */
  push(msg: Message): void {
    const o = this.opts;
    if (o.discardMark > 0 && msg.severity >= o.discardSeverity && this.total >= o.discardMark) {
      this.stats.discarded++;
      this.logRare('LW_WARN_QUEUE_DISCARD', 'warn', 'queue above queue.discardMark: messages of low severity discarded', {
        action: this.action.name, discardedTotal: this.stats.discarded, discardMark: o.discardMark, discardSeverity: o.discardSeverity,
      });
      return;
    }
    // To disk: always (Disk), behind what is already there (order), above the high-water mark, and while the
    // action is suspended: memory would only hold what cannot be delivered before the next retry, where a
    // scavenge copies it twice and a crash loses it (queue isolation bench: the 10,000 held beside a forward
    // that is down cost ~20-30 ms of GC in a 400,000-message run).
    if (this.disk && (o.kind === 'disk' || this.suspendedFlag || this.spillCount > 0 || this.disk.length > 0 || this.mem.length >= o.highWatermark)) {
      if (this.spillCount >= o.maxSize) return this.refuse();
      this.spill.add(msg);
      this.spillCount++;
      this.stats.enqueued++;
      if (this.spill.count >= SPILL_FLUSH_AT) this.flushSpill();
      this.schedule();
      return;
    }
    if (this.mem.length >= o.maxSize) return this.refuse();
    this.mem.push(msg);
    this.memPushed++;
    this.memBytes += msg.rawmsg.length + MESSAGE_OVERHEAD_BYTES;
    this.stats.enqueued++;
    if (this.mem.length > this.stats.peak) this.stats.peak = this.mem.length;
    if (!this.disk && !this.congestedFlag && o.timeoutEnqueueMs !== 0 && (this.mem.length >= o.highWatermark || this.memBytes >= o.memHighWatermarkBytes)) {
      this.setCongested(true);
    }
    if (this.mem.length >= EAGER_DELIVERY_AT && !this.running && this.retryTimer === null && !this.closed) this.runPump();
    else this.schedule();
  }

  /** Resolves once everything enqueued so far has been delivered (or the queue was closed). */
  whenIdle(): Promise<void> {
    if (this.isEmpty() || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Resolves once every message enqueued so far is safe from a crash of this process: finished by the action,
   * or written to the disk part (the spill buffer is written now). An input that acknowledges to its sender
   * (RELP) waits for this first, so what it acknowledged survives a SIGKILL.
   */
  settle(): Promise<void> {
    this.flushSpill();
    // Spills still in memory (maxDiskSpace, a write backlog, a failing disk) are safe only once handed to the
    // disk part and written there.
    let written: Promise<void> | null = null;
    if (this.disk && !this.closed) {
      if (this.spillCount === 0) written = this.disk.whenWritten();
      else {
        const target = this.stats.spilled + this.spillCount;
        written = this.spillWaiters.wait(target)
          .then(() => (this.disk && !this.closed ? this.disk.whenWritten() : undefined));
      }
    }
    const memTarget = this.memPushed;
    const mem = this.memDone >= memTarget || this.closed ? null : this.settleWaiters.wait(memTarget);
    if (written === null) return mem ?? Promise.resolve();
    return mem === null ? written : Promise.all([mem, written]).then(() => undefined);
  }

  /** The first n of msgs (taken from the ring) are finished: delivered, poison, given up or saved. */
  private memFinished(msgs: Message[], n: number): void {
    this.memDone += n;
    let bytes = n * MESSAGE_OVERHEAD_BYTES;
    for (let i = 0; i < n; i++) bytes += msgs[i].rawmsg.length;
    this.memBytes -= bytes;
    this.settleWaiters.reached(this.memDone);
  }

  /**
   * Stop: deliver what is queued for at most timeoutMs (a disk-backed queue whose action is suspended does not
   * wait), then save what is left in memory to disk (disk-backed queues with saveOnShutdown), close the action
   * and say what was not delivered.
   */
  async close(timeoutMs: number): Promise<CloseResult> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); });
    const waits: Array<Promise<void>> = [this.whenIdle(), timedOut];
    if (this.disk) waits.push(this.whenSuspended());
    this.schedule();
    await Promise.race(waits);
    clearTimeout(timer);
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.diskRetryTimer) clearTimeout(this.diskRetryTimer);
    this.diskRetryTimer = null;
    this.wakeSuspended();

    let undelivered = 0;
    let saved = 0;
    // A memory batch still in the action's hands when the deadline passed: unknown fate, kept (at-least-once).
    const inflight = this.inflight !== null && !this.inflightFromDisk ? this.inflight : [];
    const memLeft = [...inflight, ...this.mem.take(this.mem.length)];
    this.memFinished(memLeft, memLeft.length);
    this.settleWaiters.releaseAll();
    if (this.disk) {
      if (this.opts.saveOnShutdown && memLeft.length > 0) {
        // Older than what is on disk, but only a stop can put them behind it: order across a restart is not kept.
        for (const m of memLeft) this.spill.add(m);
        this.spillCount += memLeft.length;
      } else undelivered += memLeft.length;
      this.flushSpill(true);
      undelivered += this.spillCount;
      await this.disk.whenWritten();
      this.spillWaiters.releaseAll(); // what the final flush could not write is counted as undelivered above
      saved = this.disk.length;
      try {
        this.disk.close();
      } catch (e) {
        // The records are on disk already; only the final checkpoint failed (a re-read at the next start
        // may deliver some twice). Stopping must go on for the other queues.
        this.logger.error('LW_ERR_QUEUE_DISK_IO', 'disk queue close failed', { action: this.action.name, error: (e as Error).message });
      }
    } else undelivered = memLeft.length;
    if (undelivered > 0) {
      this.logger.error('LW_ERR_QUEUE_ABANDONED', 'stopped with messages neither delivered nor saved', { action: this.action.name, count: undelivered });
    }
    if (saved > 0) {
      this.logger.notice('LW_NOTICE_QUEUE_SAVED', 'undelivered messages kept on disk for the next start', { action: this.action.name, records: saved });
    }
    const inside = await this.action.close();
    if (typeof inside === 'number') undelivered += inside;
    this.wakeIdle();
    this.resolveClosed();
    return { undelivered, saved };
  }

  // Internals ------------------------------------------------------------------------------------------

  private isEmpty(): boolean {
    return this.mem.length === 0 && this.spillCount === 0 && (this.disk?.length ?? 0) === 0 && !this.running;
  }

  private refuse(): void {
    this.stats.refused++;
    this.logRare('LW_ERR_QUEUE_FULL', 'error', 'queue full: messages refused (raise queue.size / queue.maxDiskSpace or fix the action)', {
      action: this.action.name, refusedTotal: this.stats.refused, maxSize: this.opts.maxSize, maxDiskSpace: this.opts.maxDiskSpace,
    });
  }

  /**
   * Append the spill buffer to disk; what does not fit (maxDiskSpace) stays and raises congestion. A disk error
   * (a segment that cannot be created or written) keeps the rest in memory too, logged and retried after a
   * backoff; it never reaches the caller (an input's submit, a writer callback). `force`: try now even while a
   * retry is pending (close).
   */
  private flushSpill(force = false): void {
    if (!this.disk || this.spillCount === 0) return;
    if (this.diskRetryTimer !== null && !force) return;
    if (this.disk.writeBacklog >= this.opts.writeBacklogBytes) {
      // The writer thread is behind: keep these in memory until it catches up (onWritten flushes them).
      const wait = this.spillCount >= BACKLOG_PAUSE_AT;
      if (wait !== this.backlogged) {
        this.backlogged = wait;
        if (wait) {
          this.logRare('LW_WARN_QUEUE_WRITE_BACKLOG', 'warn', 'disk queue writes are behind: holding spilled messages in memory and pausing inputs', {
            action: this.action.name, backlogBytes: this.disk.writeBacklog, waiting: this.spillCount,
          });
        }
        this.updateCongestion();
      }
      return;
    }
    const chunks = this.unwritten.length === 0 ? this.spill.take() : [...this.unwritten, ...this.spill.take()];
    this.unwritten = [];
    let failure: Error | null = null;
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i]!;
      let n: number;
      try {
        n = this.disk.appendFramed(c.buf, c.ends);
      } catch (e) {
        this.unwritten = chunks.slice(i); // nothing of chunk i was taken: kept for the next flush
        failure = e as Error;
        break;
      }
      this.stats.spilled += n;
      this.spillCount -= n;
      if (n < c.ends.length) {
        this.unwritten = [rest(c, n), ...chunks.slice(i + 1)];
        failure = this.disk.takeAppendError(); // null: maxDiskSpace reached
        break;
      }
    }
    this.spillWaiters.reached(this.stats.spilled);
    if (failure !== null) {
      this.diskWriteFailed(failure);
      return;
    }
    if (this.diskFailing) {
      this.diskFailing = false;
      this.diskRetryDelay = this.opts.retryInitialMs;
      this.logger.notice('LW_NOTICE_QUEUE_DISK_OK', 'disk queue writable again: spilled messages written', { action: this.action.name });
    }
    const full = this.spillCount > 0;
    if (full !== this.diskFull) {
      this.diskFull = full;
      if (full) {
        this.logger.error('LW_ERR_QUEUE_DISK_FULL', 'disk queue at queue.maxDiskSpace: holding new messages in memory and pausing inputs', {
          action: this.action.name, maxDiskSpace: this.opts.maxDiskSpace, waiting: this.spillCount,
        });
      }
    }
    this.backlogged = false;
    this.updateCongestion();
  }

  /** The spill could not be written: keep it in memory, pause pausable inputs, try again after a backoff. */
  private diskWriteFailed(err: Error): void {
    this.diskFailing = true;
    this.logRare('LW_ERR_QUEUE_DISK_IO', 'error', 'cannot write the disk queue: spilled messages held in memory, inputs paused; retrying', {
      action: this.action.name, waiting: this.spillCount, retryInMs: this.diskRetryDelay, error: err.message,
    });
    this.updateCongestion();
    if (this.closed) return;
    this.diskRetryTimer = setTimeout(() => {
      this.diskRetryTimer = null;
      this.flushSpill();
      this.schedule();
    }, this.diskRetryDelay);
    this.diskRetryDelay = Math.min(this.diskRetryDelay * 2, this.opts.retryMaxMs);
  }

  private schedule(): void {
    if (this.scheduled || this.running || this.retryTimer || this.closed) return;
    this.scheduled = true;
    setImmediate(this.pumpBound);
  }

  /** The next batch: memory first (older), then disk. */
  private nextBatch(): Message[] | null {
    if (this.mem.length > 0) {
      this.inflightFromDisk = false;
      return this.mem.take(this.opts.batchSize);
    }
    this.flushSpill();
    if (!this.disk || this.disk.length === 0) return null;
    const records = this.disk.peek(this.opts.batchSize, this.action.diskBatchBytes ?? DISK_BATCH_BYTES);
    if (records.length === 0) return null; // held but still being written: onWritten schedules the next pump
    const batch: Message[] = [];
    let bad = 0;
    for (const r of records) {
      try {
        batch.push(decodeMessage(r));
      } catch {
        // A record whose checksum held but whose content does not decode (a format this build cannot read).
        if (batch.length > 0) break; // deliver the good prefix first; the bad one is at the head next time
        bad++;
      }
    }
    if (bad > 0) {
      this.disk.ack(bad);
      this.stats.lostAtRecovery += bad;
      this.logger.error('LW_ERR_QUEUE_DISK_LOST', 'disk queue records could not be decoded; skipped', { action: this.action.name, records: bad });
      return this.nextBatch();
    }
    this.inflightFromDisk = true;
    return batch;
  }

  /**
   * pump(), with what it throws (reading or acknowledging the disk part failed) logged and retried after a
   * backoff instead of becoming an unhandled rejection. Records read from disk stay there until acknowledged,
   * so a failed read loses nothing; a failed acknowledgement delivers that batch again.
   */
  private runPump(): void {
    this.pump().catch((e: unknown) => {
      this.running = false;
      this.inflight = null;
      if (this.closed) return;
      this.logRare('LW_ERR_QUEUE_FAILED', 'error', 'queue delivery failed; retrying', {
        action: this.action.name, retryInMs: this.retryDelay, error: (e as Error).message,
      });
      this.retryLater();
    });
  }

  /** Pump again after the current backoff, which then doubles (up to retryMaxMs). */
  private retryLater(): void {
    this.retryTimer = setTimeout(() => { this.retryTimer = null; this.schedule(); }, this.retryDelay);
    this.retryDelay = Math.min(this.retryDelay * 2, this.opts.retryMaxMs);
  }

  private async pump(): Promise<void> {
    if (this.running || this.closed) return;
    this.running = true;
    let batch: Message[] | null;
    while (!this.closed && (batch = this.nextBatch()) !== null) {
      this.inflight = batch;
      const fromDisk = this.inflightFromDisk;
      let done = batch.length;
      let rejected: Rejection[] = [];
      let failure: unknown = null;
      try {
        const report = await this.action.deliver(batch) as DeliveryReport | void;
        if (report) rejected = report.rejected;
      } catch (err) {
        failure = err;
        if (err instanceof DeliveryFailure) {
          done = Math.max(0, Math.min(err.done, batch.length));
          rejected = err.rejected;
        } else done = 0;
      }
      this.inflight = null;
      if (this.closed) {
        // close() gave up waiting: a memory batch was saved or counted there; a disk batch stays on disk and is
        // delivered again at the next start (at-least-once).
        break;
      }
      const poison = rejected.filter((r) => r.index >= 0 && r.index < done);
      if (poison.length > 0) this.poison(batch, poison);
      this.stats.delivered += done - poison.length;
      if (fromDisk) this.disk!.ack(done);
      else this.memFinished(batch, done);
      if (failure === null) {
        this.attempts = 0;
        this.retryDelay = this.opts.retryInitialMs;
        this.setSuspended(false);
        this.updateCongestion();
        continue;
      }
      const rest = batch.slice(done);
      if (!fromDisk) this.mem.unshiftAll(rest);
      this.attempts++;
      this.stats.retries++;
      if (this.opts.resumeRetryCount >= 0 && this.attempts > this.opts.resumeRetryCount) {
        this.giveUp(rest, failure, fromDisk);
        continue;
      }
      const f = failure as Partial<DeliveryFailure> & Error;
      this.logger.warn('LW_WARN_ACTION_SUSPENDED', 'action failed; undelivered messages kept for retry', {
        action: this.action.name, done, kept: rest.length, retryInMs: this.retryDelay, error: f.message,
        ...(f.code ? { code: f.code } : {}), ...(f.transient === false ? { transient: false } : {}),
      });
      this.setSuspended(true);
      this.running = false;
      this.retryLater();
      this.updateCongestion();
      return;
    }
    this.running = false;
    this.updateCongestion();
    if (this.isEmpty()) this.wakeIdle();
  }

  private poison(batch: Message[], poison: Rejection[]): void {
    this.stats.poisoned += poison.length;
    this.errorFile?.write(poison.map((r) => ({ msg: batch[r.index], err: { code: r.code, reason: r.reason } })));
    const first = poison[0];
    this.logRare('LW_WARN_ACTION_POISON', 'warn', 'action refused messages for good; dropped (see action.errorFile)', {
      action: this.action.name, code: first.code, reason: first.reason, inBatch: poison.length, poisonedTotal: this.stats.poisoned,
    });
  }

  private giveUp(rest: Message[], failure: unknown, fromDisk: boolean): void {
    const err = failure as Partial<DeliveryFailure> & Error;
    if (fromDisk) this.disk!.ack(rest.length);
    else {
      this.mem.take(rest.length);
      this.memFinished(rest, rest.length);
    }
    this.stats.gaveUp += rest.length;
    const code = err.code ?? 'LW_ERR_ACTION_FAILED';
    this.errorFile?.write(rest.map((msg) => ({ msg, err: { code, reason: err.message } })));
    this.logger.error('LW_ERR_ACTION_GAVE_UP', 'action.resumeRetryCount exhausted: messages dropped', {
      action: this.action.name, count: rest.length, retries: this.attempts - 1, error: err.message,
    });
    this.attempts = 0;
    this.retryDelay = this.opts.retryInitialMs;
  }

  private updateCongestion(): void {
    this.stats.size = this.mem.length;
    // A disk queue pauses inputs only while its disk part cannot take more (maxDiskSpace, a write backlog).
    if (this.disk) {
      if (this.opts.timeoutEnqueueMs !== 0) this.setCongested(this.diskFull || this.backlogged || this.diskFailing);
    } else if (this.congestedFlag && this.mem.length <= this.opts.lowWatermark && this.memBytes <= this.opts.memLowWatermarkBytes) {
      this.setCongested(false);
    }
  }

  private setCongested(on: boolean): void {
    if (this.congestedFlag === on) return;
    this.congestedFlag = on;
    this.onCongestionChange(this);
  }

  private setSuspended(on: boolean): void {
    this.suspendedFlag = on;
    if (on) this.wakeSuspended();
  }

  private whenSuspended(): Promise<void> {
    if (this.suspendedFlag) return Promise.resolve();
    return new Promise((resolve) => this.suspendWaiters.push(resolve));
  }

  private wakeSuspended(): void {
    const waiters = this.suspendWaiters;
    this.suspendWaiters = [];
    for (const w of waiters) w();
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private logRare(code: string, level: 'warn' | 'error', text: string, fields: Record<string, unknown>): void {
    const now = Date.now();
    if (now - (this.lastLog.get(code) ?? 0) < LOG_INTERVAL_MS) return;
    this.lastLog.set(code, now);
    this.logger[level](code, text, fields);
  }
}

/** The records of `c` after its first `n` (appendFramed took those), in a buffer of their own. */
function rest(c: FramedChunk, n: number): FramedChunk {
  if (n === 0) return c; // appendFramed neither wrote nor took it
  const from = c.ends[n - 1]!;
  const buf = writeBuffer(c.buf.length - from);
  c.buf.copy(buf, 0, from);
  return { buf, ends: c.ends.slice(n).map((e) => e - from) };
}

// The queue stage between rules and an action: batches messages, keeps one delivery in flight, retries a
// failed batch with backoff (at-least-once), and signals backpressure to inputs above a high-water mark.
import type { Action } from '../actions/action';
import type { Logger } from '../log';
import type { Message } from '../message';
import { Ring } from './ring';

export interface QueueOptions {
  /** Messages handed to the action per deliver() call (rsyslog queue.dequeueBatchSize). */
  batchSize: number;
  /** Capacity (rsyslog queue.size). Above it, messages are refused and counted (never silently). */
  maxSize: number;
  /** Inputs that can pause (TCP, TLS, RELP) pause at this fill level (rsyslog queue.highWatermark). */
  highWatermark: number;
  /** … and resume below this one (rsyslog queue.lowWatermark). */
  lowWatermark: number;
  /** First retry delay after a failed batch; doubles up to retryMaxMs (rsyslog action.resumeInterval). */
  retryInitialMs: number;
  retryMaxMs: number;
}

export const DEFAULT_QUEUE_OPTIONS: QueueOptions = {
  // A batch takes all that one event-loop turn queued: libuv reads up to 2 MB (~8k msgs) per socket per turn,
  // so 1024-message batches let the queue sit at its 100k high-water mark (200k-msg TCP bench: peak 100k,
  // GC 25% of CPU); with 16384 the peak was ~4k, RSS 120 MB instead of 250 MB, wall -10-15%.
  batchSize: 16384,
  maxSize: 1_000_000,
  highWatermark: 100_000,
  lowWatermark: 20_000,
  retryInitialMs: 250,
  retryMaxMs: 30_000,
};

/**
 * An idle queue holding this many messages starts delivering at once instead of at the end of the event-loop
 * turn: one turn can read ~8k messages, and held that long they survive a scavenge (TLS bench, 200k msgs:
 * delivering every 512 instead of every turn cut wall time 660 → ~600 ms and GC time by half).
 */
const EAGER_DELIVERY_AT = 512;

/** Interval between "queue full" error lines, so a flood does not flood the log too. */
const FULL_LOG_INTERVAL_MS = 10_000;

export interface QueueStats {
  enqueued: number;
  delivered: number;
  retries: number;
  /** Refused because the queue was at maxSize. */
  refused: number;
  size: number;
  /** Largest size reached (how close backpressure let the queue come to maxSize). */
  peak: number;
}

export class ActionQueue {
  readonly action: Action;
  readonly stats: QueueStats = { enqueued: 0, delivered: 0, retries: 0, refused: 0, size: 0, peak: 0 };
  private readonly ring = new Ring<Message>();
  private readonly opts: QueueOptions;
  private readonly logger: Logger;
  private readonly onCongestionChange: (queue: ActionQueue) => void;
  private running = false;
  private scheduled = false;
  private closed = false;
  private congestedFlag = false;
  private retryDelay: number;
  private retryTimer: NodeJS.Timeout | null = null;
  private lastFullLog = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly pumpBound: () => void;

  constructor(action: Action, opts: QueueOptions, logger: Logger, onCongestionChange: (queue: ActionQueue) => void) {
    this.action = action;
    this.opts = opts;
    this.logger = logger;
    this.onCongestionChange = onCongestionChange;
    this.retryDelay = opts.retryInitialMs;
    this.pumpBound = () => { this.scheduled = false; void this.pump(); };
  }

  get size(): number {
    return this.ring.length;
  }

  get congested(): boolean {
    return this.congestedFlag;
  }

  /**
   * Enqueue one message. Delivery starts on the next turn of the event loop, so a read's messages batch, or
   * at once when an idle queue already holds EAGER_DELIVERY_AT messages.
   */
  push(msg: Message): void {
    if (this.ring.length >= this.opts.maxSize) {
      this.stats.refused++;
      this.logFull();
      return;
    }
    this.ring.push(msg);
    this.stats.enqueued++;
    if (this.ring.length > this.stats.peak) this.stats.peak = this.ring.length;
    if (!this.congestedFlag && this.ring.length >= this.opts.highWatermark) {
      this.congestedFlag = true;
      this.onCongestionChange(this);
    }
    if (this.ring.length >= EAGER_DELIVERY_AT && !this.running && this.retryTimer === null && !this.closed) void this.pump();
    else this.schedule();
  }

  /** Resolves once everything enqueued so far has been delivered (or the queue was abandoned). */
  whenIdle(): Promise<void> {
    if (this.ring.length === 0 && !this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Deliver what is queued (bounded by timeoutMs), then close the action. Returns the undelivered count. */
  async close(timeoutMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); });
    this.schedule();
    await Promise.race([this.whenIdle(), timedOut]);
    clearTimeout(timer);
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const left = this.ring.length;
    if (left > 0) {
      this.logger.error('LW_ERR_QUEUE_ABANDONED', 'shutdown timeout: messages were not delivered', { action: this.action.name, count: left });
    }
    await this.action.close();
    this.wakeIdle();
    return left;
  }

  private schedule(): void {
    if (this.scheduled || this.running || this.retryTimer || this.closed) return;
    this.scheduled = true;
    setImmediate(this.pumpBound);
  }

  private async pump(): Promise<void> {
    if (this.running || this.closed) return;
    this.running = true;
    while (this.ring.length > 0 && !this.closed) {
      const batch = this.ring.take(this.opts.batchSize);
      try {
        await this.action.deliver(batch);
      } catch (err) {
        this.ring.unshiftAll(batch);
        this.stats.retries++;
        this.logger.warn('LW_WARN_ACTION_SUSPENDED', 'action failed; batch kept for retry', {
          action: this.action.name, batch: batch.length, retryInMs: this.retryDelay, error: (err as Error).message,
        });
        this.running = false;
        this.retryTimer = setTimeout(() => { this.retryTimer = null; this.schedule(); }, this.retryDelay);
        this.retryDelay = Math.min(this.retryDelay * 2, this.opts.retryMaxMs);
        return;
      }
      this.retryDelay = this.opts.retryInitialMs;
      this.stats.delivered += batch.length;
      this.updateCongestion();
    }
    this.running = false;
    this.updateCongestion();
    if (this.ring.length === 0) this.wakeIdle();
  }

  private updateCongestion(): void {
    this.stats.size = this.ring.length;
    if (this.congestedFlag && this.ring.length <= this.opts.lowWatermark) {
      this.congestedFlag = false;
      this.onCongestionChange(this);
    }
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private logFull(): void {
    const now = Date.now();
    if (now - this.lastFullLog < FULL_LOG_INTERVAL_MS) return;
    this.lastFullLog = now;
    this.logger.error('LW_ERR_QUEUE_FULL', 'queue full: messages refused (raise queue.size or fix the action)', {
      action: this.action.name, refusedTotal: this.stats.refused, maxSize: this.opts.maxSize,
    });
  }
}

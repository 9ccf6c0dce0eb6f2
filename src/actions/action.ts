// The queue → action contract, shared by every output (file, forward, store, clickhouse, relp, …).
//
// A queue hands an action a batch; the action's promise resolves once every message of the batch is
// finished: durably handed on (written to the OS, acknowledged by the peer, committed to the store), or
// refused for good as *poison* and listed in the returned report. The queue counts poison, writes it to the
// action's `action.errorFile` when one is set, and logs it (rate-limited); it never retries it.
//
// Rejecting the promise means the batch failed part way. A `DeliveryFailure` says how far it got: its first
// `done` messages are finished (delivered, or poison listed in `rejected`), and the queue retries only the
// rest, after a backoff. Any other error counts as `done = 0`, transient: the whole batch is retried. So
// delivery is at-least-once, and exactly once for actions that report `done` honestly.
import type { Message } from '../message';

export interface ActionStats {
  /** Messages whose delivery was confirmed. */
  delivered: number;
  /** Messages given up on, with a logged reason. */
  failed: number;
}

/** One message of a batch refused for good (it would fail on every retry). */
export interface Rejection {
  /** Index into the batch passed to deliver(). */
  index: number;
  /** Error code, e.g. "ENAMETOOLONG", "EISDIR", "EACCES". */
  code: string;
  /** One line for the operator. */
  reason: string;
}

/** What deliver() resolves with: nothing (all delivered), or the poison it refused. */
export interface DeliveryReport {
  rejected: Rejection[];
}

/**
 * A batch that failed part way. `done` leading messages are finished; `rejected` lists poison among them.
 * `transient` false means retrying cannot help (the action is misconfigured): the queue still retries with
 * backoff, honouring action.resumeRetryCount, but says so in its log line.
 */
export class DeliveryFailure extends Error {
  readonly done: number;
  readonly rejected: Rejection[];
  readonly code: string;
  readonly transient: boolean;
  constructor(message: string, opts: { done: number; rejected?: Rejection[]; code?: string; transient?: boolean; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'DeliveryFailure';
    this.done = opts.done;
    this.rejected = opts.rejected ?? [];
    this.code = opts.code ?? 'LW_ERR_ACTION_FAILED';
    this.transient = opts.transient ?? true;
  }
}

export interface Action {
  /** Name for logs and stats: the action's `name=` parameter or "type#index". */
  readonly name: string;
  /** Deliver a batch (ordered as received). Resolve only when all of it is finished (see the file header). */
  deliver(batch: Message[]): Promise<DeliveryReport | void>;
  /** Reopen files / reconnect (SIGHUP). */
  reopen?(): void;
  /**
   * Flush what is buffered and release resources. An action that holds accepted messages of its own (the
   * store's writer thread) resolves with how many it could not finish, so the stop summary counts them.
   */
  close(): Promise<void | number>;
  readonly stats: ActionStats;
  /**
   * Bytes of one batch read back from a disk queue, when the action wants another bound than the queue's
   * (src/queue/action-queue.ts DISK_BATCH_BYTES): a database that pays per insert asks for bigger batches.
   */
  readonly diskBatchBytes?: number;
}

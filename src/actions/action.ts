// The queue → action contract, shared by every output (file, forward, store, clickhouse, …).
//
// A queue hands an action a batch; the action's promise resolves once every message of the batch is
// durably handed on (written to the OS, acknowledged by the peer, committed to the store). Rejecting
// means none of the batch may be counted as delivered: the queue keeps it and retries, so delivery is
// at-least-once. An action never drops a message silently: a message it refuses for good (e.g. a template
// error) is counted in its stats and logged.
import type { Message } from '../message';

export interface ActionStats {
  /** Messages whose delivery was confirmed. */
  delivered: number;
  /** Messages given up on, with a logged reason. */
  failed: number;
}

export interface Action {
  /** Name for logs and stats: the action's `name=` parameter or "type#index". */
  readonly name: string;
  /** Deliver a batch (ordered as received). Resolve only when all of it is handed on. */
  deliver(batch: Message[]): Promise<void>;
  /** Reopen files / reconnect (SIGHUP). */
  reopen?(): void;
  /** Flush what is buffered and release resources. */
  close(): Promise<void>;
  readonly stats: ActionStats;
}

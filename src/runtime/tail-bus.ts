// Live-tail publish/subscribe: the runtime hands every submitted batch of parsed messages to the bus, which does
// nothing unless someone subscribed (one boolean check per batch). Subscribers run synchronously on the ingest
// path, so they must only filter and queue (src/web/tail.ts does). A throwing subscriber is removed, not retried.
import type { Message } from '../message';

export type TailSubscriber = (batch: readonly Message[]) => void;

export class TailBus {
  /** True while at least one subscriber listens; the runtime tests this before publishing. */
  active = false;
  private subs: TailSubscriber[] = [];

  subscribe(fn: TailSubscriber): () => void {
    this.subs = [...this.subs, fn];
    this.active = true;
    return () => {
      this.subs = this.subs.filter((s) => s !== fn);
      this.active = this.subs.length > 0;
    };
  }

  publish(batch: readonly Message[]): void {
    for (const fn of this.subs) {
      try {
        fn(batch);
      } catch {
        this.subs = this.subs.filter((s) => s !== fn);
        this.active = this.subs.length > 0;
      }
    }
  }
}

// Live tail over Server-Sent Events. One hub per server subscribes to the runtime's TailBus while clients are
// connected (and GRACE_MS after the last leaves, so a reconnect can resume); every published message gets a
// sequence number and goes into a bounded ring. Each client filters with the query evaluator, sends at most
// MAX_RATE messages a second (above that it samples every k-th match and says so in `stats`), and holds at most
// MAX_BUFFERED bytes unsent on a slow socket (beyond that messages are dropped and counted). A reconnect with
// Last-Event-ID replays the ring after that id when the ring still holds it.
import type { ServerResponse } from 'node:http';
import type { Predicate } from '../detect/query-eval';
import { toEvent } from '../detect/event';
import type { Message } from '../message';
import type { TailBus } from '../runtime/tail-bus';
import { toStoredRow } from '../store/backend';

export const RING_SIZE = 2000;
export const MAX_RATE = 200;
const MAX_BUFFERED = 1024 * 1024;
const GRACE_MS = 30_000;
const STATS_MS = 1000;

interface Entry {
  seq: number;
  msg: Message;
  /** The SSE `data:` JSON, made on first use and shared by every client. */
  json: string | null;
}

class Client {
  matchedThisSecond = 0;
  sentThisSecond = 0;
  /** Sample every `stride`-th match (1: everything); set from the previous second's match count. */
  stride = 1;
  sent = 0;
  dropped = 0;
  sampled = false;
  lastSeq = 0;

  constructor(readonly res: ServerResponse, readonly match: Predicate) {}
}

export class TailHub {
  private readonly ring: Array<Entry | undefined> = new Array(RING_SIZE);
  private seq = 0;
  private readonly clients = new Set<Client>();
  private unsubscribe: (() => void) | null = null;
  private graceTimer: NodeJS.Timeout | null = null;
  private statsTimer: NodeJS.Timeout | null = null;

  constructor(private readonly bus: TailBus) {}

  private entryJson(e: Entry): string {
    if (e.json === null) e.json = JSON.stringify({ id: String(e.seq), ...toStoredRow(e.msg) });
    return e.json;
  }

  private publish = (batch: readonly Message[]): void => {
    for (const msg of batch) {
      const e: Entry = { seq: ++this.seq, msg, json: null };
      this.ring[e.seq % RING_SIZE] = e;
      for (const c of this.clients) this.offer(c, e, true);
    }
  };

  private offer(c: Client, e: Entry, live: boolean): void {
    if (e.seq <= c.lastSeq) return;
    let hit: boolean;
    try {
      hit = c.match(toEvent(e.msg));
    } catch {
      hit = false;
    }
    if (!hit) return;
    c.lastSeq = e.seq;
    if (live) {
      c.matchedThisSecond++;
      if (c.matchedThisSecond % c.stride !== 0 || c.sentThisSecond >= MAX_RATE) {
        c.sampled = true;
        return;
      }
    }
    if (c.res.writableLength > MAX_BUFFERED) {
      c.dropped++;
      return;
    }
    c.sentThisSecond++;
    c.sent++;
    c.res.write(`event: msg\nid: ${e.seq}\ndata: ${this.entryJson(e)}\n\n`);
  }

  private tick = (): void => {
    for (const c of this.clients) {
      const rate = c.matchedThisSecond;
      c.stride = Math.max(1, Math.ceil(rate / MAX_RATE));
      c.res.write(`event: stats\ndata: ${JSON.stringify({ rate, sent: c.sent, sampled: c.sampled, dropped: c.dropped })}\n\n`);
      c.matchedThisSecond = 0;
      c.sentThisSecond = 0;
      c.sampled = false;
    }
  };

  /** Attach a client; replays the ring after `lastEventId` when given. Returns the detach function. */
  attach(res: ServerResponse, match: Predicate, lastEventId: number | null): () => void {
    const c = new Client(res, match);
    if (this.graceTimer) {
      clearTimeout(this.graceTimer);
      this.graceTimer = null;
    }
    this.unsubscribe ??= this.bus.subscribe(this.publish);
    this.statsTimer ??= setInterval(this.tick, STATS_MS);
    this.statsTimer.unref();
    if (lastEventId !== null && lastEventId < this.seq) {
      const oldest = Math.max(1, this.seq - RING_SIZE + 1);
      c.lastSeq = lastEventId;
      for (let s = Math.max(oldest, lastEventId + 1); s <= this.seq; s++) {
        const e = this.ring[s % RING_SIZE];
        if (e !== undefined && e.seq === s) this.offer(c, e, false);
      }
    } else c.lastSeq = this.seq;
    this.clients.add(c);
    return () => this.detach(c);
  }

  private detach(c: Client): void {
    this.clients.delete(c);
    if (this.clients.size > 0) return;
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
    this.graceTimer = setTimeout(() => this.close(), GRACE_MS);
    this.graceTimer.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Stop listening to the bus and end every client stream. */
  close(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.graceTimer = null;
    this.statsTimer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }
}

// Row ids for ClickHouse, which has no auto-increment: a per-writer logical clock, unique across collectors
// that share one cluster and increasing with insert order, kept below 2^53 so JavaScript numbers hold it.
//
//   id = ms * 2^13 + node * 2^8 + seq
//        ms   milliseconds since ID_EPOCH_MS (40 bits: until 2058)
//        node 0..31, one per collector writing to the same table
//        seq  0..255 within one millisecond; when it runs out the clock borrows the next millisecond, so ids
//             stay strictly increasing through any burst (the clock runs ahead, then real time catches up).
import { randomBytes } from 'node:crypto';

/** 2024-01-01T00:00:00Z: ids start small, and 40 bits of milliseconds last until 2058. */
export const ID_EPOCH_MS = 1_704_067_200_000;
const NODE_BITS = 5;
const SEQ_BITS = 8;
export const MAX_NODE = (1 << NODE_BITS) - 1;
const SEQ_LIMIT = 1 << SEQ_BITS;
const MS_FACTOR = 1 << (NODE_BITS + SEQ_BITS);

export class IdClock {
  private lastMs = 0;
  private seq = 0;
  private readonly node: number;
  private readonly now: () => number;

  /** `node` defaults to a random value; give each collector sharing a table a distinct one to rule out clashes. */
  constructor(node?: number, now: () => number = Date.now) {
    const n = node ?? randomBytes(1)[0]! & MAX_NODE;
    if (!Number.isInteger(n) || n < 0 || n > MAX_NODE) throw new RangeError(`node id must be 0..${MAX_NODE}, got ${n}`);
    this.node = n;
    this.now = now;
  }

  /** The next id: larger than every id this clock issued (or was advanced past) before. */
  next(): number {
    const ms = this.now() - ID_EPOCH_MS;
    if (ms > this.lastMs) {
      this.lastMs = ms;
      this.seq = 0;
    } else if (this.seq >= SEQ_LIMIT) {
      this.lastMs++;
      this.seq = 0;
    }
    return this.lastMs * MS_FACTOR + this.node * SEQ_LIMIT + this.seq++;
  }

  /**
   * Continue after an id already stored (e.g. the table's max(id) at open), so a restarted writer whose clock
   * is behind the ids it wrote before still issues larger ones.
   */
  advancePast(id: number): void {
    const ms = Math.floor(id / MS_FACTOR);
    if (ms >= this.lastMs) {
      this.lastMs = ms;
      this.seq = SEQ_LIMIT;
    }
  }
}

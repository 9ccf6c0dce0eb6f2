// A growable FIFO on a circular array: O(1) push/shift without Array#shift's copying (cf. undici's FixedQueue).
//
//   head                tail
//    v                   v
//  [ a  b  c  d  .  .  . ]      capacity is a power of two; index = (head + i) & mask
//
// When full, the buffer doubles and the live range is copied once, in order.

const INITIAL_CAPACITY = 1024;

export class Ring<T> {
  private buf: Array<T | undefined>;
  private head = 0;
  private count = 0;
  private mask: number;

  constructor(initialCapacity = INITIAL_CAPACITY) {
    let cap = 16;
    while (cap < initialCapacity) cap <<= 1;
    this.buf = new Array<T | undefined>(cap);
    this.mask = cap - 1;
  }

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.buf.length) this.grow();
    this.buf[(this.head + this.count) & this.mask] = item;
    this.count++;
  }

  /** The item at the front, without removing it. */
  peekFirst(): T | undefined {
    return this.count === 0 ? undefined : this.buf[this.head];
  }

  /** Remove and return up to `max` items from the front, in order. */
  take(max: number): T[] {
    const n = Math.min(max, this.count);
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) {
      const idx = (this.head + i) & this.mask;
      out[i] = this.buf[idx] as T;
      this.buf[idx] = undefined;
    }
    this.head = (this.head + n) & this.mask;
    this.count -= n;
    return out;
  }

  /** Put items back at the front (a batch that must be retried first). */
  unshiftAll(items: T[]): void {
    while (this.count + items.length > this.buf.length) this.grow();
    for (let i = items.length - 1; i >= 0; i--) {
      this.head = (this.head - 1) & this.mask;
      this.buf[this.head] = items[i];
    }
    this.count += items.length;
  }

  private grow(): void {
    const old = this.buf;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = old[(this.head + i) & this.mask];
    this.buf = next;
    this.head = 0;
    this.mask = next.length - 1;
  }
}

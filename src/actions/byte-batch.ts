// Assembles one batch of rendered lines into bytes: strings are joined in small groups and each group is
// encoded straight into a reusable buffer, instead of concatenating the whole batch and encoding it at once.

import { writeRaw } from '../util/raw-text';

/** Lines joined before one encode; 32 measured best (512-line batches: 200 ns/line vs 340 ns/line for
 * concatenating the batch + Buffer.from, and vs 290 ns/line for one Buffer#write per line). */
const GROUP = 32;
/** A UTF-16 code unit never takes more than 3 bytes in UTF-8. */
const MAX_UTF8_PER_UNIT = 3;
const INITIAL_BYTES = 256 * 1024;

export class ByteBatch {
  private buf: Buffer = Buffer.allocUnsafeSlow(INITIAL_BYTES);
  private len = 0;
  private pending = '';
  private count = 0;

  /** Start a new batch. The Buffer returned by the previous finish() is overwritten from now on. */
  reset(): void {
    this.len = 0;
    this.pending = '';
    this.count = 0;
  }

  add(line: string): void {
    this.pending += line;
    if (++this.count === GROUP) this.flushPending();
  }

  /** The batch's bytes; valid until the next reset(). */
  finish(): Buffer {
    if (this.count > 0) this.flushPending();
    return this.buf.subarray(0, this.len);
  }

  private flushPending(): void {
    const s = this.pending;
    const need = this.len + s.length * MAX_UTF8_PER_UNIT;
    if (need > this.buf.length) {
      const next = Buffer.allocUnsafeSlow(Math.max(need, this.buf.length * 2));
      this.buf.copy(next, 0, 0, this.len);
      this.buf = next;
    }
    this.len += writeRaw(this.buf, s, this.len);
    this.pending = '';
    this.count = 0;
  }
}

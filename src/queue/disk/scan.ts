// Reading segments: a windowed reader and the three scans recovery needs — validate one record, resync to the
// next intact record after damage, and count the records a damaged range held (from their length headers).
import { readSync } from 'node:fs';
import { HDR, MAGIC, crcOk, parseHeader, type RecordHead } from './format';

/** Read-ahead window: 256 KiB holds ~900 records of 250 bytes; one pread per window. */
export const WINDOW = 256 * 1024;

/**
 * pread through a window. Every fill allocates a fresh Buffer, so views handed out earlier (peek results)
 * stay valid; reads never go past `limit`, the end of the segment's committed bytes.
 */
export class SegReader {
  private buf: Buffer = Buffer.alloc(0);
  private start = 0;

  constructor(readonly fd: number) {}

  /** Up to `len` bytes at `off`, never past `limit` (shorter only at the limit or end of file). */
  read(off: number, len: number, limit: number): Buffer {
    if (off >= this.start && off + len <= this.start + this.buf.length) {
      return this.buf.subarray(off - this.start, off - this.start + len);
    }
    const want = Math.min(Math.max(len, WINDOW), limit - off);
    if (want <= 0) return Buffer.alloc(0);
    const b = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const n = readSync(this.fd, b, got, want - got, off + got);
      if (n === 0) break;
      got += n;
    }
    this.buf = b.subarray(0, got);
    this.start = off;
    return this.buf.subarray(0, Math.min(len, got));
  }

  /** Forget the window (after a truncation). */
  reset(): void {
    this.buf = Buffer.alloc(0);
    this.start = 0;
  }
}

/** The record at `off` if it is intact (magic, length within `end`, CRC) — else null. */
export function validateAt(r: SegReader, off: number, end: number): RecordHead | null {
  if (off + HDR > end) return null;
  const h = r.read(off, HDR, end);
  const head = parseHeader(h, 0);
  if (!head || off + HDR + head.len > end) return null;
  const rec = r.read(off, HDR + head.len, end);
  if (rec.length < HDR + head.len || !crcOk(rec, 0, rec, HDR, head.len)) return null;
  return head;
}

/** Offset of the next intact record at or after `from` (searching for the magic, then checking the CRC), or -1. */
export function findNext(r: SegReader, from: number, end: number): number {
  let q = from;
  while (q + HDR <= end) {
    const chunk = r.read(q, Math.min(WINDOW, end - q), end);
    if (chunk.length === 0) return -1;
    for (let i = chunk.indexOf(MAGIC); i >= 0; i = chunk.indexOf(MAGIC, i + 1)) {
      if (validateAt(r, q + i, end)) return q + i;
    }
    if (q + chunk.length >= end) return -1;
    q += Math.max(1, chunk.length - (MAGIC.length - 1)); // overlap: a magic across the chunk boundary is seen
  }
  return -1;
}

/**
 * How many records the damaged range [from, end) held, walking their length headers from `from`. `exact` is
 * false when a header is unreadable before the range is used up (then at least `n` were lost, n ≥ 1).
 */
export function walkCount(r: SegReader, from: number, end: number): { n: number; exact: boolean } {
  let n = 0;
  let q = from;
  while (q < end) {
    const h = r.read(q, HDR, end);
    const head = h.length === HDR ? parseHeader(h, 0) : null;
    if (!head) return { n: Math.max(n, 1), exact: false };
    n++;
    q += HDR + head.len;
  }
  return { n, exact: true };
}

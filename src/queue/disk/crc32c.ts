// CRC32C (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78): the checksum iSCSI (RFC 3720 §12.1, B.4),
// ext4 and Vector's disk buffer use. Slice-by-8 tables: eight bytes per step, ~1 GB/s in V8 on one core, so a
// 250-byte record costs ~0.3 µs. No npm dependency (the task forbids one; node has no built-in CRC32C).

const POLY = 0x82f63b78;

/** TABLE[k * 256 + b]: CRC of byte b followed by k zero bytes (slice-by-8, Intel's "Slicing-by-8" 2006). */
const TABLE = new Int32Array(8 * 256);
for (let b = 0; b < 256; b++) {
  let c = b;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  TABLE[b] = c;
}
for (let b = 0; b < 256; b++) {
  let c = TABLE[b]!;
  for (let k = 1; k < 8; k++) {
    c = TABLE[c & 0xff]! ^ (c >>> 8);
    TABLE[k * 256 + b] = c;
  }
}

/**
 * Continue a CRC32C over `buf[start, end)`. `crc` is a previous result (0 to start), so a checksum over
 * several pieces is `crc32c(b, 0, b.length, crc32c(a, 0, a.length))`. Returns an unsigned 32-bit value.
 */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length, crc = 0): number {
  const t = TABLE;
  let c = ~crc;
  let i = start;
  // Byte-wise until 8 bytes remain aligned enough; alignment does not matter for typed-array element reads.
  const stop8 = end - 8;
  while (i <= stop8) {
    const lo = c ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    c = t[1792 + (lo & 0xff)]! ^ t[1536 + ((lo >>> 8) & 0xff)]! ^ t[1280 + ((lo >>> 16) & 0xff)]! ^ t[1024 + (lo >>> 24)]! ^
      t[768 + buf[i + 4]!]! ^ t[512 + buf[i + 5]!]! ^ t[256 + buf[i + 6]!]! ^ t[buf[i + 7]!]!;
    i += 8;
  }
  while (i < end) c = t[(c ^ buf[i++]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

// CRC32C (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78): the checksum iSCSI (RFC 3720 §12.1, B.4),
// ext4 and Vector's disk buffer use. The optional addon native/lw_crc32c.c computes it with the SSE4.2
// instruction (~20 GB/s; a 250-byte record costs ~0.1 µs, mostly the call); without it, slice-by-8 tables in
// JavaScript: ~1 GB/s on one core, ~0.3 µs per 250-byte record. node has no built-in CRC32C.
import { join } from 'node:path';

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

/** crc32c() in JavaScript (the fallback, and the reference the addon is tested against). */
export function crc32cJs(buf: Uint8Array, start = 0, end = buf.length, crc = 0): number {
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

interface NativeCrc {
  crc32c(buf: Uint8Array, start: number, end: number, crc: number): number;
  sealRun(buf: Uint8Array): number;
  hardware: boolean;
}

/** The addon built by scripts/build-native.mjs, or null (not built, or LW_NO_NATIVE_CRC=1 for tests). */
function loadNative(): NativeCrc | null {
  if (process.env.LW_NO_NATIVE_CRC === '1') return null;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(join(__dirname, '..', '..', '..', 'native', 'lw_crc32c.node')) as NativeCrc;
  } catch {
    return null;
  }
}

/** The native implementation in use, or null when the JavaScript tables are. */
export const nativeCrc: NativeCrc | null = loadNative();

/** Below this many bytes the JavaScript loop beats the cost of a call into the addon. */
const NATIVE_FROM = 64;

/**
 * Continue a CRC32C over `buf[start, end)`. `crc` is a previous result (0 to start), so a checksum over
 * several pieces is `crc32c(b, 0, b.length, crc32c(a, 0, a.length))`. Returns an unsigned 32-bit value.
 */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length, crc = 0): number {
  if (nativeCrc !== null && end - start >= NATIVE_FROM) return nativeCrc.crc32c(buf, start, end, crc);
  return crc32cJs(buf, start, end, crc);
}

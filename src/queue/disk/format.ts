// On-disk layout of the disk queue: record headers, segment and index file names. Pure functions over Buffers.
//
// A segment (NAME.00000001.seg) is a sequence of records, appended, never rewritten:
//
//   0       4       8       12            18            24
//   +-------+-------+-------+-------------+-------------+----------------+
//   | magic | crc32c| len   | seq (u48)   | appendedAt  | payload (len)  |
//   +-------+-------+-------+-------------+-------------+----------------+
//   magic   F5 4C 57 51 ("\xF5LWQ"; 0xF5 never occurs in UTF-8 text, so resync rarely stops on payload bytes)
//   crc32c  CRC32C (Castagnoli) over bytes 8..24 and the payload: a torn or flipped record never validates
//   len     payload bytes (u32)
//   seq     record number, +1 per record across segments and restarts: a gap between two intact records is
//           the exact count of records destroyed between them (a deleted segment, a skipped corrupt range)
//   appendedAt  ms since the epoch (u48), for oldestAppendedAt
import { crc32c } from './crc32c';

export const HDR = 24;
export const MAGIC = Buffer.from([0xf5, 0x4c, 0x57, 0x51]);
const MAGIC_U32 = MAGIC.readUInt32LE(0);
/** Largest payload a record may declare (a garbled length above it is rejected before any read). */
export const MAX_RECORD = 1024 * 1024 * 1024;

export interface RecordHead {
  len: number;
  seq: number;
  at: number;
}

/**
 * The header without its CRC (the write-behind thread computes it: write-worker.ts), through a DataView over the
 * record buffer: Buffer#writeUInt32LE's argument checks cost ~20 ns a call, six calls a record.
 */
export function writeHeaderNoCrc(h: DataView, o: number, len: number, seq: number, at: number): void {
  h.setUint32(o, MAGIC_U32, true);
  h.setUint32(o + 8, len, true);
  h.setUint32(o + 12, seq % 0x100000000, true); // u48 as u32 + u16
  h.setUint16(o + 16, Math.floor(seq / 0x100000000), true);
  h.setUint32(o + 18, at % 0x100000000, true);
  h.setUint16(o + 22, Math.floor(at / 0x100000000), true);
}

/** Fill the CRC of the record at `b[o..]` whose header (but the CRC) and `len` payload bytes follow it. */
export function sealRecord(b: Buffer, o: number, len: number): void {
  b.writeUInt32LE(crc32c(b, o + 8, o + HDR + len), o + 4); // header after the CRC and payload are contiguous
}

/** True when `b[o..o+4]` is the record magic. */
export function hasMagic(b: Buffer, o: number): boolean {
  return o + 4 <= b.length && b.readUInt32LE(o) === MAGIC_U32;
}

/** Parse a header (no CRC check); null when the magic is wrong or the length is impossible. */
export function parseHeader(b: Buffer, o: number): RecordHead | null {
  if (o + HDR > b.length || b.readUInt32LE(o) !== MAGIC_U32) return null;
  const len = b.readUInt32LE(o + 8);
  if (len > MAX_RECORD) return null;
  return { len, seq: b.readUIntLE(o + 12, 6), at: b.readUIntLE(o + 18, 6) };
}

/** Check the CRC of a record whose header is at `h[ho..]` and payload is `p[po..po+len]`. */
export function crcOk(h: Buffer, ho: number, p: Buffer, po: number, len: number): boolean {
  return crc32c(p, po, po + len, crc32c(h, ho + 8, ho + HDR)) === h.readUInt32LE(ho + 4);
}

const pad8 = (n: number): string => String(n).padStart(8, '0');
export const segmentFile = (name: string, num: number): string => `${name}.${pad8(num)}.seg`;
export const indexFile = (name: string): string => `${name}.qi`;
export const lockFile = (name: string): string => `${name}.lock`;
export const QUARANTINE_SUFFIX = '.quarantine';

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Matchers for a queue's files in its spool directory: live segments and quarantined ones. */
export function fileMatchers(name: string): { segment: RegExp; quarantined: RegExp } {
  const n = escapeRe(name);
  return {
    segment: new RegExp(`^${n}\\.(\\d{8,})\\.seg$`),
    quarantined: new RegExp(`^${n}\\.(\\d{8,})\\.seg\\.quarantine(?:\\.\\d+)?$`),
  };
}

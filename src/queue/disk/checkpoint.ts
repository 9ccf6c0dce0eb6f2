// NAME.qi: where the head is, written atomically (tmp + fsync + rename + fsync of the directory), so a crash
// leaves either the old or the new checkpoint, never a mix. Little-endian:
//
//   0 magic "LWQI" | 4 version u32 | 8 flags u32 (1 = clean close) | 12 gap count u32
//   16 headSeg f64 | 24 headOff f64 | 32 headSeq f64 | 40 nextSeq f64 | 48 maxSeg f64 | 56 count f64
//   64 gaps: (from f64, to f64) × gap count   — seq ranges already reported lost, not to be counted again
//   end: crc32c u32 over everything before it
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { crc32c } from './crc32c';

export interface Checkpoint {
  /** Segment number of the head (the next segment to be created when none exists). */
  headSeg: number;
  /** Byte offset of the head record in headSeg. */
  headOff: number;
  /** seq of the head record (the next to be delivered). */
  headSeq: number;
  /** seq the next appended record gets; records below it were written (and fsynced) before the checkpoint. */
  nextSeq: number;
  /** Highest segment number ever created: numbers are never reused. */
  maxSeg: number;
  /** Records held at the time of the checkpoint (informational). */
  count: number;
  /** The queue was closed cleanly after this checkpoint. */
  clean: boolean;
  /** seq ranges [from, to) destroyed and already reported; ranges below headSeq are dropped. */
  gaps: Array<[number, number]>;
}

const MAGIC = 0x4951574c; // "LWQI"
const VERSION = 1;
const FIXED = 64;

export function encodeCheckpoint(c: Checkpoint): Buffer {
  const b = Buffer.alloc(FIXED + 16 * c.gaps.length + 4);
  b.writeUInt32LE(MAGIC, 0);
  b.writeUInt32LE(VERSION, 4);
  b.writeUInt32LE(c.clean ? 1 : 0, 8);
  b.writeUInt32LE(c.gaps.length, 12);
  b.writeDoubleLE(c.headSeg, 16);
  b.writeDoubleLE(c.headOff, 24);
  b.writeDoubleLE(c.headSeq, 32);
  b.writeDoubleLE(c.nextSeq, 40);
  b.writeDoubleLE(c.maxSeg, 48);
  b.writeDoubleLE(c.count, 56);
  c.gaps.forEach(([from, to], i) => {
    b.writeDoubleLE(from, FIXED + 16 * i);
    b.writeDoubleLE(to, FIXED + 16 * i + 8);
  });
  b.writeUInt32LE(crc32c(b, 0, b.length - 4), b.length - 4);
  return b;
}

/** Decode; null for anything short, corrupt or of another version (the caller rebuilds from the segments). */
export function decodeCheckpoint(b: Buffer): Checkpoint | null {
  if (b.length < FIXED + 4 || b.readUInt32LE(0) !== MAGIC || b.readUInt32LE(4) !== VERSION) return null;
  const n = b.readUInt32LE(12);
  if (b.length !== FIXED + 16 * n + 4) return null;
  if (crc32c(b, 0, b.length - 4) !== b.readUInt32LE(b.length - 4)) return null;
  const num = (o: number): number => b.readDoubleLE(o);
  const ints = [num(16), num(24), num(32), num(40), num(48), num(56)];
  if (!ints.every((v) => Number.isSafeInteger(v) && v >= 0)) return null;
  const gaps: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) gaps.push([num(FIXED + 16 * i), num(FIXED + 16 * i + 8)]);
  return {
    headSeg: ints[0]!, headOff: ints[1]!, headSeq: ints[2]!, nextSeq: ints[3]!, maxSeg: ints[4]!, count: ints[5]!,
    clean: (b.readUInt32LE(8) & 1) === 1, gaps,
  };
}

/** Read NAME.qi: the checkpoint, 'missing', or 'corrupt'. */
export function readCheckpoint(path: string): Checkpoint | 'missing' | 'corrupt' {
  let b: Buffer;
  try {
    b = readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    return 'corrupt';
  }
  return decodeCheckpoint(b) ?? 'corrupt';
}

/** Write atomically: tmp file, fsync, rename over `path`, fsync the directory (`dirFd`). Throws on I/O error. */
export function writeCheckpoint(path: string, dirFd: number, c: Checkpoint): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    const b = encodeCheckpoint(c);
    writeSync(fd, b, 0, b.length, 0);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncSync(dirFd);
}

// The job ring shared by the main thread (writer.ts) and the disk queues' writer thread (write-worker.ts).
//
// Jobs travel through shared memory, not postMessage: a post costs the main thread 27-40 µs in a busy server and
// each answer is a wake-up of the other thread; with a spilling queue making ~500 of each a second, that
// machinery (not the CRC or the write) was what slowed the other actions (bench/README.md "queue isolation").
// Here a post is a few stores into a slot and one counter; the writer thread polls every POLL_MS while it has
// work, sleeps until notified once idle, and notifies back only when the main thread asks (someone waits).
//
//   ctrl (Int32)    HEAD jobs posted · DONE jobs finished · STATE of the writer (ACTIVE polling | ASLEEP) ·
//                   WANT (1: the main thread waits, notify DONE after each job)
//   slot i (Int32)  KIND · SLAB (id of the shared buffer holding the bytes) · LEN · FD · ENDS (headers to fill:
//                   how many, their ends in `ends` at i*ENDS_PER_SLOT; 0: the main thread filled them) · STATUS
//                   (0 ok, 1 failed: the error text waits on the error port)
//   slot i (Float64) POS in the file · SEQ of the first record · AT (append time) of the run
// Counters wrap at 2^32: compare them with diff().
import { HDR, writeHeaderNoCrc } from './format';

export const SLOTS = 1024;
export const ENDS_PER_SLOT = 1024;
export const SLOT_I32 = 8;
export const SLOT_F64 = 4;

export const C_HEAD = 0;
export const C_DONE = 1;
export const C_STATE = 2;
export const C_WANT = 3;

export const S_KIND = 0;
export const S_SLAB = 1;
export const S_LEN = 2;
export const S_FD = 3;
export const S_ENDS = 4;
export const S_STATUS = 5;

export const F_POS = 0;
export const F_SEQ = 1;
export const F_AT = 2;

export const K_WRITE = 1;
export const K_SYNC = 2;
export const K_FORGET = 3;

export const ACTIVE = 0;
export const ASLEEP = 1;

/** How often a writer thread with recent work looks for more, and after how many empty looks it sleeps. */
export const POLL_MS = 4;
export const IDLE_POLLS = 25;

export interface Ring {
  ctrl: Int32Array;
  slotsI: Int32Array;
  slotsF: Float64Array;
  ends: Uint32Array;
}

export function newRing(): Ring {
  return {
    ctrl: new Int32Array(new SharedArrayBuffer(4 * 4)),
    slotsI: new Int32Array(new SharedArrayBuffer(SLOTS * SLOT_I32 * 4)),
    slotsF: new Float64Array(new SharedArrayBuffer(SLOTS * SLOT_F64 * 8)),
    ends: new Uint32Array(new SharedArrayBuffer(SLOTS * ENDS_PER_SLOT * 4)),
  };
}

type WaitResult = { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
/** Atomics.waitAsync (Node ≥ 16; not in the ES2022 typings this project compiles against). */
export const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, t?: number): WaitResult }).waitAsync;

/** a − b for two counters that wrap at 2^32 (Int32Array stores). */
export function diff(a: number, b: number): number {
  return (a - b) | 0;
}

/** Registrations of shared buffers (slabs) with the writer thread, on their own port, read synchronously. */
export type SlabMessage = { reg: number; sab: SharedArrayBuffer } | { drop: number };

/** Error text of a failed job, posted before DONE counts it. */
export interface JobError {
  job: number;
  error: string;
}

/** The record ends, first seq number and append time of a run whose headers the writer thread fills. */
export interface RunHeads {
  ends: ArrayLike<number>;
  seq: number;
  at: number;
}

/** Fill every record header of the run but the CRC (layout: src/queue/disk/format.ts). */
export function fillHeads(b: Buffer, h: RunHeads): void {
  const view = new DataView(b.buffer, b.byteOffset, b.length);
  let start = 0;
  for (let i = 0; i < h.ends.length; i++) {
    const end = h.ends[i]!;
    if (end - start < HDR || end > b.length) throw new Error(`record ${i} of the run has impossible bounds ${start}..${end} (run of ${b.length} bytes)`);
    writeHeaderNoCrc(view, start, end - start - HDR, h.seq + i, h.at);
    start = end;
  }
}

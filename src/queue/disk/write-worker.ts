// The write-behind thread of the disk queues (src/queue/disk/writer.ts posts to it). It receives record runs
// laid out by DiskQueue.append on the main thread — headers filled except the CRC — computes each record's
// CRC32C, writes the run at its position in the segment and answers. Runs of one fd arrive and complete in
// order. After a failed write the run's bytes are cut back and every later run for that fd fails too (the
// main thread stops using the segment when it learns of the failure), so a segment never holds a hole.
import { fsyncSync, ftruncateSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { nativeCrc } from './crc32c';
import { HDR, sealRecord, writeHeaderNoCrc } from './format';

export interface WriteJob {
  id: number;
  fd: number;
  /** -1 with buf null: fsync the fd (after the writes posted before it). */
  pos: number;
  buf: ArrayBuffer | null;
  /** Bytes of `buf` to write, from its start (the rest is pooled capacity). */
  len: number;
  /**
   * Headers still to fill (DiskQueue.appendFramed's whole-chunk path): record i ends at `ends[i]` in `buf` and is
   * numbered `seq + i`, all appended at `at`. Absent: the main thread filled them, all but the CRC.
   */
  heads?: RunHeads;
}

/** The record ends, first seq number and append time of a run whose headers the writer thread fills. */
export interface RunHeads {
  ends: Uint32Array;
  seq: number;
  at: number;
}

export interface WriteDone {
  id: number;
  error: string | null;
  /** The job's buffer, transferred back for reuse (writer.ts pool). */
  buf?: ArrayBuffer;
}

const failed = new Map<number, string>();

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

/** Fill the CRC of every record of the run (layout: src/queue/disk/format.ts): one call into the addon if built. */
export function sealRun(b: Buffer): void {
  if (nativeCrc !== null) {
    nativeCrc.sealRun(b);
    return;
  }
  for (let o = 0; o + HDR <= b.length;) {
    const len = b.readUInt32LE(o + 8);
    sealRecord(b, o, len);
    o += HDR + len;
  }
}

function run(job: WriteJob): WriteDone {
  const prior = failed.get(job.fd);
  if (prior !== undefined) return { id: job.id, error: prior };
  if (job.buf === null) {
    try {
      fsyncSync(job.fd);
      return { id: job.id, error: null };
    } catch (e) {
      return { id: job.id, error: (e as Error).message };
    }
  }
  const b = Buffer.from(job.buf, 0, job.len);
  try {
    if (job.heads) fillHeads(b, job.heads);
    sealRun(b);
    for (let done = 0; done < b.length;) {
      const n = writeSync(job.fd, b, done, b.length - done, job.pos + done);
      if (n <= 0) throw new Error('short write');
      done += n;
    }
    return { id: job.id, error: null };
  } catch (e) {
    const error = (e as Error).message;
    failed.set(job.fd, error);
    try {
      ftruncateSync(job.fd, job.pos);
    } catch { /* the next recovery cuts the torn tail */ }
    return { id: job.id, error };
  }
}

if (parentPort) {
  const port = parentPort;
  const finished = (workerData as { finished?: Int32Array } | null)?.finished;
  port.on('message', (m: WriteJob | { forget: number }) => {
    if ('forget' in m) {
      failed.delete(m.forget);
      return;
    }
    const done = run(m);
    if (finished) {
      Atomics.add(finished, 0, 1);
      Atomics.notify(finished, 0);
    }
    if (m.buf !== null) {
      done.buf = m.buf;
      port.postMessage(done, [m.buf]);
    } else port.postMessage(done);
  });
}

// The write-behind thread of the disk queues (src/queue/disk/writer.ts posts to it through the shared job ring of
// write-ring.ts). A job is a run of records laid out by DiskQueue.append on the main thread, in a shared buffer
// (a slab); this thread fills the headers the main thread left to it, computes each record's CRC32C, writes the
// run at its position in the segment and counts it done. Jobs run in the order posted. After a failed write the
// run's bytes are cut back and every later job for that fd fails too (the main thread stops using the segment
// when it learns of the failure), so a segment never holds a hole.
import { fsyncSync, ftruncateSync, writeSync } from 'node:fs';
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { nativeCrc } from './crc32c';
import { HDR, sealRecord } from './format';
import {
  ASLEEP, ACTIVE, C_DONE, C_HEAD, C_STATE, C_WANT, ENDS_PER_SLOT, F_AT, F_POS, F_SEQ, IDLE_POLLS, K_FORGET, K_SYNC,
  POLL_MS, S_ENDS, S_FD, S_KIND, S_LEN, S_SLAB, S_STATUS, SLOT_F64, SLOT_I32, SLOTS, diff, fillHeads, waitAsync,
  type JobError, type Ring, type SlabMessage,
} from './write-ring';

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

export interface WriterData extends Ring {
  slabPort: MessagePort;
  errorPort: MessagePort;
}

class WriteThread {
  private readonly failed = new Map<number, string>();
  private readonly slabs = new Map<number, Buffer>();
  private done: number;
  private idle = 0;

  constructor(private readonly d: WriterData) {
    this.done = Atomics.load(d.ctrl, C_DONE);
  }

  /** Run every posted job, then wait: POLL_MS while there was work lately, else until notified. */
  loop(): void {
    const { ctrl } = this.d;
    for (;;) {
      let ran = false;
      while (diff(Atomics.load(ctrl, C_HEAD), this.done) > 0) {
        this.runSlot((this.done >>> 0) % SLOTS);
        this.done = (this.done + 1) | 0;
        Atomics.store(ctrl, C_DONE, this.done);
        if (Atomics.load(ctrl, C_WANT) !== 0) Atomics.notify(ctrl, C_DONE);
        ran = true;
      }
      if (ran) this.takeSlabMessages(); // drops of slabs the main thread let go
      this.idle = ran ? 0 : this.idle + 1;
      const asleep = this.idle >= IDLE_POLLS;
      Atomics.store(ctrl, C_STATE, asleep ? ASLEEP : ACTIVE);
      // The main thread notifies when it sees ASLEEP (or waits for an answer); a post made between the loop's last
      // look and this wait changed HEAD, so the wait returns at once.
      const r = waitAsync(ctrl, C_HEAD, this.done, asleep ? Infinity : POLL_MS);
      if (!r.async) continue;
      void r.value.then(() => {
        Atomics.store(ctrl, C_STATE, ACTIVE);
        this.loop();
      });
      return;
    }
  }

  private runSlot(slot: number): void {
    const { slotsI, slotsF, ends } = this.d;
    const i = slot * SLOT_I32;
    const f = slot * SLOT_F64;
    const fd = slotsI[i + S_FD]!;
    const kind = slotsI[i + S_KIND]!;
    let error: string | null = null;
    if (kind === K_FORGET) this.failed.delete(fd);
    else {
      error = this.failed.get(fd) ?? null;
      if (error === null && kind === K_SYNC) error = attempt(() => fsyncSync(fd));
      else if (error === null) {
        const pos = slotsF[f + F_POS]!;
        const n = slotsI[i + S_ENDS]!;
        const b = this.slab(slotsI[i + S_SLAB]!, slotsI[i + S_LEN]!);
        error = b === null ? 'disk queue writer thread: unknown write buffer' : attempt(() => {
          if (n > 0) fillHeads(b, { ends: ends.subarray(slot * ENDS_PER_SLOT, slot * ENDS_PER_SLOT + n), seq: slotsF[f + F_SEQ]!, at: slotsF[f + F_AT]! });
          sealRun(b);
          for (let done = 0; done < b.length;) {
            const w = writeSync(fd, b, done, b.length - done, pos + done);
            if (w <= 0) throw new Error('short write');
            done += w;
          }
        });
        if (error !== null) {
          this.failed.set(fd, error);
          attempt(() => ftruncateSync(fd, pos)); // else the next recovery cuts the torn tail
        }
      }
    }
    slotsI[i + S_STATUS] = error === null ? 0 : 1;
    if (error !== null) this.d.errorPort.postMessage({ job: this.done, error } satisfies JobError);
  }

  /** The first `len` bytes of slab `id` (registered by the main thread before it posted the job). */
  private slab(id: number, len: number): Buffer | null {
    if (!this.slabs.has(id)) this.takeSlabMessages();
    return this.slabs.get(id)?.subarray(0, len) ?? null;
  }

  /** Registrations and drops of slabs, in the order posted; a slab is dropped only after its last job ran. */
  private takeSlabMessages(): void {
    for (;;) {
      const m = receiveMessageOnPort(this.d.slabPort)?.message as SlabMessage | undefined;
      if (m === undefined) return;
      if ('reg' in m) this.slabs.set(m.reg, Buffer.from(m.sab));
      else this.slabs.delete(m.drop);
    }
  }
}

function attempt(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

const data = workerData as { writer?: WriterData } | null;
if (data?.writer) {
  // A pending Atomics.waitAsync does not keep a thread's event loop alive: this timer does (the Worker is unref'd
  // on the main thread, so the process can still exit).
  setInterval(() => {}, 2 ** 30);
  new WriteThread(data.writer).loop();
}

// Main-thread side of the disk queues' write-behind thread (write-worker.ts): one thread per process, shared by
// every disk queue, started when the first write-behind queue opens (or at first use); it never keeps the process
// alive by itself. Moving the CRC32C and the write() off the main thread is what keeps a spilling queue from slowing
// the inputs and the other actions (bench/README.md "queue isolation").
//
// Jobs go through the shared ring of write-ring.ts; a job's bytes are copied once into a shared buffer (a slab)
// that the writer thread reads in place: posting a job is that copy and a few stores, with no message (a slab is
// registered by message once, when first used). The main thread learns that jobs are done every REAP_MS while
// some are in flight, or at once when something waits for them (hurry(), drainWrites()). Callbacks always run
// later, from the event loop, never inside postWrite().
import { join } from 'node:path';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import {
  ASLEEP, C_DONE, C_HEAD, C_STATE, C_WANT, ENDS_PER_SLOT, F_AT, F_POS, F_SEQ, K_FORGET, K_SYNC, K_WRITE, S_ENDS, S_FD,
  S_KIND, S_LEN, S_SLAB, S_STATUS, SLOT_F64, SLOT_I32, SLOTS, diff, fillHeads, newRing, waitAsync,
  type JobError, type Ring, type RunHeads, type SlabMessage,
} from './write-ring';
import type { WriterData } from './write-worker';

export type { RunHeads } from './write-ring';

type Callback = (error: string | null) => void;

/** A shared buffer the writer thread can read without a copy. */
interface Slab {
  id: number;
  sab: SharedArrayBuffer;
  byteLength: number;
}

interface Job {
  cb: Callback;
  /** Back to the pool once the job ran (collect()). */
  slab: Slab | null;
  /** Set when the outcome is known: null (done) or the error. */
  error?: string | null;
}

/** How often the main thread looks for finished jobs while some are in flight and nothing waits for them. */
const REAP_MS = 5;
/** drainWrites() and a full ring give up on a writer thread that does not move for this long. */
const STUCK_MS = 30_000;

class WriterThread {
  readonly ring: Ring = newRing();
  readonly worker: Worker;
  private readonly slabPort: MessagePort;
  private readonly errorPort: MessagePort;
  /** Slabs this thread knows of. */
  private readonly registered = new Set<number>();
  /** Jobs posted, and of those the ones whose outcome was read (`collected`) and whose callback ran. */
  private posted = 0;
  private collected = 0;
  /** Jobs posted and not yet called back, oldest first: pending[0] is job number posted − pending.length. */
  private readonly pending: Job[] = [];
  private timer: NodeJS.Timeout | null = null;
  private waiting = false;
  private dead: string | null = null;

  constructor() {
    const slabs = new MessageChannel();
    const errors = new MessageChannel();
    this.slabPort = slabs.port1;
    this.errorPort = errors.port1;
    const writer: WriterData = { ...this.ring, slabPort: slabs.port2, errorPort: errors.port2 };
    this.worker = new Worker(join(__dirname, 'write-worker.js'), { workerData: { writer }, transferList: [slabs.port2, errors.port2] });
    this.worker.on('error', (e) => this.fail(`disk queue writer thread failed: ${e.message}`));
    this.worker.on('exit', (code) => this.fail(`disk queue writer thread exited (${code})`));
    this.worker.unref();
  }

  post(kind: number, fd: number, cb: Callback, slab: Slab | null = null, len = 0, pos = 0, heads?: RunHeads): void {
    const { ctrl, slotsI, slotsF, ends } = this.ring;
    if (this.dead === null) {
      this.collect(); // slabs of finished jobs back to the pool, while they are still in the cache
      if (this.posted - this.collected >= SLOTS) this.waitForSlot();
    }
    if (this.dead !== null) {
      // The thread is gone (or gave up waiting for a slot just now): the job fails, its callback still comes later.
      this.pending.push({ cb, slab: null, error: this.dead });
      this.posted++;
      this.collected++;
      this.armReaper();
      return;
    }
    if (slab !== null && !this.registered.has(slab.id)) {
      this.slabPort.postMessage({ reg: slab.id, sab: slab.sab } satisfies SlabMessage);
      this.registered.add(slab.id);
    }
    const slot = this.posted % SLOTS;
    const i = slot * SLOT_I32;
    const f = slot * SLOT_F64;
    slotsI[i + S_KIND] = kind;
    slotsI[i + S_FD] = fd;
    slotsI[i + S_SLAB] = slab?.id ?? 0;
    slotsI[i + S_LEN] = len;
    slotsI[i + S_STATUS] = 0;
    slotsI[i + S_ENDS] = heads?.ends.length ?? 0;
    slotsF[f + F_POS] = pos;
    if (heads) {
      ends.set(heads.ends, slot * ENDS_PER_SLOT);
      slotsF[f + F_SEQ] = heads.seq;
      slotsF[f + F_AT] = heads.at;
    }
    this.pending.push({ cb, slab });
    this.posted++;
    Atomics.store(ctrl, C_HEAD, this.posted | 0);
    if (Atomics.load(ctrl, C_STATE) === ASLEEP || Atomics.load(ctrl, C_WANT) !== 0) Atomics.notify(ctrl, C_HEAD);
    this.armReaper();
  }

  /** Something waits for the jobs in flight: have the writer thread start now and say when each one is done. */
  hurry(): void {
    if (this.collected === this.posted || this.dead !== null) return;
    const { ctrl } = this.ring;
    this.wantAnswers();
    if (this.waiting) return;
    this.waiting = true;
    const then = (): void => {
      this.waiting = false;
      this.reap();
      if (this.collected !== this.posted) this.hurry();
    };
    // WANT is set before DONE is read: a job finishing after this read notifies, one finishing before it changed
    // DONE, and the wait returns at once.
    const done = Atomics.load(ctrl, C_DONE);
    const r = diff(this.posted | 0, done) <= 0 ? null : waitAsync(ctrl, C_DONE, done, REAP_MS * 20);
    if (r !== null && r.async) void r.value.then(then);
    else queueMicrotask(then);
  }

  /** Someone waits: the writer thread starts on what is posted now and notifies DONE after each job. */
  private wantAnswers(): void {
    Atomics.store(this.ring.ctrl, C_WANT, 1);
    Atomics.notify(this.ring.ctrl, C_HEAD);
  }

  /** Block until every job posted so far ran (at most `timeoutMs`). */
  drain(timeoutMs: number): void {
    const { ctrl } = this.ring;
    const deadline = Date.now() + timeoutMs;
    this.wantAnswers();
    for (;;) {
      const done = Atomics.load(ctrl, C_DONE);
      if (this.dead !== null || diff(this.posted | 0, done) <= 0 || Date.now() >= deadline) return;
      Atomics.wait(ctrl, C_DONE, done, Math.max(1, deadline - Date.now()));
    }
  }

  /** Read the outcome of the jobs the writer thread finished (no callback runs here). */
  private collect(): void {
    const { ctrl, slotsI } = this.ring;
    const done = Atomics.load(ctrl, C_DONE);
    while (diff(done, this.collected | 0) > 0) {
      const job = this.pending[this.pending.length - (this.posted - this.collected)]!;
      if (slotsI[(this.collected % SLOTS) * SLOT_I32 + S_STATUS] === 0) job.error = null;
      else job.error = (receiveMessageOnPort(this.errorPort)?.message as JobError | undefined)?.error ?? 'disk queue write failed';
      if (job.slab !== null) this.release(job.slab);
      job.slab = null;
      this.collected++;
    }
  }

  /** Collect, then call back the finished jobs in order. */
  private reap(): void {
    if (this.dead === null) this.collect();
    while (this.pending.length > 0 && this.pending[0]!.error !== undefined) {
      const job = this.pending.shift()!;
      job.cb(job.error!);
    }
    if (this.pending.length === 0) Atomics.store(this.ring.ctrl, C_WANT, 0);
  }

  private armReaper(): void {
    if (this.timer !== null) return;
    // Ref'd while jobs are in flight: their callbacks are still to come.
    this.timer = setTimeout(() => {
      this.timer = null;
      this.reap();
      if (this.pending.length > 0) this.armReaper();
    }, REAP_MS);
  }

  /** The ring is full (a writer thread SLOTS jobs behind): wait for its oldest job, synchronously. */
  private waitForSlot(): void {
    const { ctrl } = this.ring;
    const deadline = Date.now() + STUCK_MS;
    this.wantAnswers();
    for (;;) {
      this.collect();
      if (this.posted - this.collected < SLOTS) return;
      if (Date.now() >= deadline) {
        this.fail(`disk queue writer thread did not finish a write in ${STUCK_MS / 1000} s`);
        void this.worker.terminate();
        return;
      }
      Atomics.wait(ctrl, C_DONE, Atomics.load(ctrl, C_DONE), 100);
    }
  }

  private release(s: Slab): void {
    if (pool.length < POOL_MAX && s.byteLength <= POOL_KEEP_MAX) pool.push(s);
    else if (this.registered.delete(s.id) && this.dead === null) this.slabPort.postMessage({ drop: s.id } satisfies SlabMessage);
  }

  /** The thread is gone: every job not finished fails with `why`; later posts fail at once. */
  private fail(why: string): void {
    if (this.dead !== null) return;
    this.dead = why;
    if (current === this) current = null;
    this.collect();
    for (const job of this.pending) if (job.error === undefined) job.error = why;
    this.collected = this.posted;
    Atomics.store(this.ring.ctrl, C_DONE, this.posted | 0); // nothing more will finish: drainWrites() must not wait
    this.reap();
  }
}

let current: WriterThread | null = null;

/**
 * Start the writer thread now if it is not running. A write-behind queue calls this when it opens: the thread's
 * start (~40 ms of CPU, ~12 MB) then happens at startup, not in the middle of the first outage, when the queue
 * starts to spill at the input's rate (bench/README.md "queue isolation").
 */
export function startWriter(): Worker {
  if (current === null) current = new WriterThread();
  return current.worker;
}

function writer(): WriterThread {
  startWriter();
  return current!;
}

/*
 * Two pools. Write buffers (writeBuffer()) are ordinary ArrayBuffers the main thread fills: a copy into shared
 * memory costs ~3× as much per small set() (V8 copies into a SharedArrayBuffer with relaxed atomic stores: 190 vs
 * 62 ns for a 250-byte message and its header), so records are laid out here and copied into a slab once per job
 * (~11 µs for 300 KiB). Slabs are the SharedArrayBuffers the writer thread reads in place, pooled once written.
 * A write buffer given up with postWrite(…, transfer = true) is back in its pool right after that copy, still in
 * the CPU's cache for the next records. A fresh 512 KiB buffer costs ~75 µs of page faults and zeroing (~75 ns per
 * spilled message), a pooled one nothing. At most POOL_MAX of each are kept; larger ones than POOL_KEEP_MAX are
 * left to the GC.
 */
const WRITE_CHUNK = 512 * 1024;
const POOL_MAX = 16;
const POOL_KEEP_MAX = 4 * WRITE_CHUNK;
const buffers: ArrayBuffer[] = [];
const pool: Slab[] = [];
let nextSlab = 1;

function fromPool<T extends { byteLength: number }>(p: T[], size: number): T | undefined {
  for (let i = p.length - 1; i >= 0; i--) {
    const x = p[i]!;
    if (x.byteLength >= size) {
      p[i] = p[p.length - 1]!;
      p.pop();
      return x;
    }
  }
  return undefined;
}

/**
 * A Buffer of `size` bytes at offset 0 of an ArrayBuffer of its own (maybe larger, maybe reused, not zeroed), for
 * postWrite(…, transfer = true).
 */
export function writeBuffer(size: number): Buffer {
  return Buffer.from(fromPool(buffers, size) ?? new ArrayBuffer(Math.max(size, WRITE_CHUNK)), 0, size);
}

function takeSlab(size: number): Slab {
  const len = Math.max(size, WRITE_CHUNK);
  return fromPool(pool, size) ?? { id: nextSlab++, sab: new SharedArrayBuffer(len), byteLength: len };
}

/**
 * Write `buf` (a run of records whose CRCs are still to be computed) at `pos` of `fd`. The bytes are copied into a
 * slab now; with `transfer`, `buf` is at offset 0 of a buffer writeBuffer() made and the caller gives it up (it is
 * reused at once). `cb` runs on the main thread, later, once the bytes are written, or failed. `heads`: the writer
 * thread fills the record headers (else they are filled but for the CRC).
 */
export function postWrite(fd: number, pos: number, buf: Buffer, cb: Callback, transfer = false, heads?: RunHeads): void {
  const slab = takeSlab(buf.length);
  const bytes = Buffer.from(slab.sab, 0, buf.length);
  bytes.set(buf);
  if (heads && heads.ends.length > ENDS_PER_SLOT) {
    fillHeads(bytes, heads); // more records than a slot has room for: the headers are filled here
    heads = undefined;
  }
  writer().post(K_WRITE, fd, cb, slab, buf.length, pos, heads);
  const ab = buf.buffer;
  if (transfer && buf.byteOffset === 0 && ab instanceof ArrayBuffer && buffers.length < POOL_MAX && ab.byteLength <= POOL_KEEP_MAX) buffers.push(ab);
}

/** fsync `fd` on the writer thread after the writes posted before; `cb` runs on the main thread. */
export function postSync(fd: number, cb: Callback): void {
  writer().post(K_SYNC, fd, cb);
}

/** A segment fd is closed: forget its failure state (the number may be reused by a later open). */
export function forgetFd(fd: number): void {
  current?.post(K_FORGET, fd, () => {});
}

/** Something waits for the writes in flight (DiskQueue.whenWritten): answer as soon as they are done. */
export function hurryWrites(): void {
  current?.hurry();
}

/**
 * Block until every posted write finished (at most `timeoutMs`): a disk queue closing with writes in flight
 * must not close their fds under the writer. Normally ActionQueue.close() awaits whenWritten() first.
 */
export function drainWrites(timeoutMs = 30_000): void {
  current?.drain(timeoutMs);
}

// Main-thread side of the disk queues' write-behind thread (write-worker.ts): one worker per process, shared
// by every disk queue, started when the first write-behind queue opens (or at first use) and unref'd while it
// has nothing to do, so it never keeps the process alive. Moving the CRC32C and the write() off the main thread
// is what keeps a spilling queue from slowing the inputs and the other actions (bench/README.md "queue isolation").
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RunHeads, WriteDone, WriteJob } from './write-worker';

type Callback = (error: string | null) => void;

let worker: Worker | null = null;
let nextId = 1;
/** Jobs the worker finished (it adds and notifies after each), for drainWrites() to wait on synchronously. */
const finished = new Int32Array(new SharedArrayBuffer(4));
let posted = 0;
const callbacks = new Map<number, Callback>();

function start(): Worker {
  const w = new Worker(join(__dirname, 'write-worker.js'), { workerData: { finished } });
  w.on('message', (d: WriteDone) => {
    if (d.buf) release(d.buf);
    const cb = callbacks.get(d.id);
    callbacks.delete(d.id);
    if (callbacks.size === 0) w.unref();
    cb?.(d.error);
  });
  const fail = (why: string): void => {
    if (worker === w) worker = null;
    Atomics.store(finished, 0, posted); // nothing more will finish: drainWrites() must not wait for it
    const all = [...callbacks.values()];
    callbacks.clear();
    for (const cb of all) cb(why);
  };
  w.on('error', (e) => fail(`disk queue writer thread failed: ${e.message}`));
  w.on('exit', (code) => fail(`disk queue writer thread exited (${code})`));
  w.unref();
  return w;
}

/**
 * Start the writer thread now if it is not running (it stays unref'd while idle). A write-behind queue calls this
 * when it opens: the thread's start (~40 ms of CPU, ~12 MB) then happens at startup, not in the middle of the
 * first outage, when the queue starts to spill at the input's rate (bench/README.md "queue isolation").
 */
export function startWriter(): Worker {
  if (worker === null) worker = start();
  return worker;
}

/*
 * Write buffers go to the writer thread by transfer and come back with its answer, to be used again: a fresh
 * 512 KiB ArrayBuffer costs ~75 µs of page faults and zeroing on the main thread (~75 ns per spilled message),
 * a pooled one nothing. At most POOL_MAX are kept; larger ones than POOL_KEEP_MAX are left to the GC.
 */
const WRITE_CHUNK = 512 * 1024;
const POOL_MAX = 16;
const POOL_KEEP_MAX = 4 * WRITE_CHUNK;
const pool: ArrayBuffer[] = [];

/**
 * A Buffer of `size` bytes at offset 0 of an ArrayBuffer of its own (maybe larger, maybe reused, not zeroed),
 * for postWrite(…, transfer = true).
 */
export function writeBuffer(size: number): Buffer {
  for (let i = pool.length - 1; i >= 0; i--) {
    const ab = pool[i]!;
    if (ab.byteLength >= size) {
      pool[i] = pool[pool.length - 1]!;
      pool.pop();
      return Buffer.from(ab, 0, size);
    }
  }
  return Buffer.from(new ArrayBuffer(Math.max(size, WRITE_CHUNK)), 0, size);
}

function release(ab: ArrayBuffer): void {
  if (pool.length < POOL_MAX && ab.byteLength <= POOL_KEEP_MAX) pool.push(ab);
}

/**
 * Write `buf` (a run of records whose CRCs are still to be computed) at `pos` of `fd`. With `transfer`, `buf`
 * starts at offset 0 of its ArrayBuffer (writeBuffer() made it) and the caller gives that ArrayBuffer up: it
 * moves to the writer thread and back to the pool. Else the bytes are copied first. `cb` runs on the main
 * thread once the bytes are written, or failed. `heads`: the writer thread fills the record headers (else they are
 * filled but for the CRC).
 */
export function postWrite(fd: number, pos: number, buf: Buffer, cb: Callback, transfer = false, heads?: RunHeads): void {
  const w = startWriter();
  const id = nextId++;
  posted++;
  callbacks.set(id, cb);
  if (callbacks.size === 1) w.ref();
  let own = buf;
  if (!transfer || buf.byteOffset !== 0) {
    own = writeBuffer(buf.length);
    buf.copy(own);
  }
  const ab = own.buffer as ArrayBuffer;
  const job: WriteJob = { id, fd, pos, buf: ab, len: own.length };
  if (heads) job.heads = heads;
  w.postMessage(job, [ab]);
}

/** fsync `fd` on the writer thread after the writes posted before; `cb` runs on the main thread. */
export function postSync(fd: number, cb: Callback): void {
  const w = startWriter();
  const id = nextId++;
  posted++;
  callbacks.set(id, cb);
  if (callbacks.size === 1) w.ref();
  const job: WriteJob = { id, fd, pos: -1, buf: null, len: 0 };
  w.postMessage(job);
}

/** A segment fd is closed: forget its failure state (the number may be reused by a later open). */
export function forgetFd(fd: number): void {
  worker?.postMessage({ forget: fd });
}

/**
 * Block until every posted write finished (at most `timeoutMs`): a disk queue closing with writes in flight
 * must not close their fds under the writer. Normally ActionQueue.close() awaits whenWritten() first.
 */
export function drainWrites(timeoutMs = 30_000): void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const done = Atomics.load(finished, 0);
    if (done >= posted || Date.now() >= deadline) return;
    Atomics.wait(finished, 0, done, Math.max(1, deadline - Date.now()));
  }
}

// Main-thread side of the disk queues' write-behind thread (write-worker.ts): one worker per process, shared
// by every disk queue, started on first use and unref'd while it has nothing to do, so it never keeps the
// process alive. Moving the CRC32C and the write() off the main thread is what keeps a spilling queue from
// slowing the inputs and the other actions (bench/README.md "queue isolation").
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WriteDone, WriteJob } from './write-worker';

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
 * Write `buf` (a run of records whose CRCs are still to be computed; it must own its whole ArrayBuffer, which
 * is transferred) at `pos` of `fd`. `cb` runs on the main thread once the bytes are written, or failed.
 */
export function postWrite(fd: number, pos: number, buf: Buffer, cb: Callback): void {
  if (worker === null) worker = start();
  const id = nextId++;
  posted++;
  callbacks.set(id, cb);
  if (callbacks.size === 1) worker.ref();
  let ab = buf.buffer as ArrayBuffer;
  if (buf.byteOffset !== 0 || buf.byteLength !== ab.byteLength) {
    const own = Buffer.from(new ArrayBuffer(buf.length));
    buf.copy(own);
    ab = own.buffer as ArrayBuffer;
  }
  const job: WriteJob = { id, fd, pos, buf: ab };
  worker.postMessage(job, [ab]);
}

/** fsync `fd` on the writer thread after the writes posted before; `cb` runs on the main thread. */
export function postSync(fd: number, cb: Callback): void {
  if (worker === null) worker = start();
  const id = nextId++;
  posted++;
  callbacks.set(id, cb);
  if (callbacks.size === 1) worker.ref();
  const job: WriteJob = { id, fd, pos: -1, buf: null };
  worker.postMessage(job);
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

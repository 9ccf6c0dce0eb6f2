// The queue stage: order kept, batches bounded, a failed batch retried first and whole (at-least-once, never
// acknowledged after a failure), congestion raised at the high-water mark and cleared at the low one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action } from '../../../src/actions/action';
import { StreamLogger } from '../../../src/log';
import { Message } from '../../../src/message';
import { ActionQueue, DEFAULT_QUEUE_OPTIONS, type QueueOptions } from '../../../src/queue/action-queue';
import { Ring } from '../../../src/queue/ring';
import { SyslogTime } from '../../../src/time';

const origin = { inputname: 'test', fromhost: 'localhost', fromhostIp: '127.0.0.1', ruleset: 'RSYSLOG_DefaultRuleset' };
function msg(i: number): Message {
  const m = new Message(Buffer.from(`m${i}`), origin, SyslogTime.now());
  m.msg = `m${i}`;
  return m;
}

/** An action that records delivered batches and can be told to fail its next `failNext` calls. */
class RecordingAction implements Action {
  readonly name = 'recording';
  readonly stats = { delivered: 0, failed: 0 };
  readonly batches: string[][] = [];
  readonly attempts: string[][] = [];
  failNext = 0;
  gate: Promise<void> | null = null;
  async deliver(batch: Message[]): Promise<void> {
    this.attempts.push(batch.map((m) => m.msg));
    if (this.gate) await this.gate;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('peer down');
    }
    this.batches.push(batch.map((m) => m.msg));
    this.stats.delivered += batch.length;
  }
  async close(): Promise<void> {}
}

const quiet = new StreamLogger({ out: null, keep: true });
function opts(o: Partial<QueueOptions>): QueueOptions {
  return { ...DEFAULT_QUEUE_OPTIONS, retryInitialMs: 5, retryMaxMs: 20, ...o };
}

test('ring keeps FIFO order across growth and unshiftAll', () => {
  const r = new Ring<number>(16);
  for (let i = 0; i < 100; i++) r.push(i);
  const first = r.take(10);
  assert.deepEqual(first, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  r.unshiftAll(first);
  for (let i = 100; i < 150; i++) r.push(i);
  assert.equal(r.length, 150);
  assert.deepEqual(r.take(1000), Array.from({ length: 150 }, (_, i) => i));
});

test('delivers in order, in batches of at most batchSize', async () => {
  const a = new RecordingAction();
  const q = new ActionQueue(a, opts({ batchSize: 7 }), quiet, () => {});
  for (let i = 0; i < 50; i++) q.push(msg(i));
  await q.whenIdle();
  assert.ok(a.batches.every((b) => b.length <= 7));
  assert.deepEqual(a.batches.flat(), Array.from({ length: 50 }, (_, i) => `m${i}`));
  assert.equal(q.stats.delivered, 50);
});

test('a failed batch is retried whole and first; nothing counts as delivered until it succeeds', async () => {
  const a = new RecordingAction();
  a.failNext = 3;
  const q = new ActionQueue(a, opts({ batchSize: 4 }), quiet, () => {});
  for (let i = 0; i < 10; i++) q.push(msg(i));
  await q.whenIdle();
  const first = ['m0', 'm1', 'm2', 'm3'];
  assert.deepEqual(a.attempts.slice(0, 4), [first, first, first, first]);
  assert.deepEqual(a.batches.flat(), Array.from({ length: 10 }, (_, i) => `m${i}`), 'each message delivered exactly once, in order');
  assert.equal(q.stats.retries, 3);
  assert.equal(q.stats.delivered, 10);
});

test('congestion is raised at the high-water mark and cleared at the low one', async () => {
  const a = new RecordingAction();
  let release!: () => void;
  a.gate = new Promise<void>((r) => { release = r; });
  const changes: boolean[] = [];
  const q = new ActionQueue(a, opts({ batchSize: 10, highWatermark: 30, lowWatermark: 5, maxSize: 100 }), quiet, (qq) => changes.push(qq.congested));
  for (let i = 0; i < 40; i++) q.push(msg(i));
  assert.equal(q.congested, true);
  assert.deepEqual(changes, [true]);
  a.gate = null;
  release();
  await q.whenIdle();
  assert.equal(q.congested, false);
  assert.deepEqual(changes, [true, false]);
  assert.equal(a.batches.flat().length, 40);
});

test('beyond maxSize messages are refused and counted, and an error is logged', async () => {
  const a = new RecordingAction();
  let release!: () => void;
  a.gate = new Promise<void>((r) => { release = r; });
  const logger = new StreamLogger({ out: null, keep: true });
  const q = new ActionQueue(a, opts({ batchSize: 5, maxSize: 20, highWatermark: 15, lowWatermark: 2 }), logger, () => {});
  for (let i = 0; i < 30; i++) q.push(msg(i));
  assert.equal(q.stats.refused, 10);
  assert.ok(logger.records?.some((r) => r.code === 'LW_ERR_QUEUE_FULL' && r.level === 'error'));
  a.gate = null;
  release();
  await q.whenIdle();
  assert.equal(a.batches.flat().length, 20);
});

test('close() delivers what is queued before closing the action', async () => {
  const a = new RecordingAction();
  const q = new ActionQueue(a, opts({}), quiet, () => {});
  for (let i = 0; i < 25; i++) q.push(msg(i));
  const { undelivered, saved } = await q.close(5000);
  assert.equal(undelivered, 0);
  assert.equal(saved, 0);
  assert.equal(a.batches.flat().length, 25);
});

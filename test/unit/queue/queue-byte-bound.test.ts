// A memory queue is congested by the estimated bytes of the messages it holds (queued and in flight: frame +
// MESSAGE_OVERHEAD_BYTES each), not only by their count: a burst pauses inputs long before highWatermark
// messages pile up. Numbered messages
// through a slow and sometimes failing action: every one delivered once, in order, and the queue's frame
// estimated bytes never far above the bound while the input respects congestion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action } from '../../../src/actions/action';
import { StreamLogger } from '../../../src/log';
import { Message } from '../../../src/message';
import { ActionQueue, DEFAULT_QUEUE_OPTIONS, MESSAGE_OVERHEAD_BYTES, type QueueOptions } from '../../../src/queue/action-queue';
import { SyslogTime } from '../../../src/time';

const origin = { inputname: 'test', fromhost: 'localhost', fromhostIp: '127.0.0.1', ruleset: 'RSYSLOG_DefaultRuleset' };
const FRAME = 1000;
/** What the queue counts for one such message. */
const COST = FRAME + MESSAGE_OVERHEAD_BYTES;
function msg(i: number): Message {
  const text = `m${i} `.padEnd(FRAME, 'x');
  const m = new Message(Buffer.from(text), origin, SyslogTime.now());
  m.msg = String(i);
  return m;
}

/** Delivers on the next turn; fails every `failEvery`-th call (nothing of that batch done). */
class SlowAction implements Action {
  readonly name = 'slow';
  readonly stats = { delivered: 0, failed: 0 };
  readonly seen: number[] = [];
  calls = 0;
  constructor(private readonly failEvery: number) {}
  async deliver(batch: Message[]): Promise<void> {
    await new Promise<void>((r) => setImmediate(r));
    if (this.failEvery > 0 && ++this.calls % this.failEvery === 0) throw new Error('peer down');
    for (const m of batch) this.seen.push(Number(m.msg));
  }
  async close(): Promise<void> {}
}

const quiet = new StreamLogger({ out: null, keep: true });
function opts(o: Partial<QueueOptions>): QueueOptions {
  return { ...DEFAULT_QUEUE_OPTIONS, retryInitialMs: 1, retryMaxMs: 2, ...o };
}

test('congestion is raised at memHighWatermarkBytes (frames + per-message overhead) though far below highWatermark messages', async () => {
  const a = new SlowAction(0);
  const changes: boolean[] = [];
  const q = new ActionQueue(a, opts({ memHighWatermarkBytes: 20 * COST, memLowWatermarkBytes: 5 * COST }), quiet, (qq) => changes.push(qq.congested));
  for (let i = 0; i < 19; i++) q.push(msg(i));
  assert.equal(q.congested, false);
  q.push(msg(19));
  assert.equal(q.congested, true);
  await q.whenIdle();
  assert.equal(q.congested, false);
  assert.deepEqual(changes, [true, false]);
  assert.deepEqual(a.seen, Array.from({ length: 20 }, (_, i) => i));
});

for (const failEvery of [0, 3]) {
  test(`an input that waits while congested: all numbered messages delivered once, in order (failEvery=${failEvery})`, async () => {
    const a = new SlowAction(failEvery);
    const high = 50 * COST;
    const q = new ActionQueue(a, opts({ batchSize: 16, memHighWatermarkBytes: high, memLowWatermarkBytes: 10 * COST }), quiet, () => {});
    const total = 3000;
    let pauses = 0;
    let next = 0;
    while (next < total) {
      // An input reads a chunk of 40 frames (faster than the action), submits them, and stops reading while the queue is congested.
      for (let k = 0; k < 40 && next < total; k++) q.push(msg(next++));
      if (q.congested) {
        pauses++;
        assert.ok(q.snapshot().size * COST <= high + 40 * COST, 'queued messages stay within one chunk of the bound');
        await new Promise<void>((resolve) => {
          let left = 1_000_000; // bounded: a queue that never clears fails the test instead of hanging it
          const poll = (): void => { if (q.congested && --left > 0) setImmediate(poll); else resolve(); };
          poll();
        });
      } else await new Promise<void>((r) => setImmediate(r));
    }
    await q.whenIdle();
    assert.ok(pauses > 0, 'the byte bound paused the input');
    assert.deepEqual(a.seen, Array.from({ length: total }, (_, i) => i));
    assert.equal(q.stats.delivered, total);
    assert.equal(q.stats.refused, 0);
    await q.close(1000);
  });
}

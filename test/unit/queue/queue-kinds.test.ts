// Queue kinds and the delivery contract: disk-assisted spill and drain in order, disk-only, poison reports,
// partial failures retried from where they stopped, action.resumeRetryCount, discardMark, saveOnShutdown and
// resume at the next start. Numbered messages, counted exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeliveryFailure, type Action, type DeliveryReport } from '../../../src/actions/action';
import { StreamLogger } from '../../../src/log';
import { Message } from '../../../src/message';
import { ActionQueue } from '../../../src/queue/action-queue';
import { DEFAULT_QUEUE_OPTIONS, type QueueOptions } from '../../../src/queue/options';
import { SyslogTime } from '../../../src/time';
import { tempDir, waitFor } from '../../helpers/util';

const origin = { inputname: 'test', fromhost: 'localhost', fromhostIp: '127.0.0.1', ruleset: 'RSYSLOG_DefaultRuleset' };
function msg(i: number, severity = 6): Message {
  const m = new Message(Buffer.from(`m${i}`), origin, SyslogTime.now());
  m.msg = `m${i}`;
  m.severity = severity;
  return m;
}
const seq = (n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => `m${i + from}`);

/** Records every delivered message; a hook decides each call's outcome. */
class ScriptedAction implements Action {
  readonly name = 'scripted';
  readonly stats = { delivered: 0, failed: 0 };
  readonly delivered: string[] = [];
  readonly calls: string[][] = [];
  gate: Promise<void> | null = null;
  /** Return a report, throw, or return undefined (all delivered). Called before recording. */
  script: (batch: Message[], call: number) => DeliveryReport | void = () => undefined;
  async deliver(batch: Message[]): Promise<DeliveryReport | void> {
    const call = this.calls.length;
    this.calls.push(batch.map((m) => m.msg));
    if (this.gate) await this.gate;
    let report: DeliveryReport | void;
    try {
      report = this.script(batch, call);
    } catch (e) {
      const done = e instanceof DeliveryFailure ? e.done : 0;
      const rejected = e instanceof DeliveryFailure ? e.rejected : [];
      for (let i = 0; i < done; i++) if (!rejected.some((r) => r.index === i)) this.delivered.push(batch[i].msg);
      throw e;
    }
    const rejected = report ? report.rejected : [];
    for (let i = 0; i < batch.length; i++) if (!rejected.some((r) => r.index === i)) this.delivered.push(batch[i].msg);
    return report;
  }
  async close(): Promise<void> {}
}

const quiet = (): StreamLogger => new StreamLogger({ out: null, keep: true });
function opts(dir: string, o: Partial<QueueOptions>): QueueOptions {
  return { ...DEFAULT_QUEUE_OPTIONS, retryInitialMs: 5, retryMaxMs: 20, spoolDirectory: dir, fileName: 'q', ...o };
}
function gate(a: ScriptedAction): () => void {
  let release!: () => void;
  a.gate = new Promise<void>((r) => { release = r; });
  return () => { a.gate = null; release(); };
}

test('disk-assisted: above the high-water mark new messages spill to disk and drain back in order', async (t) => {
  const d = tempDir(); t.after(() => d.cleanup());
  const a = new ScriptedAction();
  const open = gate(a);
  const congestion: boolean[] = [];
  const q = new ActionQueue(a, opts(d.dir, { kind: 'disk-assisted', batchSize: 8, highWatermark: 20, lowWatermark: 5 }), quiet(), (qq) => congestion.push(qq.congested));
  for (let i = 0; i < 500; i++) q.push(msg(i));
  await new Promise((r) => setImmediate(r));
  const s = q.snapshot();
  assert.ok(s.size <= 20, `memory holds at most the high-water mark (${s.size})`);
  assert.ok(s.diskSize >= 470, `the rest went to disk (${s.diskSize})`);
  assert.deepEqual(congestion, [], 'spilling to disk never pauses inputs');
  open();
  await q.whenIdle();
  assert.deepEqual(a.delivered, seq(500), 'every message once, in order');
  assert.equal(q.stats.delivered, 500);
  assert.ok(q.stats.spilled >= 470);
  await q.close(1000);
});

test('a disk writer that falls behind: new spills wait in memory, inputs pause with 16,384 waiting, resume when the writes land, nothing lost', async (t) => {
  const d = tempDir(); t.after(() => d.cleanup());
  const a = new ScriptedAction();
  const open = gate(a);
  const congestion: boolean[] = [];
  // A 1-byte backlog allowance: while the first spill is with the writer thread every later one must wait.
  const q = new ActionQueue(a, opts(d.dir, { kind: 'disk-assisted', batchSize: 500, highWatermark: 20, lowWatermark: 5, writeBacklogBytes: 1 }), quiet(), (qq) => congestion.push(qq.congested));
  for (let i = 0; i < 20_000; i++) q.push(msg(i));
  assert.deepEqual(congestion, [true], 'congested once 16,384 spills wait behind the writer');
  assert.ok(q.snapshot().diskSize >= 19_000, 'waiting spills count as queued');
  await waitFor(() => !q.congested, 'the inputs resumed once the writes landed');
  open();
  await q.whenIdle();
  assert.deepEqual(a.delivered, seq(20_000), 'every message once, in order');
  assert.deepEqual(congestion, [true, false]);
  await q.close(1000);
});

test('queue.maxDiskSpace reached: what does not fit waits in memory, inputs pause, and once the disk drains every message is delivered once, in order', async (t) => {
  const d = tempDir(); t.after(() => d.cleanup());
  const a = new ScriptedAction();
  const open = gate(a);
  const congestion: boolean[] = [];
  const log = quiet();
  // ~40 bytes a record on disk: 4 KiB holds ~100 of the 3,000, so nearly every flush is taken in part and the
  // rest kept in memory (the spill buffers must then stay intact for the records not taken).
  const q = new ActionQueue(a, opts(d.dir, { kind: 'disk-assisted', batchSize: 64, highWatermark: 10, lowWatermark: 2, maxFileSize: 1024, maxDiskSpace: 4096 }), log, (qq) => congestion.push(qq.congested));
  for (let i = 0; i < 3000; i++) q.push(msg(i));
  await new Promise((r) => setImmediate(r));
  assert.equal(q.congested, true, 'inputs paused at maxDiskSpace');
  assert.ok(log.records!.some((r) => r.code === 'LW_ERR_QUEUE_DISK_FULL'), 'the full disk is logged');
  assert.equal(q.snapshot().size + q.snapshot().diskSize + a.calls.flat().length, 3000, 'every message held somewhere (memory, disk, waiting to spill, or with the gated action)');
  open();
  await q.whenIdle();
  assert.deepEqual(a.delivered, seq(3000), 'every message once, in order');
  assert.equal(q.congested, false);
  assert.deepEqual(congestion, [true, false]);
  await q.close(1000);
});

test('disk: every message goes through the segments, in order', async (t) => {
  const d = tempDir(); t.after(() => d.cleanup());
  const a = new ScriptedAction();
  const q = new ActionQueue(a, opts(d.dir, { kind: 'disk', batchSize: 16 }), quiet(), () => {});
  for (let i = 0; i < 300; i++) q.push(msg(i));
  await q.whenIdle();
  assert.deepEqual(a.delivered, seq(300));
  assert.equal(q.stats.spilled, 300);
  assert.equal(q.snapshot().diskSize, 0);
  await q.close(1000);
});

test('a batch read back from disk holds at most 256 KiB, or what the action asks for (Action.diskBatchBytes)', async (t) => {
  const d = tempDir(); t.after(() => d.cleanup());
  const big = (i: number): Message => {
    const m = msg(i);
    m.rawmsg = Buffer.alloc(1000, 0x61); // ~1 KB a record: 256 KiB holds ~250 of them
    return m;
  };
  const a = new ScriptedAction();
  const q = new ActionQueue(a, opts(join(d.dir, 'small'), { kind: 'disk' }), quiet(), () => {});
  const release = gate(a); // the first batch waits, so the rest is on disk when the next ones are read
  for (let i = 0; i < 2000; i++) q.push(big(i));
  release();
  await q.whenIdle();
  assert.deepEqual(a.delivered, seq(2000));
  const sizes = a.calls.map((c) => c.length);
  assert.ok(Math.max(...sizes) <= 262, `batches of at most 256 KiB of ~1 KB records: ${sizes.join(' ')}`);
  assert.ok(sizes.length >= 8, `2,000 records in several batches: ${sizes.join(' ')}`);
  await q.close(1000);

  const wide = Object.assign(new ScriptedAction(), { diskBatchBytes: 16 * 1024 * 1024 });
  const q2 = new ActionQueue(wide, opts(join(d.dir, 'wide'), { kind: 'disk' }), quiet(), () => {});
  const release2 = gate(wide);
  for (let i = 0; i < 2000; i++) q2.push(big(i));
  release2();
  await q2.whenIdle();
  assert.deepEqual(wide.delivered, seq(2000));
  assert.ok(Math.max(...wide.calls.map((c) => c.length)) > 1000, `an action asking for 16 MiB gets bigger batches: ${wide.calls.map((c) => c.length).join(' ')}`);
  await q2.close(1000);
});

test('poison: refused messages are counted and written to action.errorFile; the rest delivered once', async (t) => {
  const d = tempDir(); t.after(() => d.cleanup());
  const a = new ScriptedAction();
  a.script = (batch) => ({ rejected: batch.flatMap((m, index) => (m.msg.endsWith('7') ? [{ index, code: 'ENAMETOOLONG', reason: `name too long for ${m.msg}` }] : [])) });
  const errorFile = join(d.dir, 'errors.jsonl');
  const logger = quiet();
  const q = new ActionQueue(a, opts(d.dir, { kind: 'memory', batchSize: 10, errorFile }), logger, () => {});
  for (let i = 0; i < 100; i++) q.push(msg(i));
  await q.whenIdle();
  const poison = seq(100).filter((m) => m.endsWith('7'));
  assert.deepEqual(a.delivered, seq(100).filter((m) => !m.endsWith('7')));
  assert.equal(q.stats.poisoned, poison.length);
  assert.equal(q.stats.delivered, 100 - poison.length);
  assert.equal(q.stats.retries, 0, 'poison is never retried');
  const lines = readFileSync(errorFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { rawmsg: string; code: string; action: string });
  assert.deepEqual(lines.map((l) => l.rawmsg), poison);
  assert.ok(lines.every((l) => l.code === 'ENAMETOOLONG' && l.action === 'scripted'));
  assert.equal(logger.records?.filter((r) => r.code === 'LW_WARN_ACTION_POISON').length, 1, 'the log line is rate-limited');
});

test('a partial failure is retried from where it stopped: nothing delivered twice', async (t) => {
  const d = tempDir(); t.after(() => d.cleanup());
  for (const kind of ['memory', 'disk'] as const) {
    const a = new ScriptedAction();
    a.script = (batch, call) => {
      if (call === 0) throw new DeliveryFailure('disk full', { done: 3, rejected: [{ index: 1, code: 'EISDIR', reason: 'dir' }], code: 'ENOSPC' });
      if (call === 2) throw new DeliveryFailure('again', { done: 0 });
    };
    const q = new ActionQueue(a, opts(d.dir, { kind, fileName: `p-${kind}`, batchSize: 10 }), quiet(), () => {});
    for (let i = 0; i < 25; i++) q.push(msg(i));
    await q.whenIdle();
    assert.deepEqual(a.delivered, seq(25).filter((m) => m !== 'm1'), `${kind}: each once, in order`);
    assert.deepEqual(a.calls[1].slice(0, 2), ['m3', 'm4'], `${kind}: the retry starts after the done prefix`);
    assert.equal(q.stats.poisoned, 1);
    assert.equal(q.stats.delivered, 24);
    assert.equal(q.stats.retries, 2);
    await q.close(1000);
  }
});

test('action.resumeRetryCount: a batch is given up after that many retries, counted and written to errorFile', async (t) => {
  const d = tempDir(); t.after(() => d.cleanup());
  const a = new ScriptedAction();
  a.script = (batch) => { if (batch[0].msg === 'm0') throw new Error('peer refuses'); };
  const errorFile = join(d.dir, 'gaveup.jsonl');
  const logger = quiet();
  const q = new ActionQueue(a, opts(d.dir, { kind: 'memory', batchSize: 5, resumeRetryCount: 2, errorFile }), logger, () => {});
  for (let i = 0; i < 12; i++) q.push(msg(i));
  await q.whenIdle();
  assert.equal(a.calls.filter((c) => c[0] === 'm0').length, 3, 'one try and two retries');
  assert.equal(q.stats.gaveUp, 5);
  assert.deepEqual(a.delivered, seq(7, 5));
  assert.equal(readFileSync(errorFile, 'utf8').trim().split('\n').length, 5);
  assert.ok(logger.records?.some((r) => r.code === 'LW_ERR_ACTION_GAVE_UP'));
});

test('queue.discardMark / discardSeverity: unimportant messages are discarded above the mark, important ones kept', async (t) => {
  const d = tempDir(); t.after(() => d.cleanup());
  const a = new ScriptedAction();
  const open = gate(a);
  const q = new ActionQueue(a, opts(d.dir, { kind: 'memory', batchSize: 100, discardMark: 10, discardSeverity: 6 }), quiet(), () => {});
  for (let i = 0; i < 40; i++) q.push(msg(i, i % 2 === 0 ? 7 : 3));
  open();
  await q.whenIdle();
  const kept = seq(40).filter((_, i) => i < 10 || i % 2 === 1);
  assert.deepEqual(a.delivered, kept);
  assert.equal(q.stats.discarded, 40 - kept.length);
});

test('memory queue with timeoutEnqueue=0 never pauses inputs: a full queue refuses and counts', async (t) => {
  const d = tempDir(); t.after(() => d.cleanup());
  const a = new ScriptedAction();
  const open = gate(a);
  const congestion: boolean[] = [];
  const q = new ActionQueue(a, opts(d.dir, { kind: 'memory', maxSize: 30, highWatermark: 10, lowWatermark: 2, timeoutEnqueueMs: 0 }), quiet(), (qq) => congestion.push(qq.congested));
  for (let i = 0; i < 50; i++) q.push(msg(i));
  assert.deepEqual(congestion, []);
  assert.equal(q.stats.refused, 20);
  open();
  await q.whenIdle();
  assert.deepEqual(a.delivered, seq(30));
});

test('saveOnShutdown: a stopped queue whose action is down keeps everything on disk; the next start delivers it', async (t) => {
  const d = tempDir(); t.after(() => d.cleanup());
  const down = new ScriptedAction();
  down.script = () => { throw new Error('connection refused'); };
  const q1 = new ActionQueue(down, opts(d.dir, { kind: 'disk-assisted', batchSize: 10, highWatermark: 15, lowWatermark: 5 }), quiet(), () => {});
  for (let i = 0; i < 60; i++) q1.push(msg(i));
  await waitFor(() => q1.suspended, 'the action suspended'); // no fixed sleep: a loaded machine may take longer
  const closed = await q1.close(10_000);
  assert.deepEqual(closed, { undelivered: 0, saved: 60 });
  assert.deepEqual(down.delivered, []);

  const up = new ScriptedAction();
  const q2 = new ActionQueue(up, opts(d.dir, { kind: 'disk-assisted', batchSize: 10, highWatermark: 15, lowWatermark: 5 }), quiet(), () => {});
  for (let i = 60; i < 70; i++) q2.push(msg(i));
  await q2.whenIdle();
  assert.deepEqual([...up.delivered].sort(), seq(70).sort(), 'all 70 arrive, none twice');
  assert.equal(new Set(up.delivered).size, 70);
  assert.deepEqual(up.delivered.slice(-10), seq(10, 60), 'the saved messages come before the new ones');
  await q2.close(1000);
});

test('a memory queue stopped with its action down reports every undelivered message', async (t) => {
  const d = tempDir(); t.after(() => d.cleanup());
  const down = new ScriptedAction();
  down.script = () => { throw new Error('down'); };
  const logger = quiet();
  const q = new ActionQueue(down, opts(d.dir, { kind: 'memory', batchSize: 10 }), logger, () => {});
  for (let i = 0; i < 25; i++) q.push(msg(i));
  const r = await q.close(100);
  assert.deepEqual(r, { undelivered: 25, saved: 0 });
  assert.ok(logger.records?.some((x) => x.code === 'LW_ERR_QUEUE_ABANDONED' && x.fields?.count === 25));
});

test('a segment that cannot be created (its name taken): the spill waits in memory, the error is logged, inputs pause, the spill is retried, and every message is delivered once, in order; push never throws', async (t) => {
  const d = tempDir(); t.after(() => d.cleanup());
  const a = new ScriptedAction();
  const open = gate(a);
  const log = quiet();
  const congestion: boolean[] = [];
  // ~40 bytes a record on disk: a 1 KiB segment is full after ~25, so the first flush needs segment 2 at once.
  // No memory part (highWatermark 0): settle() then waits for the disk part alone, not for the gated action.
  const q = new ActionQueue(a, opts(d.dir, { kind: 'disk-assisted', batchSize: 64, highWatermark: 0, lowWatermark: 0, maxFileSize: 1024 }), log, (qq) => congestion.push(qq.congested));
  let closed = false;
  t.after(async () => { if (!closed) { open(); await q.close(100); } }); // a failed assertion must not leave it running
  // segments 2-5 cannot be created: directories hold their names (open(…, 'wx') fails with EEXIST)
  for (let n = 2; n <= 5; n++) mkdirSync(join(d.dir, `q.${String(n).padStart(8, '0')}.seg`));
  for (let i = 0; i < 3000; i++) q.push(msg(i));
  // settle() (what RELP waits for before it acknowledges) holds until every spill is on disk
  const toDisk = 3000;
  let settled = false;
  const settling = q.settle().then(() => { settled = true; });
  await waitFor(() => log.records!.some((r) => r.code === 'LW_ERR_QUEUE_DISK_IO'), 'the failed segment is logged');
  assert.equal(congestion[0], true, 'inputs paused while the spill cannot be written');
  assert.equal(settled, false, 'settle() waits while spilled messages are only in memory');
  await settling;
  assert.ok(q.stats.spilled >= toDisk, `settle() resolved with ${q.stats.spilled} of ${toDisk} spills on disk`);
  assert.ok(log.records!.some((r) => r.code === 'LW_NOTICE_QUEUE_DISK_OK'), 'the recovery is logged');
  assert.equal(q.snapshot().diskSize, 3000, 'every message on disk (a batch with the gated action stays there until delivered)');
  open();
  await q.whenIdle();
  assert.deepEqual(a.delivered, seq(3000), 'every message once, in order');
  assert.equal(q.congested, false);
  assert.equal(q.stats.spilled, 3000);
  await q.close(1000);
  closed = true;
});

test('disk-assisted, action suspended: new messages go straight to disk (memory keeps only what came before), and all are delivered once, in order, when it resumes', async (t) => {
  const d = tempDir(); t.after(() => d.cleanup());
  const a = new ScriptedAction();
  let down = true;
  a.script = () => { if (down) throw new Error('connection refused'); };
  const q = new ActionQueue(a, opts(d.dir, { kind: 'disk-assisted', batchSize: 50, highWatermark: 10_000, lowWatermark: 100, retryInitialMs: 20, retryMaxMs: 40 }), quiet(), () => {});
  t.after(async () => { down = false; await q.close(100); }); // also when an assertion failed (its retries would go on)
  for (let i = 0; i < 30; i++) q.push(msg(i));
  await waitFor(() => q.suspended, 'the action suspended');
  for (let i = 30; i < 2030; i++) q.push(msg(i));
  const s = q.snapshot();
  assert.equal(s.size, 30, 'memory holds only the messages from before the suspension');
  assert.equal(s.diskSize, 2000, 'the rest went to disk, far below the high-water mark');
  down = false;
  await q.whenIdle();
  assert.deepEqual(a.delivered, seq(2030), 'every message once, in order');
});

test('a disk part that fails to read (EIO): logged, retried after the backoff, nothing lost or delivered twice, no unhandled rejection', async (t) => {
  const d = tempDir(); t.after(() => d.cleanup());
  const a = new ScriptedAction();
  const log = quiet();
  // No memory part: every message goes through the disk part, so every batch is read back with peek().
  const q = new ActionQueue(a, opts(d.dir, { kind: 'disk-assisted', batchSize: 25, highWatermark: 0, lowWatermark: 0 }), log, () => {});
  t.after(() => q.close(100));
  const disk = (q as unknown as { disk: { peek: (...args: unknown[]) => unknown } }).disk;
  const peek = disk.peek.bind(disk);
  let failures = 2;
  disk.peek = (...args: unknown[]) => {
    if (failures > 0) { failures--; throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }); }
    return peek(...args);
  };
  for (let i = 0; i < 100; i++) q.push(msg(i));
  await q.whenIdle();
  assert.equal(failures, 0, 'both failing reads happened');
  assert.ok(log.records!.some((r) => r.code === 'LW_ERR_QUEUE_FAILED' && String(r.fields?.error).includes('EIO')), 'the failure is logged');
  assert.deepEqual(a.delivered, seq(100), 'every message once, in order');
  assert.equal(q.stats.delivered, 100);
});

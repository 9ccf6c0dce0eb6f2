// Crash consistency with a real process: a child appends numbered messages with checkpointInterval=1 and
// syncQueueFiles, reporting each append on stdout, and is SIGKILLed mid-stream. Then the last segment is cut in
// the middle of its last record and the index deleted. Reopening must give back every reported record except
// the cut one, and log the loss of exactly that one record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, truncateSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { StreamLogger } from '../../../src/log';
import { decodeMessage } from '../../../src/queue/codec';
import { DiskQueue } from '../../../src/queue/disk/disk-queue';
import { tempDir, waitFor } from '../../helpers/util';

const HDR = 24;

test('SIGKILL mid-stream, last record cut, index deleted: every reported record but the cut one survives', async (t) => {
  const { dir, cleanup } = tempDir('lw-dq-crash-');
  t.after(cleanup);
  const child = spawn(process.execPath, [join(__dirname, 'disk-queue-child.js'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => { out += d; });
  const lastReported = (): number => {
    const lines = out.split('\n');
    lines.pop(); // an unfinished line is not a report
    return lines.length > 0 ? Number(lines[lines.length - 1]) : 0;
  };
  await waitFor(() => lastReported() >= 400, 'the child to append 400 records', 60_000);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  const reported = lastReported();

  const segs = readdirSync(dir).filter((f) => /^crash\.\d+\.seg$/.test(f)).sort();
  assert.ok(segs.length >= 2, 'several segments were written');
  const lastSeg = join(dir, segs.at(-1)!);
  const bytes = readFileSync(lastSeg);
  const offs: number[] = [];
  for (let o = 0; o + HDR <= bytes.length; o += HDR + bytes.readUInt32LE(o + 8)) offs.push(o);
  const last = offs.at(-1)!;
  const lastLen = bytes.readUInt32LE(last + 8);
  const lastId = Number(/seq (\d+)/.exec(decodeMessage(bytes.subarray(last + HDR, last + HDR + lastLen)).msg)![1]);
  truncateSync(lastSeg, last + HDR + Math.floor(lastLen / 2)); // cut inside the payload of the last record
  unlinkSync(join(dir, 'crash.qi'));

  const logger = new StreamLogger({ out: null, keep: true });
  const q = DiskQueue.open({ dir, name: 'crash', maxFileSize: 16 * 1024, maxDiskSpace: 0, checkpointInterval: 1,
    syncQueueFiles: true, logger, checkpointMs: 0 });
  const ids: number[] = [];
  for (let guard = 0; guard < 100_000; guard++) {
    const batch = q.peek(100);
    if (batch.length === 0) break;
    for (const b of batch) ids.push(Number(/^seq (\d+)$/.exec(decodeMessage(b).msg)![1]));
    q.ack(batch.length);
  }
  const stats = { ...q.stats };
  q.close();

  assert.ok(lastId >= reported - 1, `the cut record (${lastId}) is at or after the last reported one (${reported - 1})`);
  assert.deepEqual(ids, Array.from({ length: lastId }, (_, i) => i), 'every record before the cut one, in order, once');
  for (let i = 0; i < reported; i++) if (i !== lastId) assert.ok(ids[i] === i, `reported record ${i} is there`);
  assert.equal(stats.lostAtRecovery, 1);
  const lostLines = logger.records!.filter((r) => r.code === 'LW_ERR_QUEUE_DISK_LOST');
  assert.equal(lostLines.length, 1);
  assert.equal(lostLines[0]!.fields.lost, 1);
  assert.equal(lostLines[0]!.fields.atLeast, false);
  assert.deepEqual(lostLines[0]!.fields.files, [segs.at(-1)]);
  assert.ok(logger.records!.some((r) => r.code === 'LW_WARN_QUEUE_DISK_INDEX'), 'the rebuilt index is reported');
  assert.ok(logger.records!.some((r) => r.code === 'LW_WARN_QUEUE_DISK_STALE_LOCK'), 'the dead child\'s lock was taken over');
});

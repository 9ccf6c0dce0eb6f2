// SIGKILL during a stream into a disk queue (queue.type="Disk", checkpoint and fsync every record), then a
// restart: what was enqueued is delivered (at least once), so the output holds sequence numbers 0..k-1 with no
// hole; only the tail the process had not yet enqueued (socket buffers, the current read) may be missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, tempDir, waitFor } from '../helpers/util';
import { python, runLogwarden, seqs, startSender } from '../helpers/seq-sender';

const skip = python() === null ? 'python3 is needed for the sendall-counting sender' : false;

test('SIGKILL into a Disk queue with checkpointInterval=1: after restart no enqueued message is missing', { skip, timeout: 180_000 }, async (t) => {
  const d = tempDir(); t.after(() => d.cleanup());
  const port = await freePort();
  const conf = join(d.dir, 'lw.conf');
  const out = join(d.dir, 'out.log');
  writeFileSync(conf, `global(workDirectory="${join(d.dir, 'data')}")
module(load="imtcp")
input(type="imtcp" port="${port}" address="127.0.0.1")
template(name="raw" type="string" string="%msg%\\n")
action(type="omfile" file="${out}" template="raw" queue.type="Disk" queue.filename="dq"
       queue.checkpointInterval="1" queue.syncQueueFiles="on")
`);
  let lw = runLogwarden(['run', '-f', conf], d.dir);
  t.after(() => { if (lw.child.exitCode === null) lw.child.kill('SIGKILL'); });
  await waitFor(() => lw.stderr().includes('LW_INFO_STARTED'), 'server start');
  const sender = startSender(port, 200_000, 40_000, d.dir);
  await waitFor(() => seqs(out).lines > 20_000, 'the stream under way', 60_000, 50);
  lw.child.kill('SIGKILL');
  await lw.exited;
  const sent = await sender.done;
  const before = seqs(out);

  lw = runLogwarden(['run', '-f', conf], d.dir);
  await waitFor(() => lw.stderr().includes('LW_INFO_STARTED'), 'restart');
  let last = -1;
  await waitFor(() => { const n = seqs(out).lines; const stable = n === last; last = n; return stable; }, 'output stable', 60_000, 1000);
  lw.child.kill('SIGTERM');
  assert.equal(await lw.exited, 0, lw.stderr());

  const { distinct, lines } = seqs(out);
  const k = distinct.size;
  const holes: number[] = [];
  for (let i = 0; i < k; i++) if (!distinct.has(i)) holes.push(i);
  t.diagnostic(`sender accepted ${sent}; written before the kill ${before.distinct.size}; after restart ${k} distinct (0..${k - 1}), `
    + `${lines - k} duplicates; not enqueued at the kill (lost): ${sent - k}`);
  assert.deepEqual(holes.slice(0, 10), [], `${holes.length} enqueued messages missing`);
  assert.ok(k >= before.distinct.size, 'the restart delivered what the queue held');
  assert.doesNotMatch(lw.stderr(), /LW_ERR_QUEUE_DISK_LOST/, 'a kill with fsync per record damages no record');
});

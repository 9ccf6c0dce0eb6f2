// Nothing accepted is lost when the store is slower than ingest. Another connection holds the SQLite write lock
// on the live partition (a real stall, no mock) while a TCP sender pushes messages: the store's writer thread
// fails and retries, stops taking rows once its in-flight bound is reached, the action's queue fills to the high-water mark, the TCP input stops reading (backpressure), the queue never
// reaches its capacity (nothing refused), and once the lock is released every message is stored exactly once.
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { startLogwarden } from '../helpers/logwarden';
import { freePort, tempDir, waitFor } from '../helpers/util';

const tmp = tempDir();
after(() => tmp.cleanup());

const N = 30_000;
const QUEUE_SIZE = 5_000;
const HIGH = 2_000;

function partitions(dir: string): string[] {
  try {
    return readdirSync(dir).filter((x) => /^p\d{8}\.db$/.test(x));
  } catch {
    return [];
  }
}

function countRows(dir: string): number {
  let n = 0;
  for (const f of partitions(dir)) {
    const db = new Database(join(dir, f), { readonly: true });
    try {
      n += (db.prepare('SELECT count(*) AS c FROM logs').get() as { c: number }).c;
    } catch {
      // The writer has created the file but not its schema yet: no rows.
    } finally {
      db.close();
    }
  }
  return n;
}

test('a stalled store throttles the TCP sender through the queue; nothing is refused or lost', async () => {
  const port = await freePort();
  const storeDir = join(tmp.dir, 'store');
  const server = await startLogwarden(tmp.dir, `
module(load="imtcp")
input(type="imtcp" port="${port}" address="127.0.0.1")
action(type="store" path="${storeDir}" queue.size="${QUEUE_SIZE}" queue.highWatermark="${HIGH}" queue.lowWatermark="500" action.resumeInterval="1")
`);
  let lock: Database.Database | null = null;
  try {
    const sock = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
    sock.write('<13>Nov 22 10:00:00 h app: seq=first\n');
    const partition = await waitFor(() => partitions(storeDir)[0], 'the first partition');
    // Handed over is not committed: wait for the row itself before locking the partition.
    await waitFor(() => countRows(storeDir) === 1, 'the first message stored');

    lock = new Database(join(storeDir, partition));
    lock.exec('BEGIN EXCLUSIVE');
    let chunk = '';
    for (let i = 0; i < N; i++) chunk += `<13>Nov 22 10:00:00 h app: seq=${i} padding-padding-padding-padding-padding\n`;
    sock.write(chunk);

    await waitFor(() => server.rt.queueStats()[0].peak >= HIGH, 'the queue to reach its high-water mark while the store is stalled');
    // Keep the store stalled a while longer: the input must stay paused instead of filling the queue.
    const stalledUntil = Date.now() + 1500;
    await waitFor(() => Date.now() > stalledUntil, 'the stall period');
    const during = server.rt.queueStats()[0];
    // The writer thread keeps the rows it was handed and retries them itself; it takes at most its in-flight
    // bound, so the action stops taking batches and the queue holds the rest.
    assert.equal(countRows(storeDir), 1, 'nothing committed while the partition is locked');
    assert.ok(during.delivered < N, 'the stall really held delivery back');

    lock.exec('ROLLBACK');
    lock.close();
    lock = null;
    await waitFor(() => server.rt.queueStats()[0].delivered === N + 1, 'every message to be stored after the stall', 60_000);
    const stats = server.rt.queueStats()[0];
    assert.equal(stats.refused, 0, 'nothing was refused');
    assert.ok(stats.peak <= QUEUE_SIZE, `queue stayed within capacity (peak ${stats.peak})`);
    assert.ok(stats.peak < N, 'backpressure held the sender back (the queue never held the whole burst)');
    sock.end();
    await server.stop();
    assert.equal(countRows(storeDir), N + 1, 'every message stored exactly once');
  } finally {
    lock?.close();
    await server.stop();
  }
});

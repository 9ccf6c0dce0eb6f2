// The store writer in a worker thread: rows arrive exactly as given (columnar hand-over), SQLite error codes
// cross the thread unchanged so the queue's retry works, the inserts of one delivery commit as a prefix, a dead
// worker fails what is in flight and the next insert starts a fresh one, the worker's log lines reach the main
// logger, and the writer never holds a process open once idle.
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { StreamLogger } from '../../src/log';
import { StoreError, type Hit, type StoredRow } from '../../src/store/backend';
import { parseQuery } from '../../src/store/query/parser';
import { acquireSqliteStore, releaseSqliteStore } from '../../src/store/shared';
import { SqliteStore } from '../../src/store/sqlite';
import { DAY_US, partitionName } from '../../src/store/sqlite-partition';
import { WorkerStoreWriter } from '../../src/store/writer-worker';
import { tempDir } from '../helpers/util';

const tmp = tempDir('lw-writer-');
after(() => tmp.cleanup());

const NOW_US = Date.now() * 1000;
/** How long the child process may take to exit after close(). */
const EXIT_DEADLINE_MS = 5_000;

function row(i: number, tsReceived = NOW_US): StoredRow {
  const msg = i % 5 === 0 ? `ünïcode ✓ 日本語 seq=${i}` : `Failed password for user${i % 7} seq=${i}`;
  return {
    tsReported: tsReceived - i * 1000, tsReceived, host: `web0${i % 3}`, fromhostIp: i % 2 ? '10.0.0.7' : '2001:db8::1',
    app: 'sshd', procid: String(100 + i), msgid: i % 4 ? '-' : `ID${i}`, facility: 4, severity: i % 8,
    structuredData: i % 3 ? '-' : `[ex@1 k="v${i}"]`, msg,
    // Empty fields are stored as NULL and read back as {}; a row may keep its raw text.
    fields: i % 6 === 0 ? {} : { 'kv.seq': String(i), n: i },
    raw: i % 9 === 0 ? `<36>raw ${msg}` : null,
  };
}

async function allRows(path: string): Promise<Hit[]> {
  const s = new SqliteStore({ path, readonly: true });
  try {
    const r = await s.search({ query: parseQuery('* | sort asc'), limit: 10_000 });
    assert.ok(r.kind === 'hits');
    return r.hits;
  } finally {
    await s.close();
  }
}

function countRows(path: string): number {
  const db = new Database(join(path, `${partitionName(NOW_US)}.db`), { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM logs').pluck().get() as number;
  } finally {
    db.close();
  }
}

function withoutId(h: Hit): StoredRow {
  const { id: _id, ...rest } = h;
  return rest;
}

function keepLogger(): StreamLogger {
  return new StreamLogger({ out: null, keep: true, level: 'debug' });
}

test('rows inserted through the worker read back exactly from a read-only store', async () => {
  const path = join(tmp.dir, 'exact');
  const w = new WorkerStoreWriter({ path });
  const rows = Array.from({ length: 300 }, (_, i) => row(i));
  await w.insert(rows.slice(0, 120));
  await w.insert(rows.slice(120));
  const stats = await w.stats();
  await w.close();
  assert.equal(stats.rows, 300);
  assert.equal(stats.inserted, 300);
  const got = (await allRows(path)).map(withoutId);
  const want = [...rows].sort((a, b) => a.tsReported - b.tsReported);
  assert.deepEqual(got, want);
});

test('a batch spanning two days lands in two partitions with increasing ids', async () => {
  const path = join(tmp.dir, 'days');
  const w = new WorkerStoreWriter({ path });
  const yesterday = NOW_US - DAY_US;
  await w.insert([row(1, yesterday), row(2, yesterday), row(3), row(4)]);
  const stats = await w.stats();
  await w.close();
  assert.deepEqual(stats.partitions.map((p) => [p.name, p.rows]), [[partitionName(yesterday), 2], [partitionName(NOW_US), 2]]);
  const ids = (await allRows(path)).map((h) => Number(h.id)).sort((a, b) => a - b);
  assert.deepEqual(ids, [1, 2, 3, 4]);
});

test('SQLITE_BUSY crosses the thread as LW_ERR_STORE_BUSY; the retry after release writes the batch once', async () => {
  const path = join(tmp.dir, 'busy');
  const w = new WorkerStoreWriter({ path });
  await w.insert([row(0)]);
  const lock = new Database(join(path, `${partitionName(NOW_US)}.db`));
  lock.exec('BEGIN IMMEDIATE');
  const batch = Array.from({ length: 50 }, (_, i) => row(i + 1));
  try {
    await assert.rejects(w.insert(batch), (e: unknown) => e instanceof StoreError && e.code === 'LW_ERR_STORE_BUSY');
  } finally {
    lock.exec('ROLLBACK');
    lock.close();
  }
  await w.insert(batch);
  await w.close();
  const got = await allRows(path);
  assert.equal(got.length, 51, 'the rejected attempt wrote nothing, the retry everything');
  assert.equal(new Set(got.map((h) => h.msg)).size, 51);
});

test('inserts of one delivery: after a failure the later ones fail too, so what is committed is a prefix', async () => {
  const path = join(tmp.dir, 'chain');
  const tomorrow = NOW_US + DAY_US;
  const w = new WorkerStoreWriter({ path });
  await w.insert([row(0)]); // the store is open before the blocker appears
  // Tomorrow's partition cannot be opened: a directory stands where its file would be.
  const blocker = join(path, `${partitionName(tomorrow)}.db`);
  mkdirSync(blocker);
  const chain = w.newChain();
  const first = w.insertChained([row(1), row(2)], chain, 5000);
  // Checks attached at once: the rejections may arrive before `first` is awaited.
  const failing = assert.rejects(w.insertChained([row(3, tomorrow)], chain, 5000), { code: 'LW_ERR_STORE_OPEN' });
  const later = assert.rejects(w.insertChained([row(4), row(5)], chain, 5000),
    (e: unknown) => e instanceof StoreError && e.code === 'LW_ERR_STORE_OPEN' && /earlier insert/.test(e.message));
  await first;
  await failing;
  await later;
  await w.insert([row(6)]); // a new delivery is not affected
  await w.close();
  rmSync(blocker, { recursive: true });
  assert.deepEqual((await allRows(path)).map((h) => h.procid).sort(), ['100', '101', '102', '106']);
});

test('queued inserts of one delivery share transactions of at most maxRows, in posting order', async () => {
  const path = join(tmp.dir, 'merge');
  const w = new WorkerStoreWriter({ path });
  const chain = w.newChain();
  const PIECE = 50;
  const MAX_ROWS = 120;
  const rows = Array.from({ length: 10 * PIECE }, (_, i) => row(i));
  const posted: Array<Promise<void>> = [];
  for (let i = 0; i < rows.length; i += PIECE) posted.push(w.insertChained(rows.slice(i, i + PIECE), chain, MAX_ROWS));
  await Promise.all(posted);
  await w.close();
  const got = await allRows(path);
  const byId = [...got].sort((a, b) => Number(a.id) - Number(b.id)).map(withoutId);
  assert.deepEqual(byId, rows, 'ids follow the posting order');
  const db = new Database(join(path, `${partitionName(NOW_US)}.db`), { readonly: true });
  const ends = (db.prepare('SELECT id_end FROM marks ORDER BY id_end').pluck().all() as number[]);
  db.close();
  // One mark per transaction: each transaction holds whole pieces and at most MAX_ROWS rows.
  let prev = 0;
  for (const end of ends) {
    const size = end - prev;
    assert.ok(size % PIECE === 0 && size <= MAX_ROWS, `transaction of ${size} rows`);
    prev = end;
  }
  assert.equal(prev, rows.length);
});

test('a dead worker fails the insert in flight; the next insert starts a fresh worker and nothing acknowledged is lost', async () => {
  const path = join(tmp.dir, 'crash');
  const logger = keepLogger();
  const w = new WorkerStoreWriter({ path, logger });
  const acked = Array.from({ length: 100 }, (_, i) => row(i));
  await w.insert(acked);
  const inFlight = Array.from({ length: 2000 }, (_, i) => row(1000 + i));
  const pending = w.insert(inFlight);
  await w.crashForTesting();
  await assert.rejects(pending, (e: unknown) => e instanceof StoreError && e.code === 'LW_ERR_STORE_WRITE');
  assert.ok(logger.records!.some((r) => r.code === 'LW_WARN_STORE_WRITER' && r.level === 'warn'), 'the death is logged');
  const next = Array.from({ length: 10 }, (_, i) => row(5000 + i));
  await w.insert(next);
  await w.close();
  const seqs = new Set((await allRows(path)).map((h) => h.procid));
  for (const r of [...acked, ...next]) assert.ok(seqs.has(r.procid), `row ${r.procid} kept`);
  // The killed batch is one transaction: all of it or none of it.
  const killed = inFlight.filter((r) => seqs.has(r.procid)).length;
  assert.ok(killed === 0 || killed === inFlight.length, `killed batch partially written (${killed})`);
});

test('retention runs in the worker and its log lines reach the main logger', async () => {
  const path = join(tmp.dir, 'retention');
  const logger = keepLogger();
  const w = new WorkerStoreWriter({ path, retentionDays: 2, logger });
  const old = NOW_US - 10 * DAY_US;
  await w.insert([row(1, old)]);
  await w.insert([row(2)]);
  const r = await w.applyRetention();
  await w.close();
  assert.deepEqual(r.dropped, [partitionName(old)]);
  const line = logger.records!.find((x) => x.code === 'LW_STORE_RETENTION');
  assert.ok(line !== undefined && line.level === 'info' && line.message.includes(partitionName(old)));
  assert.equal(line.fields.rows, 1);
});

test('the writer does not search; after close it refuses inserts; the shared writer is reference counted', async () => {
  const path = join(tmp.dir, 'shared');
  const a = acquireSqliteStore({ path });
  const b = acquireSqliteStore({ path: `${path}/.` });
  assert.equal(a, b, 'one writer per directory');
  assert.ok(a instanceof WorkerStoreWriter);
  await assert.rejects(a.search({ query: parseQuery('x') }), { code: 'LW_ERR_STORE_READ' });
  await a.insert([row(1)]);
  await releaseSqliteStore(a);
  await a.insert([row(2)]); // still referenced by b
  await releaseSqliteStore(b);
  await assert.rejects(a.insert([row(3)]), { code: 'LW_ERR_STORE_CLOSED' });
  assert.equal((await allRows(path)).length, 2);
  const inProc = acquireSqliteStore({ path: join(tmp.dir, 'in-process'), inProcess: true });
  assert.ok(inProc instanceof SqliteStore);
  await releaseSqliteStore(inProc);
});

/** Runs a node -e script; rejects when it fails or is still running after EXIT_DEADLINE_MS. */
function runChild(script: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['-e', script], { timeout: EXIT_DEADLINE_MS }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`child failed or hung: ${err.message} ${stderr}`));
      else resolve(stdout);
    });
  });
}

function childScript(path: string, then: string): string {
  const mod = join(__dirname, '../../src/store/writer-worker.js');
  return `
    const { WorkerStoreWriter } = require(${JSON.stringify(mod)});
    const w = new WorkerStoreWriter({ path: ${JSON.stringify(path)} });
    const rows = ${JSON.stringify(Array.from({ length: 20 }, (_, i) => row(i)))};
    w.insert(rows)${then};
  `;
}

test('a process that opens, inserts and closes the writer exits on its own', async () => {
  const path = join(tmp.dir, 'child');
  const out = await runChild(childScript(path, ".then(() => w.close()).then(() => console.log('closed'))"));
  assert.equal(out.trim(), 'closed');
  assert.equal((await allRows(path)).length, 20);
});

test('an idle writer that was never closed does not keep the process alive, and a pending insert does', async () => {
  const path = join(tmp.dir, 'child-unclosed');
  // Nothing but the awaited insert keeps this process running: it must still commit before the exit.
  const out = await runChild(childScript(path, ".then(() => console.log('committed'))"));
  assert.equal(out.trim(), 'committed');
  assert.equal((await allRows(path)).length, 20);
});

test('append: rows handed over survive a writer crash (a new thread re-takes them, in order)', async () => {
  const path = join(tmp.dir, 'append-crash');
  const w = new WorkerStoreWriter({ path });
  const rows = Array.from({ length: 3000 }, (_, i) => row(i));
  for (let i = 0; i < rows.length; i += 500) await w.append(rows.slice(i, i + 500), 5000);
  await w.crashForTesting(); // most of it is still uncommitted: appends resolve on hand-over
  assert.equal(await w.flush(10_000), 0, 'everything committed by the new thread');
  await w.close();
  const got = await allRows(path);
  // At least once: every row is there; a piece committed just before the crash may be there twice.
  const seqs = new Set(got.map((h) => h.msg));
  assert.equal(seqs.size, rows.length, 'every row stored');
  const firstIds = new Map<string, number>();
  for (const h of [...got].sort((a, b) => Number(a.id) - Number(b.id))) if (!firstIds.has(h.msg)) firstIds.set(h.msg, Number(h.id));
  const order = rows.map((r) => firstIds.get(r.msg)!);
  assert.deepEqual(order, [...order].sort((a, b) => a - b), 'first copies keep the posting order');
});

test('append: a locked partition holds rows in the writer (bounded), and they commit once released', async () => {
  const path = join(tmp.dir, 'append-lock');
  const w = new WorkerStoreWriter({ path });
  await w.append([row(0)], 5000);
  assert.equal(await w.flush(5_000), 0);
  const lock = new Database(join(path, `${partitionName(NOW_US)}.db`));
  lock.exec('BEGIN EXCLUSIVE');
  const rows = Array.from({ length: 30_000 }, (_, i) => row(i + 1));
  let handedOver = 0;
  const sending = (async () => {
    for (let i = 0; i < rows.length; i += 1000) {
      await w.append(rows.slice(i, i + 1000), 5000);
      handedOver = i + 1000;
    }
  })();
  await new Promise((r) => setTimeout(r, 700));
  assert.ok(handedOver <= 21_000 && handedOver >= 1000, `hand-over stops at the in-flight bound (${handedOver})`);
  assert.ok((await w.flush(100)) >= handedOver, 'the rows handed over are held, uncommitted');
  assert.equal(countRows(path), 1, 'nothing committed while locked');
  lock.exec('ROLLBACK');
  lock.close();
  await sending;
  assert.equal(await w.flush(20_000), 0);
  await w.close();
  assert.equal(countRows(path), rows.length + 1, 'every row exactly once');
});

test('append: rows of two days are two transactions; a failing day never re-commits the other', async () => {
  const path = join(tmp.dir, 'append-days');
  const tomorrow = NOW_US + DAY_US;
  const w = new WorkerStoreWriter({ path });
  await w.append([row(0)], 5000);
  assert.equal(await w.flush(5_000), 0);
  const blocker = join(path, `${partitionName(tomorrow)}.db`);
  mkdirSync(blocker); // tomorrow's partition cannot be opened
  await w.append([row(1), row(2), row(3, tomorrow), row(4, tomorrow)], 5000);
  await new Promise((r) => setTimeout(r, 400)); // several failed attempts at tomorrow's rows
  assert.equal(countRows(path), 3, "today's rows committed once, tomorrow's held");
  rmSync(blocker, { recursive: true });
  assert.equal(await w.flush(10_000), 0);
  await w.close();
  assert.equal(countRows(path), 3, "today's rows still exactly once");
  const t = new Database(join(path, `${partitionName(tomorrow)}.db`), { readonly: true });
  assert.equal(t.prepare('SELECT count(*) FROM logs').pluck().get(), 2);
  t.close();
});

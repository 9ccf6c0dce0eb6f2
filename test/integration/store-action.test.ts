// The store action end to end: Messages in, committed rows out; rows the writer cannot commit yet are kept and
// retried until they commit, exactly once; and `logwarden search` (a separate process) reads the store.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { storeAction } from '../../src/actions/store';
import type { ActionDecl, Params } from '../../src/config/model';
import { StreamLogger } from '../../src/log';
import { Message } from '../../src/message';
import type { RuntimeContext } from '../../src/runtime/context';
import { parseQuery } from '../../src/store/query/parser';
import { partitionName } from '../../src/store/sqlite-partition';
import { SqliteStore } from '../../src/store/sqlite';
import { SyslogTime, TimeSource } from '../../src/time';

const run = promisify(execFile);
const BIN = join(__dirname, '..', '..', '..', 'bin', 'logwarden.js');
let dir: string;

function decl(params: Record<string, string | number>): ActionDecl {
  const loc = { file: 'test.conf', line: 3, col: 1 };
  const p: Params = new Map();
  for (const [k, v] of Object.entries(params)) p.set(k.toLowerCase(), { name: k, value: v, loc });
  return { type: 'store', params: p, loc };
}

function ctx(): RuntimeContext {
  return { config: {} as RuntimeContext['config'], logger: new StreamLogger({ out: null }), templates: new Map(), dataDir: dir, maxMessageSize: 8192 };
}

/** An RFC 3164 message as the parser leaves it: msg keeps the space after the tag. */
function message(i: number, receivedMs: number): Message {
  const origin = { inputname: 'imtcp', fromhostIp: '192.0.2.10', fromhost: '192.0.2.10', ruleset: 'RSYSLOG_DefaultRuleset' };
  const m = new Message(Buffer.from(`<38>Jan 15 07:25:36 gate sshd[42]: Failed password for user${i} seq=${i}`), origin,
    SyslogTime.fromEpochMs(receivedMs));
  m.hostname = 'gate';
  m.syslogtag = 'sshd[42]:';
  m.programname = 'sshd';
  m.procid = '42';
  m.facility = 4;
  m.severity = 6;
  m.msg = ` Failed password for user${i} seq=${i}`;
  m.timereported = SyslogTime.fromEpochMs(receivedMs - 1000);
  return m;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'lw-action-'));
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('deliver commits rows with rsyslog properties and extracted fields', async () => {
  const action = storeAction.create(decl({ path: join(dir, 'a') }), new Map(), ctx());
  const now = Date.now();
  await action.deliver(Array.from({ length: 50 }, (_, i) => message(i, now)));
  assert.equal(action.stats.delivered, 50);
  await action.close();
  const s = new SqliteStore({ path: join(dir, 'a'), readonly: true });
  const r = await s.search({ query: parseQuery('app:sshd kv.seq:7 "failed password"') });
  await s.close();
  assert.ok(r.kind === 'hits');
  assert.equal(r.hits.length, 1);
  const h = r.hits[0]!;
  assert.equal(h.msg, 'Failed password for user7 seq=7', 'the RFC 3164 leading space is not stored');
  assert.equal(h.host, 'gate');
  assert.equal(h.fromhostIp, '192.0.2.10');
  assert.equal(h.procid, '42');
  assert.equal(h.fields['kv.seq'], '7');
  assert.equal(h.tsReported, (now - 1000) * 1000);
});

test('a failing partition: the writer thread keeps the rows and retries until they commit, exactly once', async () => {
  const path = join(dir, 'b');
  // batch.size 25 would put 20 of today and 5 of tomorrow in one chunk: the action must split it at the day.
  const action = storeAction.create(decl({ path, 'batch.size': 25 }), new Map(), ctx());
  const today = Date.now();
  const tomorrow = today + 86_400_000;
  // Rows committed in both days' partition files (the blocker directory is skipped).
  const count = async (): Promise<number> => {
    let n = 0;
    for (const ms of [today, tomorrow]) {
      const file = join(path, `${partitionName(ms * 1000)}.db`);
      if (!existsSync(file) || statSync(file).isDirectory()) continue;
      const db = new Database(file, { readonly: true });
      try {
        n += db.prepare('SELECT count(*) FROM logs').pluck().get() as number;
      } catch {
        // The writer has created the file but not its schema yet: no rows.
      } finally {
        db.close();
      }
    }
    return n;
  };
  const waitCount = async (n: number): Promise<void> => {
    const deadline = Date.now() + 5000;
    while ((await count()) < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  };
  await action.deliver([message(999, today)]);
  await waitCount(1); // the writer has the store open before the blocker appears
  // Make tomorrow's partition unopenable: a directory where its database file should be.
  const blocker = join(path, `${partitionName(tomorrow * 1000)}.db`);
  mkdirSync(blocker);
  const batch = [...Array.from({ length: 20 }, (_, i) => message(i, today)), ...Array.from({ length: 10 }, (_, i) => message(100 + i, tomorrow))];
  // The delivery completes once the rows are handed over; tomorrow's cannot commit yet.
  await action.deliver(batch);
  assert.equal(action.stats.delivered, 31);
  await waitCount(21);
  await new Promise((r) => setTimeout(r, 300)); // several retries of tomorrow's rows
  assert.equal(await count(), 21, "today's rows committed, tomorrow's still held by the writer");
  rmSync(blocker, { recursive: true });
  await action.close(); // waits for the writer thread to commit what it holds
  assert.equal(await count(), 31, 'every row stored once the partition opens, none twice');
});

test('bad parameters name file:line:col', () => {
  assert.throws(() => storeAction.create(decl({ path: join(dir, 'c'), 'retention.days': 'soon' }), new Map(), ctx()),
    (e: Error & { code?: string }) => e.code === 'LW_ERR_STORE_PARAM' && e.message.startsWith('test.conf:3:1: retention.days="soon"'));
  assert.equal(storeAction.spec.params.some((p) => p.name === 'retention.maxBytes'), true);
});

test('logwarden search reads the store from another process (table and --json)', async () => {
  const path = join(dir, 'a');
  const json = await run(process.execPath, [BIN, 'search', 'user7 OR user8', '--db', path, '--json']);
  const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; severity: string });
  assert.deepEqual(lines.map((l) => l.msg).sort(), ['Failed password for user7 seq=7', 'Failed password for user8 seq=8']);
  assert.equal(lines[0]!.severity, 'info');
  const table = await run(process.execPath, [BIN, 'search', '* | count by host', '--db', path]);
  assert.match(table.stdout, /^host\s+count\ngate\s+50\n$/);
  const bad = await run(process.execPath, [BIN, 'search', 'host:a AND (b', '--db', path]).then(() => null, (e: { code: number; stderr: string }) => e);
  assert.ok(bad !== null);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /\[LW_ERR_QUERY_SYNTAX\] expected '\)' at col 14\nhost:a AND \(b\n {13}\^/);
});

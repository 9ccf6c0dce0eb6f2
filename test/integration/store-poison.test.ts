// Store action: a row SQLite refuses for its content is poison, not retried forever, and every other row is
// stored exactly once. The refusal is real: a trigger in the day's partition file raises ABORT for messages
// containing "POISON" (SQLITE_CONSTRAINT_TRIGGER), as a size or constraint limit would. Both store paths:
// the writer thread (production: it drops the rows itself and logs LW_WARN_STORE_ROW_DROPPED) and the
// in-process store (the refused rows come back in the delivery report).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeAction } from '../../src/actions/store';
import type { DeliveryReport } from '../../src/actions/action';
import type { ActionDecl, Params } from '../../src/config/model';
import { StreamLogger } from '../../src/log';
import { Message } from '../../src/message';
import type { RuntimeContext } from '../../src/runtime/context';
import { acquireSqliteStore, releaseSqliteStore } from '../../src/store/shared';
import { partitionName } from '../../src/store/sqlite-partition';
import { SyslogTime } from '../../src/time';
import { waitFor } from '../helpers/util';

let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'lw-store-poison-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

function decl(path: string): ActionDecl {
  const loc = { file: 'test.conf', line: 5, col: 1 };
  const p: Params = new Map();
  p.set('path', { name: 'path', value: path, loc });
  p.set('batch.size', { name: 'batch.size', value: '8', loc });
  return { type: 'store', params: p, loc };
}

function message(i: number, poison: boolean, nowMs: number): Message {
  const origin = { inputname: 'imtcp', fromhostIp: '192.0.2.10', fromhost: '192.0.2.10', ruleset: 'r' };
  const m = new Message(Buffer.from(`<38>x ${i}`), origin, SyslogTime.fromEpochMs(nowMs));
  m.hostname = 'gate';
  m.programname = 'app';
  m.msg = ` seq=${String(i).padStart(3, '0')}${poison ? ' POISON' : ''}`;
  m.timereported = SyslogTime.fromEpochMs(nowMs);
  return m;
}

/** The day's partition file refuses messages containing POISON from now on. */
function addTrigger(path: string, nowMs: number): void {
  const db = new Database(join(path, `${partitionName(nowMs * 1000)}.db`));
  try {
    db.pragma('busy_timeout = 5000');
    db.exec("CREATE TRIGGER no_poison BEFORE INSERT ON logs WHEN NEW.msg LIKE '%POISON%' BEGIN SELECT RAISE(ABORT, 'poison row'); END");
  } finally {
    db.close();
  }
}

function stored(path: string, nowMs: number): string[] {
  const file = join(path, `${partitionName(nowMs * 1000)}.db`);
  if (!existsSync(file)) return [];
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT msg FROM logs ORDER BY id').pluck().all() as string[];
  } catch {
    return []; // schema not created yet
  } finally {
    db.close();
  }
}

const BAD = new Set([3, 17, 29]);
const expected = (n: number): string[] => ['seq=999', ...Array.from({ length: n }, (_, i) => i).filter((i) => !BAD.has(i)).map((i) => `seq=${String(i).padStart(3, '0')}`)];
const trimmed = (rows: string[]): string[] => rows.map((r) => r.trim());

test('writer thread: refused rows are dropped (logged), every other row stored once, nothing retried forever', async () => {
  const path = join(dir, 'worker');
  const now = Date.now();
  const logger = new StreamLogger({ out: null, keep: true });
  const ctx: RuntimeContext = { config: {} as RuntimeContext['config'], logger, templates: new Map(), dataDir: dir, maxMessageSize: 8192 };
  const action = storeAction.create(decl(path), new Map(), ctx);
  try {
    await action.deliver([message(999, false, now)]);
    await waitFor(() => stored(path, now).length === 1, 'the first row committed');
    addTrigger(path, now);
    await action.deliver(Array.from({ length: 30 }, (_, i) => message(i, BAD.has(i), now)));
    await waitFor(() => stored(path, now).length >= 28, 'the good rows committed', 20_000);
  } finally {
    await action.close();
  }
  assert.deepEqual(trimmed(stored(path, now)), expected(30));
  await waitFor(() => (logger.records ?? []).some((r) => r.code === 'LW_WARN_STORE_ROW_DROPPED'), 'the drop is logged');
  const dropped = (logger.records ?? []).filter((r) => r.code === 'LW_WARN_STORE_ROW_DROPPED').reduce((n, r) => n + Number(r.fields.rows), 0);
  assert.equal(dropped, 3);
});

test('in-process store: refused rows come back as poison in the report, the rest stored once', async () => {
  const path = join(dir, 'inproc');
  const now = Date.now();
  const logger = new StreamLogger({ out: null, keep: true });
  const shared = acquireSqliteStore({ path, logger, retentionDays: 0, retentionMaxBytes: 0, inProcess: true });
  const ctx: RuntimeContext = { config: {} as RuntimeContext['config'], logger, templates: new Map(), dataDir: dir, maxMessageSize: 8192 };
  const action = storeAction.create(decl(path), new Map(), ctx);
  try {
    assert.equal(await action.deliver([message(999, false, now)]), undefined);
    addTrigger(path, now);
    const report = await action.deliver(Array.from({ length: 30 }, (_, i) => message(i, BAD.has(i), now))) as DeliveryReport;
    assert.ok(report, 'a report');
    assert.deepEqual(report.rejected.map((r) => [r.index, r.code]), [[3, 'LW_ERR_STORE_ROW'], [17, 'LW_ERR_STORE_ROW'], [29, 'LW_ERR_STORE_ROW']]);
    assert.match(report.rejected[0]!.reason, /SQLITE_CONSTRAINT/);
    assert.deepEqual(action.stats, { delivered: 28, failed: 3 });
    assert.equal(await action.deliver([message(100, false, now)]), undefined, 'the next batch goes on normally');
  } finally {
    await action.close();
    await releaseSqliteStore(shared);
  }
  assert.deepEqual(trimmed(stored(path, now)), [...expected(30), 'seq=100']);
});

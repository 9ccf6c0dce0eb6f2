// A rolled-back insert must not leave the column-cache writer's dictionaries ahead of the `dict` table: the
// retried rows would otherwise name a host code no reader can resolve, and column aggregations would drop them
// (count by host without the host, host:X counting 0) while SQL counts them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredRow } from '../../src/store/backend';
import { parseQuery } from '../../src/store/query/parser';
import { SqliteStore } from '../../src/store/sqlite';
import type { Partition } from '../../src/store/sqlite-partition';

const BASE_US = Date.UTC(2026, 10, 20) * 1000;

function row(host: string, i: number): StoredRow {
  return {
    tsReported: BASE_US + i, tsReceived: BASE_US, host, fromhostIp: '10.0.0.1', app: `app-${host}`, procid: '1',
    msgid: '-', facility: 1, severity: 3, structuredData: '-', msg: 'hello world', fields: {}, raw: null,
  };
}

let dir: string;
let store: SqliteStore;
let sqlOnly: SqliteStore;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'lw-colrb-'));
  store = new SqliteStore({ path: dir });
});

after(async () => {
  await store.close();
  await sqlOnly?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function rows(s: SqliteStore, q: string): Promise<unknown> {
  const r = await s.search({ query: parseQuery(q) });
  assert.equal(r.kind, 'aggregate');
  return r.kind === 'aggregate' ? r.rows : null;
}

test('an insert that fails after writing new dictionary entries is retried with codes every reader resolves', async () => {
  await store.insert([row('h0', 0)]);
  const p = (store as unknown as { parts: Map<string, Partition> }).parts.values().next().value as Partition;
  // Fail the transaction at its last statement (marks), after the block and the new dict entries were written,
  // as a full disk or an I/O error at that point would.
  p.db.exec("CREATE TEMP TRIGGER fail_marks BEFORE INSERT ON main.marks BEGIN SELECT RAISE(ABORT, 'injected'); END");
  // (a trigger's RAISE is SQLITE_CONSTRAINT_TRIGGER, which the store files under LW_ERR_STORE_ROW)
  await assert.rejects(store.insert([row('newhost', 1)]), (e: { code?: string }) => /^LW_ERR_STORE_(WRITE|ROW)$/.test(e.code ?? ''));
  p.db.exec('DROP TRIGGER fail_marks');
  await store.insert([row('newhost', 2), row('h0', 3)]); // the retry, as the writer thread does it

  const dict = p.db.prepare('SELECT col, value FROM dict ORDER BY col, code').raw(true).all();
  assert.deepEqual(dict, [[0, 'h0'], [0, 'newhost'], [1, 'app-h0'], [1, 'app-newhost']]);
  sqlOnly = new SqliteStore({ path: dir, readonly: true, columnCacheBytes: 0 });
  for (const q of ['* | count by host', '* | count by app, host', 'host:newhost | count', 'app:app-new* | count by host']) {
    assert.deepEqual(await rows(store, q), await rows(sqlOnly, q), q);
  }
  assert.deepEqual(await rows(store, 'host:newhost | count'), [[1]]);
});

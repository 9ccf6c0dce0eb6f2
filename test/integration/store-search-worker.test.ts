// Searches in a worker thread: same answers as the writer's own search, query errors keep code and column,
// a query past its deadline is stopped, and the next search runs on a fresh worker.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractFields } from '../../src/parse/extract';
import type { StoredRow } from '../../src/store/backend';
import { QueryError } from '../../src/store/query/errors';
import { parseQuery } from '../../src/store/query/parser';
import { WorkerSearchBackend } from '../../src/store/search-worker';
import { SqliteStore } from '../../src/store/sqlite';

let dir: string;
let writer: SqliteStore;
let reader: WorkerSearchBackend;
const NOW_US = Date.now() * 1000;

function row(i: number): StoredRow {
  const msg = `Failed password for user${i % 7} from 10.0.0.${i % 250} seq=${i}`;
  return {
    tsReported: NOW_US - i * 1000, tsReceived: NOW_US, host: `web0${i % 3}`, fromhostIp: `10.0.0.${i % 250}`, app: 'sshd',
    procid: '-', msgid: '-', facility: 4, severity: i % 8, structuredData: '-', msg, fields: extractFields(msg), raw: null,
  };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lw-worker-'));
  writer = new SqliteStore({ path: dir });
  await writer.insert(Array.from({ length: 500 }, (_, i) => row(i)));
  reader = new WorkerSearchBackend(writer, dir);
});

after(async () => {
  await reader.close();
  await writer.close();
  rmSync(dir, { recursive: true, force: true });
});

test('worker answers equal the writer\'s, including pages and rows committed later', async () => {
  for (const q of ['user3 host:web01', 'kv.seq:>=400 | count by host', '* | timechart 1m']) {
    const query = parseQuery(q);
    assert.deepEqual(await reader.search({ query, limit: 30 }), await writer.search({ query, limit: 30 }), q);
  }
  await writer.insert([row(1000)]);
  const r = await reader.search({ query: parseQuery('kv.seq:1000') });
  assert.ok(r.kind === 'hits' && r.hits.length === 1);
});

test('errors cross the thread boundary with their code and column', async () => {
  const bad = parseQuery('x');
  await assert.rejects(reader.search({ query: bad, cursor: 'not-a-cursor' }), (e: unknown) => {
    assert.ok(e instanceof QueryError);
    assert.equal(e.code, 'LW_ERR_QUERY_CURSOR');
    assert.equal(e.col, 1);
    return true;
  });
});

test('a query past its deadline is stopped and the next search works', async () => {
  // No worker can answer within 1 ms (thread start, open, message hop), so this deadline always passes.
  const hasty = new WorkerSearchBackend(writer, dir, 1);
  try {
    await assert.rejects(hasty.search({ query: parseQuery('* | count') }), { code: 'LW_ERR_QUERY_TIMEOUT' });
  } finally {
    await hasty.close();
  }
  const r = await reader.search({ query: parseQuery('* | count') });
  assert.deepEqual(r, { kind: 'aggregate', columns: ['count'], rows: [[501]] });
});

test('a search before the writer stored anything finds nothing (not an error), then finds what is stored', async () => {
  const fresh = join(dir, 'not-yet-created');
  const r0 = new SqliteStore({ path: fresh, readonly: true });
  try {
    const empty = await r0.search({ query: parseQuery('*') });
    assert.ok(empty.kind === 'hits' && empty.hits.length === 0);
    const w = new SqliteStore({ path: fresh });
    try {
      await w.insert([row(7)]);
      const later = await r0.search({ query: parseQuery('kv.seq:7') });
      assert.ok(later.kind === 'hits' && later.hits.length === 1);
    } finally {
      await w.close();
    }
  } finally {
    await r0.close();
  }
});

// HTTP API on a real loopback port: search with paging, aggregations, stats, healthz, and 400s with position.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamLogger } from '../../src/log';
import { extractFields } from '../../src/parse/extract';
import type { StoredRow } from '../../src/store/backend';
import { SqliteStore } from '../../src/store/sqlite';
import { startHttp, type HttpServer } from '../../src/web/server';
import { UserStore } from '../../src/web/users';
import { apiToken, authFetch } from '../helpers/console';

let dir: string;
let store: SqliteStore;
let http: HttpServer;
let token: string;
const NOW_US = Date.now() * 1000;

function row(i: number): StoredRow {
  const msg = i % 2 === 0 ? `Failed password for user${i % 5} from 10.0.0.${i % 250}` : `{"log_type":"login_manager","params":{"username":"u${i % 3}"}}`;
  return {
    tsReported: NOW_US - i * 1000, tsReceived: NOW_US, host: `web0${i % 3}`, fromhostIp: `10.0.0.${i % 250}`, app: 'sshd',
    procid: '-', msgid: '-', facility: 4, severity: i % 8, structuredData: '-', msg, fields: extractFields(msg), raw: null,
  };
}

async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await authFetch(token, `http://127.0.0.1:${http.port}${path}`);
  return { status: res.status, body: await res.json() };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lw-http-'));
  store = new SqliteStore({ path: join(dir, 'store') });
  await store.insert(Array.from({ length: 250 }, (_, i) => row(i)));
  token = apiToken(join(dir, 'data'));
  http = await startHttp({ backend: store, port: 0, logger: new StreamLogger({ out: null }), users: new UserStore(join(dir, 'data')) });
});

after(async () => {
  await http.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('listens on loopback by default and answers /healthz', async () => {
  assert.equal(http.address, '127.0.0.1');
  assert.deepEqual(await get('/healthz'), { status: 200, body: { status: 'ok' } });
});

test('GET /api/search pages through hits with the cursor', async () => {
  const ids = new Set<string>();
  let cursor = '';
  let pages = 0;
  do {
    const r = await get(`/api/search?q=${encodeURIComponent('"failed password" host:web0*')}&limit=40&cursor=${cursor}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.kind, 'hits');
    for (const h of r.body.hits) {
      assert.match(h.msg, /^Failed password/);
      ids.add(h.id);
    }
    cursor = r.body.nextCursor ?? '';
    pages++;
  } while (cursor !== '');
  assert.equal(ids.size, 125);
  assert.equal(pages, 4);
  const json = await get(`/api/search?q=${encodeURIComponent('json.params.username:u1 | count by host')}`);
  assert.equal(json.status, 200);
  assert.deepEqual(json.body.columns, ['host', 'count']);
  const want = Array.from({ length: 250 }, (_, i) => i).filter((i) => i % 2 === 1 && i % 3 === 1).length;
  assert.equal(json.body.rows.reduce((a: number, r: [string, number]) => a + r[1], 0), want);
  const timed = await get(`/api/search?q=*&from=${encodeURIComponent(new Date((NOW_US - 9_000) / 1000).toISOString())}`);
  assert.equal(timed.body.hits.length, 10, 'from= bounds the reported time');
});

test('bad queries answer 400 with code, column and caret', async () => {
  const r = await get(`/api/search?q=${encodeURIComponent('host:a AND (b OR c')}`);
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, 'LW_ERR_QUERY_SYNTAX');
  assert.equal(r.body.error.col, 19);
  assert.equal(r.body.error.message, "expected ')' at col 19");
  assert.equal(r.body.error.caret, 'host:a AND (b OR c\n                  ^');
  const cases: Array<[string, string]> = [
    ['/api/search', 'LW_ERR_API_PARAM'],
    ['/api/search?q=x&limit=0', 'LW_ERR_API_PARAM'],
    ['/api/search?q=x&limit=abc', 'LW_ERR_API_PARAM'],
    ['/api/search?q=x&from=yesterday', 'LW_ERR_QUERY_TIME'],
    ['/api/search?q=x&cursor=bogus', 'LW_ERR_QUERY_CURSOR'],
    ['/api/search?q=x&q=y', 'LW_ERR_API_PARAM'],
    ['/api/search?q=nope:1', 'LW_ERR_QUERY_FIELD'],
  ];
  for (const [path, code] of cases) {
    const e = await get(path);
    assert.equal(e.status, 400, path);
    assert.equal(e.body.error.code, code, path);
  }
  const huge = await authFetch(token, `http://127.0.0.1:${http.port}/api/search?q=${'a'.repeat(20_000)}`);
  assert.ok(huge.status === 414 || huge.status === 431, `oversized URI refused (${huge.status})`);
  const missing = await get('/nope');
  assert.equal(missing.status, 404);
});

test('GET /api/stats reports rows, partitions, bytes and ingest rate', async () => {
  const r = await get('/api/stats');
  assert.equal(r.status, 200);
  assert.equal(r.body.rows, 250);
  assert.equal(r.body.partitions.length, 1);
  assert.ok(r.body.bytes > 0);
  assert.ok(r.body.ingestRate > 0);
  assert.equal(r.body.inserted, 250);
});

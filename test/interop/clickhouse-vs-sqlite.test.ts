// Differential test: the same 100,000-row fixture in the SQLite store and in a real ClickHouse server must give
// identical answers to the same queries — hits (every field, in order, across cursor pages) and aggregations.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Hit, SearchResult, StoreBackend } from '../../src/store/backend';
import { openClickHouseStore, type ClickHouseStore } from '../../src/store/clickhouse';
import { parseQuery } from '../../src/store/query/parser';
import { SqliteStore } from '../../src/store/sqlite';
import { makeFixture } from '../helpers/clickhouse-fixture';
import { clickhouseSkip, startClickHouse, type ClickHouseServer } from '../helpers/clickhouse-server';

const ROWS = 100_000;
const INSERT_BATCH = 5_000;
const PAGE = 400;
/** Pages followed per hit query: enough to cross partition and cursor boundaries. */
const PAGES = 3;
const NOW_MS = Date.UTC(2025, 0, 18, 12);

/** Filter queries: each is compared as hits (paged) and as `| count`. `min` is a floor on the match count. */
const FILTERS: Array<{ q: string; min: number }> = [
  { q: '*', min: ROWS },
  { q: 'failed', min: 1000 },
  { q: 'FAILED', min: 1000 },
  { q: '"failed password"', min: 1000 },
  { q: '"invalid user root"', min: 100 },
  { q: 'pass*', min: 1000 },
  { q: 'publ*', min: 1000 },
  { q: 'cafe', min: 100 },
  { q: 'Café', min: 100 },
  { q: 'jürgen', min: 100 },
  { q: 'JURGEN', min: 100 },
  { q: 'strasse', min: 100 },
  { q: 'øresund', min: 100 },
  { q: '"10.0.0.1"', min: 100 },
  { q: 'host:web-01', min: 1000 },
  { q: 'host:Web-01', min: 1000 },
  { q: 'host:web-0*', min: 1000 },
  { q: 'host:web-?1', min: 1000 },
  { q: 'host:!=web-01', min: 1000 },
  { q: 'host:!=web-*', min: 1000 },
  { q: 'host:>mail', min: 1000 },
  { q: 'app:sshd AND failed', min: 1000 },
  { q: 'app:nginx OR app:CRON', min: 1000 },
  { q: '(app:nginx OR app:sshd) AND NOT severity:info', min: 1000 },
  { q: 'severity:<=warning', min: 1000 },
  { q: 'severity:err', min: 1000 },
  { q: 'severity:>info', min: 1000 },
  { q: 'severity:!=debug', min: 1000 },
  { q: 'facility:auth', min: 1000 },
  { q: 'facility:>=local0', min: 1000 },
  { q: 'fromhost-ip:10.0.0.0/8', min: 1000 },
  { q: 'fromhost-ip:192.168.1.0/24', min: 1000 },
  { q: 'fromhost-ip:2001:db8::/32', min: 1000 },
  { q: 'fromhost-ip:!=10.0.0.0/8', min: 1000 },
  { q: 'fromhost-ip:10.0.*', min: 1000 },
  { q: 'procid:*', min: 1000 },
  { q: 'msgid:ID7', min: 100 },
  { q: 'json.status:200', min: 1000 },
  { q: 'json.status:"500"', min: 10 },
  { q: 'json.status:>=400', min: 100 },
  { q: 'json.status:!=200', min: 1000 },
  { q: 'json.latency:<5.5', min: 100 },
  { q: 'json.latency:>=10', min: 100 },
  { q: 'json.user:alice', min: 100 },
  { q: 'json.user:al*', min: 100 },
  { q: 'json.user:!=alice', min: 1000 },
  { q: 'json.user:>carol', min: 100 },
  { q: 'json.user:*', min: 1000 },
  { q: 'json.ok:1', min: 100 },
  { q: 'json.params.username:bob', min: 100 },
  { q: 'json.params.page:<3', min: 100 },
  { q: 'kv.action:drop AND kv.bytes:>1000', min: 100 },
  { q: 'kv.src:10.0.*', min: 100 },
  { q: 'kv.user:"o\'brien"', min: 10 },
  { q: 'nginx.status:404', min: 100 },
  { q: 'nginx.method:GET AND nginx.uri:/admin', min: 100 },
  { q: 'sd.exampleSDID@32473.eventID:1011', min: 100 },
  { q: 'raw:*', min: 1000 },
  { q: 'from:2025-01-14T00:00:00Z to:2025-01-15T06:30:00Z failed', min: 100 },
  { q: 'nothingmatchesthisword', min: 0 },
];

/** Aggregations, compared row for row. */
const AGGREGATIONS: string[] = [
  '| count',
  'nothingmatchesthisword | count',
  '| count by host',
  '| count by app, severity',
  '| count by json.status',
  '| count by raw | limit 5',
  'failed | count by host | limit 3',
  '| top 5 app',
  '| top 3 json.user',
  '| top 10 kv.action',
  '| top 4 json.ok',
  'app:nginx | top 5 nginx.status',
  '| timechart 1h',
  '| timechart 1d by severity',
  'app:app-api | timechart 6h by json.event',
];

/** Hits minus their backend-specific id, fields as plain JSON (one store builds them on a null prototype). */
function comparable(h: Hit): Record<string, unknown> {
  const { id: _id, ...rest } = h;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

async function pagedHits(store: StoreBackend, text: string): Promise<Array<Record<string, unknown>>> {
  const query = parseQuery(text, { nowMs: NOW_MS });
  const out: Array<Record<string, unknown>> = [];
  let cursor: string | null = null;
  for (let page = 0; page < PAGES; page++) {
    const r: SearchResult = await store.search({ query, limit: PAGE, cursor });
    assert.equal(r.kind, 'hits');
    if (r.kind !== 'hits') break;
    out.push(...r.hits.map(comparable));
    cursor = r.nextCursor;
    if (cursor === null) break;
  }
  return out;
}

async function aggregate(store: StoreBackend, text: string): Promise<{ columns: string[]; rows: unknown[][] }> {
  const r = await store.search({ query: parseQuery(text, { nowMs: NOW_MS }) });
  assert.equal(r.kind, 'aggregate', text);
  if (r.kind !== 'aggregate') throw new Error('unreachable');
  return { columns: r.columns, rows: r.rows };
}

describe('ClickHouse and SQLite stores answer alike', { skip: clickhouseSkip() }, () => {
  let server: ClickHouseServer;
  let ch: ClickHouseStore;
  let sqlite: SqliteStore;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lw-diff-'));
    server = await startClickHouse();
    ch = await openClickHouseStore({ url: server.url, user: server.user, password: server.password, database: 'lwdiff', nodeId: 1 });
    sqlite = new SqliteStore({ path: join(dir, 'store') });
    const rows = makeFixture(ROWS);
    for (let i = 0; i < rows.length; i += INSERT_BATCH) {
      const batch = rows.slice(i, i + INSERT_BATCH);
      await Promise.all([ch.insert(batch), sqlite.insert(batch)]);
    }
  });

  after(async () => {
    await ch?.close();
    await sqlite?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('both stores hold every fixture row', async () => {
    const [a, b] = [await aggregate(ch, '| count'), await aggregate(sqlite, '| count')];
    assert.deepEqual(a.rows, [[ROWS]]);
    assert.deepEqual(b.rows, [[ROWS]]);
  });

  for (const { q, min } of FILTERS) {
    test(`filter ${q}`, async () => {
      const [cc, sc] = [await aggregate(ch, `${q} | count`), await aggregate(sqlite, `${q} | count`)];
      assert.deepEqual(cc, sc, 'match counts differ');
      const count = cc.rows[0]![0] as number;
      assert.ok(count >= min, `expected at least ${min} matches, got ${count}`);
      if (min === 0) assert.equal(count, 0);
      const [ch1, sq1] = [await pagedHits(ch, q), await pagedHits(sqlite, q)];
      assert.equal(ch1.length, Math.min(count, PAGE * PAGES));
      assert.deepEqual(ch1, sq1);
      const [cha, sqa] = [await pagedHits(ch, `${q} | sort asc`), await pagedHits(sqlite, `${q} | sort asc`)];
      assert.deepEqual(cha, sqa);
    });
  }

  for (const q of AGGREGATIONS) {
    test(`aggregation ${q}`, async () => {
      const [a, b] = [await aggregate(ch, q), await aggregate(sqlite, q)];
      assert.ok(a.rows.length > 0, 'aggregation returned no rows');
      assert.deepEqual(a, b);
    });
  }

  test('a `| limit` query is a single page in both stores', async () => {
    const q = parseQuery('app:nginx | limit 7', { nowMs: NOW_MS });
    const [a, b] = [await ch.search({ query: q }), await sqlite.search({ query: q })];
    assert.ok(a.kind === 'hits' && b.kind === 'hits');
    assert.equal(a.hits.length, 7);
    assert.equal(a.nextCursor, null);
    assert.deepEqual(a.hits.map(comparable), b.hits.map(comparable));
  });
});

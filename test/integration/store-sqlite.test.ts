// SQLite store: insert + search against a JS oracle, FTS phrases, aggregations, keyset pagination stable under
// concurrent ingest, a read-only second handle (the CLI), and retention by age and size while ingest continues.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractFields } from '../../src/parse/extract';
import type { Hit, StoredRow } from '../../src/store/backend';
import { ipToKey, parseCidr } from '../../src/store/ip';
import { parseQuery } from '../../src/store/query/parser';
import { SqliteStore } from '../../src/store/sqlite';

const DAY_US = 86_400_000_000;
const NOW_US = Date.now() * 1000;
const HOSTS = ['web01', 'web02', 'db01', 'fw-edge'];
const APPS = ['sshd', 'nginx', 'cron', 'sudo'];
const IPS = ['10.0.0.5', '10.200.1.1', '192.168.1.20', '2001:db8::7', '2001:db9::1'];
const TEXTS = [
  'Failed password for root from 10.0.0.5 port 22 ssh2',
  'password failed for alice user=alice src=10.1.1.1',
  'Accepted publickey for bob',
  'session opened for user root by (uid=0)',
  'GET /index.html status ok',
];

let dir: string;
let store: SqliteStore;
const rows: StoredRow[] = [];

function makeRow(i: number, tsReported: number, tsReceived = NOW_US): StoredRow {
  const msg = TEXTS[i % TEXTS.length]!;
  const json = i % 7 === 0 ? ` {"params":{"username":"user${i % 3}"},"code":${i % 600},"ok":${i % 2 === 0}}` : '';
  const text = msg + json;
  return {
    tsReported, tsReceived, host: HOSTS[i % HOSTS.length]!, fromhostIp: IPS[i % IPS.length]!, app: APPS[(i >> 1) % APPS.length]!,
    procid: String(100 + (i % 5)), msgid: i % 3 === 0 ? 'ID47' : '-', facility: i % 2 === 0 ? 4 : 10, severity: i % 8,
    structuredData: '-', msg: json ? json.trim() : text, fields: extractFields(json ? json : text), raw: null,
  };
}

async function all(q: string, extra: { fromUs?: number; toUs?: number } = {}): Promise<Hit[]> {
  const out: Hit[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const r = await store.search({ query: parseQuery(q), limit: 97, cursor, ...extra });
    assert.equal(r.kind, 'hits');
    if (r.kind !== 'hits') return out;
    out.push(...r.hits);
    cursor = r.nextCursor;
    if (cursor === null) return out;
  }
  throw new Error('pagination did not end');
}

const inCidr = (ip: string, cidr: string): boolean => {
  const k = ipToKey(ip);
  const r = parseCidr(cidr)!;
  return k !== null && Buffer.compare(r.lo, k) <= 0 && Buffer.compare(k, r.hi) <= 0;
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lw-store-'));
  // A small first window makes free-text searches walk many id windows (the production default is 16384).
  store = new SqliteStore({ path: dir, firstWindow: 64 });
  for (let i = 0; i < 3000; i++) rows.push(makeRow(i, NOW_US - (3000 - i) * 1_000_000 - (i % 10) * 7));
  for (let i = 0; i < rows.length; i += 1000) await store.insert(rows.slice(i, i + 1000));
});

after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('search results equal a JS oracle for every operator', async () => {
  const lower = (r: StoredRow): string => r.msg.toLowerCase();
  const f = (r: StoredRow, k: string): unknown => r.fields[k];
  const cases: Array<[string, (r: StoredRow) => boolean]> = [
    ['host:web01', (r) => r.host === 'web01'],
    ['host:web*', (r) => r.host.startsWith('web')],
    ['host:fw-ed?e', (r) => r.host === 'fw-edge'],
    ['app:sshd severity:<=warning', (r) => r.app === 'sshd' && r.severity <= 4],
    ['severity:err', (r) => r.severity === 3],
    ['facility:authpriv', (r) => r.facility === 10],
    ['msgid:ID47', (r) => r.msgid === 'ID47'],
    ['msgid:*', (r) => r.msgid !== '-'],
    ['procid:!=101', (r) => r.procid !== '101'],
    ['fromhost-ip:10.0.0.0/8', (r) => inCidr(r.fromhostIp, '10.0.0.0/8')],
    ['fromhost-ip:2001:db8::/32', (r) => inCidr(r.fromhostIp, '2001:db8::/32')],
    ['-fromhost-ip:10.0.0.0/8', (r) => !inCidr(r.fromhostIp, '10.0.0.0/8')],
    ['"failed password"', (r) => lower(r).includes('failed password')],
    ['failed password', (r) => lower(r).includes('failed') && lower(r).includes('password')],
    ['pass*', (r) => /\bpass/.test(lower(r))],
    ['root OR bob', (r) => /\broot\b|\bbob\b/.test(lower(r))],
    ['NOT password host:db01', (r) => !lower(r).includes('password') && r.host === 'db01'],
    ['(host:web01 OR host:web02) -"failed password"', (r) => (r.host === 'web01' || r.host === 'web02') && !lower(r).includes('failed password')],
    ['json.params.username:user1', (r) => f(r, 'json.params.username') === 'user1'],
    ['json.code:>=300', (r) => typeof f(r, 'json.code') === 'number' && (f(r, 'json.code') as number) >= 300],
    ['json.code:42', (r) => f(r, 'json.code') === 42],
    ['-json.params.username:user1', (r) => f(r, 'json.params.username') !== 'user1'],
    ['json.ok:true', (r) => f(r, 'json.ok') === true],
    ['json.ok:false', (r) => f(r, 'json.ok') === false],
    ['json.ok:!=true', (r) => f(r, 'json.ok') !== true],
    ['kv.user:alice', (r) => f(r, 'kv.user') === 'alice'],
    ['kv.user:*', (r) => f(r, 'kv.user') !== undefined],
    ['*', () => true],
  ];
  for (const [q, pred] of cases) {
    const got = await all(q);
    const want = rows.filter(pred).length;
    assert.equal(got.length, want, q);
    assert.ok(want > 0 || q.startsWith('NOT'), `${q} should match something in the fixture`);
    assert.equal(new Set(got.map((h) => h.id)).size, got.length, `${q}: no duplicates across pages`);
    for (let i = 1; i < got.length; i++) {
      const a = got[i - 1]!;
      const b = got[i]!;
      assert.ok(a.tsReported > b.tsReported || (a.tsReported === b.tsReported && Number(a.id) > Number(b.id)), `${q}: newest first`);
    }
  }
});

test('time bounds, sort asc and limit', async () => {
  const from = rows[1000]!.tsReported;
  const to = rows[2000]!.tsReported;
  const inRange = rows.filter((r) => r.tsReported >= from && r.tsReported < to);
  assert.equal((await all('*', { fromUs: from, toUs: to })).length, inRange.length);
  const q = `from:${new Date(from / 1000).toISOString()} sshd`;
  const sshd = rows.filter((r) => r.tsReported >= Math.floor(from / 1000) * 1000 && r.msg.toLowerCase().includes('ssh2'));
  assert.equal((await all(q.replace('sshd', 'ssh2'))).length, sshd.length);
  const asc = await store.search({ query: parseQuery('* | sort asc | limit 5') });
  assert.ok(asc.kind === 'hits');
  assert.deepEqual(asc.hits.map((h) => h.tsReported), rows.map((r) => r.tsReported).sort((a, b) => a - b).slice(0, 5));
  assert.equal(asc.nextCursor, null, '| limit returns one page');
});

test('aggregations: count, count by, top, timechart', async () => {
  const c = await store.search({ query: parseQuery('password | count') });
  assert.deepEqual(c, { kind: 'aggregate', columns: ['count'], rows: [[rows.filter((r) => r.msg.toLowerCase().includes('password')).length]] });
  const by = await store.search({ query: parseQuery('* | count by host, app') });
  assert.ok(by.kind === 'aggregate');
  assert.deepEqual(by.columns, ['host', 'app', 'count']);
  const want = new Map<string, number>();
  for (const r of rows) want.set(`${r.host}|${r.app}`, (want.get(`${r.host}|${r.app}`) ?? 0) + 1);
  assert.equal(by.rows.length, want.size);
  for (const [h, a, n] of by.rows) assert.equal(n, want.get(`${h}|${a}`));
  for (let i = 1; i < by.rows.length; i++) assert.ok((by.rows[i - 1]![2] as number) >= (by.rows[i]![2] as number));
  const top = await store.search({ query: parseQuery('* | top 2 json.params.username') });
  assert.ok(top.kind === 'aggregate');
  assert.equal(top.rows.length, 2);
  const users = new Map<string, number>();
  for (const r of rows) {
    const u = r.fields['json.params.username'];
    if (typeof u === 'string') users.set(u, (users.get(u) ?? 0) + 1);
  }
  const best = [...users.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 2);
  assert.deepEqual(top.rows, best);
  const tc = await store.search({ query: parseQuery('* | timechart 10m') });
  assert.ok(tc.kind === 'aggregate');
  const buckets = new Map<number, number>();
  const span = 600_000_000;
  for (const r of rows) { const b = Math.floor(r.tsReported / span) * span; buckets.set(b, (buckets.get(b) ?? 0) + 1); }
  assert.deepEqual(tc.rows, [...buckets.entries()].sort((a, b) => a[0] - b[0]));
  const tcBy = await store.search({ query: parseQuery('* | timechart 1h by severity') });
  assert.ok(tcBy.kind === 'aggregate');
  assert.deepEqual(tcBy.columns, ['time', 'severity', 'count']);
  assert.equal(tcBy.rows.reduce((a, r) => a + (r[2] as number), 0), rows.length);
});

test('pagination is stable while ingest continues (snapshot + keyset)', async () => {
  const q = 'host:web01';
  const before = rows.filter((r) => r.host === 'web01').length;
  const seen: Hit[] = [];
  let cursor: string | null = null;
  let extra = 0;
  do {
    const r = await store.search({ query: parseQuery(q), limit: 50, cursor });
    assert.ok(r.kind === 'hits');
    seen.push(...r.hits);
    cursor = r.nextCursor;
    // Newer and older rows for the same host arrive between pages; they must not show up or shift pages.
    const newer = makeRow(0, NOW_US + extra * 1000);
    const older = makeRow(4, NOW_US - 10_000_000_000 - extra);
    await store.insert([newer, older]);
    extra++;
  } while (cursor !== null);
  assert.equal(seen.length, before);
  assert.equal(new Set(seen.map((h) => h.id)).size, before);
  const after = await all(q);
  assert.equal(after.length, before + 2 * extra, 'a new query sees the rows inserted meanwhile');
  const bad = store.search({ query: parseQuery('host:web02'), cursor: '' + 'x'.repeat(10) });
  await assert.rejects(bad, { code: 'LW_ERR_QUERY_CURSOR' });
  const first = await store.search({ query: parseQuery(q), limit: 5 });
  assert.ok(first.kind === 'hits' && first.nextCursor !== null);
  await assert.rejects(store.search({ query: parseQuery('host:web02'), cursor: first.nextCursor }), { code: 'LW_ERR_QUERY_CURSOR' });
});

test('a read-only handle (the search CLI) sees what the writer committed', async () => {
  const ro = new SqliteStore({ path: dir, readonly: true });
  try {
    const n1 = await ro.search({ query: parseQuery('* | count') });
    await store.insert([makeRow(1, NOW_US), makeRow(2, NOW_US + 5 * DAY_US, NOW_US + 5 * DAY_US)]);
    const n2 = await ro.search({ query: parseQuery('* | count') });
    assert.ok(n1.kind === 'aggregate' && n2.kind === 'aggregate');
    assert.equal((n2.rows[0]![0] as number) - (n1.rows[0]![0] as number), 2, 'new rows, including a new partition');
    await assert.rejects(ro.insert([makeRow(1, NOW_US)]), { code: 'LW_ERR_STORE_READONLY' });
  } finally {
    await ro.close();
  }
});

test('retention drops whole partitions by age and by size while ingest continues', async () => {
  const rdir = mkdtempSync(join(tmpdir(), 'lw-ret-'));
  const s = new SqliteStore({ path: rdir, retentionDays: 3 });
  try {
    for (const age of [10, 5, 2, 0]) {
      const rec = NOW_US - age * DAY_US;
      await s.insert(Array.from({ length: 200 }, (_, i) => makeRow(i, rec - i, rec)));
    }
    assert.equal((await s.stats()).partitions.length, 4);
    let inserted = 0;
    for (let round = 0; round < 5; round++) {
      await s.insert(Array.from({ length: 100 }, (_, i) => makeRow(i, NOW_US + round * 1000 + i)));
      inserted += 100;
      const r = await s.applyRetention();
      if (round === 0) assert.equal(r.dropped.length, 2, 'the 10- and 5-day-old partitions');
      else assert.equal(r.dropped.length, 0);
    }
    const st = await s.stats();
    assert.equal(st.partitions.length, 2);
    assert.equal(st.rows, 400 + inserted);
    const c = await s.search({ query: parseQuery('* | count') });
    assert.ok(c.kind === 'aggregate');
    assert.equal(c.rows[0]![0], 400 + inserted, 'every row of kept partitions, none of the dropped ones');
    await s.close();

    const sized = new SqliteStore({ path: rdir, retentionMaxBytes: 1 });
    const reader = new SqliteStore({ path: rdir, readonly: true });
    assert.equal((await reader.stats()).partitions.length, 2);
    const r = await sized.applyRetention();
    assert.equal((await reader.stats()).partitions.length, 1, 'a reader forgets partitions retention dropped');
    await reader.close();
    assert.equal(r.dropped.length, 1, 'all but the newest partition');
    await sized.insert([makeRow(3, NOW_US)]);
    const left = await sized.stats();
    assert.equal(left.partitions.length, 1);
    assert.equal(left.rows, 200 + inserted + 1);
    await sized.close();
  } finally {
    await s.close();
    rmSync(rdir, { recursive: true, force: true });
  }
});

test('hostile query text is data, never SQL or FTS syntax', async () => {
  const hostile = [
    `"'; DROP TABLE logs; --"`, `"x') OR 1=1 --"`, '"NEAR(a b)"', '"a"" OR ""b"', 'host:"x\' OR \'1\'=\'1"', '"^" "-" ":"',
    'kv.user:"*"', "json.a'b:1", '"..."', 'msg:"%"', 'host:[a-z]*',
  ];
  for (const q of [`x') OR 1=1 --`, 'host:a)']) assert.throws(() => parseQuery(q), { name: 'QueryError' }, q);
  for (const q of hostile) {
    const r = await store.search({ query: parseQuery(q) });
    assert.ok(r.kind === 'hits', q);
    assert.equal(r.hits.length, 0, q);
  }
  const count = await store.search({ query: parseQuery('* | count') });
  assert.ok(count.kind === 'aggregate' && (count.rows[0]![0] as number) >= rows.length, 'the table is still there');
});

test('a relative time range stays fixed across the pages of one cursor chain', async () => {
  const t = Date.now();
  const q = '-30m host:web02';
  const want = rows.filter((r) => r.host === 'web02' && r.tsReported >= (t - 1_800_000) * 1000).length;
  let cursor: string | null = null;
  let total = 0;
  let page = 0;
  do {
    // Each page re-parses the query later, as an API client paging would; "-30m" must not slide.
    const r = await store.search({ query: parseQuery(q, { nowMs: t + page * 60_000 }), limit: 40, cursor });
    assert.ok(r.kind === 'hits');
    total += r.hits.filter((h) => h.tsReported < NOW_US).length;
    cursor = r.nextCursor;
    page++;
  } while (cursor !== null);
  assert.ok(page > 2);
  assert.equal(total, want);
});

// Aggregations answered from the column cache (src/store/column-agg.ts) must equal the SQL path row for row.
// One store, written once over two day partitions; the same parsed query runs on a handle with the column
// cache and on one without (columnCacheBytes: 0), for random filters and pipes (fast-check). Also: fallbacks
// (dictionary overflow, unsupported terms), a read-only handle that picks up new blocks between queries, and the
// free-text bitmaps the column cache keeps (columns.ts ftsMatches) growing with the rows appended after them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { StoredRow } from '../../src/store/backend';
import { bucketOf } from '../../src/store/column-agg';
import { parseQuery } from '../../src/store/query/parser';
import { SqliteStore } from '../../src/store/sqlite';

const DAY_US = 86_400_000_000;
const BASE_US = Date.UTC(2026, 10, 20) * 1000;
const HOSTS = ['web01', 'Web01', 'web02', 'db01', '-', '', 'hôst-é', '\u{1D4B3}host', 'fw-edge'];
const APPS = ['sshd', 'nginx', 'cron', '-', 'sudo', 'ünï'];
const WORDS = ['failed', 'password', 'session', 'opened', 'root', 'alice', 'ssh2', 'accepted'];

/** Deterministic pseudo-random rows (xorshift), so a failure reproduces. */
function makeRows(n: number, seed: number): StoredRow[] {
  let x = seed;
  const rnd = (m: number): number => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) % m;
  };
  const rows: StoredRow[] = [];
  for (let i = 0; i < n; i++) {
    const words = Array.from({ length: 2 + rnd(5) }, () => WORDS[rnd(WORDS.length)]!);
    const special = rnd(40);
    // Some rows far in the past or future, some exactly on the tested range edges.
    const edges = [-1_234_567_890_123, BASE_US + 400 * DAY_US, BASE_US + DAY_US, BASE_US + 3_600_000_000, BASE_US + 30 * 3_600_000_000, 0, -1, -59_000_000, -61_000_000, -3_599_999_999];
    const ts = special < edges.length ? edges[special]! : BASE_US + rnd(2 * 86_400) * 1_000_000 + rnd(3) * 17;
    rows.push({
      tsReported: ts, tsReceived: BASE_US + (i < n / 2 ? 0 : DAY_US), host: HOSTS[rnd(HOSTS.length)]!, fromhostIp: '10.0.0.1',
      app: APPS[rnd(APPS.length)]!, procid: String(rnd(50)), msgid: `ID${rnd(5)}`, facility: rnd(24), severity: rnd(8),
      structuredData: '-', msg: words.join(' '), fields: {}, raw: null,
    });
  }
  return rows;
}

let dir: string;
let withColumns: SqliteStore;
let sqlOnly: SqliteStore;
let overflowDir: string;
let overflow: SqliteStore;
let overflowSql: SqliteStore;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lw-colagg-'));
  withColumns = new SqliteStore({ path: dir });
  const rows = makeRows(4000, 0x9e3779b9);
  for (let i = 0; i < rows.length; i += 700) await withColumns.insert(rows.slice(i, i + 700));
  sqlOnly = new SqliteStore({ path: dir, readonly: true, columnCacheBytes: 0 });
  // Three distinct hosts at most: the partitions stop writing blocks and every search there uses SQL.
  overflowDir = mkdtempSync(join(tmpdir(), 'lw-colagg-ovf-'));
  overflow = new SqliteStore({ path: overflowDir, dictLimit: 3 });
  await overflow.insert(rows.slice(0, 2000));
  overflowSql = new SqliteStore({ path: overflowDir, readonly: true, columnCacheBytes: 0 });
});

after(async () => {
  for (const s of [withColumns, sqlOnly, overflow, overflowSql]) await s.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(overflowDir, { recursive: true, force: true });
});

const textLeaf = fc.constantFrom(...WORDS, '"failed password"', '"session opened"', 'pass*', 'roo*', 'nomatchword');
const fieldLeaf = fc.constantFrom(
  'host:web01', 'host:Web01', 'host:web*', 'host:W*', 'host:!=db01', 'host:>m', 'host:<=db01', 'host:*', 'host:"-"',
  'host:hôst-é', 'host:\u{1D4B3}host', 'app:sshd', 'app:!=cron', 'app:*', 'app:ün?', 'severity:<=warning', 'severity:>3',
  'severity:err', 'facility:auth', 'facility:>=16', 'facility:!=kern',
);
const leaf = fc.oneof(textLeaf, fieldLeaf);
const filter: fc.Arbitrary<string> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${a} ${b})`),
    fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${a} OR ${b})`),
    tie('node').map((a) => `NOT ${a}`)),
})).node as fc.Arbitrary<string>;
const pipe = fc.constantFrom('| count', '| count by host', '| count by app, severity', '| count by facility, host',
  '| top 3 host', '| top 20 app', '| timechart 1m', '| timechart 1h by severity', '| timechart 7m by host', '| count by severity, severity');
const range = fc.constantFrom<[number | null, number | null]>([null, null], [BASE_US + 3_600_000_000, null],
  [null, BASE_US + DAY_US], [BASE_US + 10 * 3_600_000_000, BASE_US + 30 * 3_600_000_000], [-2e12, 0]);

async function agg(store: SqliteStore, text: string, fromUs: number | null, toUs: number | null): Promise<unknown> {
  const r = await store.search({ query: parseQuery(text), fromUs, toUs });
  assert.equal(r.kind, 'aggregate');
  return r.kind === 'aggregate' ? r.rows : null;
}

test('column-cache aggregations equal the SQL path (random filters, groups, buckets, ranges)', async () => {
  await fc.assert(fc.asyncProperty(fc.option(filter, { nil: undefined }), pipe, range, async (f, p, [from, to]) => {
    const text = `${f ?? '*'} ${p}`;
    const want = await agg(sqlOnly, text, from, to);
    assert.deepEqual(await agg(withColumns, text, from, to), want, text);
    assert.deepEqual(await agg(overflow, text, from, to), await agg(overflowSql, text, from, to), `${text} (overflow)`);
  }), { numRuns: 250, seed: 424242 });
});

test('fixed cases: every shape once, non-empty where data allows', async () => {
  for (const text of ['* | count', 'failed | count by host', 'host:db01 | count by app, severity', '* | timechart 5m',
    'ssh2 -host:web01 | timechart 1h by severity', '(root OR alice) app:sshd | top 5 host']) {
    const want = await agg(sqlOnly, text, null, null) as unknown[];
    assert.ok(want.length > 0, `${text} has rows`);
    assert.deepEqual(await agg(withColumns, text, null, null), want, text);
  }
});

test('unsupported terms and a dictionary overflow fall back to SQL with the same results', async () => {
  for (const text of ['msgid:ID1 | count by host', 'fromhost-ip:10.0.0.0/8 | count', 'failed | count by msgid', 'failed | count by host']) {
    assert.deepEqual(await agg(withColumns, text, null, null), await agg(sqlOnly, text, null, null), text);
  }
  for (const text of ['failed | count by host', '* | timechart 1h by app']) {
    assert.deepEqual(await agg(overflow, text, null, null), await agg(overflowSql, text, null, null), text);
  }
});

test('a read-only handle loads blocks committed after its first query', async () => {
  const d = mkdtempSync(join(tmpdir(), 'lw-colagg-ro-'));
  const writer = new SqliteStore({ path: d });
  const reader = new SqliteStore({ path: d, readonly: true });
  try {
    const rows = makeRows(600, 7).map((r) => ({ ...r, tsReceived: BASE_US }));
    await writer.insert(rows.slice(0, 300));
    const count = async (): Promise<unknown> => agg(reader, '* | count by host', null, null);
    const first = await count();
    await writer.insert(rows.slice(300));
    const second = await count();
    assert.notDeepEqual(second, first);
    const sql = new SqliteStore({ path: d, readonly: true, columnCacheBytes: 0 });
    assert.deepEqual(second, await agg(sql, '* | count by host', null, null));
    await sql.close();
  } finally {
    await reader.close();
    await writer.close();
    rmSync(d, { recursive: true, force: true });
  }
});

test('bucketOf is SQLite integer division, exact near bucket edges and for negative times', () => {
  const b = 60_000_000;
  for (const ts of [0, 1, b - 1, b, b + 1, -1, -b, -b - 1, -b + 1, 1_763_800_000_000_000 - 1, 1_763_800_000_000_000, 2 ** 53 - 1]) {
    const q = BigInt(ts) / BigInt(b); // BigInt division truncates toward zero, like SQLite's
    assert.equal(bucketOf(ts, b), Number(q * BigInt(b)), String(ts));
  }
});

test('a read-only handle on a partition without column tables (an older store) aggregates through SQL', async () => {
  const d = mkdtempSync(join(tmpdir(), 'lw-colagg-old-'));
  try {
    const w = new SqliteStore({ path: d });
    await w.insert(makeRows(200, 11).map((r) => ({ ...r, tsReceived: BASE_US })));
    await w.close();
    // What an older version left behind: the same partition without the column tables.
    const file = join(d, readdirSync(d).find((f) => f.endsWith('.db'))!);
    const db = new Database(file);
    db.exec('DROP TABLE dims; DROP TABLE dict');
    db.close();
    const ro = new SqliteStore({ path: d, readonly: true });
    const sql = new SqliteStore({ path: d, readonly: true, columnCacheBytes: 0 });
    try {
      const got = await agg(ro, 'failed | count by host', null, null) as unknown[];
      assert.ok(got.length > 0);
      assert.deepEqual(got, await agg(sql, 'failed | count by host', null, null));
    } finally {
      await ro.close();
      await sql.close();
    }
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('cached free-text bitmaps grow with the rows appended after them (writer and read-only handles)', async () => {
  const d = mkdtempSync(join(tmpdir(), 'lw-colagg-fts-'));
  const writer = new SqliteStore({ path: d });
  const reader = new SqliteStore({ path: d, readonly: true });
  const queries = ['failed | count by host', 'NOT failed | count', '(root OR "session opened") | count by app, severity',
    'failed host:web* | timechart 1h', 'pass* | top 3 host'];
  try {
    const rows = makeRows(2400, 11).map((r) => ({ ...r, tsReceived: BASE_US }));
    let seen = 0;
    for (const upto of [500, 501, 1300, 2400]) {
      await writer.insert(rows.slice(seen, upto));
      seen = upto;
      const sql = new SqliteStore({ path: d, readonly: true, columnCacheBytes: 0 });
      try {
        for (const q of queries) {
          const want = await agg(sql, q, null, null);
          assert.deepEqual(await agg(writer, q, null, null), want, `${q} after ${upto} rows (writer)`);
          assert.deepEqual(await agg(reader, q, null, null), want, `${q} after ${upto} rows (read-only)`);
          // A time range starting inside the partition: its bitmap is not the cached one.
          const from = BASE_US + 5 * 3_600_000_000;
          assert.deepEqual(await agg(reader, q, from, null), await agg(sql, q, from, null), `${q} from +5h after ${upto} rows`);
        }
      } finally {
        await sql.close();
      }
    }
  } finally {
    await reader.close();
    await writer.close();
    rmSync(d, { recursive: true, force: true });
  }
});

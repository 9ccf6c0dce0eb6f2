// ClickHouse store and action against a real clickhouse-server: round trip, cursor paging with snapshots,
// escaping under hostile input, retention by age and size, and at-least-once delivery without duplicates
// when an INSERT's acknowledgement is lost (a loopback proxy cuts the reply after the server committed).
import assert from 'node:assert/strict';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { ClickHouseAction, clickhouseAction } from '../../src/actions/clickhouse';
import type { ActionDecl, Param, Params } from '../../src/config/model';
import { StreamLogger } from '../../src/log';
import { Message } from '../../src/message';
import type { RuntimeContext } from '../../src/runtime/context';
import type { Hit, StoredRow } from '../../src/store/backend';
import { openClickHouseStore, type ClickHouseStore } from '../../src/store/clickhouse';
import { sqlString } from '../../src/store/clickhouse-sql';
import { parseQuery } from '../../src/store/query/parser';
import { SyslogTime, TimeSource } from '../../src/time';
import { makeFixture } from '../helpers/clickhouse-fixture';
import { clickhouseSkip, freePort, startClickHouse, type ClickHouseServer } from '../helpers/clickhouse-server';

const DAY_US = 86_400_000_000;
const JAN10_US = Date.UTC(2025, 0, 10) * 1000;

/** No lone surrogates: those cannot travel as UTF-8 at all (String#isWellFormed is ES2024, past our lib). */
function wellFormed(s: string): boolean {
  return !/[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''));
}

function q(text: string): ReturnType<typeof parseQuery> {
  return parseQuery(text, { nowMs: Date.UTC(2025, 0, 20) });
}

async function count(store: ClickHouseStore, text: string): Promise<number> {
  const r = await store.search({ query: q(`${text} | count`) });
  assert.ok(r.kind === 'aggregate');
  return r.rows[0]![0] as number;
}

function row(tsReported: number, host: string, msg: string, tsReceived = tsReported): StoredRow {
  return {
    tsReported, tsReceived, host, fromhostIp: '192.0.2.1', app: 'test', procid: '-', msgid: '-', facility: 1, severity: 6,
    structuredData: '-', msg, fields: {}, raw: null,
  };
}

function params(entries: Record<string, string>): Params {
  const loc = { file: 'test.conf', line: 3, col: 1 };
  const m: Params = new Map();
  for (const [k, v] of Object.entries(entries)) m.set(k.toLowerCase(), { name: k, value: v, loc } satisfies Param);
  return m;
}

function decl(entries: Record<string, string>): ActionDecl {
  return { type: 'clickhouse', params: params(entries), loc: { file: 'test.conf', line: 3, col: 1 } };
}

function ctx(logger: StreamLogger): RuntimeContext {
  return { config: {} as RuntimeContext['config'], logger, templates: new Map(), dataDir: '/nonexistent', maxMessageSize: 8192 };
}

function message(i: number): Message {
  const t = new SyslogTime(2025, 1, 15, 10, 0, i % 60, i, 6, 0, TimeSource.Rfc3339);
  const m = new Message(Buffer.from(`<14>msg ${i}`), { inputname: 'imtcp', fromhostIp: '10.9.8.7', fromhost: 'peer', ruleset: 'r' }, t);
  m.hostname = 'action-host';
  m.programname = 'acttest';
  m.msg = ` delivery number ${i} seq=${i}`;
  return m;
}

/**
 * A TCP proxy in front of the server's HTTP port that can lose one INSERT's reply: the request reaches the
 * server (which commits), then the client's socket is destroyed instead of getting the answer.
 */
class LossyProxy {
  dropNextInsertReply = false;
  dropped = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly upstreamPort: number) {
    this.server = createServer((client) => this.onClient(client));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const a = this.server.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  private onClient(client: Socket): void {
    const upstream = createConnection(this.upstreamPort, '127.0.0.1');
    this.sockets.add(client).add(upstream);
    let armed = false;
    client.on('data', (d: Buffer) => {
      if (this.dropNextInsertReply && d.includes('INSERT')) { armed = true; this.dropNextInsertReply = false; }
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      if (armed) { this.dropped++; client.destroy(); upstream.destroy(); return; }
      client.write(d);
    });
    const end = (): void => { client.destroy(); upstream.destroy(); };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('ClickHouse store on a real server', { skip: clickhouseSkip() }, () => {
  let server: ClickHouseServer;
  const stores: ClickHouseStore[] = [];
  const open = async (database: string, extra: Partial<Parameters<typeof openClickHouseStore>[0]> = {}): Promise<ClickHouseStore> => {
    const s = await openClickHouseStore({ url: server.url, user: server.user, password: server.password, database, ...extra });
    stores.push(s);
    return s;
  };

  before(async () => { server = await startClickHouse(); });
  after(async () => {
    for (const s of stores) await s.close();
    await server?.stop();
  });

  test('rows come back exactly as stored, with increasing ids', async () => {
    const store = await open('roundtrip');
    const rows = makeFixture(500, 7);
    await store.insert(rows);
    const r = await store.search({ query: q('| sort asc'), limit: 1000 });
    assert.ok(r.kind === 'hits');
    assert.equal(r.hits.length, rows.length);
    const byTs = [...rows].sort((a, b) => a.tsReported - b.tsReported);
    const strip = (h: Hit): unknown => { const { id: _id, ...rest } = h; return JSON.parse(JSON.stringify(rest)); };
    assert.deepEqual(r.hits.map(strip), JSON.parse(JSON.stringify(byTs)));
    assert.equal(new Set(r.hits.map((h) => h.id)).size, rows.length);
    const stats = await store.stats();
    assert.equal(stats.rows, rows.length);
    assert.equal(stats.inserted, rows.length);
    assert.ok(stats.partitions.length >= 5 && stats.partitions.every((p) => /^p\d{8}$/.test(p.name) && p.bytes > 0));
  });

  test('cursor pages cover every hit once and ignore rows inserted after the first page', async () => {
    const store = await open('paging');
    const base = JAN10_US;
    await store.insert(Array.from({ length: 1000 }, (_, i) => row(base + i * 1000, `h${i % 7}`, `page test ${i}`)));
    const seen: Hit[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await store.search({ query: q('page'), limit: 128, cursor });
      assert.ok(r.kind === 'hits');
      seen.push(...r.hits);
      cursor = r.nextCursor;
      if (pages++ === 0) await store.insert([row(base + 500_500, 'late', 'page test late')]);
    } while (cursor !== null);
    assert.equal(pages, 8);
    assert.equal(seen.length, 1000);
    assert.equal(new Set(seen.map((h) => h.msg)).size, 1000);
    assert.ok(seen.every((h, i) => i === 0 || h.tsReported < seen[i - 1]!.tsReported));
    assert.ok(!seen.some((h) => h.host === 'late'));
    assert.equal(await count(store, 'page'), 1001);
    await assert.rejects(store.search({ query: q('other'), cursor: 'bogus' }), { code: 'LW_ERR_QUERY_CURSOR' });
  });

  test('hostile text round-trips through sqlString on the server (property)', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 40 }).filter(wellFormed), async (s) => {
      const out = await server.sql(`SELECT ${sqlString(s)} AS v FORMAT JSONEachRow`);
      assert.equal((JSON.parse(out) as { v: string }).v, s);
    }), { numRuns: 150 });
  });

  test('injection attempts in field values match literally and break nothing', async () => {
    const store = await open('inject');
    const evil = ["x'; DROP TABLE inject.logs; --", 'back\\slash\\', "q'uote\\'", 'nul\0byte', 'new\nline'];
    await store.insert(evil.map((h, i) => row(JAN10_US + i, h, `evil ${i}`)));
    for (const h of evil) {
      const text = `host:"${h.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
      if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(h)) {
        // The query language refuses control characters (a NUL or a newline in q was HTTP 500 once).
        assert.throws(() => q(text), (e: Error & { code?: string }) => e.code === 'LW_ERR_QUERY_SYNTAX', JSON.stringify(h));
        continue;
      }
      const r = await store.search({ query: q(text) });
      assert.ok(r.kind === 'hits');
      assert.deepEqual(r.hits.map((x) => x.host), [h], JSON.stringify(h));
    }
    assert.equal(await count(store, 'evil'), evil.length);
  });

  test('retention drops whole days by age, then the oldest days by size', async () => {
    const now = Date.UTC(2025, 0, 14, 12);
    const aged = await open('retention_age', { maxAgeSeconds: 2 * 86_400, now: () => now });
    const days = [0, 1, 2, 3, 4].map((d) => JAN10_US + d * DAY_US);
    await aged.insert(days.flatMap((d) => [row(d + 1, 'a', 'r1'), row(d + 2, 'b', 'r2')]));
    assert.deepEqual((await aged.applyRetention()).dropped, ['p20250110', 'p20250111']);
    assert.deepEqual((await aged.stats()).partitions.map((p) => p.name), ['p20250112', 'p20250113', 'p20250114']);
    assert.equal(await count(aged, 'r1'), 3);

    const sized0 = await open('retention_size');
    await sized0.insert(days.map((d) => row(d, 'a', 'x'.repeat(2000))));
    const before = await sized0.stats();
    const oldest = before.partitions[0]!;
    const sized = await open('retention_size', { maxBytes: before.bytes - 1 });
    assert.deepEqual((await sized.applyRetention()).dropped, [oldest.name]);
    const tiny = await open('retention_size', { maxBytes: 1 });
    const r = await tiny.applyRetention();
    assert.equal(r.dropped.length, 3);
    assert.deepEqual((await tiny.stats()).partitions.map((p) => p.name), ['p20250114'], 'the newest day is never dropped');
  });

  test('a retried batch whose first reply was lost is stored once (action + store)', async () => {
    const proxy = new LossyProxy(server.httpPort);
    const port = await proxy.listen();
    const logger = new StreamLogger({ out: null, keep: true });
    const action = clickhouseAction.create(
      decl({ url: `http://127.0.0.1:${port}`, user: server.user, password: server.password, database: 'dedup', 'batch.size': '40' }),
      new Map(), ctx(logger)) as ClickHouseAction;
    try {
      const batch = Array.from({ length: 100 }, (_, i) => message(i));
      await action.deliver(batch.slice(0, 10)); // opens the store, creates the table
      proxy.dropNextInsertReply = true;
      await assert.rejects(action.deliver(batch.slice(10)), (e: Error & { code?: string }) => e.code === 'LW_ERR_CLICKHOUSE_INSERT');
      assert.equal(proxy.dropped, 1);
      assert.equal(action.stats.delivered, 10);
      await action.deliver(batch.slice(10)); // the queue's retry: same Message objects
      assert.equal(action.stats.delivered, 100);
      const store = await open('dedup');
      assert.equal(await count(store, 'delivery'), 100);
      const r = await store.search({ query: q('delivery | count by app, host') });
      assert.ok(r.kind === 'aggregate');
      assert.deepEqual(r.rows, [['acttest', 'action-host', 100]]);
      const seqs = await store.search({ query: q('delivery | top 100 kv.seq') });
      assert.ok(seqs.kind === 'aggregate' && seqs.rows.length === 100 && seqs.rows.every((x) => x[1] === 1));
    } finally {
      await action.close();
      await proxy.close();
    }
  });

  test('the action rejects while the server is unreachable, naming the server', async () => {
    const port = await freePort();
    const action = clickhouseAction.create(decl({ url: `http://127.0.0.1:${port}`, timeout: '2000' }), new Map(), ctx(new StreamLogger({ out: null })));
    await assert.rejects(action.deliver([message(1)]), (e: Error & { code?: string }) =>
      e.code === 'LW_ERR_CLICKHOUSE_INIT' && e.message.includes(`127.0.0.1:${port}`));
    assert.equal(action.stats.delivered, 0);
    await action.close();
  });
});

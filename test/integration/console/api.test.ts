// The console API over a real store on loopback: export (CSV per RFC 4180, NDJSON) equals the search rows,
// histogram counts add up to the hits, facets, time=received, live tail over SSE (a message published after
// subscribing arrives; Last-Event-ID resumes without repeats or gaps), hosts with a 10-minute skew, status.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { request } from 'node:http';
import { StreamLogger } from '../../../src/log';
import { Message } from '../../../src/message';
import { extractFields } from '../../../src/parse/extract';
import { HostTracker } from '../../../src/runtime/hosts';
import { TailBus } from '../../../src/runtime/tail-bus';
import type { Hit, StoredRow } from '../../../src/store/backend';
import { SqliteStore } from '../../../src/store/sqlite';
import { SyslogTime } from '../../../src/time';
import { startHttp, type HttpServer } from '../../../src/web/server';
import { UserStore } from '../../../src/web/users';
import { apiToken } from '../../helpers/console';
import { tempDir } from '../../helpers/util';
import { call } from './http-client';

const tmp = tempDir('lw-console-api-');
const NOW_US = Math.floor(Date.now() / 1000) * 1_000_000;
const N = 2500;
let store: SqliteStore;
let http: HttpServer;
let token: string;
const bus = new TailBus();
const hosts = new HostTracker();

function row(i: number): StoredRow {
  const msg = i % 7 === 0 ? `quote " comma , newline\nend ${i}` : i % 2 === 0 ? `Failed password for user${i % 5}` : `{"log_type":"login_manager","n":${i}}`;
  return {
    tsReported: NOW_US - i * 1_000_000, tsReceived: NOW_US - (i % 100) * 1_000_000, host: `web0${i % 3}`, fromhostIp: `10.0.0.${i % 250}`,
    app: i % 4 === 0 ? 'nginx' : 'sshd', procid: '-', msgid: '-', facility: 4, severity: i % 8, structuredData: '-', msg,
    fields: extractFields(msg), raw: null,
  };
}

const get = (path: string, headers: Record<string, string> = {}) => call(http.port, 'GET', path, { authorization: `Bearer ${token}`, ...headers });

before(async () => {
  store = new SqliteStore({ path: join(tmp.dir, 'store') });
  await store.insert(Array.from({ length: N }, (_, i) => row(i)));
  const data = join(tmp.dir, 'data');
  token = apiToken(data);
  http = await startHttp({ backend: store, port: 0, logger: new StreamLogger({ out: null }), users: new UserStore(data), tail: bus, hosts });
});

after(async () => {
  await http.close();
  await store.close();
  tmp.cleanup();
});

async function allHits(q: string, extra = ''): Promise<Hit[]> {
  const out: Hit[] = [];
  let cursor = '';
  for (;;) {
    const r = await get(`/api/search?q=${encodeURIComponent(q)}&limit=700${extra}&cursor=${encodeURIComponent(cursor)}`);
    assert.equal(r.status, 200, r.text);
    out.push(...r.json.hits);
    if (r.json.nextCursor === null) return out;
    cursor = r.json.nextCursor;
  }
}

/** RFC 4180 reader: quoted fields with "" escapes and embedded CR/LF, records ended by CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let rowCells: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i++; continue; }
      cell += ch; i++; continue;
    }
    if (ch === '"') { quoted = true; i++; continue; }
    if (ch === ',') { rowCells.push(cell); cell = ''; i++; continue; }
    if (ch === '\r' && text[i + 1] === '\n') { rowCells.push(cell); rows.push(rowCells); rowCells = []; cell = ''; i += 2; continue; }
    cell += ch; i++;
  }
  assert.equal(cell, '', 'the last record ends with CRLF');
  return rows;
}

test('export: CSV and NDJSON hold exactly the rows of /api/search, across export pages', async () => {
  const q = 'app:sshd OR "newline"';
  const hits = await allHits(q);
  assert.ok(hits.length > 1000, `several export pages (${hits.length})`);
  const nd = await get(`/api/export?format=ndjson&limit=100000&q=${encodeURIComponent(q)}`);
  assert.equal(nd.status, 200);
  assert.match(String(nd.headers['content-disposition']), /^attachment; filename="logwarden-export\.ndjson"$/);
  const lines = nd.text.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines, hits);

  const csv = await get(`/api/export?format=csv&limit=100000&q=${encodeURIComponent(q)}`);
  assert.equal(csv.status, 200);
  assert.match(String(csv.headers['content-type']), /^text\/csv/);
  const rows = parseCsv(csv.text);
  assert.deepEqual(rows[0], ['id', 'tsReported', 'tsReceived', 'host', 'fromhostIp', 'app', 'procid', 'msgid', 'facility', 'severity', 'msg']);
  assert.equal(rows.length - 1, hits.length);
  for (let i = 0; i < hits.length; i++) {
    const h = hits[i]!;
    const r = rows[i + 1]!;
    assert.equal(r[0], h.id);
    assert.match(r[1]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.equal(Date.parse(r[1]!) * 1000 + Number(r[1]!.slice(23, 26)), h.tsReported, 'µs survive the RFC 3339 text');
    assert.deepEqual(r.slice(3), [h.host, h.fromhostIp, h.app, h.procid, h.msgid, String(h.facility), String(h.severity), h.msg]);
  }
  const limited = await get(`/api/export?format=ndjson&limit=5&q=*`);
  assert.equal(limited.text.trimEnd().split('\n').length, 5);
  const agg = await get(`/api/export?format=csv&q=${encodeURIComponent('* | count by host')}`);
  assert.equal(agg.status, 400);
  assert.equal(agg.json.error.caret.split('\n')[1], '    ^');
});

test('histogram: the bucket counts add up to the hits of the same search (reported and received time)', async () => {
  const cases: Array<[string, string]> = [
    ['*', ''],
    ['app:sshd', ''],
    ['host:web01 -15m', ''],
    ['*', `&from=${encodeURIComponent(new Date((NOW_US - 600_000_000) / 1000).toISOString())}&to=now`],
    ['*', '&time=received&from=-1h'],
    ['app:nginx', `&time=received&from=${(NOW_US - 30_000_000) / 1000}&to=${(NOW_US + 1000) / 1000}`],
  ];
  for (const [q, extra] of cases) {
    // A relative window ("-15m", "-1h", "to=now") is evaluated at each request's own now: when a message's
    // second falls out of it between the histogram and the search, they differ by that message. Messages are a
    // second or more apart, so a second try (a few ms later) cannot cross another one.
    let h = await get(`/api/histogram?q=${encodeURIComponent(q)}&buckets=40${extra}`);
    let hits = await allHits(q, extra);
    for (let attempt = 1; attempt < 3 && h.json.total !== hits.length; attempt++) {
      h = await get(`/api/histogram?q=${encodeURIComponent(q)}&buckets=40${extra}`);
      hits = await allHits(q, extra);
    }
    assert.equal(h.status, 200, h.text);
    assert.equal(h.json.total, hits.length, `${q} ${extra}`);
    assert.equal(h.json.buckets.reduce((a: number, b: { count: number }) => a + b.count, 0), hits.length, `${q} ${extra}`);
    assert.ok(h.json.buckets.length <= 40 && h.json.buckets.length >= 1);
    assert.equal(h.json.toUs - h.json.fromUs, h.json.buckets.length * h.json.bucketUs);
    for (const b of h.json.buckets) assert.equal(b.t % h.json.bucketUs, 0, 'buckets aligned');
  }
  const received = await allHits('*', `&time=received&from=${(NOW_US - 10_000_000) / 1000}`);
  assert.ok(received.length > 0);
  for (const x of received) assert.ok(x.tsReceived >= NOW_US - 10_000_000, 'time=received bounds tsReceived');
  assert.equal((await get('/api/histogram?q=x|count')).status, 400);
  assert.equal((await get('/api/search?q=*&time=sideways')).json.error.param, 'time');
});

test('facets: top values per field, equal to | top', async () => {
  const r = await get(`/api/facets?q=app:sshd&fields=host,severity,json.log_type&size=5`);
  assert.equal(r.status, 200, r.text);
  const top = await get(`/api/search?q=${encodeURIComponent('app:sshd | top 5 host')}`);
  assert.deepEqual(r.json.facets.host, top.json.rows.map((x: [string, number]) => ({ value: x[0], count: x[1] })));
  assert.equal(r.json.facets['json.log_type'][0].value, 'login_manager');
  assert.equal(r.json.facets.severity.length, 5);
  assert.equal((await get('/api/facets?fields=nope')).json.error.code, 'LW_ERR_QUERY_FIELD');
});

test('query refusals reach the API with their caret', async () => {
  const a = await get(`/api/search?q=${encodeURIComponent('* -1x')}`);
  assert.equal(a.status, 400);
  assert.equal(a.json.error.code, 'LW_ERR_QUERY_TIME');
  assert.equal(a.json.error.caret, '* -1x\n  ^');
  const b = await get(`/api/search?q=${encodeURIComponent('json.log_type=login_manager')}`);
  assert.equal(b.status, 400);
  assert.match(b.json.error.message, /use json\.log_type:login_manager/);
  assert.equal(b.json.error.col, 14);
});

function liveMessage(text: string, host = 'tailhost'): Message {
  const m = new Message(Buffer.from(text), { inputname: 'imtcp', fromhost: host, fromhostIp: '127.0.0.1', ruleset: 'RSYSLOG_DefaultRuleset' }, SyslogTime.now());
  m.msg = text;
  m.hostname = host;
  m.appName = 'tailapp';
  return m;
}

interface SseEvent { event: string; id?: string; data: string }

/** Open /api/tail and collect its events until `until` says stop (or the timeout). */
function tail(q: string, lastEventId: string | null, until: (evs: SseEvent[]) => boolean, onOpen: () => void): Promise<SseEvent[]> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: `127.0.0.1:${http.port}`, authorization: `Bearer ${token}` };
    if (lastEventId !== null) headers['last-event-id'] = lastEventId;
    const events: SseEvent[] = [];
    const timer = setTimeout(() => { req.destroy(); reject(new Error(`tail timed out with ${JSON.stringify(events)}`)); }, 20_000);
    const req = request({ host: '127.0.0.1', port: http.port, path: `/api/tail?q=${encodeURIComponent(q)}`, headers }, (res) => {
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/event-stream/);
      let buf = '';
      let opened = false;
      res.on('data', (c: Buffer) => {
        buf += c.toString();
        let k;
        while ((k = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, k);
          buf = buf.slice(k + 2);
          if (!opened) { opened = true; onOpen(); }
          const ev: SseEvent = { event: 'message', data: '' };
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) ev.event = line.slice(7);
            else if (line.startsWith('id: ')) ev.id = line.slice(4);
            else if (line.startsWith('data: ')) ev.data = line.slice(6);
          }
          if (ev.data !== '') events.push(ev);
          if (until(events)) { clearTimeout(timer); req.destroy(); resolve(events); return; }
        }
      });
    });
    req.on('error', (e) => { if (!req.destroyed) reject(e); });
    req.end();
  });
}

test('live tail: a message published after subscribing arrives filtered; Last-Event-ID resumes without repeats or gaps', async () => {
  const msgs = (evs: SseEvent[]) => evs.filter((e) => e.event === 'msg');
  const first = await tail('app:tailapp zebra', null, (evs) => msgs(evs).length >= 2, () => {
    bus.publish([liveMessage('no match here'), liveMessage('zebra one')]);
    bus.publish([liveMessage('zebra two')]);
  });
  const got = msgs(first).map((e) => JSON.parse(e.data) as Hit);
  assert.deepEqual(got.map((h) => h.msg), ['zebra one', 'zebra two']);
  assert.equal(got[0]!.host, 'tailhost');
  assert.equal(got[0]!.app, 'tailapp');
  const lastId = msgs(first)[1]!.id!;
  assert.equal(got[1]!.id, lastId);
  // published while no client is connected: the ring keeps them for the reconnect
  bus.publish([liveMessage('zebra three'), liveMessage('other'), liveMessage('zebra four')]);
  const again = await tail('zebra', lastId, (evs) => msgs(evs).length >= 2, () => {});
  assert.deepEqual(msgs(again).map((e) => (JSON.parse(e.data) as Hit).msg), ['zebra three', 'zebra four']);
  assert.ok(Number(msgs(again)[0]!.id) > Number(lastId));
  const stats = await tail('zebra', null, (evs) => evs.some((e) => e.event === 'stats'), () => {});
  const s = JSON.parse(stats.find((e) => e.event === 'stats')!.data);
  assert.deepEqual(Object.keys(s).sort(), ['dropped', 'rate', 'sampled', 'sent']);
  assert.equal((await get(`/api/tail?q=${encodeURIComponent('x | count')}`)).status, 400);
  assert.equal((await get(`/api/tail?q=${encodeURIComponent('x -15m')}`)).status, 400);
});

test('hosts: a source sending timestamps 10 minutes old is skewed; per-minute counts and inputs', async () => {
  for (let i = 0; i < 20; i++) {
    const m = liveMessage(`late ${i}`, 'late-host');
    m.timereported = SyslogTime.fromEpochMs(m.timegenerated.toEpochMs() - 600_000);
    hosts.observeBatch([m, liveMessage(`on time ${i}`, 'good-host')]);
  }
  const r = await get('/api/hosts');
  assert.equal(r.status, 200);
  assert.equal(r.json.skewThresholdMs, 2000);
  assert.equal(r.json.silentAfterMin, 15);
  const late = r.json.hosts.find((h: { host: string }) => h.host === 'late-host');
  const good = r.json.hosts.find((h: { host: string }) => h.host === 'good-host');
  assert.ok(Math.abs(late.skewMedianMs - 600_000) < 1000, `median ${late.skewMedianMs}`);
  assert.ok(Math.abs(late.skewP95Ms - 600_000) < 1000);
  assert.equal(late.skewed, true);
  assert.equal(good.skewed, false);
  assert.equal(late.perMinute.length, 60);
  assert.equal(late.perMinute.reduce((a: number, b: number) => a + b, 0), 20);
  assert.deepEqual(late.inputs, ['imtcp']);
  assert.equal(late.silent, false);
  assert.equal(late.tlsPeer, null);
});

test('status and alert routes answer with their documented shapes', async () => {
  const s = await get('/api/status');
  assert.equal(s.status, 200);
  assert.equal(s.json.store.rows, N);
  assert.equal(typeof s.json.version, 'string');
  assert.equal(typeof s.json.uptimeS, 'number');
  assert.equal(s.json.metrics, null);
  const a = await get('/api/alerts');
  assert.deepEqual(a.json, { alerts: [], metrics: [] });
  assert.equal((await get('/api/alerts/12345')).status, 404);
  assert.equal((await get('/api/alerts/abc')).status, 400);
  const ack = await call(http.port, 'POST', '/api/alerts/12345/ack', { authorization: `Bearer ${token}` });
  assert.equal(ack.status, 404);
});

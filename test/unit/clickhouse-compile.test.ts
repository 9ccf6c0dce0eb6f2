// ClickHouse query compiler, SQL escaping, FTS5-compatible tokenizer, row mapping and id clock (pure parts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { extractFields } from '../../src/parse/extract';
import type { StoredRow } from '../../src/store/backend';
import { IdClock, MAX_NODE } from '../../src/store/clickhouse-ids';
import { fromChRow, ipToHex, toChRow } from '../../src/store/clickhouse-schema';
import { isValidIdent, re2Escape, sqlIdent, sqlInt, sqlNumber, sqlString } from '../../src/store/clickhouse-sql';
import { textNeedle, textTokens, tokenColumn } from '../../src/store/clickhouse-text';
import { compileClickHouse, compileWhere, globToRe2 } from '../../src/store/query/compile-clickhouse';
import { parseQuery } from '../../src/store/query/parser';

const NOW = Date.UTC(2025, 0, 15);
const PAGING = { snapshotId: 1_000_000, after: null, defaultPage: 100, maxPage: 10_000 };

function where(q: string): string {
  const parsed = parseQuery(q, { nowMs: NOW });
  assert.ok(parsed.where);
  return compileWhere(parsed.where);
}

test('sqlString escapes quote, backslash and control bytes', () => {
  const cases: Array<[string, string]> = [
    ['plain', "'plain'"],
    ["it's", "'it\\'s'"],
    ['a\\b', "'a\\\\b'"],
    ["\\'", "'\\\\\\''"],
    ['nul\0x', "'nul\\x00x'"],
    ['line\nbreak\r', "'line\\x0abreak\\x0d'"],
    ['del\x7f', "'del\\x7f'"],
    ['Jürgen ✓', "'Jürgen ✓'"],
  ];
  for (const [input, want] of cases) assert.equal(sqlString(input), want, JSON.stringify(input));
});

test('sqlString output never has an unescaped quote or a raw control byte (property)', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
    const lit = sqlString(s);
    const body = lit.slice(1, -1);
    // Walk the body as ClickHouse's lexer does: a backslash escapes the next char; a bare quote would end it.
    for (let i = 0; i < body.length; i++) {
      if (body[i] === '\\') { i++; continue; }
      if (body[i] === "'") return false;
      if (body.charCodeAt(i) < 0x20 || body.charCodeAt(i) === 0x7f) return false;
    }
    return lit.startsWith("'") && lit.endsWith("'");
  }));
});

test('identifiers: plain ASCII names only', () => {
  assert.equal(sqlIdent('logs_2'), '`logs_2`');
  for (const bad of ['', 'a-b', 'a`b', 'x; DROP TABLE y', '1abc', 'é']) {
    assert.equal(isValidIdent(bad), false, bad);
    assert.throws(() => sqlIdent(bad), { code: 'LW_ERR_CLICKHOUSE_NAME' });
  }
});

test('numbers: finite and safe only', () => {
  assert.equal(sqlNumber(12), '12');
  assert.equal(sqlNumber(-1.5), '-1.5e+0');
  assert.throws(() => sqlNumber(Number.NaN), { code: 'LW_ERR_QUERY_VALUE' });
  assert.throws(() => sqlNumber(Infinity), { code: 'LW_ERR_QUERY_VALUE' });
  assert.throws(() => sqlInt(1.5), { code: 'LW_ERR_QUERY_VALUE' });
  assert.throws(() => sqlInt(2 ** 60), { code: 'LW_ERR_QUERY_VALUE' });
});

test('glob → RE2: * and ? are wildcards, everything else literal', () => {
  assert.equal(globToRe2('web-0*'), '(?s)^web-0.*$');
  assert.equal(globToRe2('a?c'), '(?s)^a.c$');
  assert.equal(globToRe2('1.2.(3)[x]+'), '(?s)^1\\.2\\.\\(3\\)\\[x\\]\\+$');
  assert.equal(re2Escape('a|b^c$'), 'a\\|b\\^c\\$');
});

test('a hostile field value stays inside its literal', () => {
  const sql = where(`host:"x' OR 1=1 --\\\\"`);
  assert.equal(sql, "host = 'x\\' OR 1=1 --\\\\'");
});

test('field terms compile to the documented SQL', () => {
  assert.equal(where('severity:<=warning'), 'severity <= 4');
  assert.equal(where('facility:auth'), 'facility = 4');
  assert.equal(where('host:web-0*'), "match(host, '(?s)^web-0.*$')");
  assert.equal(where('host:!=web-0*'), "NOT match(host, '(?s)^web-0.*$')");
  assert.equal(where('raw:*'), "ifNull((raw != '' AND raw != '-'), 0)");
  assert.equal(where('fromhost-ip:10.0.0.0/8'),
    "(fromhost_ip_hex != '' AND fromhost_ip_hex >= '00000000000000000000ffff0a000000' AND fromhost_ip_hex <= '00000000000000000000ffff0affffff')");
  assert.equal(where('"Failed password"'), "position(msg_tokens, ' failed password ') > 0");
  assert.equal(where('pass*'), "position(msg_tokens, ' pass') > 0");
  assert.equal(where('json.user:*'), "has(field_keys, 'json.user')");
  assert.match(where('json.status:200'), /toFloat64OrZero\(field_values\[indexOf\(field_keys, 'json\.status'\)\]\) = 200/);
  assert.match(where('json.latency:<5.5'), /toFloat64OrNull/);
  assert.equal(where('NOT app:sshd'), "(NOT app = 'sshd')");
});

test('hits: keyset paging, snapshot bound and page size', () => {
  const q = parseQuery('app:sshd | sort asc', { nowMs: NOW });
  const c = compileClickHouse({ query: q, limit: 50 }, '`db`.`logs`', { ...PAGING, after: { ts: 123, id: '456' } });
  assert.equal(c.kind, 'hits');
  assert.equal(c.sql, "SELECT id, ts_received_us, ts_reported_us, host, fromhost_ip, app, procid, msgid, facility, severity, " +
    "structured_data, msg, field_keys, field_values, field_kinds, raw FROM `db`.`logs` WHERE app = 'sshd' AND id <= 1000000 " +
    'AND (ts_reported_us, id) > (123, 456) ORDER BY ts_reported_us ASC, id ASC LIMIT 51');
  const capped = compileClickHouse({ query: parseQuery('x | limit 7', { nowMs: NOW }), limit: 500 }, 't', PAGING);
  assert.ok(capped.kind === 'hits' && capped.pageSize === 7 && capped.limited);
  const big = compileClickHouse({ query: parseQuery('x', { nowMs: NOW }), limit: 1e9 }, 't', PAGING);
  assert.ok(big.kind === 'hits' && big.pageSize === 10_000);
});

test('time bounds intersect the query and the caller', () => {
  const q = parseQuery('from:2025-01-14T00:00:00Z x', { nowMs: NOW });
  const c = compileClickHouse({ query: q, fromUs: 0, toUs: Date.UTC(2025, 0, 14, 12) * 1000 }, 't', PAGING);
  assert.match(c.sql, /ts_reported_us >= 1736812800000000 AND ts_reported_us < 1736856000000000/);
});

test('aggregations group in SQL and decode rows for the shared merger', () => {
  const c = compileClickHouse({ query: parseQuery('| timechart 1h by json.status', { nowMs: NOW }) }, 't', PAGING);
  assert.equal(c.kind, 'aggregate');
  if (c.kind !== 'aggregate') return;
  assert.deepEqual(c.columns, ['time', 'json.status', 'count']);
  assert.match(c.sql, /intDiv\(ts_reported_us, 3600000000\) \* 3600000000 AS bucket/);
  assert.deepEqual(c.decodeRow({ bucket: '7200000000', p0: 1, n0: 1, g0: '200', c: '5' }), [7200000000, 200, 5]);
  assert.deepEqual(c.decodeRow({ bucket: 0, p0: 1, n0: 0, g0: '200', c: 1 }), [0, '200', 1]);
  assert.deepEqual(c.decodeRow({ bucket: 0, p0: 0, n0: 0, g0: '', c: 2 }), [0, null, 2]);
  const top = compileClickHouse({ query: parseQuery('| top 3 json.user', { nowMs: NOW }) }, 't', PAGING);
  assert.ok(top.kind === 'aggregate');
  assert.match(top.sql, /WHERE 1 AND has\(field_keys, 'json\.user'\) GROUP BY p0, n0, g0/);
});

/** FTS5 with the SQLite store's tokenizer, read back through fts5vocab. */
function ftsTokens(db: Database.Database, text: string): string[] {
  db.prepare('DELETE FROM f').run();
  db.prepare('INSERT INTO f (rowid, msg) VALUES (1, ?)').run(text);
  return (db.prepare('SELECT term FROM v WHERE doc = 1 ORDER BY offset').all() as Array<{ term: string }>).map((r) => r.term);
}

test('the tokenizer equals FTS5 unicode61 remove_diacritics 2 on Latin text (property)', () => {
  const db = new Database(':memory:');
  db.exec("CREATE VIRTUAL TABLE f USING fts5(msg, tokenize='unicode61 remove_diacritics 2'); CREATE VIRTUAL TABLE v USING fts5vocab(f, 'instance');");
  const fixed = ['Café crème brûlée', 'ÉTÉ naïve Øresund Łódź straße ẞ', 'user_name=foo-bar 10.0.0.1', 'x\u0301y İstanbul',
    'ǅ µ ſ ς', '한국어 텍스트', '/var/log/syslog: ERROR[42]', 'tab\there\nnewline', ''];
  for (const s of fixed) assert.deepEqual(textTokens(s), ftsTokens(db, s), JSON.stringify(s));
  const alphabet = [...'aZ09 _-.:/"\'éÉüÜßøØłŁçÇñÑåÅæœ\u0301\u0308\t\n!@#€'];
  fc.assert(fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }), (chars) => {
    const s = chars.join('');
    assert.deepEqual(textTokens(s), ftsTokens(db, s), JSON.stringify(s));
  }), { numRuns: 500 });
  db.close();
});

test('token column and needles: word, phrase and prefix', () => {
  assert.equal(tokenColumn('Failed password for ROOT'), ' failed password for root ');
  assert.equal(tokenColumn('---'), ' ');
  assert.equal(textNeedle('Failed  Password', false), ' failed password ');
  assert.equal(textNeedle('pass', true), ' pass');
  assert.equal(textNeedle('...', false), null);
  assert.equal(where('"..."'), '0');
});

test('StoredRow → ClickHouse row → Hit keeps every field and its type', () => {
  const msg = '{"user":"alice","status":200,"ok":true,"latency":1.5,"n":{"a":"x"}}';
  const row: StoredRow = {
    tsReported: 1736726400123456, tsReceived: 1736726401000001, host: 'web-01', fromhostIp: '10.0.0.1', app: 'api',
    procid: '-', msgid: '-', facility: 16, severity: 6, structuredData: '-', msg, fields: extractFields(msg), raw: null,
  };
  const ch = toChRow(row, 42, 'b1');
  assert.equal(ch.ts, 1736726401);
  assert.equal(ch.fromhost_ip_hex, '00000000000000000000ffff0a000001');
  assert.deepEqual(ch.field_values, ['alice', '200', '1', '1.5', 'x']);
  const hit = fromChRow({ ...ch, id: '42' });
  assert.equal(hit.id, '42');
  const { id: _id, ...rest } = hit;
  assert.deepEqual(JSON.parse(JSON.stringify(rest)), JSON.parse(JSON.stringify(row)));
  assert.equal(ipToHex('localhost'), '');
  assert.equal(ipToHex('2001:db8::1'), '20010db8000000000000000000000001');
});

test('ids increase through a burst, carry the node and continue after stored ids', () => {
  let now = 1_800_000_000_000;
  const clock = new IdClock(5, () => now);
  const ids: number[] = [];
  for (let i = 0; i < 2000; i++) ids.push(clock.next());
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i]! > ids[i - 1]!, `id ${i} not increasing`);
  assert.ok(ids.every((id) => Math.floor(id / 256) % 32 === 5));
  assert.ok(ids.every(Number.isSafeInteger));
  const other = new IdClock(6, () => now);
  assert.ok(!ids.includes(other.next()));
  now -= 60_000; // clock stepped back: a new writer continues after the stored max
  const restarted = new IdClock(5, () => now);
  restarted.advancePast(ids[ids.length - 1]!);
  assert.ok(restarted.next() > ids[ids.length - 1]!);
  assert.throws(() => new IdClock(MAX_NODE + 1));
});

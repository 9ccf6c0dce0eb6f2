// Issue #20's query-language pieces: the `received` time field (parser, SQLite and ClickHouse compilers, the
// in-memory evaluator) and the refusals of `-1x` (a mistyped time range) and `field=value` (a ':' typo), with carets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { parseQuery } from '../../../src/store/query/parser';
import { QueryError } from '../../../src/store/query/errors';
import { compileWhere as compileSqlite } from '../../../src/store/query/compile-sqlite';
import { compileWhere as compileCh } from '../../../src/store/query/compile-clickhouse';
import { compileQuery } from '../../../src/detect/query-eval';
import { toEvent } from '../../../src/detect/event';
import { Message } from '../../../src/message';
import { SyslogTime } from '../../../src/time';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const NOW_US = NOW * 1000;

test('received:>=-5m is a filter on tsReceived, not a reported-time bound', () => {
  const q = parseQuery('received:>=-5m app:sshd', { nowMs: NOW });
  assert.equal(q.fromUs, null);
  assert.equal(q.toUs, null);
  assert.ok(q.where?.kind === 'and');
  assert.deepEqual(q.where.left, { kind: 'received', op: 'ge', us: NOW_US - 300_000_000, pos: 1 });
  const bare = parseQuery('received:2025-01-15T11:00:00Z', { nowMs: NOW }).where;
  assert.deepEqual(bare, { kind: 'received', op: 'ge', us: NOW_US - 3_600_000_000, pos: 1 });
  const lt = parseQuery('received:<now', { nowMs: NOW }).where;
  assert.deepEqual(lt, { kind: 'received', op: 'lt', us: NOW_US, pos: 1 });
  // it may sit under OR/NOT, unlike -15m
  assert.equal(parseQuery('a OR received:>-1h', { nowMs: NOW }).where?.kind, 'or');
});

test('received: compiles for SQLite and ClickHouse', () => {
  const q = parseQuery('received:>=-5m', { nowMs: NOW });
  assert.deepEqual(compileSqlite(q.where), { sql: '(ts_received >= ?)', params: [NOW_US - 300_000_000], byMatch: null });
  assert.equal(compileCh(q.where!), `ts_received_us >= ${NOW_US - 300_000_000}`);
  const db = new Database(':memory:');
  db.exec('CREATE TABLE logs (id INTEGER PRIMARY KEY, ts_received INTEGER)');
  db.prepare('INSERT INTO logs VALUES (1, ?), (2, ?)').run(NOW_US - 600_000_000, NOW_US - 60_000_000);
  const f = compileSqlite(q.where);
  assert.deepEqual(db.prepare(`SELECT id FROM logs WHERE ${f.sql}`).all(...f.params), [{ id: 2 }]);
  db.close();
});

test('received: evaluates on a live message (tail, rules)', () => {
  const m = new Message(Buffer.from('x'), { inputname: 't', fromhost: 'h', fromhostIp: '127.0.0.1', ruleset: 'RSYSLOG_DefaultRuleset' }, SyslogTime.now());
  const recv = m.timegenerated.toEpochMs();
  assert.equal(compileQuery(parseQuery('received:>=-5m', { nowMs: recv }))(toEvent(m)), true);
  assert.equal(compileQuery(parseQuery('received:>=-5m', { nowMs: recv + 600_000 }))(toEvent(m)), false);
});

test('refusals: -1x is not NOT 1x, field=value asks for field:value; both with a caret', () => {
  const cases: Array<[string, string, number, RegExp]> = [
    ['* -1x', 'LW_ERR_QUERY_TIME', 3, /not a time span: use -15m, -2h, -1d/],
    ['error -15min', 'LW_ERR_QUERY_TIME', 7, /not a time span/],
    ['json.log_type=login_manager', 'LW_ERR_QUERY_SYNTAX', 14, /use json\.log_type:login_manager/],
    ['host!=web01', 'LW_ERR_QUERY_SYNTAX', 5, /use host:!=web01/],
    ['severity>=4', 'LW_ERR_QUERY_SYNTAX', 9, /use severity:>=4/],
    ['received>=-5m', 'LW_ERR_QUERY_SYNTAX', 9, /use received:>=-5m/],
    ['received:!=-5m', 'LW_ERR_QUERY_TIME', 12, /received: takes/],
    ['received:yesterday', 'LW_ERR_QUERY_TIME', 10, /not a time/],
  ];
  for (const [q, code, col, msg] of cases) {
    assert.throws(() => parseQuery(q, { nowMs: NOW }), (e: unknown) => {
      assert.ok(e instanceof QueryError, q);
      assert.equal(e.code, code, q);
      assert.equal(e.col, col, `${q}: ${e.message}`);
      assert.match(e.message, msg);
      assert.equal(e.caret().split('\n')[1]!.indexOf('^'), col - 1);
      return true;
    }, q);
  }
  // still fine: a real relative time, negated words, '=' in free text that names no field
  assert.equal(parseQuery('* -15m', { nowMs: NOW }).fromUs, NOW_US - 900_000_000);
  assert.equal(parseQuery('-error', { nowMs: NOW }).where?.kind, 'not');
  assert.equal(parseQuery('user=root', { nowMs: NOW }).where?.kind, 'text');
  assert.equal(parseQuery('-1', { nowMs: NOW }).where?.kind, 'not');
});

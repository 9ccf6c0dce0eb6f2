// Query language parser: each operator, precedence, wildcards, time ranges, CIDR, pipes, and errors with position.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery } from '../../src/store/query/parser';
import { QueryError } from '../../src/store/query/errors';
import type { QueryNode } from '../../src/store/query/ast';
import { ipToKey, parseCidr } from '../../src/store/ip';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const where = (q: string): QueryNode | null => parseQuery(q, { nowMs: NOW }).where;

/** Compact rendering of a filter tree, to compare precedence and structure at a glance. */
function show(n: QueryNode | null): string {
  if (n === null) return '*';
  switch (n.kind) {
    case 'text': return n.phrase ? `"${n.value}"` : n.prefix ? `${n.value}*` : n.value;
    case 'field': return `${n.field.kind === 'column' ? n.field.name : n.field.path}${n.op === 'eq' ? ':' : `:${n.op}:`}${n.wildcard ? 'glob:' : ''}${n.value}`;
    case 'exists': return `${n.field.kind === 'column' ? n.field.name : n.field.path}:*`;
    case 'cidr': return `cidr(${n.cidr})`;
    case 'received': return `received:${n.op}:${n.us}`;
    case 'not': return `NOT(${show(n.operand)})`;
    case 'and': return `(${show(n.left)} AND ${show(n.right)})`;
    case 'or': return `(${show(n.left)} OR ${show(n.right)})`;
  }
}

test('operators, implicit AND and precedence NOT > AND > OR', () => {
  const cases: Array<[string, string]> = [
    ['a b', '(a AND b)'],
    ['a AND b', '(a AND b)'],
    ['a OR b c', '(a OR (b AND c))'],
    ['a b OR c', '((a AND b) OR c)'],
    ['NOT a b', '(NOT(a) AND b)'],
    ['-a b', '(NOT(a) AND b)'],
    ['a OR NOT b AND c', '(a OR (NOT(b) AND c))'],
    ['(a OR b) c', '((a OR b) AND c)'],
    ['NOT (a OR b)', 'NOT((a OR b))'],
    ['-"failed password" x', '(NOT("failed password") AND x)'],
    ['and or not', '((and AND or) AND not)'],
  ];
  for (const [q, want] of cases) assert.equal(show(where(q)), want, q);
});

test('field terms resolve aliases, comparisons and names', () => {
  const cases: Array<[string, string]> = [
    ['host:web01', 'host:web01'],
    ['hostname:web01', 'host:web01'],
    ['programname:sshd', 'app:sshd'],
    ['app:"my app"', 'app:my app'],
    ['severity:<=warning', 'severity:le:4'],
    ['severity:err', 'severity:3'],
    ['severity:>3', 'severity:gt:3'],
    ['facility:auth', 'facility:4'],
    ['facility:local7', 'facility:23'],
    ['msgid:ID47', 'msgid:ID47'],
    ['procid:!=1234', 'procid:ne:1234'],
    ['json.params.username:alice', 'json.params.username:alice'],
    ['nginx.status:>=500', 'nginx.status:ge:500'],
    ['sd.exampleSDID@32473.iut:3', 'sd.exampleSDID@32473.iut:3'],
    ['kv.user:*', 'kv.user:*'],
    ['msgid:*', 'msgid:*'],
  ];
  for (const [q, want] of cases) assert.equal(show(where(q)), want, q);
  const n = where('nginx.status:>=500');
  assert.ok(n !== null && n.kind === 'field' && n.value === 500, 'numeric comparison on an extracted field is a number');
});

test('wildcards: * and ? become globs in field values, a trailing * is a free-text prefix', () => {
  assert.equal(show(where('host:web*')), 'host:glob:web*');
  assert.equal(show(where('app:ss?d')), 'app:glob:ss?d');
  assert.equal(show(where('app:"ss?d"')), 'app:ss?d', 'quoted values are literal');
  assert.equal(show(where('pass*')), 'pass*');
  assert.equal(show(where('*')), '*');
  assert.equal(show(where('* host:a')), 'host:a');
});

test('time ranges: relative, from:/to: RFC 3339, hoisted out of the filter', () => {
  const q = parseQuery('-15m sshd', { nowMs: NOW });
  assert.equal(q.fromUs, (NOW - 15 * 60_000) * 1000);
  assert.equal(show(q.where), 'sshd');
  for (const [text, ms] of [['-2h', NOW - 7_200_000], ['-7d', NOW - 7 * 86_400_000], ['-30s', NOW - 30_000]] as const) {
    assert.equal(parseQuery(text, { nowMs: NOW }).fromUs, ms * 1000, text);
  }
  const abs = parseQuery('from:2025-01-15T07:25:36.523+09:00 to:2025-01-16 x', { nowMs: NOW });
  assert.equal(abs.fromUs, Date.UTC(2025, 0, 14, 22, 25, 36, 523) * 1000);
  assert.equal(abs.toUs, Date.UTC(2025, 0, 16) * 1000);
  assert.equal(parseQuery('from:2025-01-15T00:00:00.000001Z', { nowMs: NOW }).fromUs, Date.UTC(2025, 0, 15) * 1000 + 1);
  assert.equal(parseQuery('-1h -15m', { nowMs: NOW }).fromUs, (NOW - 900_000) * 1000, 'the narrower bound wins');
});

test('CIDR ranges for IPv4 and IPv6 map to sortable 16-byte bounds', () => {
  const n = where('fromhost-ip:10.0.0.0/8');
  assert.ok(n !== null && n.kind === 'cidr');
  assert.equal(n.lo, '00000000000000000000ffff0a000000');
  assert.equal(n.hi, '00000000000000000000ffff0affffff');
  const v6 = where('ip:2001:db8::/32');
  assert.ok(v6 !== null && v6.kind === 'cidr');
  assert.equal(v6.lo, '20010db8000000000000000000000000');
  assert.equal(v6.hi, '20010db8ffffffffffffffffffffffff');
  assert.equal(show(where('fromhost-ip:!=192.168.0.0/16')), 'NOT(cidr(192.168.0.0/16))');
  assert.equal(show(where('fromhost-ip:10.1.2.3')), 'fromhost-ip:10.1.2.3');
  const inRange = (ip: string, cidr: string): boolean => {
    const k = ipToKey(ip)!;
    const r = parseCidr(cidr)!;
    return Buffer.compare(r.lo, k) <= 0 && Buffer.compare(k, r.hi) <= 0;
  };
  assert.equal(inRange('10.255.0.1', '10.0.0.0/8'), true);
  assert.equal(inRange('11.0.0.0', '10.0.0.0/8'), false);
  assert.equal(inRange('::ffff:10.1.1.1', '10.0.0.0/8'), true);
  assert.equal(inRange('2001:db8:ffff::1', '2001:db8::/32'), true);
  assert.equal(inRange('2001:db9::', '2001:db8::/32'), false);
  assert.equal(inRange('fe80::1%eth0', 'fe80::/10'), true);
  assert.equal(ipToKey('localhost'), null);
});

test('pipes: count by, top, timechart, sort, limit', () => {
  const q = parseQuery('sshd | count by host, app', { nowMs: NOW });
  assert.deepEqual(q.pipes, [{ kind: 'count', by: [{ kind: 'column', name: 'host' }, { kind: 'column', name: 'app' }], pos: 8 }]);
  assert.deepEqual(parseQuery('| count', { nowMs: NOW }).pipes, [{ kind: 'count', by: [], pos: 3 }]);
  const top = parseQuery('x | top 5 json.params.username', { nowMs: NOW }).pipes[0];
  assert.deepEqual(top, { kind: 'top', n: 5, field: { kind: 'extracted', path: 'json.params.username' }, pos: 5 });
  const tc = parseQuery('x | timechart 1m by severity | limit 10', { nowMs: NOW }).pipes;
  assert.deepEqual(tc[0], { kind: 'timechart', bucketUs: 60_000_000, by: { kind: 'column', name: 'severity' }, pos: 5 });
  assert.deepEqual(tc[1], { kind: 'limit', n: 10, pos: 32 });
  assert.deepEqual(parseQuery('x | sort asc', { nowMs: NOW }).pipes[0], { kind: 'sort', order: 'asc', pos: 5 });
});

test('errors carry a stable code and the 1-based column, with a caret display', () => {
  const cases: Array<[string, string, number]> = [
    ['host:a AND (b OR', 'LW_ERR_QUERY_SYNTAX', 17],
    ['host:a AND (b OR c', 'LW_ERR_QUERY_SYNTAX', 19],
    ['a)', 'LW_ERR_QUERY_SYNTAX', 2],
    ['"unterminated', 'LW_ERR_QUERY_SYNTAX', 1],
    ['foo:bar', 'LW_ERR_QUERY_FIELD', 1],
    ['severity:loud', 'LW_ERR_QUERY_VALUE', 10],
    ['fromhost-ip:10.0.0.0/33', 'LW_ERR_QUERY_VALUE', 13],
    ['host:', 'LW_ERR_QUERY_SYNTAX', 6],
    ['from:yesterday', 'LW_ERR_QUERY_TIME', 6],
    ['a OR -15m', 'LW_ERR_QUERY_TIME', 6],
    ['x | explode', 'LW_ERR_QUERY_SYNTAX', 5],
    ['x | count | top app', 'LW_ERR_QUERY_SYNTAX', 13],
    ['x | top 0 app', 'LW_ERR_QUERY_VALUE', 9],
    ['x | timechart 1y', 'LW_ERR_QUERY_VALUE', 15],
    ['fa*il', 'LW_ERR_QUERY_SYNTAX', 3],
    ['host:>web*', 'LW_ERR_QUERY_VALUE', 7],
    ['NOT *', 'LW_ERR_QUERY_SYNTAX', 1],
  ];
  for (const [q, code, col] of cases) {
    assert.throws(() => parseQuery(q, { nowMs: NOW }), (e: unknown) => {
      assert.ok(e instanceof QueryError, q);
      assert.equal(e.code, code, q);
      assert.equal(e.col, col, `${q}: ${e.message}`);
      assert.ok(e.message.endsWith(`at col ${col}`), e.message);
      const [line, caret] = e.caret().split('\n');
      assert.equal(line, q);
      assert.equal(caret!.indexOf('^'), col - 1);
      return true;
    }, q);
  }
  const e = (() => { try { parseQuery('host:a AND (b OR c', { nowMs: NOW }); } catch (x) { return x as QueryError; } return null; })();
  assert.equal(e?.message, "expected ')' at col 19");
});

test('hostile input: deep nesting and huge queries fail cleanly', () => {
  assert.throws(() => parseQuery('('.repeat(500) + 'a' + ')'.repeat(500)), { code: 'LW_ERR_QUERY_SYNTAX' });
  assert.throws(() => parseQuery('NOT '.repeat(500) + 'a'), { code: 'LW_ERR_QUERY_SYNTAX' });
  assert.throws(() => parseQuery('a '.repeat(5000)), { code: 'LW_ERR_QUERY_SYNTAX' });
});

// The clickhouse action's parameters: defaults, rsyslog omclickhouse spellings, and errors naming file:line:col.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clickhouseOptions, clickhouseSpec } from '../../src/actions/clickhouse';
import type { ActionDecl, Params, ParamValue } from '../../src/config/model';

function decl(entries: Record<string, ParamValue>, line = 7): ActionDecl {
  const m: Params = new Map();
  let col = 8;
  for (const [k, v] of Object.entries(entries)) {
    m.set(k.toLowerCase(), { name: k, value: v, loc: { file: '/etc/rsyslog.conf', line, col } });
    col += 20;
  }
  return { type: 'clickhouse', params: m, loc: { file: '/etc/rsyslog.conf', line, col: 1 } };
}

test('defaults', () => {
  const o = clickhouseOptions(decl({}), new Map());
  assert.equal(o.url, 'http://127.0.0.1:8123');
  assert.equal(o.database, 'default');
  assert.equal(o.table, 'logs');
  assert.equal(o.user, 'default');
  assert.equal(o.password, '');
  assert.equal(o.batchSize, 1000);
  assert.equal(o.keepRaw, false);
  assert.equal(o.maxAgeSeconds, null);
  assert.equal(o.maxBytes, null);
  assert.equal(o.nodeId, undefined);
});

test('explicit parameters and sizes with suffixes', () => {
  const o = clickhouseOptions(decl({
    url: 'https://ch.example:8443', database: 'siem', table: 'events', user: 'lw', password: 'p', 'batch.size': '500',
    'node.id': '3', keepraw: 'on', 'retention.days': '30', 'retention.maxsize': '2g',
  }), new Map());
  assert.deepEqual(
    [o.url, o.database, o.table, o.user, o.password, o.batchSize, o.nodeId, o.keepRaw, o.maxAgeSeconds, o.maxBytes],
    ['https://ch.example:8443', 'siem', 'events', 'lw', 'p', 500, 3, true, 30 * 86_400, 2 * 1024 ** 3]);
});

test('rsyslog omclickhouse spellings build the url and password', () => {
  const o = clickhouseOptions(decl({ server: 'ch1', usehttps: 'on', pwd: 'secret' }), new Map());
  assert.equal(o.url, 'https://ch1:8443');
  assert.equal(o.password, 'secret');
  assert.equal(clickhouseOptions(decl({ server: 'ch2', port: '9123' }), new Map()).url, 'http://ch2:9123');
  assert.ok(clickhouseSpec.aliases.includes('omclickhouse'));
  assert.ok(clickhouseSpec.params.find((p) => p.name === 'template')?.ignored);
});

test('module(load=…) parameters are inherited', () => {
  const mp = decl({ database: 'frommodule' }).params;
  assert.equal(clickhouseOptions(decl({}), mp).database, 'frommodule');
});

test('bad values name the place', () => {
  const cases: Array<[Record<string, ParamValue>, RegExp]> = [
    [{ table: 'logs; DROP' }, /^\/etc\/rsyslog\.conf:7:8: table="logs; DROP"/],
    [{ database: 'a-b' }, /^\/etc\/rsyslog\.conf:7:8: database=/],
    [{ 'batch.size': '0' }, /batch\.size="0" must be an integer 1\.\.1000000/],
    [{ 'node.id': '32' }, /node\.id="32"/],
    [{ url: 'ftp://x' }, /url="ftp:\/\/x" must be http/],
    [{ 'retention.maxsize': 'lots' }, /retention\.maxsize="lots"/],
  ];
  for (const [entries, re] of cases) {
    assert.throws(() => clickhouseOptions(decl(entries), new Map()), (e: Error & { code?: string }) =>
      e.code === 'LW_ERR_CLICKHOUSE_PARAM' && re.test(e.message), JSON.stringify(entries));
  }
});

// Prometheus text exposition and docs/metrics.md agree with the family table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Scrape } from '../../../src/metrics/exposition';
import { FAMILIES } from '../../../src/metrics/families';
import { Histogram } from '../../../src/metrics/histogram';
import { parseProcNetUdp, udpDrops } from '../../../src/metrics/udp-drops';

test('text format: HELP/TYPE once per family, escaped label values, histogram buckets cumulative', () => {
  const s = new Scrape();
  s.add('logwarden_input_received_total', { input: 'a"b\\c\nd' }, 3);
  s.add('logwarden_input_received_total', { input: 'x' }, 4);
  const h = new Histogram([0.1, 1]);
  h.observe(0.05); h.observe(0.5); h.observe(5);
  s.add('logwarden_search_duration_seconds', { outcome: 'ok' }, h.value());
  const text = s.text();
  assert.equal(text.split('# TYPE logwarden_input_received_total counter').length, 2);
  assert.match(text, /logwarden_input_received_total\{input="a\\"b\\\\c\\nd"\} 3\n/);
  assert.match(text, /logwarden_search_duration_seconds_bucket\{outcome="ok",le="0.1"\} 1\n/);
  assert.match(text, /logwarden_search_duration_seconds_bucket\{outcome="ok",le="1"\} 2\n/);
  assert.match(text, /logwarden_search_duration_seconds_bucket\{outcome="ok",le="\+Inf"\} 3\n/);
  assert.match(text, /logwarden_search_duration_seconds_count\{outcome="ok"\} 3\n/);
  assert.throws(() => s.add('logwarden_not_declared', {}, 1));
  s.add('logwarden_input_received_total', { input: 'x' }, 6);
  assert.match(s.text(), /logwarden_input_received_total\{input="x"\} 10\n/, 'same labels twice: one series, summed');
});

test('every family is documented in docs/metrics.md with its type, and every documented name exists', () => {
  const md = readFileSync(resolve(__dirname, '..', '..', '..', '..', 'docs', 'metrics.md'), 'utf8');
  for (const f of FAMILIES.values()) {
    assert.match(md, new RegExp(`\\| \`${f.name}\` \\| ${f.type} \\|`), `${f.name} (${f.type}) missing from docs/metrics.md`);
    for (const l of f.labels) assert.ok(md.includes(`\`${l}\``), `label ${l} of ${f.name}`);
  }
  for (const m of md.matchAll(/\| `(logwarden_[a-z_]+)` \|/g)) assert.ok(FAMILIES.has(m[1]!), `docs/metrics.md names ${m[1]}, which does not exist`);
});

test('kernel drops are read from the drops column of the row with the socket\'s local port', () => {
  const table = [
    '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
    ' 1234: 0100007F:1F90 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 55555 2 0000000000000000 17',
    ' 1235: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 66666 2 0000000000000000 0',
  ].join('\n');
  const rows = parseProcNetUdp(table);
  assert.deepEqual(rows[0], { localHex: '0100007F', port: 8080, inode: 55555, drops: 17 });
  assert.equal(udpDrops(8080, 4, { udp: rows, udp6: [] }), 17);
  assert.equal(udpDrops(8080, 6, { udp: rows, udp6: [] }), undefined);
});

// The differential suite: every case under test/interop/diff/cases runs on real rsyslogd and on Logwarden with
// the same messages; outputs must be byte-identical unless known-differences.json lists the case (with why).
// A listed case that became identical fails too, so the list stays honest. The cases run in eight shards
// (diff-suite-shard-{1..8}.test.ts); this file checks the suite itself.
//   LW_DIFF_FILTER=<substring>  run some cases (in shard 1);  LW_DIFF_CONCURRENCY=n per shard (default 2);
//   LW_DIFF_VERBOSE=1 print every difference;  LW_DIFF_KEEP=1 keep the temp dirs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCases, loadCorpus } from './harness';
import { knownDifferences } from './suite';

test('the differential suite has >= 100 cases and >= 100 corpus messages; every listed case exists', () => {
  const cases = loadCases();
  assert.ok(cases.length >= 100, `at least 100 cases (have ${cases.length})`);
  assert.ok(loadCorpus().length >= 100, 'at least 100 corpus messages');
  const names = new Set(cases.map((c) => c.name));
  const known = knownDifferences();
  const missing = Object.keys(known).filter((n) => !n.startsWith('_') && !names.has(n));
  assert.deepEqual(missing, [], 'listed in known-differences.json but no such case');
  for (const [n, why] of Object.entries(known)) {
    if (!n.startsWith('_')) assert.match(why, /^(deliberate|open): /, `${n}: reason must start with "deliberate: " or "open: "`);
  }
});

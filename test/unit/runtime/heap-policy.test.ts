// `logwarden run` fixes V8's old-generation growing factor (src/cli/heap.ts) unless the user set their own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { applyHeapPolicy } from '../../../src/cli/heap';

test('the growing factor is set when neither node\'s command line nor NODE_OPTIONS sets one', () => {
  assert.equal(applyHeapPolicy([], ''), true);
  assert.equal(applyHeapPolicy(['--max-semi-space-size=8'], '--enable-source-maps'), true);
});

test('a --heap-growing-percent of the user\'s own is kept, in either spelling and either place', () => {
  assert.equal(applyHeapPolicy(['--heap-growing-percent=300'], ''), false);
  assert.equal(applyHeapPolicy([], '--enable-source-maps --heap_growing_percent=50'), false);
});

test('with the factor at 2, promoted garbage stays within a bound a default heap exceeds', () => {
  // A child keeps ~25 MB live and promotes short-lived garbage, as queued messages do; the old generation it
  // reaches with the policy is compared with the same child without it. No timing: only heap sizes.
  const heapJs = join(__dirname, '..', '..', '..', 'src', 'cli', 'heap.js');
  const child = (policy: boolean): number => {
    const code = `
      ${policy ? `require(${JSON.stringify(heapJs)}).applyHeapPolicy([], '');` : ''}
      const v8 = require('v8');
      const live = []; let peak = 0;
      for (let round = 0; round < 600; round++) {
        const batch = [];
        for (let i = 0; i < 5000; i++) batch.push({ a: 'x'.repeat(8) + i, b: [i, i + 1, i + 2], c: { d: i } });
        live.push(batch); if (live.length > 20) live.shift(); // survives two scavenges, then dies in old space
        const s = v8.getHeapStatistics().total_heap_size; if (s > peak) peak = s;
      }
      process.stdout.write(String(peak));`;
    const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    return Number(r.stdout);
  };
  const withPolicy = child(true);
  const without = child(false);
  // Seen here: 105 MB against 157-164 MB.
  assert.ok(withPolicy < 0.85 * without, `peak heap with the policy ${withPolicy} should be well below the default's ${without}`);
});

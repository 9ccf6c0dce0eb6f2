// Every rule of the shipped pack (rules/pack/*.yml) fires on its positive fixture and stays silent on its
// negative one (test/fixtures/rules/<rule>/{positive,negative}.log), replayed on the logs' own clock.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { formatDiagnostics } from '../../src/config/diagnostics';
import { loadRuleFiles } from '../../src/detect/load';
import { replay } from '../../src/detect/replay';

const ROOT = resolve(__dirname, '..', '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'rules');
const pack = loadRuleFiles([join(ROOT, 'rules', 'pack', '*.yml')]);

test('the rule pack loads without diagnostics', () => {
  assert.equal(formatDiagnostics(pack.diagnostics), '');
  assert.ok(pack.rules.length >= 18, `only ${pack.rules.length} rules`);
});

test('every pack rule has fixtures and every fixture names a pack rule', () => {
  const dirs = readdirSync(FIXTURES).sort();
  assert.deepEqual(dirs, pack.rules.map((r) => r.id).sort());
});

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
let ran = 0;
for (const rule of pack.rules) {
  for (const kind of ['positive', 'negative'] as const) {
    test(`${rule.id}: ${kind} fixture ${kind === 'positive' ? 'fires' : 'stays silent'}`, () => {
      const lines = readFileSync(join(FIXTURES, rule.id, `${kind}.log`), 'utf8').split('\n');
      const { detections } = replay(pack.rules, lines, { nowMs: NOW });
      const mine = detections.filter((d) => d.rule.id === rule.id);
      if (kind === 'positive') assert.ok(mine.length > 0, `${rule.id} did not fire; fired: ${detections.map((d) => d.rule.id).join(', ') || 'nothing'}`);
      else assert.equal(mine.length, 0, `${rule.id} fired: ${mine.map((d) => `${d.key}: ${d.reason}`).join('; ')}`);
      ran++;
    });
  }
}

test('every row ran', () => {
  assert.equal(ran, pack.rules.length * 2);
});

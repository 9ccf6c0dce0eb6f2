// docs/config-reference.md is generated from the component tables; this fails when the file is stale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigReference } from '../../../src/config/reference';
import { allComponentSpecs } from '../../../src/runtime/registry';

test('docs/config-reference.md matches the parameter tables (regenerate: node scripts/gen-config-reference.mjs)', () => {
  const file = join(__dirname, '..', '..', '..', '..', 'docs', 'config-reference.md');
  assert.equal(readFileSync(file, 'utf8'), renderConfigReference(allComponentSpecs()), 'docs/config-reference.md is stale: run `npx tsc -p tsconfig.json && node scripts/gen-config-reference.mjs`');
});

test('every parameter of the validator tables appears in the reference', () => {
  const text = renderConfigReference(allComponentSpecs());
  for (const c of allComponentSpecs()) for (const p of [...c.params, ...c.moduleParams]) assert.ok(text.includes(`\`${p.name}\``), `${c.name}.${p.name}`);
});

// Every seed config fixture validates against the REAL component registry (the parameter tables the runtime
// uses), not only the test spec table: zero errors, zero warnings (but the one saying `@(z9)` compression has no effect).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDiagnostics, loadConfig } from '../../../src/config/load';
import { lookupComponent } from '../../../src/runtime/registry';

const DIR = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'config', 'seeds');
const files = readdirSync(DIR).filter((f) => f.endsWith('.conf')).sort();

test('there are seed fixtures to check', () => {
  assert.ok(files.length >= 10, `found ${files.length}`);
});

for (const f of files) {
  test(`seed ${f} validates against the runtime registry`, () => {
    const model = loadConfig(join(DIR, f), { lookupComponent });
    // `@(z9)host` asks for zlib compression, which Logwarden does not implement: `check` must say so
    const bad = model.diagnostics.filter((d) => d.severity !== 'notice' && !(d.code === 'LW_WARN_CONFIG_NO_EFFECT' && /ZipLevel/.test(d.message)));
    assert.deepEqual(bad, [], formatDiagnostics(bad));
  });
}

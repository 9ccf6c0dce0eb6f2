// The stock /etc/rsyslog.conf of Amazon Linux 2023 and RHEL 9 load imjournal: `check` accepts them with a
// LW_WARN_CONFIG_INPUT_SKIPPED warning (not an error) and `run` starts them (paths moved into a temp dir).
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkConfig } from '../../src/config/check';
import { lookupComponent } from '../../src/runtime/registry';
import { startLogwarden } from '../helpers/logwarden';
import { tempDir } from '../helpers/util';

const tmp = tempDir('lw-stock-');
after(() => tmp.cleanup());
const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'config', 'stock');

for (const name of ['al2023-rsyslog.conf', 'rhel9-rsyslog.conf']) {
  it(`${name}: check warns that imjournal is skipped; run starts`, async () => {
    const file = join(FIXTURES, name);
    const r = checkConfig(file, { lookupComponent });
    assert.deepEqual(r.errors.map((d) => d.code), []);
    assert.deepEqual(r.warnings.map((d) => d.code), ['LW_WARN_CONFIG_INPUT_SKIPPED']);
    const dir = join(tmp.dir, name);
    mkdirSync(join(dir, 'rsyslog.d'), { recursive: true });
    const text = readFileSync(file, 'utf8').replaceAll('/var/log/', `${dir}/`).replaceAll('/etc/rsyslog.d/', `${dir}/rsyslog.d/`);
    const server = await startLogwarden(dir, text);
    try {
      assert.deepEqual(server.rt.addresses(), [], 'imjournal skipped, imuxsock SysSock.Use="off": no input runs');
      assert.ok(server.rt.model.diagnostics.some((d) => d.code === 'LW_WARN_CONFIG_INPUT_SKIPPED'));
    } finally {
      await server.stop();
    }
  });
}

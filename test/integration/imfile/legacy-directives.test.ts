// Legacy imfile directives: `$InputFileName`, `$InputFileTag`, `$InputFileSeverity`, `$InputFileFacility`,
// `$InputFileStateFile` (accepted, no effect), `$InputRunFileMonitor` make an imfile input, as in rsyslog v5 configs.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLogwarden } from '../../helpers/logwarden';
import { tempDir, waitForLines } from '../../helpers/util';

const tmp = tempDir('lw-imfile-legacy-');
after(() => tmp.cleanup());

it('legacy $InputFile* directives create an imfile input', async () => {
  const log = join(tmp.dir, 'legacy.log');
  const out = join(tmp.dir, 'out.txt');
  writeFileSync(log, 'one\ntwo\n');
  const server = await startLogwarden(tmp.dir, `$ModLoad imfile
$InputFileName ${log}
$InputFileTag legacy:
$InputFileStateFile stat-legacy
$InputFileSeverity error
$InputFileFacility local7
$InputRunFileMonitor
$template m,"%syslogtag% %pri-text% %msg%\\n"
*.* ${out};m
`);
  try {
    assert.deepEqual(await waitForLines(out, 2), ['legacy: local7.err one', 'legacy: local7.err two']);
  } finally {
    await server.stop();
  }
});

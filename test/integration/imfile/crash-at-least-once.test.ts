// imfile crash recovery: an input that dies without its final position write (crash()) re-reads from the
// last saved position: every line at least once; the duplicates are counted and reported.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, waitFor } from '../../helpers/util';
import { ControlledSink } from '../inputs-helpers';
import { appendSeq, seqCheck, startImfile } from './helpers';

const tmp = tempDir('lw-imfile-crash-');
after(() => tmp.cleanup());

it('imfile: crash (no final state write) then restart: every line at least once, duplicates counted', async (t) => {
  const log = join(tmp.dir, 'app.log');
  const data = join(tmp.dir, 'data');
  writeFileSync(log, '');
  const TOTAL = 30_000;
  const sink = new ControlledSink();
  const p = { File: log, Tag: 'app:', PersistStateInterval: '5000', reopenOnTruncate: 'on' };
  let tail = await startImfile(data, p, {}, sink);
  for (let c = 0; c < 30; c++) {
    if (c === 8 || c === 22) {
      await waitFor(() => sink.messages.length >= c * 1000 - 500, 'reading to catch up');
      await tail.input.crash();
      tail = await startImfile(data, p, {}, sink);
    }
    if (c === 15) {
      renameSync(log, `${log}.1`);
      writeFileSync(log, '');
    }
    appendSeq(log, c * 1000, (c + 1) * 1000);
    await new Promise((r) => setTimeout(r, 2));
  }
  await waitFor(() => seqCheck(sink.texts(), TOTAL).missing.length === 0, 'every line');
  await tail.input.stop();
  const r = seqCheck(sink.texts(), TOTAL);
  assert.equal(r.foreign, 0);
  assert.deepEqual(r.missing, []);
  t.diagnostic(`duplicates after 2 crashes: ${r.duplicates} (PersistStateInterval=5000)`);
  assert.ok(r.duplicates <= 2 * (5000 + 12_000), `duplicates bounded by the save interval, got ${r.duplicates}`);
});

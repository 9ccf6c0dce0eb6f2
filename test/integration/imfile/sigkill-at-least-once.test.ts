// imfile with the real process: `logwarden run` tails a file into an omfile action and is SIGKILLed twice while
// lines are appended (and the file is rotated by rename once); after the last restart every line is in the
// output at least once, and the duplicates (lines re-read after the last persisted position) are counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, waitFor } from '../../helpers/util';
import { runLogwarden, seqs } from '../../helpers/seq-sender';

function append(file: string, from: number, to: number): void {
  let s = '';
  for (let i = from; i < to; i++) s += `line seq=${String(i).padStart(7, '0')}\n`;
  appendFileSync(file, s);
}

test('imfile: SIGKILL twice while lines are appended, one rename rotation: every line at least once', { timeout: 180_000 }, async (t) => {
  const d = tempDir();
  const log = join(d.dir, 'app.log');
  const out = join(d.dir, 'out.txt'); // not *.log: the input's glob must not match its own output
  const conf = join(d.dir, 'lw.conf');
  writeFileSync(log, '');
  writeFileSync(conf, `global(workDirectory="${join(d.dir, 'data')}")
module(load="imfile")
input(type="imfile" File="${join(d.dir, '*.log')}" Tag="app:" PersistStateInterval="1000")
template(name="raw" type="string" string="%msg%\\n")
action(type="omfile" file="${out}" template="raw")
`);
  let lw = runLogwarden(['run', '-f', conf], d.dir);
  t.after(() => { if (lw.child.exitCode === null) lw.child.kill('SIGKILL'); d.cleanup(); });
  await waitFor(() => lw.stderr().includes('LW_INFO_STARTED'), 'start');
  const TOTAL = 60_000;
  for (let c = 0; c < 60; c++) {
    if (c === 20 || c === 40) {
      await waitFor(() => seqs(out).lines >= c * 1000 - 2000, 'reading to catch up', 60_000, 50);
      lw.child.kill('SIGKILL');
      await lw.exited;
      if (c === 40) { renameSync(log, `${log}.1`); writeFileSync(log, ''); } // rotated while stopped
      lw = runLogwarden(['run', '-f', conf], d.dir);
      await waitFor(() => lw.stderr().includes('LW_INFO_STARTED'), 'restart');
    }
    append(log, c * 1000, (c + 1) * 1000);
    await new Promise((r) => setTimeout(r, 5));
  }
  await waitFor(() => seqs(out).distinct.size >= TOTAL, 'every line', 60_000, 100);
  lw.child.kill('SIGTERM');
  assert.equal(await lw.exited, 0, lw.stderr());
  const { distinct, lines } = seqs(out);
  t.diagnostic(`${TOTAL} lines, ${distinct.size} distinct in the output, ${lines - distinct.size} duplicates after 2 SIGKILLs (PersistStateInterval=1000)`);
  assert.equal(distinct.size, TOTAL);
});

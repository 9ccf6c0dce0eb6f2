// imfile through the Runtime: 100,000 lines written while the file is rotated by rename 5 times (once while
// Logwarden is stopped) and by copytruncate 5 times, with two graceful stop/restart cycles: every line is in
// the output file exactly once.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLogwarden, type TestServer } from '../../helpers/logwarden';
import { readLines, tempDir, waitFor } from '../../helpers/util';
import { appendSeq, seqCheck } from './helpers';

const tmp = tempDir('lw-imfile-rot-');
after(() => tmp.cleanup());

const TOTAL = 100_000;
const CHUNK = 500;
const RENAME_AT = new Set([15, 45, 55, 95, 140]); // chunk indices; 55 happens while stopped
const COPYTRUNCATE_AT = new Set([30, 75, 105, 135, 170]);
const STOP_AT = new Map([[50, 65], [110, 125]]); // stop at chunk → restart at chunk

it('imfile: 100k lines, 5 rename + 5 copytruncate rotations, 2 restarts: every line exactly once', { timeout: 240_000 }, async () => {
  const log = join(tmp.dir, 'app.log');
  const out = join(tmp.dir, 'out.txt');
  writeFileSync(log, '');
  const conf = `module(load="imfile")
input(type="imfile" File="${log}" Tag="app:" reopenOnTruncate="on" PersistStateInterval="5000")
template(name="m" type="string" string="%msg%\\n")
action(type="omfile" file="${out}" template="m")
`;
  let server: TestServer | null = await startLogwarden(tmp.dir, conf);
  let restartAt = -1;
  let rotations = 0;
  const written = (chunk: number): number => chunk * CHUNK;
  const outLines = (): number => readLines(out).length;
  try {
  for (let c = 0; c < TOTAL / CHUNK; c++) {
    if (STOP_AT.has(c)) {
      await server!.stop();
      server = null;
      restartAt = STOP_AT.get(c)!;
    }
    if (c === restartAt) {
      server = await startLogwarden(tmp.dir, conf);
      restartAt = -1;
    }
    if (RENAME_AT.has(c)) {
      renameSync(log, `${log}.r${++rotations}`);
      writeFileSync(log, '');
    }
    if (COPYTRUNCATE_AT.has(c)) {
      // copytruncate loses what was not read before the truncation (logrotate documents the race): the test
      // waits until everything written so far arrived, as a slow writer would allow.
      await waitFor(() => outLines() >= written(c), `${written(c)} lines before copytruncate (have ${outLines()})`, 60_000);
      copyFileSync(log, `${log}.c${++rotations}`);
      truncateSync(log, 0);
    }
    appendSeq(log, c * CHUNK, (c + 1) * CHUNK);
    if (c % 20 === 0) await new Promise((r) => setTimeout(r, 5)); // let the tailer interleave with the writer
  }
  await waitFor(() => outLines() >= TOTAL, `${TOTAL} lines (have ${outLines()})`, 120_000);
  await server!.rt.whenIdle();
  } catch (err) {
    const r = seqCheck(readLines(out), TOTAL);
    throw new Error(`${(err as Error).message}; missing ranges ${ranges(r.missing)}; duplicates ${r.duplicates}`);
  } finally {
    await server?.stop();
  }
  const r = seqCheck(readLines(out), TOTAL);
  assert.equal(r.foreign, 0, 'no foreign lines');
  assert.deepEqual(r.missing.slice(0, 10), [], `missing: ${r.missing.length}`);
  assert.equal(r.duplicates, 0, 'no duplicates after graceful stops');
});

function ranges(xs: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < xs.length && out.length < 10; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
    out.push(`${xs[i]}-${xs[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

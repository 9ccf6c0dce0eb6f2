// The differential suite: every case under test/interop/diff/cases runs on real rsyslogd and on Logwarden with
// the same messages; outputs must be byte-identical unless known-differences.json lists the case (with why).
// A listed case that became identical fails too, so the list stays honest.
//   LW_DIFF_FILTER=<substring>  run some cases;  LW_DIFF_CONCURRENCY=n  (default 6);  LW_DIFF_KEEP=1 keep dirs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { rsyslogMissing } from '../../helpers/rsyslog';
import { KNOWN_FILE, loadCases, loadCorpus, runAll } from './harness';

const skip = rsyslogMissing();

test('differential suite: Logwarden vs rsyslogd on distro configs and recipes', { skip, timeout: 600_000 }, async () => {
  const known = JSON.parse(fs.readFileSync(KNOWN_FILE, 'utf8')) as Record<string, string>;
  const filter = process.env.LW_DIFF_FILTER;
  const cases = loadCases(filter);
  const corpus = loadCorpus();
  assert.ok(filter || cases.length >= 100, `at least 100 cases (have ${cases.length})`);
  assert.ok(corpus.length >= 100, `at least 100 corpus messages (have ${corpus.length})`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-diff-'));
  const started = Date.now();
  const results = await runAll(cases, corpus, tmp, Number(process.env.LW_DIFF_CONCURRENCY ?? 6));
  fs.rmSync(tmp, { recursive: true, force: true });

  const problems: string[] = [];
  let identical = 0;
  let deliberate = 0;
  let open = 0;
  for (const r of results) {
    const why = known[r.name];
    if (r.identical) {
      identical++;
      if (why !== undefined) problems.push(`${r.name}: identical now — remove it from known-differences.json ("${why}")`);
    } else if (why === undefined) {
      problems.push(`${r.name}: outputs differ\n${r.report}`);
    } else if (why.startsWith('deliberate')) deliberate++;
    else open++;
    if (!r.identical && process.env.LW_DIFF_VERBOSE) process.stdout.write(`# ${r.name} (${why ?? 'NOT LISTED'})\n${r.report}\n`);
  }
  for (const name of Object.keys(known)) {
    if (!name.startsWith('_') && !cases.some((c) => c.name === name) && !filter) problems.push(`${name}: listed in known-differences.json but no such case`);
  }
  process.stdout.write(`# diff suite: ${results.length} cases, ${identical} identical, ${deliberate} deliberate differences, ${open} open; ${Math.round((Date.now() - started) / 1000)} s\n`);
  assert.deepEqual(problems, []);
});

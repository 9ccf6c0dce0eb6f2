// Shared body of the differential suite test files: run one shard of the cases and check the outcome against
// known-differences.json. Sharded so that each test file stays well inside the runner's per-file timeout.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KNOWN_FILE, loadCases, loadCorpus, runAll } from './harness';

export const SHARDS = 8;

export function knownDifferences(): Record<string, string> {
  return JSON.parse(fs.readFileSync(KNOWN_FILE, 'utf8')) as Record<string, string>;
}

/** Run cases i with i % SHARDS === shard (all cases when LW_DIFF_FILTER is set and shard is 0). */
export async function runShard(shard: number): Promise<void> {
  const known = knownDifferences();
  const filter = process.env.LW_DIFF_FILTER;
  if (filter && shard !== 0) return;
  const cases = loadCases(filter).filter((_, i) => filter || i % SHARDS === shard);
  const corpus = loadCorpus();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-diff-'));
  const started = Date.now();
  const results = await runAll(cases, corpus, tmp, Number(process.env.LW_DIFF_CONCURRENCY ?? 2));
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
  process.stdout.write(`# diff suite shard ${filter ? 'filtered' : `${shard + 1}/${SHARDS}`}: ${results.length} cases, ${identical} identical, ${deliberate} deliberate differences, ${open} open; ${Math.round((Date.now() - started) / 1000)} s\n`);
  assert.deepEqual(problems, []);
}

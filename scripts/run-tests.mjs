// Runs the compiled node:test files under dist/test/<suite>/ for each suite named on the command line
// (unit, integration, interop, browser). One node --test run, so CI reads one summary. The browser suite needs
// /usr/bin/chromium and skips itself with a message when it is absent.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('../dist/test/', import.meta.url).pathname;
const suites = process.argv.slice(2);
const filter = process.env.LW_TEST_FILTER; // substring of a test file path, for local runs
const files = [];
function walk(dir) {
  let entries;
  try { entries = readdirSync(dir); } catch { return; }
  for (const name of entries.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.js') && (!filter || p.includes(filter))) files.push(p);
  }
}
for (const s of suites) walk(join(root, s));
if (files.length === 0) { console.error('no test files found for', suites.join(' ')); process.exit(1); }
const concurrency = process.env.LW_TEST_CONCURRENCY ?? '3';
const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=300000', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);

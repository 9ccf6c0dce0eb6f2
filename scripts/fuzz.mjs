// `npm run fuzz`: every fuzz target of test/fuzz/targets.ts for LW_FUZZ_RUNS cases (default 1,000,000), split
// into chunks run by LW_FUZZ_JOBS child processes in parallel (default: the number of cores, 2 here). Prints
// cases/s, wall time and the slowest single case per target; a failure prints its seed, path and counterexample
// (replay: LW_FUZZ_SEED=… LW_FUZZ_PATH=… node scripts/fuzz.mjs TARGET). A chunk silent past LW_FUZZ_HANG_MS is
// killed and reported as a hang. Run after `npx tsc` (it loads dist/).
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const self = fileURLToPath(import.meta.url);

if (process.env.LW_FUZZ_CHILD === '1') {
  // child: run one chunk of one target and report
  const fc = require('fast-check');
  const { TARGETS } = require('../dist/test/fuzz/targets.js');
  const { target, runs, seed, path } = JSON.parse(process.env.LW_FUZZ_CHUNK);
  const t = TARGETS.find((x) => x.name === target);
  let slowest = 0;
  let started = 0n;
  const prop = t.property()
    .beforeEach((prev) => { started = process.hrtime.bigint(); prev(); })
    .afterEach((prev) => { prev(); const ms = Number(process.hrtime.bigint() - started) / 1e6; if (ms > slowest) slowest = ms; });
  const t0 = process.hrtime.bigint();
  const details = await fc.check(prop, { numRuns: runs, seed, path, endOnFailure: path === undefined ? false : true });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  process.send({
    target, runs: details.numRuns, ms, slowest, failed: details.failed, seed: details.seed, path: details.counterexamplePath,
    counterexample: details.failed ? fc.stringify(details.counterexample) : undefined, error: details.failed ? String(details.errorInstance?.stack ?? details.error).slice(0, 2000) : undefined,
  });
  process.exit(0);
}

const { TARGETS } = require('../dist/test/fuzz/targets.js');
const RUNS = Number(process.env.LW_FUZZ_RUNS ?? 1_000_000);
const JOBS = Number(process.env.LW_FUZZ_JOBS ?? availableParallelism());
const CHUNK = Number(process.env.LW_FUZZ_CHUNK_RUNS ?? 100_000);
const HANG_MS = Number(process.env.LW_FUZZ_HANG_MS ?? 30 * 60_000);
const only = process.argv.slice(2);
const targets = TARGETS.filter((t) => only.length === 0 || only.includes(t.name));
const replaySeed = process.env.LW_FUZZ_SEED !== undefined ? Number(process.env.LW_FUZZ_SEED) : undefined;

const chunks = [];
for (const t of targets) {
  if (replaySeed !== undefined) { chunks.push({ target: t.name, runs: RUNS, seed: replaySeed, path: process.env.LW_FUZZ_PATH }); continue; }
  for (let done = 0, i = 0; done < RUNS; done += CHUNK, i++) {
    chunks.push({ target: t.name, runs: Math.min(CHUNK, RUNS - done), seed: (Date.now() ^ (i * 7919) ^ t.name.length * 104729) >>> 0 });
  }
}
const totals = new Map(targets.map((t) => [t.name, { runs: 0, cpuMs: 0, slowest: 0, first: 0, last: 0, failures: [] }]));

function runChunk(c) {
  return new Promise((resolve) => {
    const child = fork(self, [], { env: { ...process.env, LW_FUZZ_CHILD: '1', LW_FUZZ_CHUNK: JSON.stringify(c) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const tot = totals.get(c.target);
    if (tot.first === 0) tot.first = Date.now();
    let got = null;
    const timer = setTimeout(() => { tot.failures.push({ hang: true, seed: c.seed }); child.kill('SIGKILL'); }, HANG_MS);
    child.on('message', (m) => { got = m; });
    child.on('exit', (code) => {
      clearTimeout(timer);
      tot.last = Date.now();
      if (got === null) { if (!tot.failures.some((f) => f.hang)) tot.failures.push({ crash: code, seed: c.seed }); return resolve(); }
      tot.runs += got.runs;
      tot.cpuMs += got.ms;
      tot.slowest = Math.max(tot.slowest, got.slowest);
      if (got.failed) tot.failures.push({ seed: got.seed, path: got.path, counterexample: got.counterexample, error: got.error });
      process.stderr.write(`${c.target}: ${got.runs} cases in ${(got.ms / 1000).toFixed(1)} s${got.failed ? ' FAILED' : ''}\n`);
      resolve();
    });
  });
}

const t0 = Date.now();
const queue = [...chunks];
await Promise.all(Array.from({ length: Math.min(JOBS, queue.length) }, async () => {
  while (queue.length > 0) await runChunk(queue.shift());
}));

let failed = false;
console.log(`\nfuzz: ${RUNS} cases per target, ${JOBS} processes, ${((Date.now() - t0) / 1000).toFixed(0)} s in all`);
console.log('target'.padEnd(18), 'cases'.padStart(9), 'cases/s'.padStart(9), 'busy s'.padStart(8), 'wall s'.padStart(8), 'slowest case ms'.padStart(16));
for (const [name, t] of totals) {
  console.log(name.padEnd(18), String(t.runs).padStart(9), String(Math.round(t.runs / (t.cpuMs / 1000))).padStart(9),
    (t.cpuMs / 1000).toFixed(1).padStart(8), ((t.last - t.first) / 1000).toFixed(1).padStart(8), t.slowest.toFixed(1).padStart(16));
  for (const f of t.failures) {
    failed = true;
    console.log(`  FAILURE ${JSON.stringify({ seed: f.seed, path: f.path, hang: f.hang, crash: f.crash })}\n  counterexample: ${f.counterexample}\n  ${f.error ?? ''}`);
  }
}
process.exit(failed ? 1 : 0);

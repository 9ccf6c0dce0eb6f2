// Short fuzz run of every target in `npm test` (LW_FUZZ_RUNS cases each, default 500); `npm run fuzz` runs
// ≥ 1,000,000 per target in parallel processes (scripts/fuzz.mjs). A failure prints its seed and shrunk input.
import { test } from 'node:test';
import fc from 'fast-check';
import { TARGETS } from '../fuzz/targets';

const RUNS = Number(process.env.LW_FUZZ_RUNS ?? 500);

for (const t of TARGETS) {
  test(`fuzz ${t.name}: ${RUNS} cases`, async () => {
    await fc.assert(t.property(), { numRuns: RUNS });
  });
}

// Regenerates docs/config-reference.md from the component parameter tables (run after `npx tsc`).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { renderConfigReference } = require('../dist/src/config/reference.js');
const { allComponentSpecs } = require('../dist/src/runtime/registry.js');
const out = new URL('../docs/config-reference.md', import.meta.url).pathname;
writeFileSync(out, renderConfigReference(allComponentSpecs()));
console.log(`wrote ${out}`);

// Sum self time per function over a .cpuprofile (node --cpu-prof): prints the top functions by self time,
// and, with N (messages), µs per message. usage: node bench/lib/prof-self.mjs FILE.cpuprofile [N] [TOP]
import { readFileSync } from 'node:fs';
const [file, nArg, topArg] = process.argv.slice(2);
const p = JSON.parse(readFileSync(file, 'utf8'));
const n = Number(nArg) || 0, top = Number(topArg) || 40;
const dt = new Map(); // node id → µs
for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i + 1] ?? 0));
const self = new Map();
let total = 0, idle = 0;
for (const node of p.nodes) {
  const us = dt.get(node.id) ?? 0; total += us;
  const cf = node.callFrame;
  if (cf.functionName === '(idle)') { idle += us; continue; }
  const key = `${cf.functionName || '(anon)'} ${cf.url.replace(/^.*\/(src|dist|node:)/, '$1')}:${cf.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + us);
}
const busy = total - idle;
console.log(`total ${(total / 1e3).toFixed(0)} ms, busy ${(busy / 1e3).toFixed(0)} ms${n ? `, ${(busy / n).toFixed(2)} µs/msg busy` : ''}`);
for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${(us / 1e3).toFixed(1).padStart(8)} ms ${(100 * us / busy).toFixed(1).padStart(5)}%${n ? ` ${(us / n).toFixed(3).padStart(7)} µs/msg` : ''}  ${k}`);

// Summarises a `node --cpu-prof` profile: self time per function (top N) and per source file of Logwarden
// (dist/src/... → stage), plus GC / program / idle. Used for bench/README.md's profile section.
// usage: node bench/lib/prof-top.mjs FILE.cpuprofile [TOP=25] [MSGS]   (MSGS: print µs per message too)
import { readFileSync } from 'node:fs';

const [file, topArg = '25', msgsArg] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const deltas = prof.timeDeltas;
for (let i = 0; i < prof.samples.length; i++) {
  const dt = deltas[i + 1] ?? 0;
  self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + dt);
}
const fn = new Map();
const stage = new Map();
let total = 0, idle = 0;
for (const [id, us] of self) {
  const n = byId.get(id);
  const cf = n.callFrame;
  if (cf.functionName === '(idle)') { idle += us; continue; }
  total += us;
  const m = /dist\/(src\/.*)\.js$/.exec(cf.url);
  const where = m ? m[1] : cf.url ? (cf.url.startsWith('node:') ? cf.url : 'other js') : cf.functionName;
  const key = `${cf.functionName || '(anon)'} ${m ? m[1] : cf.url.replace(/^.*\//, '')}:${cf.lineNumber + 1}`;
  fn.set(key, (fn.get(key) ?? 0) + us);
  stage.set(where, (stage.get(where) ?? 0) + us);
}
const msgs = msgsArg ? Number(msgsArg) : 0;
const fmt = (us) => `${(us / 1000).toFixed(0).padStart(6)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%` + (msgs ? ` ${((us * 1000) / msgs).toFixed(0).padStart(5)} ns/msg` : '');
console.log(`busy ${(total / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms`);
console.log('-- self time by function');
for (const [k, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg))) console.log(`${fmt(us)}  ${k}`);
console.log('-- self time by file');
for (const [k, us] of [...stage].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg))) console.log(`${fmt(us)}  ${k}`);

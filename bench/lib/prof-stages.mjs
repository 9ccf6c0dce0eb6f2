// Per-stage CPU of a .cpuprofile (node --cpu-prof): inclusive time under the first frame of a stage on each
// stack (parse, message construction, framing, file write, …), plus GC and start-up (module loading), in ms and
// µs per message. usage: node bench/lib/prof-stages.mjs FILE.cpuprofile N
import { readFileSync } from 'node:fs';
const [file, nArg] = process.argv.slice(2);
const p = JSON.parse(readFileSync(file, 'utf8'));
const n = Number(nArg) || 1;
// Stage of a frame, by function name and file; the innermost stage on a stack wins (file render under deliver).
const STAGES = [
  ['start-up (module load, config)', (f, u) => /modules\/(cjs|esm)|bootstrap\/realm/.test(u) || /loadConfig|compileConfig/.test(f)],
  ['parse (parseSyslog)', (f) => f === 'parseSyslog'],
  ['Message construction', (f, u) => u.endsWith('/message.js') && f === 'Message'],
  ['framing (StreamFramer)', (f, u) => u.endsWith('framing/stream-framer.js')],
  ['file action: render + write', (f, u) => u.endsWith('actions/file.js') || u.includes('/templates/')],
  ['forward action', (f, u) => u.endsWith('actions/forward.js') || u.endsWith('actions/byte-batch.js')],
  ['queue + rules + runtime', (f, u) => /\/(queue|rules|runtime)\//.test(u)],
  ['TLS decrypt (TLSWrap, node:tls)', (f, u) => /_tls_wrap|tls_wrap|TLSWrap/.test(u + f)],
  ['socket/stream machinery (node:net, streams)', (f, u) => /internal\/streams|node:net|stream_base_commons/.test(u) || f === 'onStreamRead'],
];
const byId = new Map(p.nodes.map((x) => [x.id, x]));
const parent = new Map();
for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
const self = new Map();
for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i + 1] ?? 0));
const out = new Map(); let busy = 0;
for (const [id, us] of self) {
  const leaf = byId.get(id).callFrame.functionName;
  if (leaf === '(idle)') continue;
  busy += us;
  let stage = leaf === '(garbage collector)' ? 'GC' : leaf === '(program)' ? '(program: VM, natives)' : null;
  for (let cur = id; stage === null && cur !== undefined; cur = parent.get(cur)) {
    const cf = byId.get(cur).callFrame;
    for (const [name, test] of STAGES) if (test(cf.functionName, cf.url)) { stage = name; break; }
  }
  stage ??= 'other';
  out.set(stage, (out.get(stage) ?? 0) + us);
}
console.log(`busy ${(busy / 1e3).toFixed(0)} ms = ${(busy / n).toFixed(2)} µs/msg over ${n} msgs`);
for (const [k, us] of [...out].sort((a, b) => b[1] - a[1]))
  console.log(`| ${k} | ${(us / 1e3).toFixed(0)} | ${(us / n).toFixed(2)} |`);

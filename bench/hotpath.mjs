// In-process CPU cost of the socket thread's per-message path, without sockets or disk: frame (StreamFramer)
// → Message + parseSyslog → render TEMPLATE → ByteBatch, over a pre-generated input (lib/gen-matrix.mjs).
// Prints ns per message for framing+parse alone and for the whole path; median of ROUNDS passes after a warm-up.
// usage: npx tsc -p . && node bench/hotpath.mjs [FORMAT=5424sd] [FRAMING=octet] [SIZE=250] [TEMPLATE=RSYSLOG_FileFormat] [N=200000] [ROUNDS=5]
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const require = createRequire(import.meta.url);
const dist = new URL('../dist/src/', import.meta.url).pathname;
const { StreamFramer } = require(dist + 'framing/stream-framer.js');
const { parseSyslog, DEFAULT_PARSE_OPTIONS } = require(dist + 'parse/index.js');
const { Message } = require(dist + 'message.js');
const { SyslogTime } = require(dist + 'time.js');
const { builtinTemplates } = require(dist + 'templates/index.js');
const { ByteBatch } = require(dist + 'actions/byte-batch.js');

const [format = '5424sd', framing = 'octet', size = '250', tplName = 'RSYSLOG_FileFormat', nArg = '200000', roundsArg = '5'] = process.argv.slice(2);
const n = Number(nArg);
const file = join(tmpdir(), `lw-hotpath-${process.pid}`);
execFileSync(process.execPath, [new URL('lib/gen-matrix.mjs', import.meta.url).pathname, String(n), file, framing, format, size]);
const input = readFileSync(file);
rmSync(file);
const tpl = builtinTemplates().get(tplName.toLowerCase());
const origin = { inputname: 'imptcp', fromhostIp: '127.0.0.1', fromhost: 'localhost', ruleset: 'RSYSLOG_DefaultRuleset' };
const CHUNK = 64 * 1024;

function pass(render) {
  const out = new ByteBatch();
  let batch = [];
  let now = SyslogTime.now();
  let count = 0;
  const framer = new StreamFramer({
    onFrame(frame) {
      const m = new Message(frame, origin, now);
      parseSyslog(frame, m, DEFAULT_PARSE_OPTIONS);
      batch.push(m);
    },
  });
  const t0 = process.cpuUsage();
  for (let off = 0; off < input.length; off += CHUNK) {
    now = SyslogTime.now();
    framer.push(input.subarray(off, off + CHUNK));
    if (render) {
      out.reset();
      for (const m of batch) out.add(tpl.render(m));
      out.finish();
    }
    count += batch.length;
    batch = [];
  }
  const t = process.cpuUsage(t0);
  if (count !== n) throw new Error(`framed ${count} of ${n}`);
  return ((t.user + t.system) * 1000) / n;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
pass(true); pass(false);
const rounds = Number(roundsArg);
const parse = [], full = [];
for (let r = 0; r < rounds; r++) { parse.push(pass(false)); full.push(pass(true)); }
console.log(`${format} ${framing} ~${size}B → ${tplName}, ${n} msgs, node ${process.version}`);
console.log(`frame+parse: ${median(parse).toFixed(0)} ns/msg (${Math.min(...parse).toFixed(0)}–${Math.max(...parse).toFixed(0)})`);
console.log(`+ render + encode: ${median(full).toFixed(0)} ns/msg (${Math.min(...full).toFixed(0)}–${Math.max(...full).toFixed(0)})`);

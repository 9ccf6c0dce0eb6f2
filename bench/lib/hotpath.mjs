// The stream hot path in one process, without sockets: a pre-generated input (bench/lib/gen-matrix.mjs) is fed
// in fixed-size chunks (64 KB as a TCP read, 16 KB as a TLS record) through a StreamSession (framing + parse),
// and each submitted batch is rendered with a built-in file template into a ByteBatch, as the file action does.
// Prints CPU µs per message (process.cpuUsage, median of ROUNDS) — far less noisy than the matrix's CPU-s
// under load, and with no start-up in it. A/B: run it with ROOT=<other build>.
// usage: node bench/lib/hotpath.mjs INPUT [TEMPLATE=RSYSLOG_FileFormat] [CHUNK=65536] [ROUNDS=7]
import { readFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.env.ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
const { StreamSession } = require(join(root, 'dist/src/inputs/stream.js'));
const { parseOptions } = require(join(root, 'dist/src/parse/options.js'));
const { builtinTemplates } = require(join(root, 'dist/src/templates/index.js'));
const { ByteBatch } = require(join(root, 'dist/src/actions/byte-batch.js'));
const { StreamLogger } = require(join(root, 'dist/src/log.js'));

const [input, tplName = 'RSYSLOG_FileFormat', chunkArg = '65536', roundsArg = '7'] = process.argv.slice(2);
const data = readFileSync(input);
const chunkSize = Number(chunkArg), rounds = Number(roundsArg);
const tpl = builtinTemplates().get(tplName.toLowerCase());
const origin = { inputname: 'imptcp', fromhostIp: '127.0.0.1', fromhost: 'localhost', ruleset: 'RSYSLOG_DefaultRuleset' };
const out = new ByteBatch();
let msgs = 0, bytes = 0;
const sink = {
  congested: false, onceDrained() {},
  submit(batch) { out.reset(); for (let i = 0; i < batch.length; i++) out.add(tpl.render(batch[i])); bytes += out.finish().length; msgs += batch.length; },
};
function once() {
  const socket = Object.assign(new EventEmitter(), { end() {}, writableEnded: true });
  new StreamSession(socket, origin, sink, { maxMessageSize: 8096, parse: parseOptions(), logger: new StreamLogger({ keep: true, out: null }) });
  // Each chunk is a fresh copy, as every socket read is a new Buffer.
  for (let o = 0; o < data.length; o += chunkSize) socket.emit('data', Buffer.from(data.subarray(o, o + chunkSize)));
  socket.emit('end');
}
const res = [];
for (let r = 0; r < rounds + 1; r++) {
  msgs = 0;
  const c0 = process.cpuUsage();
  once();
  const c = process.cpuUsage(c0);
  if (r > 0) res.push((c.user + c.system) / msgs); // round 0 warms up
}
res.sort((a, b) => a - b);
console.log(`${tplName} chunk ${chunkSize}: ${msgs} msgs, ${res[res.length >> 1].toFixed(3)} µs/msg CPU (median of ${rounds}; min ${res[0].toFixed(3)})`);

// Micro-benchmark of src/queue/codec.ts: encode + decode of a ~250-byte RFC 5424 message (as parsed), ns/op.
// Usage: node bench/codec.mjs [N=300000]   (after `npx tsc -p tsconfig.json`)
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { encodeMessage, decodeMessage, encodeBatch } = require('../dist/src/queue/codec.js');
const { Message } = require('../dist/src/message.js');
const { SyslogTime } = require('../dist/src/time.js');

const N = Number(process.argv[2] ?? 300_000);
const origin = { inputname: 'imtcp', fromhost: 'web-01', fromhostIp: '192.0.2.10', ruleset: 'RSYSLOG_DefaultRuleset' };
/** An RFC 3164 sshd line as the parser leaves it: ~100-byte rawmsg, ~250 bytes encoded. */
function make(i) {
  const text = ` Accepted publickey for alice from 198.51.100.${i % 250} port ${40000 + (i % 20000)}`;
  const m = new Message(Buffer.from(`<38>Dec  3 13:00:00 web-01 sshd[4242]:${text}`), origin, SyslogTime.now());
  m.msg = text; m.hostname = 'web-01'; m.syslogtag = 'sshd[4242]:'; m.programname = 'sshd'; m.appName = 'sshd';
  m.procid = '4242'; m.facility = 4; m.severity = 6;
  m.timereported = new SyslogTime(2026, 12, 3, 13, 0, 0, 0, 0, 60, 1);
  return m;
}
const msgs = Array.from({ length: 1000 }, (_, i) => make(i));
const size = encodeMessage(msgs[0]).length;

function run(label, fn) {
  const times = [];
  const cpu = [];
  for (let r = 0; r < 4; r++) { // first run is the discarded calibration/warm-up run
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    times.push(Number(process.hrtime.bigint() - t0) / N);
    cpu.push(((c.user + c.system) * 1000) / N);
  }
  const kept = times.slice(1).sort((a, b) => a - b);
  const keptCpu = cpu.slice(1).sort((a, b) => a - b);
  // CPU time is the figure to quote on a shared machine: wall time includes waiting for a core.
  console.log(`${label.padEnd(26)} wall ${kept[1].toFixed(0).padStart(6)} ns/msg, CPU ${keptCpu[1].toFixed(0).padStart(6)} ns/msg (median of 3; wall runs ${kept.map((t) => t.toFixed(0)).join('/')})`);
}
console.log(`codec: ${N} msgs, encoded size ${size} bytes, rawmsg ${msgs[0].rawmsg.length} bytes, node ${process.version}`);
let sink = 0;
run('encodeMessage', () => { for (let i = 0; i < N; i++) sink += encodeMessage(msgs[i % 1000]).length; });
const enc = msgs.map(encodeMessage);
run('decodeMessage', () => { for (let i = 0; i < N; i++) sink += decodeMessage(enc[i % 1000]).facility; });
run('encode+decode', () => { for (let i = 0; i < N; i++) sink += decodeMessage(encodeMessage(msgs[i % 1000])).severity; });
run('encodeBatch(100)+decode', () => {
  for (let i = 0; i < N; i += 100) for (const b of encodeBatch(msgs.slice(i % 1000, i % 1000 + 100))) sink += decodeMessage(b).severity;
});
if (sink === 42) console.log('');

// Detection engine A/B in one process: the same freshly parsed batches (bench/lib/gen.mjs's messages) through
// DetectService.process of two built checkouts, which one goes first alternating per batch, wall ns per message
// per round and the B/A ratio per round. One process and interleaved batches make the ratio usable on a loaded
// machine, where whole-daemon CPU seconds are not. Messages are parsed with A's parser.
// usage: node bench/detect-ab.cjs ROOT_A ROOT_B [N=100000] [ROUNDS=9] [RULES=<this checkout>/rules/pack/*.yml]
const [rootA, rootB, nArg = '100000', roundsArg = '9', rulesGlob] = process.argv.slice(2);
if (rootB === undefined) throw new Error('usage: node bench/detect-ab.cjs ROOT_A ROOT_B [N] [ROUNDS] [RULES]');
const { Message } = require(`${rootA}/dist/src/message.js`);
const { parseSyslog } = require(`${rootA}/dist/src/parse/index.js`);
const { parseOptions } = require(`${rootA}/dist/src/parse/options.js`);
const { SyslogTime } = require(`${rootA}/dist/src/time.js`);
const fs = require('node:fs'); const os = require('node:os'); const path = require('node:path');
const n = Number(nArg);
const hosts = ['web01', 'web02', 'db01', 'fw-edge', 'k8s-node-3'];
const apps = ['sshd', 'nginx', 'postgres', 'kernel', 'cron'];
function line(k) {
  const head = `<${(k % 24) * 8 + (k % 8)}>1 2026-11-22T10:${String(Math.floor(k / 60000) % 60).padStart(2, '0')}:${String(Math.floor(k / 1000) % 60).padStart(2, '0')}.${String(k % 1000).padStart(3, '0')}Z ${hosts[k % 5]} ${apps[k % 5]} ${1000 + (k % 5000)} ID${k % 100} - `;
  const body = `seq=${String(k).padStart(8, '0')} user=alice src=10.0.${k % 256}.${(k >> 8) % 256} action=login result=failure `;
  return head + body + 'x'.repeat(Math.max(0, 250 - head.length - body.length));
}
const opts = parseOptions();
const origin = { inputname: 'imtcp', fromhostIp: '127.0.0.1', fromhost: 'localhost', ruleset: '' };
const lines = []; for (let i = 0; i < n; i++) lines.push(Buffer.from(line(i)));
function batchAt(i, B) {
  const tg = SyslogTime.now(); const out = [];
  for (let j = i; j < i + B && j < n; j++) { const m = new Message(lines[j], origin, tg); parseSyslog(m.rawmsg, m, opts); out.push(m); }
  return out;
}
const logger = { debug() {}, info() {}, notice() {}, warn(...a) { console.log('warn', ...a); }, error(...a) { console.log('error', ...a); } };
const rules = [rulesGlob ?? path.join(__dirname, '..', 'rules', 'pack', '*.yml')];
function mk(root) {
  const svcMod = require(`${root}/dist/src/detect/service.js`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-ab-'));
  return { svcMod, dir, svc: svcMod.acquireDetectService(dir, { dataDir: dir, rules, logger }) };
}
const A = mk(rootA), Bx = mk(rootB);
const B = 512;
const ra = [], rb = [];
for (let r = -1; r < Number(roundsArg); r++) {
  let ta = 0n, tb = 0n, k = 0;
  for (let i = 0; i < n; i += B, k++) {
    const b = batchAt(i, B);
    if (k & 1) { let t0 = process.hrtime.bigint(); A.svc.process(b); let t1 = process.hrtime.bigint(); Bx.svc.process(b); tb += process.hrtime.bigint() - t1; ta += t1 - t0; }
    else { let t0 = process.hrtime.bigint(); Bx.svc.process(b); let t1 = process.hrtime.bigint(); A.svc.process(b); ta += process.hrtime.bigint() - t1; tb += t1 - t0; }
  }
  if (r >= 0) { ra.push(Number(ta) / n); rb.push(Number(tb) / n); }
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log('A ns/msg:', ra.map((x) => x.toFixed(0)).join(' '), ' median', med(ra).toFixed(0));
console.log('B ns/msg:', rb.map((x) => x.toFixed(0)).join(' '), ' median', med(rb).toFixed(0));
const ratios = ra.map((a, i) => rb[i] / a);
console.log('B/A per round:', ratios.map((x) => x.toFixed(2)).join(' '), ' median', med(ratios).toFixed(2));
for (const x of [A, Bx]) x.svcMod.releaseDetectService(x.dir, x.svc).then(() => fs.rmSync(x.dir, { recursive: true, force: true }));

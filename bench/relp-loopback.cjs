// RELP loopback: Logwarden omrelp → Logwarden imrelp in one process (plain or TLS, authmode name), N messages
// delivered in batches of 16384; prints msgs/s and the CPU seconds of both ends together. After a build:
//   node bench/relp-loopback.cjs [N=200000] [plain|tls] [windowSize=128]
const D = require('node:path').join(__dirname, '..', 'dist');
const { relpAction } = require(D + '/src/actions/relp');
const { relpInput } = require(D + '/src/inputs/relp');
const { Message } = require(D + '/src/message');
const { parseOptions, parseSyslog } = require(D + '/src/parse');
const { builtinTemplates } = require(D + '/src/templates');
const { SyslogTime } = require(D + '/src/time');
const h = require(D + '/test/integration/tls-helpers');
const N = Number(process.argv[2] || 200000), mode = process.argv[3] || 'plain';
(async () => {
  let got = 0;
  const sink = { congested: false, submit(b) { got += b.length; }, onceDrained(cb) { setImmediate(cb); } };
  const tls = mode === 'tls';
  const srv = tls ? { tls: 'on', 'tls.authmode': 'name', 'tls.permittedpeer': ['client.example.net'], 'tls.cacert': h.CA, 'tls.mycert': h.SERVER_CERT, 'tls.myprivkey': h.SERVER_KEY } : {};
  const cli = tls ? { tls: 'on', 'tls.authmode': 'name', 'tls.permittedpeer': ['localhost'], 'tls.cacert': h.CA, 'tls.mycert': h.pki('client.example.net.pem'), 'tls.myprivkey': h.pki('client.example.net-key.pem') } : {};
  const LOC = { file: 'b', line: 1, col: 1 };
  const input = relpInput.create({ type: 'imrelp', params: h.params({ port: '0', address: '127.0.0.1', ...srv }), loc: LOC }, new Map(), h.context(), sink);
  await input.start();
  const a = relpAction.create({ type: 'omrelp', params: h.params({ target: '127.0.0.1', port: String(input.addresses()[0].port), ...cli, ...(process.argv[4] ? { windowSize: process.argv[4] } : {}) }), loc: LOC }, new Map(), h.context({}, [...builtinTemplates().values()]));
  const opts = parseOptions();
  const msgs = [];
  for (let i = 0; i < N; i++) { const raw = Buffer.from(`<13>Jan  2 03:04:05 h1 app: bench message number ${i} with some payload text to make it about 120 bytes long xx`); const m = new Message(raw, { inputname: 't', fromhostIp: '127.0.0.1', fromhost: 'x', ruleset: 'R' }, SyslogTime.now()); parseSyslog(raw, m, opts); msgs.push(m); }
  const t0 = process.hrtime.bigint(); const c0 = process.cpuUsage();
  for (let i = 0; i < N; i += 16384) await a.deliver(msgs.slice(i, i + 16384));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6; const cpu = process.cpuUsage(c0);
  console.log(`${mode} window=${process.argv[4] || 128}: ${N} msgs in ${ms.toFixed(0)} ms = ${Math.round(N / ms * 1000)} msgs/s, received ${got}, cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s (client+server in one process)`);
  await a.close(); await input.stop();
})();

#!/usr/bin/env node
// Memory per idle TLS session, Logwarden vs rsyslog side by side (issue #22). Each receiver in turn (alternating
// who goes first) listens with imtcp + TLS (StreamDriver.Mode=1, anon, the same certificate from our pki) and
// writes to a file. The bench opens K TLS sessions to it, each sends one message and then stays open and
// silent; once all K messages are in the file and the process has settled, the receiver's VmRSS minus its
// VmRSS before the first connection, divided by K, is the memory an idle session costs.
// usage: node bench/tls-idle.mjs [K=1000] [ROUNDS=3]
//   env: RECEIVERS (default "logwarden rsyslog"; "lwb" = the Logwarden build in LW_ROOT_B), LW_NODE (node binary
//   for Logwarden, default "node"), LW_NODE_FLAGS (default "--max-semi-space-size=4", as deploy/ runs it)
// Logwarden gets three extra module parameters rsyslog does not know: MaxSessionsPerIP="0" (by default one
// address may hold half of MaxSessions, and every session here comes from 127.0.0.1), MaxHandshakesPerSecond="0"
// and IdleTimeout="0" (the default, spelled out). Both get MaxSessions=K+100 (rsyslog's default is 200).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const K = Math.min(Number(process.argv[2] ?? 1000), 5000); // bounded: each session is a file descriptor on both ends
const ROUNDS = Number(process.argv[3] ?? 3);
const RECEIVERS = (process.env.RECEIVERS ?? 'logwarden rsyslog').split(/\s+/).filter(Boolean);
const LW_NODE = `${process.env.LW_NODE ?? 'node'} ${process.env.LW_NODE_FLAGS ?? '--max-semi-space-size=4'}`.split(/\s+/).filter(Boolean);
const CONCURRENCY = 25; // handshakes in flight
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const work = mkdtempSync(join(tmpdir(), 'lw-bench-tls-idle.'));
const children = new Set();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

const lw = (...args) => spawnSync('node', [join(ROOT, 'bin', 'logwarden.js'), ...args], { stdio: 'ignore' });
lw('pki', 'init-ca', '--dir', join(work, 'pki'), '--name', 'bench CA');
lw('pki', 'issue', '--ca-dir', join(work, 'pki'), '--out', join(work, 'pki'), '--name', 'localhost', '--dns', 'localhost', '--ip', '127.0.0.1', '--server');
const CA = join(work, 'pki', 'ca.pem');
const ca = readFileSync(CA);

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

async function waitPort(port, ms = 20_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await new Promise((resolve) => {
      const s = netConnect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`port ${port} never opened`);
}

function status(pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? 0);
  return { rss: kb('VmRSS'), hwm: kb('VmHWM'), anon: kb('RssAnon'), file: kb('RssFile') };
}

function lines(file) {
  if (!existsSync(file)) return 0;
  const b = readFileSync(file);
  let n = 0;
  for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) n++;
  return n;
}

function writeConf(who, port, out) {
  const wd = join(work, `${who}-wd`);
  rmSync(wd, { recursive: true, force: true });
  mkdirSync(wd, { recursive: true });
  const pki = join(work, 'pki');
  const extra = who === 'rsyslog' ? '' : ' MaxSessionsPerIP="0" MaxHandshakesPerSecond="0" IdleTimeout="0"';
  const conf = join(work, `${who}.conf`);
  writeFileSync(conf, [
    `global(workDirectory="${wd}" DefaultNetstreamDriver="ossl" DefaultNetstreamDriverCAFile="${CA}"`,
    `       DefaultNetstreamDriverCertFile="${pki}/localhost.pem" DefaultNetstreamDriverKeyFile="${pki}/localhost-key.pem")`,
    `module(load="imtcp" StreamDriver.Name="ossl" StreamDriver.Mode="1" StreamDriver.AuthMode="anon" MaxSessions="${K + 100}"${extra})`,
    `input(type="imtcp" port="${port}" address="127.0.0.1")`,
    `action(type="omfile" file="${out}" template="RSYSLOG_FileFormat")`,
    '',
  ].join('\n'));
  return conf;
}

function start(who, conf) {
  const args = who === 'rsyslog'
    ? ['rsyslogd', ['-n', '-f', conf, '-i', join(work, 'rs.pid')]]
    : [LW_NODE[0], [...LW_NODE.slice(1), join(who === 'lwb' ? process.env.LW_ROOT_B : ROOT, 'bin', 'logwarden.js'), 'run', '-f', conf, '--log-level', 'warn']];
  const child = spawn(args[0], args[1], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { if (err.length < 4000) err += d; });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return { child, err: () => err };
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(t);
}

function frame(i) {
  const m = `<134>1 2026-01-01T00:00:00.000Z benchhost idle - - - idle session ${i}`;
  return `${Buffer.byteLength(m)} ${m}`;
}

/** Open K sessions, CONCURRENCY handshakes at a time; each sends one frame. Resolves with the sockets. */
async function openSessions(port) {
  const sockets = [];
  let next = 0;
  let failed = 0;
  const one = () => new Promise((resolve) => {
    const i = next++;
    const s = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost' });
    const t = setTimeout(() => { failed++; s.destroy(); resolve(); }, 30_000);
    s.once('secureConnect', () => { clearTimeout(t); s.write(frame(i)); sockets.push(s); resolve(); });
    s.once('error', () => { clearTimeout(t); failed++; resolve(); });
    s.on('data', () => {});
  });
  const lane = async () => { while (next < K) await one(); };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return { sockets, failed };
}

async function runOne(who, round) {
  const port = await freePort();
  const out = join(work, `${who}.out`);
  rmSync(out, { force: true });
  const conf = writeConf(who, port, out);
  const { child, err } = start(who, conf);
  const pid = child.pid;
  try {
    await waitPort(port);
    await sleep(1500); // settle after start (rsyslog logs the probe's failed handshake)
    const before = status(pid);
    const t0 = Date.now();
    const { sockets, failed } = await openSessions(port);
    const openS = (Date.now() - t0) / 1000;
    const deadline = Date.now() + 60_000;
    let got = 0;
    while ((got = lines(out)) < sockets.length && Date.now() < deadline) await sleep(100);
    await sleep(1500); // idle: let the receiver settle with every session open and silent
    const after = status(pid);
    for (const s of sockets) s.destroy();
    const perKb = (after.rss - before.rss) / Math.max(1, sockets.length);
    const ok = failed === 0 && got === K ? 'ok' : `FAILURE (${failed} failed handshakes, ${got}/${K} messages)`;
    if (ok !== 'ok') process.stderr.write(err().split('\n').slice(-4).join('\n') + '\n');
    console.log(`  ${who.padEnd(9)} round ${round}: RSS ${(before.rss / 1024).toFixed(1)} MB idle → ${(after.rss / 1024).toFixed(1)} MB with ${sockets.length} sessions ` +
      `(anon ${(before.anon / 1024).toFixed(1)} → ${(after.anon / 1024).toFixed(1)} MB), ${perKb.toFixed(1)} KB/session, opened in ${openS.toFixed(1)} s  ${ok}`);
    return { who, round, before, after, perKb, ok };
  } finally {
    await stop(child);
  }
}

console.log(`machine: ${cpus().length} cores; node ${process.version}; K=${K} sessions, ROUNDS=${ROUNDS}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const results = [];
for (let r = 1; r <= ROUNDS; r++) {
  const order = r % 2 === 1 ? RECEIVERS : [...RECEIVERS].reverse();
  for (const who of order) results.push(await runOne(who, r));
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
console.log(`\n| receiver | idle RSS MB | RSS with ${K} idle TLS sessions MB | KB per session (median of ${ROUNDS}) |\n|---|---|---|---|`);
for (const who of RECEIVERS) {
  const mine = results.filter((x) => x.who === who);
  console.log(`| ${who} | ${(median(mine.map((x) => x.before.rss)) / 1024).toFixed(1)} | ${(median(mine.map((x) => x.after.rss)) / 1024).toFixed(1)} | ${median(mine.map((x) => x.perKb)).toFixed(1)} |`);
}
console.log(`load at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
process.exitCode = results.every((x) => x.ok === 'ok') ? 0 : 1;

// A real `logwarden run` with the console: the first start prints the URL and the admin password (also in
// <dataDir>/admin-password, 0600); that password logs in; `logwarden user|token` from the CLI take effect on
// the running server; a sender whose timestamps are 10 minutes old shows as skewed in /api/hosts; the live tail
// delivers a message sent over TCP after subscribing; `received:` finds it; HTTPS on the same port when
// tls.certFile/tls.keyFile are set; `logwarden search` refuses `* -1x` with a caret.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { ensureDevPki } from '../../../src/pki/dev';
import { freePort, tempDir, waitFor } from '../../helpers/util';
import { call, sessionFrom } from './http-client';

const ROOT = join(__dirname, '..', '..', '..', '..');
const BIN = join(ROOT, 'bin', 'logwarden.js');
const tmp = tempDir('lw-run-console-');
after(() => tmp.cleanup());

function cli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function startRun(conf: string, data: string): { proc: ReturnType<typeof spawn>; stderr: () => string; stop(): Promise<number | null> } {
  const file = join(tmp.dir, `${Math.random().toString(36).slice(2)}.conf`);
  writeFileSync(file, conf);
  const proc = spawn(process.execPath, [BIN, 'run', '-f', file, '--data-dir', data], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  return {
    proc,
    stderr: () => err,
    stop: async () => {
      if (proc.exitCode !== null) return proc.exitCode;
      const exit = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 20_000);
      const c = await exit;
      clearTimeout(t);
      return c;
    },
  };
}

function sendTcp(port: number, lines: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.end(lines.map((l) => `${l}\n`).join('')));
    s.on('close', () => resolve());
    s.on('error', reject);
  });
}

test('logwarden run: first-start admin, login, CLI users and tokens, hosts skew, live tail, received:', { timeout: 120_000 }, async () => {
  const [tcp, web] = [await freePort(), await freePort()];
  const data = join(tmp.dir, 'data');
  const lw = startRun(`module(load="imtcp")\nmodule(load="webui" port="${web}" address="127.0.0.1")\n` +
    `input(type="imtcp" port="${tcp}")\naction(type="store" path="${join(data, 'store')}")\n`, data);
  try {
    await waitFor(() => /password: \S+/.test(lw.stderr()), `first-start password (stderr: ${lw.stderr()})`, 60_000);
    const password = /password: (\S+)/.exec(lw.stderr())![1]!;
    assert.match(lw.stderr(), new RegExp(`Logwarden console: http://127\\.0\\.0\\.1:${web}/`));
    assert.equal(statSync(join(data, 'admin-password')).mode & 0o777, 0o600);
    assert.equal(readFileSync(join(data, 'admin-password'), 'utf8').trim(), password);
    assert.equal(statSync(join(data, 'console', 'users.json')).mode & 0o777, 0o600);

    const login = await call(web, 'POST', '/api/login', {}, { username: 'admin', password });
    assert.equal(login.status, 200, login.text);
    const cookie = { cookie: `lw_session=${sessionFrom(login)}` };

    // CLI on the running server's data dir
    const add = cli(['user', 'add', 'bob', '--password-stdin', '--data-dir', data], 'bob password 123\n');
    assert.equal(add.status, 0, add.stderr);
    assert.equal((await call(web, 'POST', '/api/login', {}, { username: 'bob', password: 'bob password 123' })).status, 200);
    const dup = cli(['user', 'add', 'bob', '--data-dir', data]);
    assert.equal(dup.status, 1);
    assert.match(dup.stderr, /LW_ERR_USER_EXISTS/);
    const short = cli(['user', 'passwd', 'bob', '--password-stdin', '--data-dir', data], 'short\n');
    assert.match(short.stderr, /LW_ERR_USER_PASSWORD/);
    const created = cli(['token', 'create', '--name', 'ci', '--user', 'bob', '--data-dir', data]);
    assert.equal(created.status, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^lw_[0-9a-f]{8}_/);
    const auth = { authorization: `Bearer ${token}` };
    assert.equal((await call(web, 'GET', '/api/stats', auth)).status, 200);
    const list = cli(['token', 'list', '--data-dir', data]);
    assert.match(list.stdout, /user=bob {2}name=ci/);
    assert.doesNotMatch(list.stdout + readFileSync(join(data, 'console', 'users.json'), 'utf8'), new RegExp(token), 'only a hash is stored');
    assert.match(cli(['user', 'list', '--data-dir', data]).stdout, /^admin .*\nbob .*tokens=1\n$/);
    assert.equal(cli(['user', '--help']).status, 0);
    assert.equal(cli(['token', 'frobnicate']).status, 2);

    // live tail: subscribe first, then send over TCP
    const tailDone = new Promise<string>((resolve, reject) => {
      const req = (require('node:http') as typeof import('node:http')).request({ host: '127.0.0.1', port: web, path: `/api/tail?q=${encodeURIComponent('tailzebra')}`, headers: { ...cookie } }, (res) => {
        let buf = '';
        res.on('data', (c: Buffer) => {
          buf += c.toString();
          const m = /event: msg\nid: \d+\ndata: (.*)\n\n/.exec(buf);
          if (m) { req.destroy(); resolve(m[1]!); }
        });
      });
      req.on('error', (e) => { if (!req.destroyed) reject(e); });
      req.end();
      setTimeout(() => { req.destroy(); reject(new Error('no tail event')); }, 60_000).unref();
    });
    await waitFor(async () => {
      await sendTcp(tcp, ['<13>1 - tailer app - - - tailzebra']);
      return Promise.race([tailDone.then(() => true), new Promise((r) => setTimeout(() => r(false), 500))]);
    }, 'the tail to deliver a message sent after subscribing', 30_000);
    assert.equal(JSON.parse(await tailDone).msg, 'tailzebra');

    // a sender 10 minutes behind
    const old = new Date(Date.now() - 600_000).toISOString();
    await sendTcp(tcp, Array.from({ length: 5 }, (_, i) => `<13>1 ${old} laggard app - - - late ${i}`));
    const lag = await waitFor(async () => {
      const r = await call(web, 'GET', '/api/hosts', auth);
      return r.json.hosts.find((h: { host: string }) => h.host === 'laggard');
    }, 'laggard in /api/hosts');
    assert.equal(lag.skewed, true);
    assert.ok(Math.abs(lag.skewMedianMs - 600_000) < 30_000, `median ${lag.skewMedianMs}`);
    assert.deepEqual(lag.inputs, ['imtcp']);

    const found = await waitFor(async () => {
      const r = await call(web, 'GET', `/api/search?q=${encodeURIComponent('host:laggard received:>=-5m')}`, auth);
      return r.json.hits?.length === 5 ? r.json.hits : false;
    }, 'received:>=-5m finds the late messages');
    assert.equal(found.length, 5);
    const byReported = await call(web, 'GET', `/api/search?q=${encodeURIComponent('host:laggard -5m')}`, auth);
    assert.equal(byReported.json.hits.length, 0, 'their reported time is 10 minutes old');

    const refused = cli(['search', '* -1x', '--db', join(data, 'store')]);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /not a time span: use -15m, -2h, -1d/);
    assert.match(refused.stderr, /\* -1x\n {2}\^/);
  } finally {
    assert.equal(await lw.stop(), 0, lw.stderr());
  }
  assert.ok(JSON.parse(readFileSync(join(data, 'console', 'hosts.json'), 'utf8')).hosts.some((h: { host: string }) => h.host === 'laggard'), 'hosts saved at stop');
});

test('HTTPS on the same port with tls.certFile/tls.keyFile (the dev PKI); Secure cookie', { timeout: 120_000 }, async () => {
  const data = join(tmp.dir, 'tls-data');
  const pki = join(tmp.dir, 'pki');
  const dev = await ensureDevPki(pki);
  const badConf = join(tmp.dir, 'bad-tls.conf');
  writeFileSync(badConf, `module(load="http" port="0" tls.certFile="${join(pki, 'missing.pem')}" tls.keyFile="${dev.key}")\n*.* /dev/null\n`);
  const checked = cli(['check', '-f', badConf]);
  assert.equal(checked.status, 1, 'check refuses a missing console certificate');
  assert.match(checked.stdout + checked.stderr, /LW_ERR_TLS_CONFIG.*missing\.pem/);
  const web = await freePort();
  const lw = startRun(`module(load="http" port="${web}" address="127.0.0.1" tls.certFile="${dev.cert}" tls.keyFile="${dev.key}")\n*.* /dev/null\n`, data);
  try {
    await waitFor(() => /password: \S+/.test(lw.stderr()), `first start (stderr: ${lw.stderr()})`, 60_000);
    assert.match(lw.stderr(), new RegExp(`https://127\\.0\\.0\\.1:${web}/`));
    const password = /password: (\S+)/.exec(lw.stderr())![1]!;
    const ca = readFileSync(dev.caCert);
    const res = await new Promise<{ status: number; cookie: string; hsts: string }>((resolve, reject) => {
      const body = JSON.stringify({ username: 'admin', password });
      const req = httpsRequest({ host: '127.0.0.1', port: web, method: 'POST', path: '/api/login', ca, servername: 'localhost',
        headers: { host: `localhost:${web}`, 'content-type': 'application/json' } }, (r) => {
        r.resume();
        r.on('end', () => resolve({ status: r.statusCode ?? 0, cookie: String(r.headers['set-cookie']), hsts: String(r.headers['strict-transport-security']) }));
      });
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(res.status, 200);
    assert.match(res.cookie, /; Secure/);
    assert.match(res.hsts, /max-age=/);
  } finally {
    assert.equal(await lw.stop(), 0, lw.stderr());
  }
});

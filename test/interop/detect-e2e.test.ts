// End to end with the real process: `logwarden run -f CONF` with a detect action, util-linux `logger` sends six
// failed sshd logins from one address over TCP → exactly one alert is stored, `logwarden alerts list` shows it,
// the webhook is called once. Then a broken rule file + SIGHUP keeps the running rules (error names file:line).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freePort, peersRequired, tempDir, waitFor } from '../helpers/util';

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'logwarden.js');
const LOGGER = '/usr/bin/logger';
const missing = existsSync(LOGGER) ? false : peersRequired() ? assert.fail('logger required') : 'logger not installed';
const tmp = tempDir('lw-detect-e2e-');
after(() => tmp.cleanup());

test('six failed sshd logins over TCP → one alert, one webhook call; a broken rule on SIGHUP keeps the old set', { skip: missing }, async () => {
  const calls: string[] = [];
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => { calls.push(body); res.writeHead(200).end(); });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const hookPort = (hook.address() as { port: number }).port;
  const port = await freePort();
  const data = join(tmp.dir, 'data');
  const rulesDir = join(tmp.dir, 'rules.d');
  mkdirSync(rulesDir);
  copyFileSync(join(ROOT, 'rules', 'pack', 'sshd.yml'), join(rulesDir, 'sshd.yml'));
  const conf = join(tmp.dir, 'logwarden.conf');
  writeFileSync(conf, `global(workDirectory="${data}")
module(load="imtcp")
input(type="imtcp" port="${port}" address="127.0.0.1")
action(type="detect" rules="${rulesDir}/*.yml" webhook.url="http://127.0.0.1:${hookPort}/alerts" webhook.secret="k")
`);
  let stderr = '';
  const proc = spawn(process.execPath, [BIN, 'run', '-f', conf], { cwd: tmp.dir, stdio: ['ignore', 'ignore', 'pipe'] });
  proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  try {
    await waitFor(() => /LW_INFO_STARTED/.test(stderr), `the server to start (stderr: ${stderr})`, 30_000);
    assert.match(stderr, /LW_INFO_DETECT_STARTED detection rules loaded rules=4/);
    for (let i = 0; i < 6; i++) {
      const r = spawnSync(LOGGER, ['--tcp', '-n', '127.0.0.1', '-P', String(port), '-t', 'sshd', '-p', 'auth.info',
        `Failed password for root from 203.0.113.7 port ${52100 + i} ssh2`], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
    const list = (): { status: number | null; stdout: string } => spawnSync(process.execPath, [BIN, 'alerts', 'list', '--data-dir', data, '--json'], { encoding: 'utf8' });
    const rows = await waitFor(() => {
      const r = list();
      const lines = r.status === 0 ? r.stdout.trim().split('\n').filter(Boolean) : [];
      return lines.length > 0 && (JSON.parse(lines[0]!) as { count: number }).count >= 2 ? lines : null;
    }, 'an alert with count 2 in `logwarden alerts list`', 30_000);
    assert.equal(rows.length, 1, rows.join('\n'));
    const a = JSON.parse(rows[0]!) as { rule: string; key: string; count: number; refs: string[]; status: string };
    assert.equal(a.rule, 'sshd-brute-force');
    assert.equal(a.key, '203.0.113.7');
    assert.equal(a.count, 2, 'the 5th and 6th failures fired; the 6th joined the alert');
    assert.equal(a.status, 'open');
    assert.ok(a.refs.some((r) => r.includes('Failed password for root from 203.0.113.7')));
    await waitFor(() => calls.length >= 1, 'the webhook call', 15_000);
    assert.equal(calls.length, 1);
    assert.equal((JSON.parse(calls[0]!) as { rule: string }).rule, 'sshd-brute-force');

    // Human listing and ack.
    const human = spawnSync(process.execPath, [BIN, 'alerts', 'list', '--data-dir', data], { encoding: 'utf8' });
    assert.match(human.stdout, /sshd-brute-force {2}key=203\.0\.113\.7 {2}count=2/);
    const id = (JSON.parse(rows[0]!) as { id: number }).id;
    const ack = spawnSync(process.execPath, [BIN, 'alerts', 'ack', String(id), '--data-dir', data], { encoding: 'utf8' });
    assert.equal(ack.status, 0, ack.stderr);
    assert.match(spawnSync(process.execPath, [BIN, 'alerts', 'list', '--data-dir', data], { encoding: 'utf8' }).stdout, /acknowledged/);

    // A broken rule file: SIGHUP logs the error with file:line and keeps the running rules.
    writeFileSync(join(rulesDir, 'broken.yml'), 'rules:\n  - id: broken\n    kind: threshold\n    query: "app:sshd"\n    window: 5x\n    count: 2\n');
    proc.kill('SIGHUP');
    await waitFor(() => /LW_ERR_DETECT_RELOAD/.test(stderr), 'the reload to be rejected', 15_000);
    assert.match(stderr, /LW_ERR_DETECT_RELOAD .*at=\S*broken\.yml:5:13/);
    // The old set still runs: a new source trips the brute-force rule again.
    for (let i = 0; i < 5; i++) {
      spawnSync(LOGGER, ['--tcp', '-n', '127.0.0.1', '-P', String(port), '-t', 'sshd', '-p', 'auth.info', `Failed password for admin from 198.51.100.9 port ${41000 + i} ssh2`]);
    }
    await waitFor(() => calls.length >= 2, 'a second webhook call after the rejected reload', 15_000);
    assert.equal((JSON.parse(calls[1]!) as { key: string }).key, '198.51.100.9');
  } finally {
    proc.kill('SIGTERM');
    await exited;
    hook.closeAllConnections();
    await new Promise((r) => hook.close(r));
  }
});

// `logwarden run` with the embedded default config (what `npm start` runs): a dev CA appears under the data dir,
// UDP and TCP 5514 and TLS 6514 accept messages, each lands in messages.log and in the store, the HTTP API on
// 8080 finds it (with a token; without one it answers 401; the first start prints the admin password), and SIGTERM exits 0. Uses the fixed default ports, so it runs in the integration suite only.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiToken, authFetch } from '../helpers/console';
import { readLines, tempDir, waitFor } from '../helpers/util';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'logwarden.js');
const tmp = tempDir();
after(() => tmp.cleanup());

let token = '';

async function search(q: string): Promise<Array<{ msg: string; host: string }>> {
  try {
    const res = await authFetch(token, `http://127.0.0.1:8080/api/search?q=${encodeURIComponent(q)}`);
    if (!res.ok) return [];
    const body = (await res.json()) as { hits?: Array<{ msg: string; host: string }> };
    return body.hits ?? [];
  } catch {
    return [];
  }
}

test('the embedded default config: dev PKI, UDP/TCP 5514, TLS 6514, file, store, HTTP API, clean exit', async () => {
  const data = join(tmp.dir, 'data');
  let stderr = '';
  const proc = spawn(process.execPath, [BIN, 'run', '--data-dir', data], { cwd: tmp.dir, stdio: ['ignore', 'ignore', 'pipe'] });
  proc.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  try {
    await waitFor(() => /LW_INFO_HTTP/.test(stderr), `the server to start (stderr so far: ${stderr})`, 30_000);
    assert.match(stderr, /pki issue/, 'first start tells how to issue a client certificate');
    const keyMode = statSync(join(data, 'pki', 'server-key.pem')).mode & 0o777;
    assert.equal(keyMode & 0o077, 0, 'the server key is private');
    await waitFor(() => /password: \S+/.test(stderr), 'the first-start admin password on stderr');
    const password = /password: (\S+)/.exec(stderr)![1]!;
    assert.match(stderr, /Logwarden console: http:\/\/127\.0\.0\.1:8080\//, 'the console URL');
    assert.equal(readFileSync(join(data, 'admin-password'), 'utf8').trim(), password);
    assert.equal(statSync(join(data, 'admin-password')).mode & 0o777, 0o600);
    const noAuth = await fetch('http://127.0.0.1:8080/api/search?q=*');
    assert.equal(noAuth.status, 401, 'the default console requires credentials');
    token = apiToken(data);

    const send = (args: string[]): void => {
      const r = spawnSync(process.execPath, [BIN, 'send', '--host', '127.0.0.1', ...args], { encoding: 'utf8' });
      assert.equal(r.status, 0, `send ${args.join(' ')}: ${r.stderr}`);
    };
    send(['--udp', '--port', '5514', '--tag', 'smoke', 'default-udp-zebra']);
    send(['--tcp', '--port', '5514', '--tag', 'smoke', 'default-tcp-zebra']);
    send(['--tls', '--port', '6514', '--ca', join(data, 'pki', 'ca.pem'), '--permitted-peer', 'localhost', '--tag', 'smoke', 'default-tls-zebra']);

    const file = join(data, 'messages.log');
    await waitFor(() => ['udp', 'tcp', 'tls'].every((t) => readLines(file).some((l) => l.includes(`default-${t}-zebra`))), 'all three in messages.log');
    for (const t of ['udp', 'tcp', 'tls']) {
      const hits = await waitFor(() => search(`default-${t}-zebra`).then((h) => (h.length === 1 ? h : false)), `${t} message via /api/search`);
      assert.equal(hits[0].msg, `default-${t}-zebra`);
    }
    assert.ok(existsSync(join(data, 'store')));

    const exit = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.kill('SIGTERM');
    assert.equal(await exit, 0, `exit code; stderr:\n${stderr}`);
  } finally {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  }
});

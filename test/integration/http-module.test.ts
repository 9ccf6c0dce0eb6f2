// The HTTP API module under its documented aliases honours port/address; a busy HTTP port makes `run` fail
// with a clear error instead of running without its API; the PKI hint names a command that exists.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { cliName } from '../../src/pki/dev';
import { freePort, tempDir, waitFor } from '../helpers/util';
import { tcpAccepts } from '../helpers/rsyslog';

const ROOT = join(__dirname, '..', '..', '..');
const tmp = tempDir('lw-http-mod-');
after(() => tmp.cleanup());

function runLogwarden(conf: string, name: string): { exited: Promise<{ code: number | null; signal: string | null; stderr: string }>; kill(): void } {
  const file = join(tmp.dir, `${name}.conf`);
  writeFileSync(file, conf);
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'logwarden.js'), 'run', '-f', file, '--data-dir', join(tmp.dir, name)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>((r) => child.once('exit', (code, signal) => r({ code, signal, stderr })));
  return { exited, kill: () => child.kill('SIGTERM') };
}

for (const alias of ['webui', 'lwhttp']) {
  test(`module(load="${alias}" port=…) listens on that port`, { timeout: 60_000 }, async () => {
    const port = await freePort();
    const lw = runLogwarden(`module(load="${alias}" port="${port}" address="127.0.0.1")\n*.* /dev/null\n`, alias);
    try {
      await waitFor(() => tcpAccepts(port), `${alias} on ${port}`, 30_000);
    } finally {
      lw.kill();
    }
    const r = await lw.exited;
    // SIGTERM may land before run installs its handler (then the default action ends it): both are a clean stop
    assert.ok(r.code === 0 || r.signal === 'SIGTERM', `${r.code} ${r.signal} ${r.stderr}`);
  });
}

test('a busy HTTP port stops run with a clear error (exit 1)', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
  try {
    const lw = runLogwarden(`module(load="http" port="${port}" address="127.0.0.1")\n*.* /dev/null\n`, 'busy');
    const timer = setTimeout(() => lw.kill(), 30_000);
    const r = await lw.exited;
    clearTimeout(timer);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /HTTP API could not start/);
  } finally {
    blocker.close();
  }
});

test('the PKI hint names `logwarden` only when it is on PATH', () => {
  assert.equal(cliName({ PATH: '' }), 'npx logwarden');
  const bin = join(tmp.dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'logwarden'), '#!/bin/sh\n', { mode: 0o755 });
  assert.equal(cliName({ PATH: `/nonexistent:${bin}` }), 'logwarden');
});

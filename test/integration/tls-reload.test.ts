// Certificate reload: after the server certificate file changes, new handshakes see the new certificate
// (reload() and the file watcher), while a session established before keeps working.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { tlsInput } from '../../src/inputs/tls';
import type { Input } from '../../src/components';
import { CA, CollectingSink, context, inputDecl, pki, waitFor } from './tls-helpers';

function serverFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => { resolve(s.getPeerCertificate().fingerprint256); s.end(); });
    s.on('error', reject);
  });
}

describe('TLS input certificate reload', () => {
  let dir: string;
  let input: Input;
  let port = 0;
  const sink = new CollectingSink();
  const ctx = context({});
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lw-tls-reload-'));
    copyFileSync(pki('localhost.pem'), join(dir, 'cert.pem'));
    copyFileSync(pki('localhost-key.pem'), join(dir, 'key.pem'));
    input = tlsInput.create(inputDecl({ port: '0', address: '127.0.0.1', 'StreamDriver.Mode': '1', 'StreamDriver.AuthMode': 'anon', 'StreamDriver.CAFile': CA, 'StreamDriver.CertFile': join(dir, 'cert.pem'), 'StreamDriver.KeyFile': join(dir, 'key.pem') }), new Map(), ctx, sink);
    await input.start();
    port = input.addresses()[0].port;
  });
  after(async () => { await input.stop(); rmSync(dir, { recursive: true, force: true }); });

  it('serves the new certificate after the files change, keeping the established session', async () => {
    const before = await serverFingerprint(port);
    const old: TLSSocket = await new Promise((resolve, reject) => { const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => resolve(s)); s.on('error', reject); });
    old.write('<13>Jan  1 00:00:00 h app: before-reload\n');
    await waitFor(() => sink.messages.some((m) => m.msg.includes('before-reload')), 10_000, 'first message');
    copyFileSync(pki('rsa/localhost-key.pem'), join(dir, 'key.pem'));
    copyFileSync(pki('rsa/localhost.pem'), join(dir, 'cert.pem'));
    // The watcher reloads after its debounce; reload() (SIGHUP) does the same at once.
    input.reload!();
    const after = await serverFingerprint(port);
    assert.notEqual(after, before);
    old.write('<13>Jan  1 00:00:00 h app: after-reload-old-session\n');
    await waitFor(() => sink.messages.some((m) => m.msg.includes('after-reload-old-session')), 10_000, 'old session still served');
    old.end();
    await waitFor(() => ctx.logger.records!.filter((r) => r.code === 'LW_TLS_RELOADED').length >= 2, 10_000, 'watcher-triggered reload');
  });

  it('keeps the previous certificate when the new files are broken', async () => {
    const before = await serverFingerprint(port);
    copyFileSync(pki('ca/ca.pem'), join(dir, 'key.pem')); // not a key at all
    input.reload!();
    assert.ok(ctx.logger.records!.some((r) => r.code === 'LW_ERR_TLS_RELOAD'));
    assert.equal(await serverFingerprint(port), before);
  });
});

// With an RSA server key, TLS 1.2 offers only ECDHE + AEAD suites by default: a client that only speaks
// static-RSA key exchange (no forward secrecy) or CBC is refused; TlsCfgCmd CipherString re-enables them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { tlsInput } from '../../../src/inputs/tls';
import type { Input } from '../../../src/components';
import { CollectingSink, context, inputDecl } from '../tls-helpers';
import { tempDir } from '../../helpers/util';

function handshake(port: number, ciphers: string): Promise<string> {
  return new Promise((res) => {
    const s = connect({ port, host: '127.0.0.1', rejectUnauthorized: false, maxVersion: 'TLSv1.2', ciphers }, () => {
      const c = s.getCipher().name;
      s.destroy();
      res(c);
    });
    s.on('error', (e) => res(`refused: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
  });
}

test('RSA key: static-RSA and CBC suites refused on TLS 1.2 by default, ECDHE-GCM accepted; CipherString overrides', async (t) => {
  const d = tempDir(); t.after(() => d.cleanup());
  const key = join(d.dir, 'rsa-key.pem');
  const cert = join(d.dir, 'rsa.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  const start = async (extra: Record<string, string>): Promise<{ input: Input; port: number }> => {
    const input = tlsInput.create(inputDecl({ port: '0', address: '127.0.0.1', 'StreamDriver.Mode': '1', 'StreamDriver.AuthMode': 'anon', 'StreamDriver.CertFile': cert, 'StreamDriver.KeyFile': key, ...extra }), new Map(), context(), new CollectingSink());
    await input.start();
    t.after(() => input.stop());
    return { input, port: input.addresses()[0].port };
  };
  const def = await start({});
  assert.match(await handshake(def.port, 'AES128-GCM-SHA256'), /^refused/);
  assert.match(await handshake(def.port, 'AES128-SHA'), /^refused/);
  assert.match(await handshake(def.port, 'ECDHE-RSA-AES128-CBC-SHA:ECDHE-RSA-AES128-SHA'), /^refused/);
  assert.equal(await handshake(def.port, 'ECDHE-RSA-AES128-GCM-SHA256'), 'ECDHE-RSA-AES128-GCM-SHA256');
  const open = await start({ 'StreamDriver.TlsCfgCmd': 'CipherString=DEFAULT' });
  assert.equal(await handshake(open.port, 'AES128-GCM-SHA256'), 'AES128-GCM-SHA256');
});

// check (preflight) warns about a TLS private key that group or others can read, and about the connection
// gate's TLS-only parameters given to a plain TCP listener: accepted, but without effect there.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../../src/config/load';
import { preflight } from '../../../src/runtime/preflight';
import { freePort, tempDir } from '../../helpers/util';

const PKI = resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'pki');
const tmp = tempDir('lw-preflight-tls-');
after(() => tmp.cleanup());

async function warnings(conf: string): Promise<string[]> {
  const file = join(tmp.dir, 'c.conf');
  writeFileSync(file, conf);
  const diags = await preflight(loadConfig(file), tmp.dir);
  return diags.filter((d) => d.severity === 'warning').map((d) => `${d.code} ${d.loc.line}:${d.loc.col} ${d.message}`);
}

test('a TLS key readable by group or others is a warning; mode 0600 is not', async () => {
  const key = join(tmp.dir, 'server-key.pem');
  copyFileSync(join(PKI, 'localhost-key.pem'), key);
  const conf = (port: number): string => `global(DefaultNetstreamDriverCAFile="${join(PKI, 'ca', 'ca.pem')}" DefaultNetstreamDriverCertFile="${join(PKI, 'localhost.pem')}" DefaultNetstreamDriverKeyFile="${key}")
module(load="imtcp" StreamDriver.Name="ossl" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")
input(type="imtcp" port="${port}")
action(type="omfile" file="${join(tmp.dir, 'out.log')}")
`;
  chmodSync(key, 0o644);
  const loose = await warnings(conf(await freePort()));
  assert.equal(loose.filter((w) => w.startsWith('LW_WARN_TLS_KEY_MODE 3:1')).length, 1, loose.join('\n'));
  assert.match(loose.find((w) => w.startsWith('LW_WARN_TLS_KEY_MODE'))!, /mode 0644/);
  chmodSync(key, 0o600);
  const tight = await warnings(conf(await freePort()));
  assert.deepEqual(tight.filter((w) => w.startsWith('LW_WARN_TLS_KEY_MODE')), []);
});

test('HandshakeTimeout and MaxHandshakesPerSecond on a plain TCP listener: a no-effect warning each, at the parameter', async () => {
  const port = await freePort();
  const w = await warnings(`module(load="imtcp")
input(type="imtcp" port="${port}" HandshakeTimeout="5" MaxHandshakesPerSecond="10")
action(type="omfile" file="${join(tmp.dir, 'out.log')}")
`);
  const noEffect = w.filter((x) => x.startsWith('LW_WARN_CONFIG_NO_EFFECT'));
  assert.equal(noEffect.length, 2, w.join('\n'));
  assert.match(noEffect[0]!, /^LW_WARN_CONFIG_NO_EFFECT 2:\d+ parameter `HandshakeTimeout` has no effect on a plain TCP listener/);
  assert.match(noEffect[1]!, /MaxHandshakesPerSecond/);
});

// Certificates made by our pki are accepted by the other tools operators use: GnuTLS `certtool
// --certificate-info` / `--verify` (rsyslog's gtls library) and `openssl x509 -text` / `openssl verify`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CA, pki } from '../integration/tls-helpers';

const LEAVES = ['localhost', 'rsa/localhost', 'client.example.net', 'rsa/rsa.example.net', 'aws-syslog', 'a.b.example.net', 'encrypted/localhost'];

function run(cmd: string, args: string[], input?: string): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('our certificates in certtool and openssl', () => {
  for (const leaf of LEAVES) {
    it(`${leaf}: certtool --certificate-info and --verify accept it`, () => {
      const info = run('certtool', ['--certificate-info', '--infile', pki(`${leaf}.pem`)]);
      assert.equal(info.status, 0, info.out);
      assert.match(info.out, /Basic Constraints \(critical\):\s+Certificate Authority \(CA\): FALSE/);
      assert.match(info.out, /Key Usage \(critical\):\s+Digital signature\./);
      const v = run('certtool', ['--verify', '--load-ca-certificate', CA, '--infile', pki(`${leaf}.pem`)]);
      assert.equal(v.status, 0, v.out);
      assert.match(v.out, /Chain verification output: Verified/);
    });
    it(`${leaf}: openssl x509 -text parses it and openssl verify accepts it`, () => {
      assert.equal(run('openssl', ['x509', '-in', pki(`${leaf}.pem`), '-noout', '-text']).status, 0);
      const v = run('openssl', ['verify', '-CAfile', CA, pki(`${leaf}.pem`)]);
      assert.equal(v.status, 0, v.out);
    });
  }
  it('the CA is a CA to certtool; expired and intruder certificates fail verification', () => {
    assert.match(run('certtool', ['--certificate-info', '--infile', CA]).out, /Certificate Authority \(CA\): TRUE/);
    assert.notEqual(run('certtool', ['--verify', '--load-ca-certificate', CA, '--infile', pki('expired/client.example.net.pem')]).status, 0);
    assert.notEqual(run('certtool', ['--verify', '--load-ca-certificate', CA, '--infile', pki('intruder/client.example.net.pem')]).status, 0);
  });
  it('certtool reads our encrypted PKCS#8 key with the passphrase', () => {
    const r = run('certtool', ['--key-info', '--infile', pki('encrypted/localhost-key.pem'), '--password', 'correct horse battery staple']);
    assert.equal(r.status, 0, r.out);
  });
});

// $AllowedSender (rsyslog net.c ACLs) applied by the UDP and TCP inputs: a disallowed sender's numbered
// messages never arrive, the allowed sender's all do; refusals are counted and logged with the peer address.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { join } from 'node:path';
import { startLogwarden, type TestServer } from '../helpers/logwarden';
import { readLines, tempDir, waitFor } from '../helpers/util';
import { AllowList } from '../../src/inputs/allowed-senders';
import { StreamLogger } from '../../src/log';

const tmp = tempDir('lw-allowed-');
let lw: TestServer | null = null;
after(async () => {
  await lw?.stop();
  tmp.cleanup();
});

const N = 100;

function udpFrom(local: string, port: number, tag: string): Promise<void> {
  const s = createSocket('udp4');
  return new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, local, async () => {
      for (let i = 0; i < N; i++) {
        await new Promise<void>((r, j) => s.send(`<13>Oct 11 22:14:15 h app: ${tag} n=${i}`, port, '127.0.0.1', (e) => (e ? j(e) : r())));
      }
      s.close(() => resolve());
    });
  });
}

function tcpFrom(local: string, port: number, tag: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const lines = Array.from({ length: N }, (_, i) => `<13>Oct 11 22:14:15 h app: ${tag} n=${i}\n`).join('');
    const s = connect({ port, host: '127.0.0.1', localAddress: local }, () => s.end(lines));
    s.on('error', () => resolve()); // a refused connection may reset
    s.on('close', () => resolve());
  });
}

test('only allowed senders reach the rules (UDP per datagram source, TCP per connection)', { timeout: 60_000 }, async () => {
  const out = join(tmp.dir, 'out.log');
  lw = await startLogwarden(tmp.dir, [
    'module(load="imudp")', 'module(load="imtcp")',
    'input(type="imudp" port="0" address="127.0.0.1")', 'input(type="imtcp" port="0" address="127.0.0.1")',
    '$AllowedSender UDP, 127.0.0.1, [::1]/128, 192.0.2.0/24',
    '$AllowedSender TCP, 127.0.0.1/32',
    `*.* action(type="omfile" file="${out}" template="RSYSLOG_TraditionalFileFormat")`,
  ].join('\n'));
  const udp = lw.port('udp');
  const tcp = lw.port('tcp');
  // the refused sender goes first: if anything of it got through, it would be in the file before the allowed ones
  await udpFrom('127.0.0.2', udp, 'bad-udp');
  await tcpFrom('127.0.0.2', tcp, 'bad-tcp');
  await udpFrom('127.0.0.1', udp, 'good-udp');
  await tcpFrom('127.0.0.1', tcp, 'good-tcp');
  await waitFor(() => readLines(out).length >= 2 * N, `${2 * N} lines`, 30_000);
  const lines = readLines(out);
  assert.equal(lines.filter((l) => l.includes('bad-')).length, 0);
  for (const tag of ['good-udp', 'good-tcp']) {
    const got = lines.filter((l) => l.includes(`${tag} n=`)).map((l) => Number(/n=(\d+)/.exec(l)![1])).sort((a, b) => a - b);
    assert.deepEqual(got, Array.from({ length: N }, (_, i) => i), tag);
  }
  const refusals = (lw.logger.records ?? []).filter((r) => r.code === 'LW_WARN_INPUT_SENDER_REFUSED');
  assert.ok(refusals.length >= 1 && refusals.length <= 2, `rate-limited refusal log (${refusals.length})`);
  assert.ok(refusals.every((r) => String(r.fields.peer).includes('127.0.0.2')));
});

test('AllowList: networks, IPv6, wildcard names; bad entries throw', () => {
  const log = new StreamLogger({ keep: true, out: null });
  const acl = new AllowList(['127.0.0.1', '192.0.2.0/24', '[::1]/128', '2001:db8::/32', '*.example.net', 'gw.example.org'], log, 't');
  assert.equal(acl.byAddress('127.0.0.1'), true);
  assert.equal(acl.byAddress('192.0.2.77'), true);
  assert.equal(acl.byAddress('::1'), true);
  assert.equal(acl.byAddress('2001:db8:1::5'), true);
  assert.equal(acl.byAddress('10.0.0.1'), null); // decided by name
  assert.equal(acl.byName('10.0.0.1', 'host.example.net'), true);
  assert.equal(acl.byName('10.0.0.2', 'example.net.evil.com'), false);
  assert.equal(acl.byName('10.0.0.3', 'gw.example.org'), true);
  const strict = new AllowList(['10.1.0.0/16'], log, 't');
  assert.equal(strict.byAddress('10.1.200.3'), true);
  assert.equal(strict.byAddress('10.2.0.1'), false);
  assert.throws(() => new AllowList(['1.2.3.4/33'], log, 't'));
  assert.throws(() => new AllowList(['not an address!'], log, 't'));
});

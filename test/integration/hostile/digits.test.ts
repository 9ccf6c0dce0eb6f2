// 1 GB of digits without a space over 4 connections (an octet count that never ends): memory stays bounded and
// both good clients deliver everything meanwhile. LW_HOSTILE_DIGITS_MB sets the total (default 1024).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drainOrClose, goodClientsDeliver, num, rawConnect, report, sampleFds, startTarget } from './harness';

test('1 GB of octet-count digits on 4 connections: RSS < 300 MB, good clients deliver all', { timeout: 120_000 }, async (t) => {
  const target = await startTarget(t);
  const totalMb = num('LW_HOSTILE_DIGITS_MB', 1024);
  const perConn = Math.ceil(totalMb / 4);
  const chunk = Buffer.alloc(1024 * 1024, '9');
  const fds = sampleFds(target);
  const flood = async (): Promise<number> => {
    const s = await rawConnect(target.tcpPort);
    if (!s) throw new Error('attacker could not connect');
    let sent = 0;
    for (let i = 0; i < perConn && !s.destroyed; i++) {
      if (!s.write(chunk)) await drainOrClose(s);
      sent++;
    }
    s.destroy();
    return sent;
  };
  const started = Date.now();
  const attack = Promise.all([flood(), flood(), flood(), flood()]);
  const good = await goodClientsDeliver(target);
  const sentMb = (await attack).reduce((a, b) => a + b, 0);
  fds.stop();
  t.diagnostic(`attack: ${sentMb} MB of digits in ${Date.now() - started} ms`);
  report(t, `${sentMb} MB of digits, 4 connections`, target, fds.peak, good);
  assert.equal(sentMb, perConn * 4, 'the server kept reading the flood');
  assert.ok(target.hwmMb() < 300, `VmHWM ${target.hwmMb()} MB`);
  assert.equal(await target.stop(), 0);
});

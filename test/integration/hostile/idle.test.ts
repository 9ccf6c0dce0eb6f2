// 2,000 idle plain sessions and 1,000 idle TLS sessions from 20 attacker addresses hold the listeners (default
// MaxSessions 200): good clients still get in (the oldest silent sessions make room), refusal lines stay few.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attackerAddress, destroyAll, goodClientsDeliver, linesWith, num, openMany, rawConnect, report, sampleFds, startTarget, stillOpen, tlsIdle } from './harness';

test('2,000 idle plain + 1,000 idle TLS sessions: good clients deliver all, RSS < 300 MB', { timeout: 120_000 }, async (t) => {
  const target = await startTarget(t);
  const fds = sampleFds(target);
  const plain = await openMany(num('LW_HOSTILE_IDLE_PLAIN', 2000), 50, (i) => rawConnect(target.tcpPort, undefined, attackerAddress(i)));
  const tlsSocks = await openMany(num('LW_HOSTILE_IDLE_TLS', 1000), 20, (i) => tlsIdle(target.tlsPort, attackerAddress(i)));
  t.diagnostic(`attackers connected: ${plain.length} plain, ${tlsSocks.length} TLS (handshake done); still open: ${stillOpen(plain)} plain, ${stillOpen(tlsSocks)} TLS`);
  const good = await goodClientsDeliver(target);
  fds.stop();
  report(t, '2,000 idle plain + 1,000 idle TLS sessions', target, fds.peak, good);
  destroyAll(plain);
  destroyAll(tlsSocks);
  const warn = linesWith(target, 'LW_WARN_TCP_MAX_SESSIONS').length + linesWith(target, 'LW_WARN_TLS_MAX_SESSIONS').length
    + linesWith(target, 'LW_WARN_SESSION_REFUSED').length + linesWith(target, 'LW_SESSION_CLOSED').length;
  t.diagnostic(`session refusal/eviction lines logged: ${warn}`);
  assert.ok(warn <= 20 * 4 * 6, `${warn} lines`); // ≤ 5 + summary per address, code and window
  assert.ok(target.hwmMb() < 300, `VmHWM ${target.hwmMb()} MB`);
  assert.ok(fds.peak < 600, `peak fds ${fds.peak}`);
  assert.equal(await target.stop(), 0);
});

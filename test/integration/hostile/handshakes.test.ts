// Stalled and garbage TLS handshakes: 1,000 peers that send `16 03 01` and go silent, under a 1,024-descriptor
// limit, and 10,000 connections that send random bytes and leave. The listener counts handshakes as sessions,
// closes stalled ones, and both good clients deliver everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { attackerAddress, destroyAll, goodClientsDeliver, linesWith, num, openMany, rawConnect, report, sampleFds, startTarget, stillOpen } from './harness';

test('1,000 stalled handshakes under ulimit -n 1024: good clients deliver all, fds bounded', { timeout: 120_000 }, async (t) => {
  const target = await startTarget(t, { nofile: 1024 });
  const fds = sampleFds(target);
  const stalled = await openMany(num('LW_HOSTILE_STALLED', 1000), 50, (i) => rawConnect(target.tlsPort, Buffer.from([0x16, 0x03, 0x01]), attackerAddress(i)));
  // The same on the plain port (a silent peer there is the same as a stalled handshake).
  const stalledPlain = await openMany(num('LW_HOSTILE_STALLED', 1000), 50, (i) => rawConnect(target.tcpPort, undefined, attackerAddress(i)));
  t.diagnostic(`stalled peers connected: ${stalled.length} TLS port, ${stalledPlain.length} plain port; still open ${stillOpen(stalled)} / ${stillOpen(stalledPlain)}`);
  const good = await goodClientsDeliver(target);
  fds.stop();
  report(t, '1,000 stalled TLS handshakes + 1,000 silent plain, ulimit -n 1024', target, fds.peak, good);
  destroyAll(stalled);
  destroyAll(stalledPlain);
  assert.ok(fds.peak < 1024 - 64, `peak fds ${fds.peak}`);
  assert.ok(target.hwmMb() < 300, `VmHWM ${target.hwmMb()} MB`);
  assert.equal(await target.stop(), 0);
});

test('10,000 garbage handshakes: good clients deliver all, warnings rate-limited, nothing stored', { timeout: 120_000 }, async (t) => {
  const target = await startTarget(t);
  const fds = sampleFds(target);
  const total = num('LW_HOSTILE_GARBAGE', 10_000);
  let done = 0;
  const started = Date.now();
  const attack = openMany(total, 50, async (i) => {
    const s = await rawConnect(target.tlsPort, randomBytes(64), attackerAddress(i));
    if (s) await new Promise<void>((r) => { s.on('close', () => r()); setTimeout(() => { s.destroy(); r(); }, 200); });
    done++;
    return null;
  });
  const good = await goodClientsDeliver(target);
  await attack;
  const windows = Math.ceil((Date.now() - started) / 10_000) + 1;
  fds.stop();
  report(t, '10,000 garbage TLS handshakes', target, fds.peak, good);
  const warn = linesWith(target, 'LW_WARN_PROTOCOL_MISMATCH').length + linesWith(target, 'LW_TLS_HANDSHAKE_FAILED').length + linesWith(target, 'LW_WARN_SESSION_REFUSED').length;
  t.diagnostic(`${done} garbage connections; ${warn} warning lines about them over ${windows} log windows`);
  assert.equal(done, total);
  // Per 10 s window, address (20) and line kind: ≤ 5 lines + 1 summary (refusals, handshake failures), 1 + 1
  // (mismatch): at most 20 × 14 a window, whatever the attack's size.
  assert.ok(warn <= windows * 20 * 14, `${warn} lines in ${windows} windows`);
  assert.ok(target.hwmMb() < 300, `VmHWM ${target.hwmMb()} MB`);
  assert.equal(await target.stop(), 0);
});

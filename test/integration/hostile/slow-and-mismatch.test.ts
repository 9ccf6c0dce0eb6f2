// 500 senders at 1 byte/s hold sessions without ever finishing a message; a TLS ClientHello on the plain port
// and plain syslog on the TLS port are one warning per peer each and store nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { attackerAddress, destroyAll, goodClientsDeliver, linesWith, num, openMany, rawConnect, report, sampleFds, startTarget, stillOpen, ATTACKER } from './harness';
import { waitFor } from '../../helpers/util';

test('500 slow senders at 1 byte/s: good clients deliver all', { timeout: 120_000 }, async (t) => {
  const target = await startTarget(t);
  const fds = sampleFds(target);
  const n = num('LW_HOSTILE_SLOW', 500);
  const plain = await openMany(Math.ceil(n / 2), 50, (i) => rawConnect(target.tcpPort, Buffer.from('<'), attackerAddress(i)));
  const onTls = await openMany(Math.floor(n / 2), 20, (i) => new Promise<net.Socket | null>((res) => {
    const raw = net.connect({ port: target.tlsPort, host: '127.0.0.1', localAddress: attackerAddress(i) });
    raw.on('error', () => res(null));
    const s = tls.connect({ socket: raw, rejectUnauthorized: false }, () => { s.write('<'); res(s); });
    s.on('error', () => res(null));
  }));
  const all = [...plain, ...onTls];
  let ticks = 0;
  const drip = setInterval(() => {
    ticks++;
    for (const s of all) if (!s.destroyed && s.writable) s.write('1');
  }, 1000);
  try {
    const good = await goodClientsDeliver(target, 600, 100); // 6 s of the drip
    fds.stop();
    t.diagnostic(`slow senders: ${plain.length} plain, ${onTls.length} TLS, ${ticks} bytes each so far; still open ${stillOpen(all)}`);
    report(t, '500 senders at 1 byte/s', target, fds.peak, good);
  } finally {
    clearInterval(drip);
    destroyAll(all);
  }
  assert.ok(target.hwmMb() < 300, `VmHWM ${target.hwmMb()} MB`);
  assert.equal(await target.stop(), 0);
});

test('TLS ClientHello on the plain port and plain text on the TLS port: one warning per peer, nothing stored', { timeout: 60_000 }, async (t) => {
  const target = await startTarget(t);
  for (let i = 0; i < 5; i++) {
    await new Promise<void>((res) => {
      const raw = net.connect({ port: target.tcpPort, host: '127.0.0.1', localAddress: ATTACKER });
      raw.on('error', () => res());
      const s = tls.connect({ socket: raw, rejectUnauthorized: false, servername: 'localhost' });
      s.on('error', () => res());
      s.on('close', () => res());
    });
    const p = await rawConnect(target.tlsPort, Buffer.from(`<13>Jan  2 03:04:05 h app: PLAINONTLS ${i}\n`), ATTACKER);
    if (p) await new Promise<void>((r) => { p.on('close', () => r()); });
  }
  const good = await goodClientsDeliver(target, 50, 100);
  report(t, 'ClientHello on plain port, plain on TLS port (5 each)', target, target.fds(), good);
  await waitFor(() => linesWith(target, 'LW_WARN_PROTOCOL_MISMATCH').length >= 2, 'the warnings');
  const warnings = linesWith(target, 'LW_WARN_PROTOCOL_MISMATCH');
  t.diagnostic(warnings.join('\n'));
  assert.equal(warnings.length, 2, warnings.join('\n'));
  assert.equal(warnings.filter((l) => /TLS client on a plain port/.test(l) && l.includes(`peer=${ATTACKER}:`)).length, 1);
  assert.equal(warnings.filter((l) => /non-TLS data on a TLS port/.test(l) && l.includes(`peer=${ATTACKER}:`)).length, 1);
  const stored = readFileSync(target.out, 'latin1').split('\n').filter((l) => l !== '' && !/GOOD(TCP|TLS) seq=/.test(l));
  assert.deepEqual(stored, [], 'nothing but the good clients is stored');
  assert.equal(await target.stop(), 0);
});

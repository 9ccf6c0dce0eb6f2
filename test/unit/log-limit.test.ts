// Logwarden's own lines about peers are rate-limited per code and peer, with one summary per window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamLogger } from '../../src/log';
import { LogLimiter, peerLog } from '../../src/log-limit';

test('1,800 refusals from one peer: 5 lines, then one summary with the count', () => {
  const logger = new StreamLogger({ keep: true, out: null });
  const l = new LogLimiter(logger, { burst: 5, windowMs: 10_000 });
  for (let i = 0; i < 1800; i++) l.warn('LW_WARN_TCP_MAX_SESSIONS', '127.0.0.1', 'connection refused', { peer: `127.0.0.1:${i}` });
  l.warn('LW_WARN_TCP_MAX_SESSIONS', '192.0.2.9', 'connection refused');
  assert.equal(logger.records!.length, 6);
  l.close();
  const summary = logger.records!.slice(6);
  assert.equal(summary.length, 1);
  assert.equal(summary[0].code, 'LW_WARN_TCP_MAX_SESSIONS');
  assert.match(summary[0].message, /^1795 more "connection refused" from 127\.0\.0\.1 in the last 10 s/);
  assert.equal(summary[0].fields.suppressed, 1795);
  assert.equal(l.suppressedTotal, 1795);
  // A new window starts from zero.
  l.warn('LW_WARN_TCP_MAX_SESSIONS', '127.0.0.1', 'connection refused');
  assert.equal(logger.records!.length, 8);
  l.close();
});

test('codes are limited separately; the key table is bounded', () => {
  const logger = new StreamLogger({ keep: true, out: null });
  const l = new LogLimiter(logger, { burst: 1, maxKeys: 10 });
  l.warn('A', 'p', 'a');
  l.warn('B', 'p', 'b');
  assert.equal(logger.records!.length, 2);
  for (let i = 0; i < 1000; i++) l.warn('C', `10.0.${i >> 8}.${i & 255}`, 'c');
  assert.ok(logger.records!.length <= 2 + 10, `${logger.records!.length} lines`);
  l.close();
  assert.ok(logger.records!.some((r) => r.code === 'C' && r.fields.peer === '*'));
});

test('peerLog shares one limiter per logger', () => {
  const logger = new StreamLogger({ keep: true, out: null });
  assert.equal(peerLog(logger), peerLog(logger));
  peerLog(logger).close();
});

// imuxsock's rate limiter: burst per window, urgent severities exempt, drops counted and reported.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamLogger } from '../../../src/log';
import { Message } from '../../../src/message';
import { RateLimitSink } from '../../../src/inputs/ratelimit';
import { SyslogTime } from '../../../src/time';
import type { MessageSink } from '../../../src/components';

function msg(sev: number): Message {
  const m = new Message(Buffer.from('x'), { inputname: 'imuxsock', fromhost: 'h', fromhostIp: '127.0.0.1', ruleset: 'r' }, SyslogTime.now());
  m.severity = sev;
  return m;
}

it('passes `burst` limited messages per window, always passes emerg, reports the drops', () => {
  const got: Message[] = [];
  const inner: MessageSink = { submit: (b) => void got.push(...b), congested: false, onceDrained: (cb) => cb() };
  const logger = new StreamLogger({ keep: true, out: null });
  const rl = new RateLimitSink(inner, { intervalMs: 3_600_000, burst: 3, severity: 1 }, logger, 'imuxsock');
  rl.submit([msg(6), msg(6), msg(0), msg(6), msg(6), msg(6), msg(0)]);
  assert.deepEqual(got.map((m) => m.severity), [6, 6, 0, 6, 0]);
  const z = new RateLimitSink(inner, { intervalMs: 0, burst: 1, severity: 1 }, logger, 'imuxsock');
  got.length = 0;
  z.submit([msg(6), msg(6)]);
  assert.equal(got.length, 2, 'a zero-length window never fills');
});

it('imtcp RateLimit.Interval/Burst (plain and TLS listeners): none without an interval, burst default 10000, every severity counts', async () => {
  const { listenerRateLimit } = await import('../../../src/inputs/ratelimit');
  const P = (o: Record<string, string>) => new Map(Object.entries(o).map(([k, v]) => [k.toLowerCase(), { name: k, value: v, loc: { file: 'f.conf', line: 1, col: 1 } }]));
  assert.equal(listenerRateLimit(P({})), null);
  assert.deepEqual(listenerRateLimit(P({ 'RateLimit.Interval': '5' })), { intervalMs: 5000, burst: 10000, severity: 0 });
  assert.deepEqual(listenerRateLimit(P({ 'RateLimit.Interval': '3600', 'RateLimit.Burst': '10' })), { intervalMs: 3_600_000, burst: 10, severity: 0 });
});

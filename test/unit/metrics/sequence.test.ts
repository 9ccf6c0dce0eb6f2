// Per-sender sequence tracking against a brute-force oracle that walks the wrapping sequence one step at a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Message } from '../../../src/message';
import { parseSyslog } from '../../../src/parse/index';
import { parseOptions } from '../../../src/parse/options';
import { SyslogTime } from '../../../src/time';
import { ciscoSequence, classify, rfc5424SequenceId, SEQUENCE_MAX, SequenceTracker } from '../../../src/metrics/sequence';

/** Oracle: walk forward from `last` (wrapping max → 1) up to max/2 steps looking for n. */
function oracle(last: number, n: number, max: number): { kind: string; missing: number } {
  if (n === last) return { kind: 'repeat', missing: 0 };
  let v = last;
  for (let step = 1; step <= Math.floor(max / 2); step++) {
    v = v === max ? 1 : v + 1;
    if (v === n) {
      if (step === 1) return { kind: 'next', missing: 0 };
      if (n <= 1) return { kind: 'restart', missing: 0 };
      return { kind: 'gap', missing: step - 1 };
    }
  }
  return n <= 1 ? { kind: 'restart', missing: 0 } : { kind: 'late', missing: 0 };
}

test('classify agrees with the step-by-step oracle on small wrapping ranges', () => {
  fc.assert(fc.property(fc.integer({ min: 4, max: 60 }).chain((max) => fc.tuple(fc.constant(max), fc.integer({ min: 1, max }), fc.integer({ min: 0, max }))), ([max, last, n]) => {
    assert.deepEqual(classify(last, n, max), oracle(last, n, max));
  }), { numRuns: 2000 });
});

test('tracker totals equal the oracle replayed over random streams of several senders', () => {
  fc.assert(fc.property(fc.integer({ min: 4, max: 40 }), fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.nat()), { maxLength: 200 }), (max, obs) => {
    const t = new SequenceTracker(100, max);
    const last = new Map<string, number>();
    const want = { gaps: 0, repeats: 0, restarts: 0, outOfOrder: 0 };
    for (const [sender, raw] of obs) {
      const n = raw % (max + 1);
      t.observe(sender, n);
      const l = last.get(sender);
      if (l === undefined) { last.set(sender, n); continue; }
      const o = oracle(l, n, max);
      if (o.kind === 'gap') want.gaps += o.missing;
      if (o.kind === 'repeat') want.repeats++;
      if (o.kind === 'restart') want.restarts++;
      if (o.kind === 'late') want.outOfOrder++;
      if (o.kind !== 'repeat' && o.kind !== 'late') last.set(sender, n);
    }
    const s = t.snapshot();
    assert.deepEqual({ gaps: s.gaps, repeats: s.repeats, restarts: s.restarts, outOfOrder: s.outOfOrder }, want);
    assert.equal(s.senders, last.size);
  }), { numRuns: 500 });
});

test('RFC 5424 sequenceId wraps at 2^31-1 to 1 without a gap; a reset to 1 is a restart, not a gap of 2^31', () => {
  const t = new SequenceTracker();
  for (const n of [SEQUENCE_MAX - 2, SEQUENCE_MAX - 1, SEQUENCE_MAX, 1, 2, 5]) t.observe('h', n);
  assert.deepEqual({ ...t.snapshot() }, { gaps: 2, repeats: 0, outOfOrder: 0, restarts: 0, senders: 1, untracked: 0 });
  t.observe('h', 1);
  t.observe('h', 1);
  assert.equal(t.snapshot().restarts, 1);
  assert.equal(t.snapshot().repeats, 1);
  assert.equal(t.snapshot().gaps, 2);
});

test('the sender table is capped; messages of senders beyond it are counted, and top() is ordered by gaps', () => {
  const t = new SequenceTracker(2);
  t.observe('a', 1); t.observe('a', 5);
  t.observe('b', 1); t.observe('b', 3);
  t.observe('c', 1); t.observe('c', 9);
  assert.equal(t.snapshot().untracked, 2);
  assert.equal(t.snapshot().senders, 2);
  assert.deepEqual(t.top(5).map((s) => [s.sender, s.gaps]), [['a', 3], ['b', 1]]);
});

function parsed(text: string, ip = '192.0.2.7'): Message {
  const frame = Buffer.from(text);
  const m = new Message(frame, { inputname: 'imudp', fromhostIp: ip, fromhost: ip, ruleset: 'RSYSLOG_DefaultRuleset' }, SyslogTime.now());
  parseSyslog(frame, m, parseOptions());
  return m;
}

test('sequence numbers are read from [meta sequenceId] and from the Cisco IOS leading field', () => {
  assert.equal(rfc5424SequenceId('[meta sequenceId="42"]'), 42);
  assert.equal(rfc5424SequenceId('[origin ip="1"][meta sysUpTime="5" sequenceId="7"]'), 7);
  assert.equal(rfc5424SequenceId('[x sequenceId="7"]'), -1);
  assert.equal(rfc5424SequenceId('[meta sequenceId="0"]'), -1);
  assert.equal(ciscoSequence('000123:'), 123);
  assert.equal(ciscoSequence('sshd:'), -1);
  const t = new SequenceTracker();
  for (const n of [1, 2, 4]) t.observeMessage(parsed(`<14>1 2026-01-01T00:00:00Z web app 1 - [meta sequenceId="${n}"] hi`));
  for (const n of [10, 11, 15]) t.observeMessage(parsed(`<189>${String(n).padStart(6, '0')}: *Mar  1 00:00:00.000: %SYS-5-CONFIG_I: x`));
  t.observeMessage(parsed('<14>1 2026-01-01T00:00:00Z web app 1 - - no sd'));
  t.observeMessage(parsed('<14>Mar  1 00:00:00 host sshd: plain'));
  assert.equal(t.snapshot().senders, 2);
  assert.equal(t.get('192.0.2.7/web/app')?.gaps, 1);
  assert.equal(t.get('192.0.2.7/192.0.2.7/cisco')?.gaps, 3);
});

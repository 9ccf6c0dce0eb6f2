// The RFC 3164 timestamp memo (a frame starting with the previous frame's timestamp text reuses its SyslogTime)
// and the printed-text memos of SyslogTime: a stream of frames with repeating, near-identical and odd BSD
// timestamps, received at changing times (New Year included) under several option sets, parses to exactly what
// the byte path (which never memoises) gives, and a printed time prints the same when printed again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseBytes, parseSyslog, parseOptions } from '../../../src/parse/index';
import { Message, type Origin } from '../../../src/message';
import { formatRfc3339, SyslogTime } from '../../../src/time';
import { format3164 } from '../../../src/templates/dates';

const origin: Origin = { inputname: 'imtcp', fromhostIp: '127.0.0.1', fromhost: 'localhost', ruleset: 'RSYSLOG_DefaultRuleset' };
const OPTS = [parseOptions(), parseOptions({ yearRollover: false }), parseOptions({ detectYearAfterTimestamp: true })];
const RECEIVED = [
  new SyslogTime(2026, 12, 31, 23, 59, 59, 0, 6, 60, 2),
  new SyslogTime(2027, 1, 1, 0, 0, 1, 0, 6, 60, 2),
  new SyslogTime(2026, 11, 22, 10, 0, 0, 0, 6, 0, 2),
  new SyslogTime(2026, 11, 22, 10, 0, 0, 0, 6, -300, 2),
];

const stamp = fc.oneof(
  fc.constantFrom('Nov 22 10:00:01', 'Nov 22 10:00:01', 'Dec 31 23:59:59', 'Jan  1 00:00:01', 'Jan 01 00:00:01', 'nov 22 10:00:01',
    'Nov 22 10:00:01.123', 'Nov 22 10:00:01:', 'Nov 22 2026 10:00:01', '2026 Nov 22 10:00:01', ' Nov 22 10:00:01',
    'Nov 22 10:00:0', 'Nov 22 10:00', 'Nov 2210:00:01', 'Nov 22 10:00:01 2027'),
  fc.record({ m: fc.constantFrom('Jan', 'Nov', 'Dec'), d: fc.integer({ min: 1, max: 31 }), s: fc.integer({ min: 0, max: 61 }) })
    .map(({ m, d, s }) => `${m} ${d < 10 ? ' ' + d : d} 10:00:${String(s).padStart(2, '0')}`),
);
const rest = fc.constantFrom(' host1 sshd[1]: hello', ' host1 sshd: x', ' h', '', ' 2027 host app: y', ':x', 'x host tag: m');

function fields(m: Message): unknown {
  const t = m.timereported;
  return [m.hostname, m.syslogtag, m.msg, m.parseFailed, t.year, t.month, t.day, t.hour, t.minute, t.second, t.secfrac,
    t.secfracPrecision, t.offsetMinutes, t.source, t.zulu, t === m.timegenerated];
}

test('property: memoised BSD timestamps parse exactly as the byte path does', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ stamp, rest, pri: fc.constantFrom('<13>', '<34>', ''), o: fc.nat(OPTS.length - 1), r: fc.nat(RECEIVED.length - 1) }), { minLength: 1, maxLength: 20 }),
    (frames) => {
      for (const f of frames) {
        const frame = Buffer.from(f.pri + f.stamp + f.rest, 'latin1');
        const a = new Message(frame, origin, RECEIVED[f.r]);
        parseSyslog(frame, a, OPTS[f.o]);
        const b = new Message(frame, origin, RECEIVED[f.r]);
        parseBytes(frame, b, OPTS[f.o]);
        assert.deepEqual(fields(a), fields(b), frame.toString('latin1'));
        assert.equal(formatRfc3339(a.timereported), formatRfc3339(b.timereported));
        assert.equal(format3164(a.timereported, false), format3164(b.timereported, false));
      }
    },
  ), { numRuns: 2000 });
});

test('property: a time prints the same the second time (kept text), in every variant and order', () => {
  fc.assert(fc.property(
    fc.record({ y: fc.integer({ min: 1, max: 9999 }), mo: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 31 }),
      h: fc.integer({ min: 0, max: 23 }), mi: fc.integer({ min: 0, max: 59 }), s: fc.integer({ min: 0, max: 60 }),
      p: fc.integer({ min: 0, max: 9 }), f: fc.nat(999_999_999), off: fc.integer({ min: -900, max: 900 }), buggyFirst: fc.boolean() }),
    ({ y, mo, d, h, mi, s, p, f, off, buggyFirst }) => {
      const make = (): SyslogTime => new SyslogTime(y, mo, d, h, mi, s, f % 10 ** p, p, off, 1);
      const t = make();
      const first = [format3164(t, buggyFirst), format3164(t, !buggyFirst), formatRfc3339(t)];
      assert.deepEqual([format3164(t, buggyFirst), format3164(t, !buggyFirst), formatRfc3339(t)], first);
      assert.deepEqual([format3164(make(), buggyFirst), format3164(make(), !buggyFirst), formatRfc3339(make())], first);
    },
  ));
});

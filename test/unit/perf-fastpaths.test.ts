// The performance fast paths give exactly what the general paths give: parse of printable-ASCII frames
// (one latin1 decode + substrings) vs the byte path, the fixed-layout RFC 3339 read vs the digit scan,
// and grouped batch encoding (ByteBatch) vs Buffer.from of the concatenated text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Message, type Origin } from '../../src/message';
import { SyslogTime, TimeSource } from '../../src/time';
import { parseBytes, parseSyslog } from '../../src/parse/index';
import { parseOptions } from '../../src/parse/options';
import { scanRfc3339, type Cursor } from '../../src/parse/timestamp';
import { ByteBatch } from '../../src/actions/byte-batch';

const RECEIVED = new SyslogTime(2026, 11, 20, 10, 0, 0, 0, 6, 60, TimeSource.Local);
const ORIGIN: Origin = { inputname: 'imtcp', fromhostIp: '192.0.2.7', fromhost: 'peer.example', ruleset: 'RSYSLOG_DefaultRuleset' };
const RUNS = 3000;

/** Every field a parser sets, as comparable plain data. */
function snapshot(m: Message): unknown {
  return {
    rawmsg: m.rawmsg.toString('latin1'), msg: m.msg, hostname: m.hostname, syslogtag: m.syslogtag, programname: m.programname,
    appName: m.appName, procid: m.procid, msgid: m.msgid, sd: m.structuredData, facility: m.facility, severity: m.severity,
    version: m.protocolVersion, timereported: JSON.stringify(m.timereported), parseFailed: m.parseFailed,
  };
}

/** Syslog-shaped frames built from pieces that hit the parsers' branches, plus arbitrary printable text. */
const PIECES = ['<13>', '<165>', '<0>', '<192>', '<>', '1 ', '2 ', '-', ' ', '2026-11-22T10:00:00.123Z', '2003-10-11T22:14:15.003-07:00',
  '2026-1-2T3:4:5Z', 'Oct 11 22:14:15', 'Oct  1 02:03:04', 'host', 'sshd[42]:', 'su:', 'app/x', '[id a="b\\]c"]', '[x@1 k="v"][y@2]',
  'ID47', 'BOM', 'tag:', ':', '[', ']', '"', 'é'];
const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });
const frameArb = fc.array(fc.oneof(fc.constantFrom(...PIECES), printable), { minLength: 1, maxLength: 12 }).map((a) => a.join(''));

test('parseSyslog fast path equals the byte path on every frame (printable ASCII or not)', () => {
  const opts = parseOptions();
  fc.assert(fc.property(frameArb, (text) => {
    const frame = Buffer.from(text, 'utf8');
    const fast = new Message(frame, ORIGIN, RECEIVED);
    parseSyslog(Buffer.from(frame), fast, opts);
    const slow = new Message(frame, ORIGIN, RECEIVED);
    parseBytes(Buffer.from(frame), slow, opts);
    assert.deepEqual(snapshot(fast), snapshot(slow));
  }), { numRuns: RUNS });
});

/** Well-formed RFC 5424 headers whose fields hit the TAG/programname rules (':', '[', '/', '-', empty). */
const field = fc.oneof(fc.constantFrom('-', 'sshd', 'app/x', 'a:b', 'x[1', 'name]', ''), printable.filter((t) => !t.includes(' ')));
const rfc5424Arb = fc.tuple(fc.integer({ min: 0, max: 200 }), fc.constantFrom('-', '2026-11-22T10:00:00.123Z', '2003-10-11T22:14:15.003-07:00', '2026-13-01T00:00:00Z'),
  field, field, field, field, fc.constantFrom('-', '[a b="c"]', '[x@1 k="v\\]"][y]', 'nosd'), printable)
  .map(([pri, ts, host, app, procid, msgid, sd, msg]) => `<${pri}>1 ${ts} ${host} ${app} ${procid} ${msgid} ${sd} ${msg}`);

test('RFC 5424 fast path (substrings, programname from APP-NAME) equals the byte path', () => {
  const opts = parseOptions();
  fc.assert(fc.property(rfc5424Arb, (text) => {
    const frame = Buffer.from(text, 'latin1');
    const fast = new Message(frame, ORIGIN, RECEIVED);
    parseSyslog(Buffer.from(frame), fast, opts);
    const slow = new Message(frame, ORIGIN, RECEIVED);
    parseBytes(Buffer.from(frame), slow, opts);
    assert.deepEqual(snapshot(fast), snapshot(slow));
  }), { numRuns: RUNS });
});

test('frames with control or 8-bit bytes take the byte path (sanitized rawmsg)', () => {
  const m = new Message(Buffer.alloc(0), ORIGIN, RECEIVED);
  parseSyslog(Buffer.from('<13>1 2026-11-22T10:00:00Z h a p m - tab\there\n'), m, parseOptions());
  assert.equal(m.msg, 'tab#011here');
  assert.equal(m.rawmsg.toString(), '<13>1 2026-11-22T10:00:00Z h a p m - tab#011here');
});

const two = (n: number): string => String(n).padStart(2, '0');
const timestampArb = fc.oneof(
  fc.array(fc.constantFrom('2026', '0000', '2100', '-', 'T', ':', '.', 'Z', '+', '00', '12', '13', '31', '32', '24', '59', '60', '61', '1', '123', ' ', 'x'), { maxLength: 14 }).map((a) => a.join('')),
  fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }),
    fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.constantFrom('', '.1', '.123456', '.', '7'),
    fc.constantFrom('Z', '+01:00', '-07:30', '+24:00', '', 'z'), fc.constantFrom('', ' rest', 'x', '9 '))
    .map(([y, mo, d, h, mi, s, f, z, t]) => `${String(y).padStart(4, '0')}-${two(mo)}-${two(d)}T${two(h)}:${two(mi)}:${two(s)}${f}${z}${t}`),
);

test('fixed-layout RFC 3339 read equals the digit-by-digit scan, including truncated lengths', () => {
  fc.assert(fc.property(timestampArb, fc.integer({ min: 0, max: 3 }), (text, cut) => {
    const buf = Buffer.from(text, 'latin1');
    for (const len of [buf.length, Math.max(0, buf.length - cut)]) {
      const a: Cursor = { pos: 0, len };
      const b: Cursor = { pos: 0, len };
      assert.deepEqual([scanRfc3339(buf, a, true), a], [scanRfc3339(buf, b, false), b]);
    }
  }), { numRuns: RUNS * 10 });
});

test('ByteBatch bytes equal Buffer.from of the concatenated lines, across growth and reuse', () => {
  const out = new ByteBatch();
  fc.assert(fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 300 }), { maxLength: 200 }), (lines) => {
    out.reset();
    for (const l of lines) out.add(l);
    assert.deepEqual(out.finish(), Buffer.from(lines.join(''), 'utf8'));
  }), { numRuns: 300 });
  out.reset();
  const big = 'x'.repeat(100_000) + 'é€😀';
  for (let i = 0; i < 10; i++) out.add(big); // 1 MB: grows past the initial 256 KiB
  assert.deepEqual(out.finish(), Buffer.from(big.repeat(10), 'utf8'));
});

test('SyslogTime.toEpochMs / toEpochMicros (minute memo) equal the Date.UTC formula, in any call order', async () => {
  const { SyslogTime, TimeSource } = await import('../../src/time');
  const field = fc.tuple(fc.constantFrom(2025, 2026, 99, 10_000), fc.constantFrom(1, 2, 12, 13), fc.constantFrom(1, 28, 31),
    fc.constantFrom(0, 23, 24), fc.constantFrom(0, 59, 60), fc.constantFrom(0, 1, 59, 60, 61, -1, 0.5),
    fc.constantFrom(0, 3, 6, 9), fc.integer({ min: 0, max: 999_999_999 }), fc.constantFrom(0, 60, -420, 330, 0.5), fc.boolean());
  fc.assert(fc.property(fc.array(field, { minLength: 1, maxLength: 30 }), (times) => {
    for (const [y, mo, d, h, mi, s, prec, frac, off, micros] of times) {
      const secfrac = prec === 0 ? 0 : frac % 10 ** prec;
      const t = new SyslogTime(y, mo, d, h, mi, s, secfrac, prec, off, TimeSource.Rfc3339);
      const wall = Date.UTC(y, mo - 1, d, h, mi, s) - off * 60_000;
      const want = micros ? wall * 1000 + (prec === 0 ? 0 : Math.floor((secfrac * 1_000_000) / 10 ** prec))
        : wall + (prec === 0 ? 0 : Math.floor((secfrac * 1000) / 10 ** prec));
      const got = micros ? t.toEpochMicros() : t.toEpochMs();
      assert.ok(Object.is(got, want), `${JSON.stringify([y, mo, d, h, mi, s, prec, secfrac, off, micros])}: ${got} != ${want}`);
    }
  }), { numRuns: 3000 });
});

test('utcMs equals Date.UTC for every field combination, in range and out of it', async () => {
  const { utcMs } = await import('../../src/time');
  fc.assert(fc.property(
    fc.integer({ min: -10, max: 12_000 }), fc.integer({ min: -2, max: 15 }), fc.integer({ min: -3, max: 40 }),
    fc.integer({ min: -1, max: 30 }), fc.integer({ min: -1, max: 70 }), fc.integer({ min: -1, max: 70 }),
    (y, mo, d, h, mi, s) => utcMs(y, mo, d, h, mi, s) === Date.UTC(y, mo - 1, d, h, mi, s),
  ), { numRuns: 20_000 });
  assert.equal(utcMs(2024, 2, 29, 23, 59, 60), Date.UTC(2024, 1, 29, 23, 59, 60));
  assert.ok(Number.isNaN(utcMs(Number.NaN, 1, 1, 0, 0, 0)));
});

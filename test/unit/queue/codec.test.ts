// The disk-queue codec gives back every field of a Message exactly: strings with lone surrogates, -0 offsets,
// odd numbers, shared or distinct time objects, JSON trees, binary rawmsg of any size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CODEC_VERSION, CodecError, decodeMessage, encodeBatch, encodeMessage } from '../../../src/queue/codec';
import { Message } from '../../../src/message';
import { SyslogTime, TimeSource } from '../../../src/time';

const origin = { inputname: 'imtcp', fromhost: 'h', fromhostIp: '192.0.2.1', ruleset: 'RSYSLOG_DefaultRuleset' };
const STRING_FIELDS = ['msg', 'hostname', 'fromhost', 'fromhostIp', 'syslogtag', 'programname', 'appName', 'procid',
  'msgid', 'structuredData', 'protocolVersion', 'inputname', 'ruleset', 'tlsPeer'] as const;
const KNOWN_FIELDS = [...STRING_FIELDS, 'rawmsg', 'facility', 'severity', 'timereported', 'timegenerated', 'json',
  'local', 'parseFailed', 'parsedWith'];

/** Strings mixing ASCII, BMP, astral characters and lone surrogates (U+D800–DFFF). */
const weirdChar = fc.oneof(
  fc.constantFrom('a', ' ', '\0', '\n', 'é', '€', '😀', '\uD800', '\uDFFF', '\uDBFF', '\uDC00', '\uFFFD', '\uFEFF'),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
);
const weirdString = fc.oneof(fc.string(), fc.array(weirdChar, { maxLength: 40 }).map((a) => a.join('')),
  fc.string({ unit: 'grapheme', maxLength: 300 }));
const anyNumber = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.double(), fc.constantFrom(-0, NaN, Infinity, 2 ** 40));
const timeArb = fc.record({
  year: fc.oneof(fc.integer({ min: 0, max: 9999 }), anyNumber),
  month: fc.oneof(fc.integer({ min: 1, max: 12 }), anyNumber),
  day: fc.integer({ min: 1, max: 31 }), hour: fc.integer({ min: 0, max: 23 }), minute: fc.integer({ min: 0, max: 59 }),
  second: fc.oneof(fc.integer({ min: 0, max: 60 }), anyNumber),
  secfrac: fc.oneof(fc.integer({ min: 0, max: 999_999_999 }), anyNumber), secfracPrecision: fc.integer({ min: 0, max: 9 }),
  offsetMinutes: fc.oneof(fc.integer({ min: -1440, max: 1440 }), fc.constant(-0)),
  source: fc.constantFrom(TimeSource.Rfc3339, TimeSource.Rfc3164, TimeSource.Local), zulu: fc.boolean(),
}).map((r) => {
  const t = new SyslogTime(r.year, r.month, r.day, r.hour, r.minute, r.second, r.secfrac, r.secfracPrecision,
    r.offsetMinutes, r.source);
  t.zulu = r.zulu;
  return t;
});
const tree = fc.oneof(fc.constant(null), fc.dictionary(weirdString, fc.jsonValue({ maxDepth: 3, noUnicodeString: false }), { maxKeys: 6, noNullPrototype: true }));
const messageArb = fc.record({
  strings: fc.tuple(...STRING_FIELDS.map(() => weirdString)),
  raw: fc.oneof(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 0, max: 300_000 }).map((n) => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = (i * 7919) & 0xff;
    return b;
  })),
  facility: anyNumber, severity: anyNumber, t1: timeArb, t2: fc.option(timeArb), json: tree, local: tree,
  parseFailed: fc.boolean(),
}).map((r) => {
  const m = new Message(Buffer.from(r.raw), origin, r.t1);
  STRING_FIELDS.forEach((f, i) => { m[f] = r.strings[i]!; });
  m.facility = r.facility;
  m.severity = r.severity;
  if (r.t2) m.timegenerated = r.t2;
  m.json = r.json as Record<string, unknown> | null;
  m.local = r.local as Record<string, unknown> | null;
  m.parseFailed = r.parseFailed;
  return m;
});

function assertSame(got: Message, want: Message): void {
  assert.ok(got instanceof Message);
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
  assert.ok(Buffer.isBuffer(got.rawmsg));
  assert.ok(got.rawmsg.equals(want.rawmsg));
  for (const f of STRING_FIELDS) assert.equal(got[f], want[f], f); // assert.equal is Object.is: exact code units
  for (const f of ['facility', 'severity'] as const) assert.ok(Object.is(got[f], want[f]), f);
  for (const f of ['timereported', 'timegenerated'] as const) {
    assert.ok(got[f] instanceof SyslogTime);
    for (const k of Object.keys(want[f]) as Array<keyof SyslogTime>) assert.ok(Object.is(got[f][k], want[f][k]), `${f}.${k}`);
    assert.deepEqual(Object.keys(got[f]), Object.keys(want[f]));
  }
  assert.equal(got.timereported === got.timegenerated, want.timereported === want.timegenerated);
  // Trees are JSON (rsyslog's are json-c): they come back as JSON.parse(JSON.stringify(tree)), so -0 becomes 0.
  const asJson = (v: unknown): unknown => (v === null ? null : JSON.parse(JSON.stringify(v)));
  assert.deepEqual(got.json, asJson(want.json));
  assert.deepEqual(got.local, asJson(want.local));
  assert.equal(got.parseFailed, want.parseFailed);
}

test('codec knows every own field of Message (a new field must be added to the codec)', () => {
  const m = new Message(Buffer.from('x'), origin, SyslogTime.now());
  assert.deepEqual(Object.keys(m).sort(), [...KNOWN_FIELDS].sort());
  assert.deepEqual(Object.keys(SyslogTime.now()).sort(), ['day', 'hour', 'minute', 'month', 'offsetMinutes', 'second',
    'secfrac', 'secfracPrecision', 'source', 'year', 'zulu'].sort());
});

test('codec round-trips arbitrary messages exactly (fast-check)', () => {
  fc.assert(fc.property(messageArb, (m) => {
    const enc = encodeMessage(m);
    assert.equal(enc[0], CODEC_VERSION);
    assertSame(decodeMessage(enc), m);
  }), { numRuns: 400 });
});

test('encodeBatch gives the same bytes as encodeMessage, one view per message', () => {
  fc.assert(fc.property(fc.array(messageArb, { maxLength: 8 }), (msgs) => {
    const batch = encodeBatch(msgs);
    assert.equal(batch.length, msgs.length);
    batch.forEach((b, i) => {
      assert.ok(b.equals(encodeMessage(msgs[i]!)));
      assertSame(decodeMessage(b), msgs[i]!);
    });
  }), { numRuns: 60 });
});

test('lone surrogates survive, including halves that meet at a field boundary', () => {
  const m = new Message(Buffer.from([0xff, 0xfe]), origin, SyslogTime.now());
  m.msg = 'a\uD800';
  m.hostname = '\uDC00b';
  m.procid = '\uDFFF';
  const got = decodeMessage(encodeMessage(m));
  assert.equal(got.msg, 'a\uD800');
  assert.equal(got.hostname, '\uDC00b');
  assert.equal(got.procid, '\uDFFF');
});

test('decodeMessage refuses truncated, extended and unknown-version buffers with LW_ERR_QUEUE_CODEC', () => {
  const m = new Message(Buffer.from('<13>hello'), origin, SyslogTime.now());
  m.msg = 'hello';
  m.json = { a: 1 };
  const enc = encodeMessage(m);
  for (let n = 0; n < enc.length; n++) {
    assert.throws(() => decodeMessage(enc.subarray(0, n)), (e: unknown) => e instanceof CodecError && e.code === 'LW_ERR_QUEUE_CODEC' || e instanceof SyntaxError);
  }
  assert.throws(() => decodeMessage(Buffer.concat([enc, Buffer.from([0])])), CodecError);
  const v2 = Buffer.from(enc);
  v2[0] = 99;
  assert.throws(() => decodeMessage(v2), /version 99/);
});

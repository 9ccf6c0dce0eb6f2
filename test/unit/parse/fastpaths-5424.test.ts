// RFC 5424 fast paths: the vectorised STRUCTURED-DATA end search (sdEnd) gives exactly what rsyslog's byte walk
// gives (the walk is kept here as the reference), on the string and Buffer paths, for any mix of '[', ']', '\',
// SP; a timestamp whose received text is kept prints exactly as formatting its fields would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sdEnd } from '../../../src/parse/rfc5424';
import { scanRfc3339 } from '../../../src/parse/timestamp';
import { formatRfc3339, SyslogTime } from '../../../src/time';

const OPEN = 0x5b;
const CLOSE = 0x5d;
const BACKSLASH = 0x5c;
const SP = 0x20;

/** rsyslog pmrfc5424's walk over an SD starting with '[' at `start` (the code sdEnd replaced). */
function walk(buf: Buffer, start: number): number {
  let pos = start;
  let len = buf.length - start;
  for (;;) {
    if (len < 2) {
      if (len > 0 && buf[pos] === CLOSE) pos++;
      break;
    }
    const ch = buf[pos];
    if (ch === BACKSLASH && buf[pos + 1] === CLOSE) { pos += 2; len -= 2; }
    else if (ch === CLOSE && buf[pos + 1] === SP) { pos++; break; }
    else { pos++; len--; }
  }
  return pos;
}

const sdText = fc.array(fc.constantFrom('[', ']', '\\', ' ', 'a', '"', '=', '] ', '\\]', '\\\\'), { maxLength: 30 }).map((xs) => xs.join(''));

test('sdEnd equals the byte walk on the string and Buffer paths (property)', () => {
  fc.assert(fc.property(fc.string({ maxLength: 5 }).map((s) => s.replace(/[^ -~]/g, 'x')), sdText, (prefix, rest) => {
    const text = `${prefix}[${rest}`;
    const buf = Buffer.from(text, 'latin1');
    const start = prefix.length;
    assert.equal(buf[start], OPEN);
    const want = walk(buf, start);
    assert.equal(sdEnd(buf, start, text), want, JSON.stringify(text));
    assert.equal(sdEnd(buf, start, null), want, JSON.stringify(text));
  }), { numRuns: 5000 });
});

test('sdEnd edge cases', () => {
  for (const text of ['[', '[]', '[a', '[a]', '[a] ', '[a\\] b] c', '[a\\]', '[a\\\\] b', '[x][y] m', '[x] ', '[] ']) {
    const buf = Buffer.from(text, 'latin1');
    assert.equal(sdEnd(buf, 0, text), walk(buf, 0), JSON.stringify(text));
    assert.equal(sdEnd(buf, 0, null), walk(buf, 0), JSON.stringify(text));
  }
});

const d2 = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map((v) => String(v).padStart(2, '0'));
const timestamp = fc.tuple(
  fc.constantFrom('2026', '1999', '0001', '9999', '26'), fc.constantFrom('01', '11', '12', '1', '13'), d2(0, 32), d2(0, 24), d2(0, 60), d2(0, 61),
  fc.constantFrom('', '.', '.0', '.003', '.123456', '.12345678', '.123456789', '.1234567890', '.00000000'),
  fc.constantFrom('Z', 'z', '+00:00', '-00:00', '-07:00', '+05:30', '+5:30', '+05:3', '+23:59', '+24:00', '-12:60', ''),
).map(([y, mo, d, h, mi, s, frac, zone]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${zone}`);

test('a kept RFC 3339 text prints as the formatted fields would (property)', () => {
  let kept = 0;
  fc.assert(fc.property(timestamp, fc.constantFrom('', ' rest'), (ts, tail) => {
    const text = ts + tail;
    const buf = Buffer.from(text, 'latin1');
    const t = scanRfc3339(buf, { pos: 0, len: buf.length }, true, text);
    const plain = scanRfc3339(buf, { pos: 0, len: buf.length }, true, null);
    assert.equal(t === null, plain === null);
    if (t === null || plain === null) return;
    assert.equal(plain.rfc3339Text, null);
    if (t.rfc3339Text !== null) kept++;
    assert.equal(formatRfc3339(t), formatRfc3339(plain), text);
    assert.deepEqual(t, plain); // the kept text is private: no effect on equality
    const copy = new SyslogTime(t.year, t.month, t.day, t.hour, t.minute, t.second, t.secfrac, t.secfracPrecision, t.offsetMinutes, t.source);
    copy.zulu = t.zulu;
    assert.equal(formatRfc3339(copy), formatRfc3339(t));
  }), { numRuns: 5000 });
  assert.ok(kept > 100, `kept ${kept}`);
});

// The vectorised STRUCTURED-DATA end search (sdEnd) gives exactly what rsyslog's byte walk gives (the walk is
// kept here as the reference), on the string path and on the Buffer path, for any mix of '[', ']', '\', SP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sdEnd } from '../../../src/parse/rfc5424';

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

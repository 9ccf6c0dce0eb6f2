// Unit tests for the RFC 6587 framer: chunking invariance, both framings, truncation, garbage.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { FramerOptions, StreamFramer } from '../../src/framing/stream-framer';

function frames(chunks: Buffer[], opts: Partial<FramerOptions> = {}): { out: string[]; f: StreamFramer } {
  const out: string[] = [];
  const f = new StreamFramer({ onFrame: (b) => out.push(b.toString('latin1')) }, opts);
  for (const c of chunks) f.push(c);
  f.flush();
  return { out, f };
}
const b = (s: string): Buffer => Buffer.from(s, 'latin1');

test('LF framing, octet counting and mixed framings on one connection', () => {
  const { out } = frames([b('<13>a\n9 <13>b\nc d\n<13>e\n')]);
  assert.deepEqual(out, ['<13>a', '<13>b\nc d', '<13>e']);
});

test('a final frame without LF is delivered at end of stream; empty lines are dropped', () => {
  assert.deepEqual(frames([b('\n\nx\n\nlast')]).out, ['x', 'last']);
});

test('an incomplete octet-counted frame at end of stream is dropped and counted', () => {
  const { out, f } = frames([b('10 abc')]);
  assert.deepEqual(out, []);
  assert.equal(f.framingErrors, 1);
});

test('CR is kept in the frame and NUL is no delimiter by default; extraDelimiter=0 makes it one', () => {
  assert.deepEqual(frames([b('a\r\nb\x00c\n')]).out, ['a\r', 'b\x00c']);
  assert.deepEqual(frames([b('a\x00b\nc')], { extraDelimiter: 0 }).out, ['a', 'b', 'c']);
});

test('oversize LF frame is truncated and the rest skipped, stream stays in sync', () => {
  const { out, f } = frames([b('abcdefghijklm\nnext\n')], { maxMessageSize: 5, discardTruncated: true });
  assert.deepEqual(out, ['abcde', 'next']);
  assert.equal(f.truncated, 1);
});

test('oversize octet frame is truncated and its remaining octets skipped', () => {
  const { out, f } = frames([b('12 0123456789\n\n7 <13>abc')], { maxMessageSize: 4, discardTruncated: true });
  assert.deepEqual(out, ['0123', '<13>']);
  assert.equal(f.truncated, 2);
});

test('split mode delivers the rest of an oversize frame as more frames, losing the byte at the split (rsyslog)', () => {
  assert.deepEqual(frames([b('abcdefg\n')], { maxMessageSize: 3, discardTruncated: false }).out, ['abc', 'efg']);
});

test('invalid octet counts fall back to LF framing like rsyslog (digits kept, separator dropped)', () => {
  // count 0: LF framing; "0" stays, the SP separator is consumed
  assert.deepEqual(frames([b('0 hello\nok\n')]).out, ['0hello', 'ok']);
  // absurd count (> maxFrameSize): same fallback
  assert.deepEqual(frames([b('999999999 x\n')]).out, ['999999999x']);
  // the kept digits count against maxMessageSize too
  assert.deepEqual(frames([b('0123456789 x\nok\n')], { maxMessageSize: 4 }).out, ['0123', 'ok']);
  // "12a": count 12 with a bad separator, which is consumed
  const r = frames([b('5a<13>x\n')]);
  assert.deepEqual(r.out, ['<13>x']);
  assert.equal(r.f.framingErrors, 1);
});

test('octet counting off: a leading digit is just text', () => {
  assert.deepEqual(frames([b('5 <13>x\n')], { octetCounting: false }).out, ['5 <13>x']);
});

test('frames within one chunk are zero-copy views of it', () => {
  const chunk = b('<13>a\n<13>b\n');
  const got: Buffer[] = [];
  const f = new StreamFramer({ onFrame: (x) => got.push(x) });
  f.push(chunk);
  assert.equal(got.length, 2);
  assert.equal(got[0].buffer, chunk.buffer);
  assert.equal(got[1].byteOffset, chunk.byteOffset + 6);
});

test('property: splitting the input at random points yields the same frames', () => {
  const frameArb = fc.oneof(
    fc.string({ maxLength: 30 }).map((s) => s.replace(/[\n0-9]/g, 'x') + '\n'),
    fc.uint8Array({ maxLength: 40 }).map((u) => `${u.length} ${Buffer.from(u).toString('latin1')}`),
    fc.constantFrom('0 z\n', '12a', 'junk', '\n', '9999999999 q\n'),
  );
  fc.assert(fc.property(fc.array(frameArb, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 8 }), fc.integer({ min: 3, max: 50 }),
    (parts, cuts, max) => {
      const whole = b(parts.join(''));
      const points = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((x, y) => x - y);
      const chunks: Buffer[] = [];
      let prev = 0;
      for (const p of points) { chunks.push(whole.subarray(prev, p)); prev = p; }
      chunks.push(whole.subarray(prev));
      const a = frames([whole], { maxMessageSize: max });
      const c = frames(chunks, { maxMessageSize: max });
      assert.deepEqual(c.out, a.out);
      assert.equal(c.f.truncated, a.f.truncated);
      for (const fr of a.out) assert.ok(fr.length <= max);
    }), { numRuns: 300 });
});

// ByteBatch's line bookkeeping: after a partial write of `written` bytes, wholeLines() names exactly the lines
// that are entirely in the file (what omfile keeps, and where it cuts a torn line), for any text, multi-byte
// characters included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteBatch, wholeLines } from '../../src/actions/byte-batch';

test('wholeLines counts the lines wholly inside any prefix of the batch (property, UTF-8 of every width)', () => {
  const batch = new ByteBatch();
  fc.assert(fc.property(
    fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => s + '\n'), { minLength: 0, maxLength: 80 }),
    fc.double({ min: 0, max: 1, noNaN: true }),
    (lines, frac) => {
      batch.reset();
      for (const l of lines) batch.add(l);
      const buf = batch.finish();
      const written = Math.floor(buf.length * frac);
      let lineCount = 0;
      let bytes = 0;
      for (const l of lines) {
        const n = Buffer.byteLength(l, 'utf8');
        if (bytes + n > written) break;
        bytes += n;
        lineCount++;
      }
      assert.deepEqual(wholeLines(buf, batch.lens, written), { lines: lineCount, bytes });
      assert.deepEqual(wholeLines(buf, batch.lens, buf.length), { lines: lines.length, bytes: buf.length });
    },
  ), { numRuns: 300 });
});

test('wholeLines: a write that stopped inside a 4-byte character keeps only the lines before it', () => {
  const batch = new ByteBatch();
  batch.add('ab\n');
  batch.add('\u{1F600}x\n'); // 4 + 1 + 1 bytes, 3 UTF-16 units
  const buf = batch.finish();
  assert.equal(buf.length, 9);
  assert.deepEqual(wholeLines(buf, batch.lens, 5), { lines: 1, bytes: 3 });
  assert.deepEqual(wholeLines(buf, batch.lens, 9), { lines: 2, bytes: 9 });
  assert.deepEqual(wholeLines(buf, batch.lens, 0), { lines: 0, bytes: 0 });
});

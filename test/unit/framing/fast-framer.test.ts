// The stream framer (chunk slicing, octet-count fast path: no copy of a valid count's digits, the frame read in
// the same step) against a byte-at-a-time model of the same rules (framer-model.ts): same frames, same errors,
// same counters, held bytes and idle state after every chunk, on random mixes of valid, zero, oversize and
// unterminated counts, LF frames, any chunking and options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FramerOptions, StreamFramer } from '../../../src/framing/stream-framer';
import { FramerModel } from './framer-model';

interface Framer {
  push(chunk: Buffer): void;
  flush(): void;
  frames: number;
  truncated: number;
  framingErrors: number;
  bufferedBytes: number;
  idle: boolean;
}

function trace(make: (h: { onFrame(f: Buffer): void; onFramingError(c: string, d: string): void }) => Framer, chunks: Buffer[], flush: boolean): string[] {
  const out: string[] = [];
  const f = make({ onFrame: (b) => out.push('F ' + b.toString('hex')), onFramingError: (c, d) => out.push(`E ${c} ${d}`) });
  for (const c of chunks) {
    f.push(c);
    out.push(`held ${f.bufferedBytes} ${f.idle}`);
  }
  if (flush) f.flush();
  out.push(`n ${f.frames} ${f.truncated} ${f.framingErrors} ${f.bufferedBytes} ${f.idle}`);
  return out;
}

const piece = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 30 }).map((u) => `${u.length} ${Buffer.from(u).toString('latin1')}`),
  fc.uint8Array({ minLength: 1, maxLength: 30 }).map((u) => `${u.length + 3} ${Buffer.from(u).toString('latin1')}`),
  fc.string({ maxLength: 20 }).map((s) => s + '\n'),
  fc.constantFrom('0 z\n', '00012 ', '12a', '7x', '\n', '9999999999 q\n', '300 ', '1', ' ', '3 abc', '\x00'),
);

test('property: the stream framer frames exactly as the byte-at-a-time model', () => {
  fc.assert(fc.property(
    fc.array(piece, { maxLength: 16 }),
    fc.array(fc.nat(), { maxLength: 10 }),
    fc.record({
      maxMessageSize: fc.integer({ min: 4, max: 64 }),
      discardTruncated: fc.boolean(),
      octetCounting: fc.boolean(),
      maxFrameSize: fc.integer({ min: 1, max: 400 }),
      extraDelimiter: fc.constantFrom(-1, 0),
    }),
    fc.boolean(),
    (pieces, cuts, opts: FramerOptions, flush) => {
      const input = Buffer.from(pieces.join(''), 'latin1');
      const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
      const chunks: Buffer[] = [];
      let last = 0;
      for (const p of [...points, input.length]) {
        chunks.push(input.subarray(last, p));
        last = p;
      }
      const got = trace((h) => new StreamFramer(h, opts), chunks, flush);
      const want = trace((h) => new FramerModel(h, opts), chunks, flush);
      assert.deepEqual(got, want);
    },
  ), { numRuns: 3000 });
});

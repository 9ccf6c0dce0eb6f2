// Hostile input to the stream framer (issue #21): an octet count that never ends, tiny pieces, long LF frames.
// What the framer holds for one connection stays bounded by maxMessageSize whatever the bytes and chunking.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LW_ERR_FRAMING, LW_ERR_OVERSIZE, StreamFramer, type FramerOptions } from '../../../src/framing/stream-framer';

function framer(opts: Partial<FramerOptions> = {}): { f: StreamFramer; frames: string[]; errors: string[] } {
  const frames: string[] = [];
  const errors: string[] = [];
  const f = new StreamFramer({ onFrame: (b) => frames.push(b.toString('latin1')), onFramingError: (c) => errors.push(c) }, opts);
  return { f, frames, errors };
}

test('10 MB of digits without a separator: held bytes stay ≤ maxMessageSize, one framing error', () => {
  const { f, frames, errors } = framer({ maxMessageSize: 1000 });
  const chunk = Buffer.alloc(65536, '7');
  let most = 0;
  for (let i = 0; i < 160; i++) {
    f.push(chunk);
    most = Math.max(most, f.bufferedBytes);
  }
  assert.ok(most <= 1000, `held ${most} bytes`);
  assert.deepEqual(errors, [LW_ERR_FRAMING]);
  assert.deepEqual(frames, []);
  // The separator ends the count: the kept digits become one truncated LF frame, then the stream is in sync.
  f.push(Buffer.from(' tail\n<13>ok\n'));
  assert.equal(frames.length, 3);
  assert.equal(frames[0], '7'.repeat(1000));
  assert.equal(frames[1], 'ail'); // split mode: the byte at the split is lost, as rsyslog
  assert.equal(frames[2], '<13>ok');
  assert.deepEqual(errors, [LW_ERR_FRAMING, LW_ERR_OVERSIZE]);
});

test('a count just above MaxFrameSize is one framing error, read as an LF frame (as before)', () => {
  const { f, frames, errors } = framer({ maxFrameSize: 100 });
  f.push(Buffer.from('101 abc\n5 <13>x'));
  assert.deepEqual(frames, ['101abc', '<13>x']);
  assert.deepEqual(errors, [LW_ERR_FRAMING]);
});

test('leading zeros are not a long count (rsyslog accepts them)', () => {
  const { f, frames, errors } = framer({ maxFrameSize: 100 });
  f.push(Buffer.from('0000000005 <13>x'));
  assert.deepEqual(frames, ['<13>x']);
  assert.deepEqual(errors, []);
});

test('1-byte reads of a long LF frame: held bytes bounded and no read buffer pinned per byte', () => {
  const { f, frames } = framer({ maxMessageSize: 64, discardTruncated: true });
  for (let i = 0; i < 10_000; i++) {
    const big = Buffer.alloc(4096, 'a'); // a read buffer larger than what it carries
    f.push(big.subarray(0, 1));
    assert.ok(f.bufferedBytes <= 64);
  }
  f.push(Buffer.from('\n<13>y\n'));
  assert.deepEqual(frames, ['a'.repeat(64), '<13>y']);
});

test('property: any digit run, any chunking, either mode: held ≤ maxMessageSize, ≤ 1 count error, resync after LF', () => {
  fc.assert(fc.property(
    fc.integer({ min: 7, max: 30_000 }), // 9999999 > MaxFrameSize: never a valid count
    fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 20 }),
    fc.boolean(),
    fc.constantFrom(' ', 'x', '\n'),
    (digits, cuts, discard, sep) => {
      const maxMessageSize = 512;
      const { f, frames, errors } = framer({ maxMessageSize, discardTruncated: discard });
      const data = Buffer.concat([Buffer.alloc(digits, '9'), Buffer.from(`${sep}junk\n<13>end\n`)]);
      let at = 0;
      let k = 0;
      while (at < data.length) {
        const len = cuts[k++ % cuts.length];
        f.push(data.subarray(at, at + len));
        at += len;
        if (f.bufferedBytes > maxMessageSize) return false;
      }
      const countErrors = errors.filter((e) => e === LW_ERR_FRAMING).length;
      return countErrors <= 1 && frames[frames.length - 1] === '<13>end' && frames.every((x) => x.length <= maxMessageSize);
    },
  ), { numRuns: 300 });
});

test('as rsyslogd 8.2302 (checked over imtcp): 20,000 digits, SP, text → the first 8096 digits, then in sync', () => {
  // rsyslogd wrote "[" + 8096 × "9" + "]" then "[<13>Jan  2 03:04:05 h app: after2]" for this input, and
  // "1234567890123456789012345tail one" for a 25-digit count (digits kept, separator dropped).
  const a = framer({ maxMessageSize: 8096 });
  a.f.push(Buffer.concat([Buffer.alloc(20_000, '9'), Buffer.from(' x\n<13>Jan  2 03:04:05 h app: after2\n')]));
  assert.deepEqual(a.frames, ['9'.repeat(8096), '<13>Jan  2 03:04:05 h app: after2']);
  const b = framer({ maxMessageSize: 8096 });
  b.f.push(Buffer.from('1234567890123456789012345 tail one\n<13>Jan  2 03:04:05 h app: after\n'));
  assert.deepEqual(b.frames, ['1234567890123456789012345tail one', '<13>Jan  2 03:04:05 h app: after']);
});

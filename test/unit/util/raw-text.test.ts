// Lossless byte decoding: invalid UTF-8 survives decode → encode unchanged, valid UTF-8 is decoded as usual.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeRaw, encodeRaw, rawByteLength, sliceBytes, wellFormed } from '../../../src/util/raw-text';

test('valid UTF-8 decodes exactly as Buffer#toString', () => {
  const b = Buffer.from('héllo € 😀 \ufffd', 'utf8');
  assert.equal(decodeRaw(b), b.toString('utf8'));
});

test('invalid bytes become U+DC80..U+DCFF and encode back to themselves', () => {
  const b = Buffer.from([0x61, 0xff, 0xfe, 0x63, 0x61, 0x66, 0xe9, 0x20, 0xc3, 0xa9, 0xe2, 0x82]);
  const s = decodeRaw(b);
  assert.equal(s, 'a\udcff\udcfecaf\udce9 é\udce2\udc82');
  assert.deepEqual(encodeRaw(s), b);
  assert.equal(rawByteLength(s), b.length);
  assert.equal(wellFormed(s), 'a\ufffd\ufffdcaf\ufffd é\ufffd\ufffd');
});

test('an encoded surrogate (ED B2 80) is invalid UTF-8 and round-trips', () => {
  const b = Buffer.from([0xed, 0xb2, 0x80, 0x41]);
  assert.deepEqual(encodeRaw(decodeRaw(b)), b);
});

test('any byte string round-trips (property)', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (a) => {
    const b = Buffer.from(a);
    assert.deepEqual(encodeRaw(decodeRaw(b)), b);
  }), { numRuns: 2000 });
});

test('sliceBytes cuts inside a character and keeps its bytes', () => {
  const s = 'éé€';
  assert.deepEqual(encodeRaw(sliceBytes(s, 1, 4)), Buffer.from([0xa9, 0xc3, 0xa9]));
  assert.equal(sliceBytes('abcdef', 1, 3), 'bc');
});

test('the hand encoder equals Buffer.from for any well-formed text next to an escaped byte (property)', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.integer({ min: 0x80, max: 0xff }), (s: string, byte: number) => {
    const withEscape = s + String.fromCharCode(0xdc00 | byte) + s;
    assert.deepEqual(encodeRaw(withEscape), Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([byte]), Buffer.from(s, 'utf8')]));
  }), { numRuns: 2000 });
});

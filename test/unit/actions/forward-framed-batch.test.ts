// omfwd's batch framing (one Buffer per batch) against framing each message on its own (frameMessage of
// encodeRaw), for both framings and ASCII delimiters, on any text: non-ASCII, escaped raw bytes (U+DC80..DCFF),
// lone surrogates, empty messages, messages already ending with the delimiter; and a reused framer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FramedBatch, frameMessage, type Framing } from '../../../src/actions/forward';
import { encodeRaw } from '../../../src/util/raw-text';

const char = fc.oneof(
  fc.constantFrom('a', ' ', '\n', '\0', '\x7f', 'é', '€', '😀', '\ud800', '\udfff', '\udc80', '\udcff', '\udcbd', '\r'),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
);
const text = fc.array(char, { maxLength: 12 }).map((a) => a.join(''));

test('property: a framed batch is the concatenation of the messages framed one by one', () => {
  fc.assert(fc.property(
    fc.array(fc.array(text, { maxLength: 40 }), { minLength: 1, maxLength: 3 }),
    fc.constantFrom<Framing>('traditional', 'octet-counted'),
    fc.constantFrom(0x0a, 0x00, 0x0d, 0x7f, 0x20),
    (batches, framing, delimiter) => {
      const framer = new FramedBatch(framing, delimiter);
      for (const texts of batches) {
        const want = Buffer.concat(texts.map((t) => frameMessage(encodeRaw(t), framing, delimiter)));
        assert.deepEqual(framer.frame(texts), want);
      }
    },
  ), { numRuns: 1000 });
});

test('property: mostly ASCII batches with now and then a multibyte, escaped, lone-surrogate or delimiter-ended text', () => {
  const ascii = fc.array(fc.constantFrom('a', ' ', '<', '1', '\x7f', '\0'), { maxLength: 30 }).map((a) => a.join(''));
  const odd = fc.constantFrom('é', '€', '😀', '\udc80', '\udcff', '\ud800', 'a\udfffb', 'x\n', '\n', 'y\r', '\0', 'a\udc8a');
  const batch = fc.array(fc.oneof({ weight: 20, arbitrary: ascii }, { weight: 1, arbitrary: odd }), { minLength: 1, maxLength: 30 });
  fc.assert(fc.property(
    fc.array(batch, { minLength: 1, maxLength: 40 }),
    fc.constantFrom<Framing>('traditional', 'octet-counted'),
    fc.constantFrom(0x0a, 0x00, 0x0d, 0x20),
    (batches, framing, delimiter) => {
      // reused: framed without looking, then exactly after a miss, then without looking again
      const framer = new FramedBatch(framing, delimiter);
      for (const texts of batches) {
        assert.deepEqual(framer.frame(texts), Buffer.concat(texts.map((t) => frameMessage(encodeRaw(t), framing, delimiter))));
      }
    },
  ), { numRuns: 400 });
});

test('a batch bigger than the initial buffer is framed whole', () => {
  const texts = Array.from({ length: 3000 }, (_, i) => `<13>message ${i} ${'x'.repeat(i % 300)}`);
  const framer = new FramedBatch('octet-counted');
  assert.deepEqual(framer.frame(texts), Buffer.concat(texts.map((t) => frameMessage(encodeRaw(t), 'octet-counted'))));
  assert.ok(!FramedBatch.supports(0x80) && FramedBatch.supports(0x0a));
});

// CRC32C against the iSCSI test vectors of RFC 3720 appendix B.4 and the usual "123456789" check value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c } from '../../../src/queue/disk/crc32c';

/** Bit-at-a-time reference, to cross-check the slice-by-8 tables on random input. */
function slow(buf: Uint8Array): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

const PDU = Buffer.from([
  0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
  0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
]);

const VECTORS: Array<[string, Buffer, number]> = [
  ['RFC 3720 B.4: 32 bytes of zeros', Buffer.alloc(32, 0), 0x8a9136aa],
  ['RFC 3720 B.4: 32 bytes of 0xFF', Buffer.alloc(32, 0xff), 0x62a8ab43],
  ['RFC 3720 B.4: 32 incrementing bytes', Buffer.from(Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e],
  ['RFC 3720 B.4: 32 decrementing bytes', Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c],
  ['RFC 3720 B.4: iSCSI read (10) command PDU', PDU, 0xd9963a56],
  ['check value "123456789"', Buffer.from('123456789'), 0xe3069283],
  ['empty', Buffer.alloc(0), 0],
];

for (const [name, buf, want] of VECTORS) {
  test(`crc32c ${name}`, () => {
    assert.equal(crc32c(buf), want);
    assert.equal(slow(buf), want);
  });
}

test('crc32c: chained pieces and every length/offset agree with the bitwise reference', () => {
  const data = Buffer.alloc(300);
  for (let i = 0; i < data.length; i++) data[i] = (i * 131 + 7) & 0xff;
  for (let start = 0; start < 9; start++) {
    for (let end = start; end <= data.length; end += 7) {
      const want = slow(data.subarray(start, end));
      assert.equal(crc32c(data, start, end), want);
      const mid = (start + end) >> 1;
      assert.equal(crc32c(data, mid, end, crc32c(data, start, mid)), want);
    }
  }
});

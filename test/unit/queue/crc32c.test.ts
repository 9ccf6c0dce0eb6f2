// CRC32C against the iSCSI test vectors of RFC 3720 appendix B.4 and the usual "123456789" check value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { crc32c, crc32cJs, nativeCrc } from '../../../src/queue/disk/crc32c';
import { HDR, sealRecord } from '../../../src/queue/disk/format';

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
    assert.equal(crc32cJs(buf), want);
    if (nativeCrc) assert.equal(nativeCrc.crc32c(buf, 0, buf.length, 0), want);
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

const noAddon = nativeCrc === null ? 'the addon native/lw_crc32c.c is not built here (scripts/build-native.mjs printed why)' : false;

test('addon: any bytes, range and starting CRC give what the JavaScript tables give (property)', { skip: noAddon }, () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(), fc.nat(), fc.nat({ max: 0xffffffff }), (data, a, b, init) => {
    const start = data.length === 0 ? 0 : a % (data.length + 1);
    const end = start + (data.length === 0 ? 0 : b % (data.length - start + 1));
    assert.equal(nativeCrc!.crc32c(data, start, end, init), crc32cJs(data, start, end, init));
  }), { numRuns: 2000 });
});

test('addon: sealRun fills every record of a run as sealRecord does, and refuses a record past the end', { skip: noAddon }, () => {
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 400 }), { maxLength: 40 }), (payloads) => {
    const total = payloads.reduce((n, p) => n + HDR + p.length, 0);
    const a = Buffer.alloc(total);
    let o = 0;
    for (const p of payloads) {
      a.writeUInt32LE(p.length, o + 8);
      a.writeUInt32LE(o, o + 12); // any header bytes: they are under the CRC too
      Buffer.from(p).copy(a, o + HDR);
      o += HDR + p.length;
    }
    const b = Buffer.from(a);
    o = 0;
    for (const p of payloads) {
      sealRecord(a, o, p.length);
      o += HDR + p.length;
    }
    // sealRecord itself goes through crc32c(); compare with the JavaScript tables directly as well
    o = 0;
    for (const p of payloads) {
      assert.equal(a.readUInt32LE(o + 4), crc32cJs(a, o + 8, o + HDR + p.length));
      o += HDR + p.length;
    }
    assert.equal(nativeCrc!.sealRun(b), payloads.length);
    assert.deepEqual(b, a);
  }), { numRuns: 300 });
  const bad = Buffer.alloc(HDR + 10);
  bad.writeUInt32LE(11, 8);
  assert.throws(() => nativeCrc!.sealRun(bad), RangeError);
  assert.throws(() => nativeCrc!.crc32c(bad, 5, HDR + 11, 0), RangeError);
  assert.throws(() => nativeCrc!.crc32c(bad, 5, 4, 0), RangeError);
  assert.throws(() => nativeCrc!.crc32c('x' as unknown as Uint8Array, 0, 1, 0), TypeError);
});

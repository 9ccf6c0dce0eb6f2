// The batch stream of the recvmmsg helper (src/inputs/udp-batch.ts): random batches encoded and cut into random
// pipe reads decode to the same datagrams in order; IPv6 sources print as RFC 5952 text (checked against the
// URL parser's serializer), IPv4-mapped ones as IPv4.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { UdpBatchDecoder, encodeControlFrame, encodeUdpFrame, ipv6Text, type EncodedDatagram } from '../../../src/inputs/udp-batch';

interface Got { data: string; ip: string; truncated: boolean; timeMs: number; port: number }

function decodeAll(stream: Buffer, cuts: number[]): { got: Got[]; controls: string[]; pending: number } {
  const dec = new UdpBatchDecoder();
  const got: Got[] = [];
  const controls: string[] = [];
  const h = {
    datagram: (data: Buffer, ip: string, truncated: boolean, timeMs: number, port: number) => got.push({ data: data.toString('hex'), ip, truncated, timeMs, port }),
    control: (t: string) => controls.push(t),
  };
  let at = 0;
  for (const c of [...new Set(cuts.map((x) => x % (stream.length + 1)))].sort((a, b) => a - b)) {
    dec.push(stream.subarray(at, c), h);
    at = c;
  }
  dec.push(stream.subarray(at), h);
  return { got, controls, pending: dec.pending };
}

const v4Text = (a: Buffer): string => `${a[0]}.${a[1]}.${a[2]}.${a[3]}`;
/** Reference IPv6 text: WHATWG URL host serialization (RFC 5952 compression, lower case). */
function refV6(a: Buffer): string {
  if (a.subarray(0, 10).every((x) => x === 0) && a.readUInt16BE(10) === 0xffff) return v4Text(a.subarray(12));
  const groups = Array.from({ length: 8 }, (_, k) => a.readUInt16BE(2 * k).toString(16)).join(':');
  return new URL(`http://[${groups}]/`).hostname.slice(1, -1);
}

const datagram = fc.record({
  data: fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u)),
  port: fc.integer({ min: 0, max: 65535 }),
  v6: fc.boolean(),
  // sparse addresses so that zero runs (and :: compression) are common
  address: fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 255 })), { minLength: 16, maxLength: 16 }),
  mapped: fc.boolean(),
  truncated: fc.boolean(),
}).map((d): EncodedDatagram => {
  const address = Buffer.from(d.address);
  if (d.v6 && d.mapped) {
    address.fill(0, 0, 10);
    address.writeUInt16BE(0xffff, 10);
  }
  return { data: d.data, port: d.port, family: d.v6 ? 6 : 4, address: d.v6 ? address : address.subarray(0, 4), truncated: d.truncated };
});

describe('udp batch decoder', () => {
  it('random batches, cut anywhere, decode to the same datagrams in order (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.array(datagram, { minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 2 ** 45 })), { minLength: 1, maxLength: 6 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      fc.boolean(),
      (frames, cuts, withControl) => {
        const parts = frames.map(([ds, t]) => encodeUdpFrame(ds, t));
        if (withControl) parts.unshift(encodeControlFrame('ok 0.0.0.0 514\nend\n', 1));
        const { got, controls, pending } = decodeAll(Buffer.concat(parts), cuts);
        const want: Got[] = frames.flatMap(([ds, t]) => ds.map((d) => ({
          data: d.data.toString('hex'),
          ip: d.family === 4 ? v4Text(d.address) : refV6(d.address),
          truncated: d.truncated,
          timeMs: t,
          port: d.port,
        })));
        assert.deepEqual(got, want);
        assert.deepEqual(controls, withControl ? ['ok 0.0.0.0 514\nend\n'] : []);
        assert.equal(pending, 0);
      }), { numRuns: 300 });
  });

  it('an incomplete tail is held until the rest arrives', () => {
    const frame = encodeUdpFrame([{ data: Buffer.from('hello'), port: 5, family: 4, address: Buffer.from([10, 0, 0, 1]), truncated: false }], 1234);
    const dec = new UdpBatchDecoder();
    const got: string[] = [];
    const h = { datagram: (d: Buffer, ip: string) => got.push(`${ip} ${d.toString()}`), control: () => undefined };
    dec.push(frame.subarray(0, frame.length - 1), h);
    assert.deepEqual(got, []);
    assert.equal(dec.pending, frame.length - 1 - 16); // the frame header is consumed, the datagram waits
    dec.push(frame.subarray(frame.length - 1), h);
    assert.deepEqual(got, ['10.0.0.1 hello']);
    assert.equal(dec.pending, 0);
  });

  it('IPv6 text: RFC 5952 forms', () => {
    const a = (s: string): Buffer => {
      const g = new URL(`http://[${s}]/`).hostname.slice(1, -1);
      const parts = g.split('::');
      const head = parts[0] ? parts[0].split(':') : [];
      const tail = parts.length > 1 && parts[1] ? parts[1].split(':') : [];
      const all = parts.length > 1 ? [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail] : head;
      const b = Buffer.alloc(16);
      all.forEach((x, k) => b.writeUInt16BE(parseInt(x, 16), 2 * k));
      return b;
    };
    assert.equal(ipv6Text(a('::1')), '::1');
    assert.equal(ipv6Text(a('::')), '::');
    assert.equal(ipv6Text(a('2001:db8:0:0:1:0:0:1')), '2001:db8::1:0:0:1');
    assert.equal(ipv6Text(a('2001:db8:0:1:1:1:1:1')), '2001:db8:0:1:1:1:1:1');
    assert.equal(ipv6Text(a('fe80::abcd')), 'fe80::abcd');
    assert.equal(ipv6Text(a('::ffff:192.0.2.7')), '192.0.2.7');
  });
});

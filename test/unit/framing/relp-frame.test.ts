// RELP frame parser: frames as librelp sends them, split at any byte (property test), bad numbers/commands/
// trailers → RelpFrameError, oversize DATA truncated (bounded memory) or aborting; encoder round trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeFrame, LW_ERR_RELP_FRAME, MAX_TXNR, nextTxnr, parseOffers, parseRsp, RelpFrameError, RelpFrameParser, type RelpFrame } from '../../../src/relp/frame';

function parse(chunks: Buffer[], max = 1024, oversize: 'truncate' | 'abort' = 'truncate'): RelpFrame[] {
  const out: RelpFrame[] = [];
  const p = new RelpFrameParser({ onFrame: (f) => out.push({ ...f, data: Buffer.from(f.data) }) }, max, oversize);
  for (const c of chunks) p.push(c);
  return out;
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

test('frames exactly as rsyslog omrelp and imrelp send them', () => {
  const wire = '1 open 86 relp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog\n'
    + '2 syslog 43 <13>2026-01-02T03:04:05+00:00 h1 app: hello\n4 close 0\n4 rsp 0\n0 serverclose 0\n2 rsp 6 200 OK\n';
  const f = parse([b(wire)]);
  assert.deepEqual(f.map((x) => [x.txnr, x.command, x.data.toString('latin1')]), [
    [1, 'open', 'relp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog'],
    [2, 'syslog', '<13>2026-01-02T03:04:05+00:00 h1 app: hello'],
    [4, 'close', ''], [4, 'rsp', ''], [0, 'serverclose', ''], [2, 'rsp', '200 OK'],
  ]);
  assert.equal(f[1].dataLen, 43);
  assert.equal(f[1].truncated, false);
});

test('DATA may contain LF and spaces: only DATALEN delimits it', () => {
  const f = parse([encodeFrame(7, 'syslog', 'a\nb c\n\n')]);
  assert.equal(f[0].data.toString(), 'a\nb c\n\n');
});

test('any split of a frame sequence yields the same frames (fast-check)', () => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.integer({ min: 0, max: MAX_TXNR }), fc.constantFrom('syslog', 'rsp', 'open', 'close', 'x'), fc.uint8Array({ maxLength: 300 })), { minLength: 1, maxLength: 8 }),
    fc.array(fc.nat(), { maxLength: 12 }),
    (frames, cuts) => {
      const wire = Buffer.concat(frames.map(([t, c, d]) => encodeFrame(t, c, Buffer.from(d))));
      const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((x, y) => x - y);
      const chunks: Buffer[] = [];
      let prev = 0;
      for (const p of points) { chunks.push(wire.subarray(prev, p)); prev = p; }
      chunks.push(wire.subarray(prev));
      const got = parse(chunks, 1024);
      assert.deepEqual(got.map((f) => [f.txnr, f.command, [...f.data]]), frames.map(([t, c, d]) => [t, c, [...d]]));
    },
  ), { numRuns: 300 });
});

const BAD: Array<[string, string]> = [
  ['letter in txnr', '1a syslog 1 x\n'],
  ['10-digit txnr', '1234567890 syslog 1 x\n'],
  ['empty txnr', ' syslog 1 x\n'],
  ['digit in command', '1 sys1og 1 x\n'],
  ['33-letter command', `1 ${'a'.repeat(33)} 0\n`],
  ['no DATALEN', '1 syslog x\n'],
  ['10-digit DATALEN', '1 syslog 1234567890 x\n'],
  ['DATALEN too small (trailer not LF)', '1 syslog 2 abc\n'],
  ['DATALEN 0 then data', '1 syslog 0 x\n'],
  ['HTTP on the port', 'GET / HTTP/1.1\r\n'],
  ['TLS ClientHello on a plain port', '\x16\x03\x01\x02\x00\x01'],
];
for (const [name, wire] of BAD) {
  test(`malformed: ${name} → RelpFrameError`, () => {
    assert.throws(() => parse([b(wire)]), (e: unknown) => e instanceof RelpFrameError && e.code === LW_ERR_RELP_FRAME);
  });
}

test('oversize DATA is truncated to maxDataSize and the rest skipped (memory bounded), next frame intact', () => {
  const big = 'x'.repeat(100_000);
  const chunks: Buffer[] = [];
  const wire = Buffer.concat([encodeFrame(1, 'syslog', big), encodeFrame(2, 'syslog', 'after')]);
  for (let i = 0; i < wire.length; i += 1000) chunks.push(wire.subarray(i, i + 1000));
  const f = parse(chunks, 64);
  assert.equal(f.length, 2);
  assert.equal(f[0].data.length, 64);
  assert.equal(f[0].truncated, true);
  assert.equal(f[0].dataLen, 100_000);
  assert.equal(f[1].data.toString(), 'after');
});

test('oversize DATA with oversizeMode abort → error before any DATA is buffered', () => {
  assert.throws(() => parse([b('1 syslog 999999999 ')], 64, 'abort'), RelpFrameError);
});

test('a huge announced DATALEN does not allocate: parser holds only what it keeps', () => {
  const out: RelpFrame[] = [];
  const p = new RelpFrameParser({ onFrame: (f) => out.push(f) }, 16);
  p.push(b('1 syslog 999999999 '));
  for (let i = 0; i < 100; i++) p.push(Buffer.alloc(10_000, 0x41));
  assert.equal(out.length, 0);
  assert.equal(p.idle, false);
});

test('encodeFrame: zero-length has no SP; txnr wraps 999999999 → 1', () => {
  assert.equal(encodeFrame(3, 'close').toString(), '3 close 0\n');
  assert.equal(encodeFrame(2, 'rsp', '200 OK').toString(), '2 rsp 6 200 OK\n');
  assert.equal(encodeFrame(2, 'syslog', 'ü').toString(), '2 syslog 2 ü\n');
  assert.equal(nextTxnr(MAX_TXNR), 1);
  assert.equal(nextTxnr(1), 2);
});

test('offers and rsp status lines', () => {
  const r = parseRsp(b('200 OK\nrelp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog\n'));
  assert.equal(r.code, 200);
  assert.equal(r.text, 'OK');
  const o = parseOffers(r.rest);
  assert.equal(o.get('relp_version'), '0');
  assert.equal(o.get('commands'), 'syslog');
  assert.equal(parseRsp(b('500 command not supported')).code, 500);
  assert.equal(parseRsp(b('')).code, 0);
});

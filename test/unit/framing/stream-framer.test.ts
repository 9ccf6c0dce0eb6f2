// RFC 6587 stream framing: octet counting (§3.4.1) and LF non-transparent framing (§3.4.2) chosen per frame,
// truncation, invalid counts, end-of-stream flush, and chunking independence (property test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FramerOptions, LW_ERR_FRAMING, LW_ERR_OVERSIZE, StreamFramer } from '../../../src/framing/stream-framer';

interface Run {
  frames: string[];
  errors: string[];
  framer: StreamFramer;
}

/** Feed `chunks` in order, then flush (end of stream); frames and error codes as text. */
function run(chunks: Array<string | Buffer>, opts: Partial<FramerOptions> = {}, flush = true): Run {
  const frames: string[] = [];
  const errors: string[] = [];
  const framer = new StreamFramer({
    onFrame: (f) => frames.push(f.toString('latin1')),
    onFramingError: (code) => errors.push(code),
  }, opts);
  for (const c of chunks) framer.push(typeof c === 'string' ? Buffer.from(c, 'latin1') : c);
  if (flush) framer.flush();
  return { frames, errors, framer };
}

/** The same bytes one at a time. */
function bytewise(s: string): string[] {
  return [...s];
}

test('LF framing: one frame per LF, empty frames dropped (RFC 6587 §3.4.2)', () => {
  const r = run(['<13>a\n<13>b\n\n\n<13>c\n']);
  assert.deepEqual(r.frames, ['<13>a', '<13>b', '<13>c']);
  assert.equal(r.framer.frames, 3);
  assert.deepEqual(r.errors, []);
});

test('octet counting: MSG-LEN SP SYSLOG-MSG, LF inside a frame is data (RFC 6587 §3.4.1)', () => {
  const r = run(['10 <13>a\nb\nc\n', '5 <13>x']);
  assert.deepEqual(r.frames, ['<13>a\nb\nc\n', '<13>x']);
  assert.deepEqual(r.errors, []);
});

test('framing is detected per frame: octet-counted and LF frames mixed on one connection', () => {
  const stream = '5 <13>a<13>b\n7 <13>ccc<13>dd\n\n3 xyz9 <13>eeeee<13>f\n';
  const r = run([stream]);
  assert.deepEqual(r.frames, ['<13>a', '<13>b', '<13>ccc', '<13>dd', 'xyz', '<13>eeeee', '<13>f']);
  assert.deepEqual(run(bytewise(stream)).frames, r.frames);
});

test('octet counting off: a leading digit starts an LF frame', () => {
  const r = run(['5 <13>a\n'], { octetCounting: false });
  assert.deepEqual(r.frames, ['5 <13>a']);
});

test('extra delimiter (NUL) ends a frame like LF', () => {
  const r = run(['<13>a\0<13>b\n<13>c\0'], { extraDelimiter: 0 });
  assert.deepEqual(r.frames, ['<13>a', '<13>b', '<13>c']);
});

test('over-size LF frame is truncated, counted, the rest skipped; the stream stays in sync', () => {
  const long = 'A'.repeat(25);
  for (const chunks of [[`${long}\n<13>next\n`], bytewise(`${long}\n<13>next\n`)]) {
    const r = run(chunks, { maxMessageSize: 10, discardTruncated: true });
    assert.deepEqual(r.frames, ['A'.repeat(10), '<13>next']);
    assert.equal(r.framer.truncated, 1);
    assert.deepEqual(r.errors, [LW_ERR_OVERSIZE]);
  }
});

test('over-size octet-counted frame is truncated and exactly its octets skipped (LF in the rest is data)', () => {
  const body = 'B'.repeat(8) + '\n' + 'C'.repeat(11); // 20 octets
  const stream = `20 ${body}4 <1>x`;
  for (const chunks of [[stream], bytewise(stream)]) {
    const r = run(chunks, { maxMessageSize: 6, discardTruncated: true });
    assert.deepEqual(r.frames, ['BBBBBB', '<1>x']);
    assert.equal(r.framer.truncated, 1);
    assert.deepEqual(r.errors, [LW_ERR_OVERSIZE]);
  }
});

test('frame of exactly maxMessageSize is not truncated (both framings)', () => {
  const r = run(['5 abcde', 'fghij\n'], { maxMessageSize: 5 });
  assert.deepEqual(r.frames, ['abcde', 'fghij']);
  assert.equal(r.framer.truncated, 0);
});

test('discardTruncated off: the rest of an over-size frame is delivered as further frames', () => {
  const lf = run(['abcdefghijk\n'], { maxMessageSize: 4, discardTruncated: false });
  assert.deepEqual(lf.frames, ['abcd', 'fghi', 'k']); // the byte at each split is lost, as in rsyslog 8.2302
  const oc = run(['10 0123456789x\n'], { maxMessageSize: 4, discardTruncated: false });
  assert.deepEqual(oc.frames, ['0123', '5678', 'x']);
  assert.equal(oc.framer.truncated, 2);
});

test('octet count 0 or above maxFrameSize: framing error, frame read as LF-delimited keeping the digits', () => {
  const zero = run(['0 <13>zero\n<13>after\n']);
  assert.deepEqual(zero.frames, ['0<13>zero', '<13>after']);
  assert.deepEqual(zero.errors, [LW_ERR_FRAMING]);
  const big = run(['999 <13>big\n5 <13>k'], { maxFrameSize: 100 });
  assert.deepEqual(big.frames, ['999<13>big', '<13>k']);
  assert.equal(big.framer.framingErrors, 1);
});

test('octet count not followed by SP: framing error, the separator byte is consumed', () => {
  const r = run(['5x<13>a\n']);
  // rsyslog takes any non-digit as the end of MSG-LEN (complaining) and then reads 5 octets.
  assert.deepEqual(r.frames, ['<13>a']);
  assert.deepEqual(r.errors, [LW_ERR_FRAMING]);
});

test('an enormous octet count does not overflow and is refused as too large', () => {
  const r = run(['99999999999999999999 <13>x\n<13>y\n']);
  assert.deepEqual(r.frames, ['99999999999999999999<13>x', '<13>y']);
  assert.equal(r.framer.framingErrors, 1);
});

test('end of stream: a final LF frame without LF is delivered; a partial octet frame is dropped and reported', () => {
  const tail = run(['<13>a\n<13>no-lf']);
  assert.deepEqual(tail.frames, ['<13>a', '<13>no-lf']);
  assert.deepEqual(tail.errors, []);
  const partial = run(['<13>a\n50 <13>short']);
  assert.deepEqual(partial.frames, ['<13>a']);
  assert.deepEqual(partial.errors, [LW_ERR_FRAMING]);
  const inCount = run(['12']);
  assert.deepEqual(inCount.frames, []);
  assert.equal(inCount.framer.framingErrors, 1);
  assert.ok(inCount.framer.idle, 'flush resets the framer');
});

test('without flush, a partial frame stays buffered and idle is false', () => {
  const r = run(['<13>part'], {}, false);
  assert.deepEqual(r.frames, []);
  assert.equal(r.framer.idle, false);
  r.framer.push(Buffer.from('ial\n'));
  assert.deepEqual(r.frames, ['<13>partial']);
  assert.equal(r.framer.idle, true);
});

test('binary garbage never throws and is framed at LF', () => {
  const bytes = Buffer.from([0xff, 0x00, 0x80, 0x0a, 0x31, 0x20, 0x0a, 0x0a, 0xfe]);
  const r = run([bytes]);
  // "1 " announces one octet: the LF after it is that frame.
  assert.deepEqual(r.frames.map((f) => Buffer.from(f, 'latin1').toString('hex')), ['ff0080', '0a', 'fe']);
});

/** A stream of syslog-like frames in both framings, with the expected frames. */
const frameArb = fc.record({
  body: fc.uint8Array({ minLength: 1, maxLength: 40 }),
  counted: fc.boolean(),
});

function encode(frames: Array<{ body: Uint8Array; counted: boolean }>): { stream: Buffer; expected: string[] } {
  const parts: Buffer[] = [];
  const expected: string[] = [];
  for (const f of frames) {
    let body = Buffer.from(f.body);
    if (f.counted) {
      parts.push(Buffer.from(`${body.length} `), body);
      expected.push(body.toString('latin1'));
    } else {
      // An LF frame can hold neither LF nor a leading digit (that would select octet counting).
      body = Buffer.from(body.filter((c) => c !== 0x0a));
      if (body.length > 0 && body[0] >= 0x30 && body[0] <= 0x39) body = Buffer.concat([Buffer.from('x'), body]);
      parts.push(body, Buffer.from('\n'));
      if (body.length > 0) expected.push(body.toString('latin1'));
    }
  }
  return { stream: Buffer.concat(parts), expected };
}

/** Cut a buffer at the given (sorted, deduplicated) offsets. */
function cut(buf: Buffer, points: number[]): Buffer[] {
  const at = [...new Set(points.map((p) => p % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of at) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out;
}

test('property: splitting the same stream at random points (or into single bytes) yields identical frames', () => {
  fc.assert(
    fc.property(fc.array(frameArb, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 20 }), fc.integer({ min: 8, max: 64 }),
      (frames, points, maxMessageSize) => {
        const { stream, expected } = encode(frames);
        const opts = { maxMessageSize, discardTruncated: true };
        const whole = run([stream], opts);
        const expectedCut = expected.map((f) => f.slice(0, maxMessageSize));
        assert.deepEqual(whole.frames, expectedCut);
        // split mode (rsyslog's default): also independent of how the stream was chunked
        const split = { maxMessageSize, discardTruncated: false };
        const wholeSplit = run([stream], split).frames;
        assert.deepEqual(run(cut(stream, points), split).frames, wholeSplit);
        assert.deepEqual(run([...stream].map((b) => Buffer.from([b])), split).frames, wholeSplit);
        assert.deepEqual(run(cut(stream, points), opts).frames, whole.frames);
        const single = run([...stream].map((b) => Buffer.from([b])), opts);
        assert.deepEqual(single.frames, whole.frames);
        assert.equal(single.framer.truncated, whole.framer.truncated);
      }),
    { numRuns: 300 },
  );
});

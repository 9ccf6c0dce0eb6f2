// The stream inputs' printable fast path (util/printable.ts, native/lw_text.c): the chunk's printable prefix
// from the addon equals the regular-expression one, and a StreamSession that hands frames their text from it
// parses every frame exactly as parseSyslog does without it, whatever the bytes and however they are split.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { Message, type Origin } from '../../../src/message';
import { SyslogTime } from '../../../src/time';
import { parseSyslog } from '../../../src/parse/index';
import { parseOptions } from '../../../src/parse/options';
import { StreamSession, type StreamSocket } from '../../../src/inputs/stream';
import { StreamFramer } from '../../../src/framing/stream-framer';
import { nativePrintable, printablePrefix, printablePrefixJs } from '../../../src/util/printable';
import { StreamLogger } from '../../../src/log';

const ORIGIN: Origin = { inputname: 'imtcp', fromhostIp: '192.0.2.7', fromhost: 'peer.example', ruleset: 'RSYSLOG_DefaultRuleset' };
const RUNS = 1500;

/** Bytes mostly printable, with LF, CR, TAB, NUL, DEL and 8-bit bytes mixed in. */
const byteArb = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 2, arbitrary: fc.constant(0x0a) },
  { weight: 1, arbitrary: fc.constantFrom(0x00, 0x09, 0x0d, 0x1f, 0x7f, 0x80, 0xc3, 0xa9, 0xff) },
);

test('printablePrefix (addon when built) equals the regular-expression prefix', () => {
  fc.assert(fc.property(fc.array(byteArb, { maxLength: 300 }), fc.nat(20), (bytes, skip) => {
    const whole = Buffer.from([...new Array<number>(skip).fill(0x41), ...bytes]);
    const buf = whole.subarray(skip); // a view at an unaligned offset, as socket chunks may be
    const want = printablePrefixJs(buf);
    assert.equal(printablePrefix(buf), want);
    assert.ok(/^[\x20-\x7f\n]*$/.test(want));
    assert.ok(want.length === buf.length || !/[\x20-\x7f\n]/.test(String.fromCharCode(buf[want.length]!)));
  }), { numRuns: RUNS });
  assert.equal(typeof nativePrintable, 'boolean');
});

/** Syslog-shaped pieces, glued into a stream of LF-delimited and octet-counted frames. */
const PIECES = ['<13>', '<165>', '<>', '1 ', '-', ' ', '2026-11-22T10:00:00.123Z', 'Oct 11 22:14:15', 'host', 'sshd[42]:', 'su:',
  '[id a="b\\]c"]', 'ID47', 'tag:', ':', '\t', '\r', '\x00', '\x7f', 'é', '\n', 'ab'];
const textArb = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 20 })), { minLength: 1, maxLength: 8 }).map((a) => a.join(''));
const frameArb = fc.tuple(fc.boolean(), textArb).map(([octet, t]) => {
  const body = Buffer.from(t, 'utf8');
  return octet ? Buffer.concat([Buffer.from(`${body.length} `), body]) : Buffer.concat([body.filter((b) => b !== 0x0a), Buffer.from('\n')]);
});

function snapshot(m: Message): unknown {
  return {
    rawmsg: m.rawmsg.toString('latin1'), msg: m.msg, hostname: m.hostname, syslogtag: m.syslogtag, programname: m.programname,
    appName: m.appName, procid: m.procid, msgid: m.msgid, sd: m.structuredData, facility: m.facility, severity: m.severity,
    version: m.protocolVersion, timereported: JSON.stringify(m.timereported), parseFailed: m.parseFailed, parsedWith: m.parsedWith !== null,
  };
}

test('a StreamSession parses every frame as parseSyslog does, over random bytes and chunk splits', () => {
  const opts = parseOptions();
  const logger = new StreamLogger({ keep: true, out: null });
  fc.assert(fc.property(fc.array(frameArb, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(400), { maxLength: 6 }), (frames, cuts) => {
    const stream = Buffer.concat(frames);
    const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
    const chunks: Buffer[] = [];
    let from = 0;
    for (const p of [...points, stream.length]) { chunks.push(stream.subarray(from, p)); from = p; }

    const got: Message[] = [];
    const socket = Object.assign(new EventEmitter(), { end: () => undefined, writableEnded: true }) as unknown as StreamSocket;
    const sink = { submit: (b: Message[]) => { got.push(...b); }, congested: false, onceDrained: () => undefined };
    const session = new StreamSession(socket, ORIGIN, sink, { maxMessageSize: 8096, parse: opts, logger });
    for (const c of chunks) socket.emit('data', c);
    socket.emit('end');

    const want: Message[] = [];
    const ref = new StreamFramer({
      onFrame: (f) => {
        const m = new Message(f, ORIGIN, got[want.length]?.timegenerated ?? SyslogTime.now()); // its chunk's time
        parseSyslog(f, m, opts);
        want.push(m);
      },
    }, { maxMessageSize: 8096 });
    for (const c of chunks) ref.push(c);
    ref.flush();
    assert.equal(session.submitted, want.length);
    assert.deepEqual(got.map(snapshot), want.map(snapshot));
  }), { numRuns: RUNS });
});

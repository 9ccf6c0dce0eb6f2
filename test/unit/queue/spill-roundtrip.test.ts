// A message spilled by a disk-assisted queue comes back from disk field for field equal to the one pushed —
// every property a template can read, the structured data, the `$!` and `$.` trees — for each parse path of
// the inputs: RFC 3164, RFC 5424 with SD, a JSON payload (with `$!` set as mmjsonparse would, doubles with their
// source text), invalid UTF-8.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action } from '../../../src/actions/action';
import { StreamLogger } from '../../../src/log';
import { Message } from '../../../src/message';
import { parseSyslog } from '../../../src/parse';
import { parseOptions } from '../../../src/parse/options';
import { ActionQueue, DEFAULT_QUEUE_OPTIONS } from '../../../src/queue/action-queue';
import { CODEC_FRAME_VERSION, CODEC_VERSION, FramedEncoder, decodeMessage } from '../../../src/queue/codec';
import { parseFastJson } from '../../../src/rules/fastjson';
import { SyslogTime } from '../../../src/time';
import { tempDir } from '../../helpers/util';

const origin = { inputname: 'imtcp', fromhost: 'web-01.example', fromhostIp: '192.0.2.10', ruleset: 'RSYSLOG_DefaultRuleset' };

function parsed(frame: Buffer, opts = parseOptions()): Message {
  const m = new Message(frame, origin, SyslogTime.now());
  parseSyslog(frame, m, opts);
  return m;
}

/** Every property but parsedWith (how it was parsed, not what it is). */
function fields(m: Message): Record<string, unknown> {
  const { parsedWith: _, ...rest } = m;
  return rest;
}

/** [name, make, the form a spill uses: 2 = the frame, parsed again; 1 = every field] */
const cases: Array<[string, () => Message, number?]> = [
  ['RFC 3164', () => parsed(Buffer.from("<34>Oct 11 22:14:15 mymachine su[42]: 'su root' failed for lonvick on /dev/pts/8"))],
  ['RFC 5424 with SD', () => parsed(Buffer.from('<165>1 2003-10-11T22:14:15.003+02:00 mymachine.example.com evntslog 1234 ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][x@1 a="b\\"c"] An application event \u00e9'))],
  ['JSON payload with $! and $.', () => {
    const m = parsed(Buffer.from('<13>1 2025-01-01T00:00:00Z h app - - - @cee:{"a":1,"b":{"c":"x","d":[true,null,2.5]}}'));
    m.json = { a: 1, b: { c: 'x', d: [true, null, 2.5] }, '\u00fc': 'ünïcode' };
    m.local = { n: -3, s: 'x' };
    return m;
  }, CODEC_VERSION],
  ['JSON numbers with their source text, int64 and NaN', () => {
    const m = parsed(Buffer.from('<13>1 2025-01-01T00:00:00Z h app - - - @cee:{"a":2.0}'));
    m.json = parseFastJson('{"a":2.0,"b":-0.0,"c":[1e400,{"d":2.5E-3}],"e":12345678901234567890,"f":NaN,"g":0.5} ') as Record<string, unknown>;
    return m;
  }, CODEC_VERSION],
  ['JSON payload, no $! set', () => parsed(Buffer.from('<13>1 2025-01-01T00:00:00Z h app - - - {"a":1,"b":{"c":"x"}}'))],
  ['invalid UTF-8', () => parsed(Buffer.from([...Buffer.from('<14>Jan  5 01:02:03 host prog: bad '), 0xff, 0xfe, 0x80, 0xed, 0xa0, 0x80, 0x41]))],
  // Sanitized (escaped) frames are not re-parsed: spilled in full.
  ['invalid UTF-8, 8-bit escaped', () => parsed(Buffer.from([...Buffer.from('<14>Jan  5 01:02:03 host prog: bad '), 0xc3, 0x28, 0x0a, 0x09]), parseOptions({ escape8BitCharacters: true })), CODEC_VERSION],
  ['RFC 3164 without year, non-default options', () => parsed(Buffer.from('<190>Dec 31 23:59:59 [h/x] app/1: text'), parseOptions({ permitSlashInProgramname: true, permitSquareBracketsInHostname: true, permitSlashesInHostname: true, yearRollover: false, rfc5424: false }))],
  ['no header (parse failed)', () => parsed(Buffer.from('just text, no PRI'))],
];

class Collect implements Action {
  readonly name = 'collect';
  readonly stats = { delivered: 0, failed: 0 };
  readonly got: Message[] = [];
  deliver(batch: Message[]): Promise<void> {
    this.got.push(...batch);
    return Promise.resolve();
  }
  close(): Promise<void> { return Promise.resolve(); }
}

for (const [name, make, form] of cases) {
  test(`encoded in the ${form === CODEC_VERSION ? 'full' : 'frame'} form and decoded equal: ${name}`, () => {
    const m = make();
    const enc = new FramedEncoder(0);
    enc.add(m);
    enc.add(m);
    const [{ buf, ends }] = enc.take() as [{ buf: Buffer; ends: Uint32Array }];
    assert.equal(buf[0], form ?? CODEC_FRAME_VERSION);
    const back = decodeMessage(buf.subarray(ends[0], ends[1]));
    assert.deepStrictEqual(fields(back), fields(m));
  });

  test(`spilled and read back equal: ${name}`, async (t) => {
    const { dir, cleanup } = tempDir('lw-spill-rt-');
    t.after(cleanup);
    const a = new Collect();
    const logger = new StreamLogger({ out: null, keep: true });
    // highWatermark 0: every message goes to disk.
    const q = new ActionQueue(a, { ...DEFAULT_QUEUE_OPTIONS, kind: 'disk-assisted', spoolDirectory: dir, fileName: 'rt', highWatermark: 0, lowWatermark: 0 }, logger, () => undefined);
    const pushed = [make(), make(), make()];
    for (const m of pushed) q.push(m);
    await q.whenIdle();
    assert.equal(q.stats.spilled, 3);
    assert.equal(a.got.length, 3);
    for (let i = 0; i < 3; i++) {
      const back = a.got[i]!;
      assert.notEqual(back, pushed[i]);
      assert.deepStrictEqual(fields(back), fields(pushed[i]!));
      assert.equal(back.pri, pushed[i]!.pri);
      assert.equal(back.priText, pushed[i]!.priText);
    }
    await q.close(1000);
  });
}

test('a mixed batch — both forms, two origins interleaved, a header gap before each — decodes record by record, across chunks', () => {
  const other = { inputname: 'imudp', fromhost: 'db-02', fromhostIp: '2001:db8::2', ruleset: 'remote' };
  const msgs: Message[] = [];
  for (let round = 0; round < 3; round++) {
    for (const [, make] of cases) {
      msgs.push(make());
      const m = make();
      Object.assign(m, other); // same parse, another origin: the cached origin bytes must not be reused for it
      msgs.push(m);
    }
  }
  const gap = 24;
  for (const chunkBytes of [1, 300, 2000, 512 * 1024]) {
    const enc = new FramedEncoder(gap, undefined, chunkBytes);
    // taken twice midway: a take() closes the chunk in progress and the next add() starts a new one
    const third = Math.floor(msgs.length / 3);
    msgs.slice(0, third).forEach((m) => enc.add(m));
    assert.equal(enc.count, third);
    const chunks = enc.take();
    assert.equal(enc.count, 0);
    msgs.slice(third).forEach((m) => enc.add(m));
    chunks.push(...enc.take(), ...enc.take());
    let i = 0;
    for (const { buf, ends } of chunks) {
      assert.ok(ends.length > 0, 'no empty chunk');
      assert.equal(buf.byteOffset, 0, 'transferable: at offset 0 of its ArrayBuffer');
      assert.equal(ends[ends.length - 1], buf.length);
      let start = 0;
      for (const end of ends) {
        const back = decodeMessage(buf.subarray(start + gap, end));
        assert.deepStrictEqual(fields(back), fields(msgs[i]!), `record ${i} (chunks of ${chunkBytes})`);
        start = end;
        i++;
      }
    }
    assert.equal(i, msgs.length, `every record once (chunks of ${chunkBytes})`);
    if (chunkBytes === 1) assert.equal(chunks.length, msgs.length, 'a record bigger than the chunk size gets a buffer of its own');
  }
});

test('messages sharing a reception time object, with origins and time layouts changing between them, decode record by record', () => {
  const t1 = new SyslogTime(2026, 12, 4, 10, 0, 0, 123456, 6, 0, 1);
  const t2 = new SyslogTime(2026, 12, 4, 10, 0, 1, 5, 6, 60, 1);
  const t3 = new SyslogTime(2026, 12, 4, 10, 0, 2, 0, 6, -0, 1); // offset -0 ("-00:00"): the full time layout
  const other = { inputname: 'imudp', fromhost: 'db-02', fromhostIp: '2001:db8::2', ruleset: 'remote' };
  const plan: Array<[SyslogTime, typeof origin]> = [
    [t1, origin], [t1, origin], [t1, other], [t1, origin], [t2, origin], [t2, origin], [t3, origin], [t3, other], [t1, origin],
  ];
  const opts = parseOptions(); // one options object, as an input has (the origin block is cached per options)
  const msgs = plan.map(([t, o], i) => {
    const frame = Buffer.from(`<13>1 2026-12-04T10:00:0${i}Z host${i} app - - - message ${i}`);
    const m = new Message(frame, o, t);
    parseSyslog(frame, m, opts);
    return m;
  });
  const enc = new FramedEncoder(24);
  for (const m of msgs) enc.add(m);
  const [{ buf, ends }] = enc.take() as [{ buf: Buffer; ends: Uint32Array }];
  let start = 0;
  ends.forEach((end, i) => {
    const back = decodeMessage(buf.subarray(start + 24, end));
    assert.equal(buf[start + 24], CODEC_FRAME_VERSION, `record ${i} in the frame form`);
    assert.deepStrictEqual(fields(back), fields(msgs[i]!), `record ${i}`);
    assert.equal(Object.is(back.timegenerated.offsetMinutes, -0), plan[i]![0] === t3, `record ${i}: -00:00 kept`);
    assert.equal(back.inputname, plan[i]![1].inputname);
    start = end;
  });
  assert.equal(ends.length, msgs.length);
});

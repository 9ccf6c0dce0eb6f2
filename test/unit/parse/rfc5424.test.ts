// RFC 5424 parsing: the four examples of RFC 5424 §6.5 with every property, SD escapes (§6.3.3), BOM (§6.4),
// NILVALUE, and malformed frames. Expected values are what rsyslogd 8.2302 prints (checked with the
// interop harness, test/interop/parse-vs-rsyslog.test.ts carries the same frames).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Case, RECEIVED, RECEIVED_TEXT, check, parse } from './helpers';

const BOM = '\u{feff}';

const EXAMPLES: Case[] = [
  {
    name: 'RFC 5424 §6.5 example 1: no STRUCTURED-DATA, BOM before MSG',
    frame: `<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - ${BOM}'su root' failed for lonvick on /dev/pts/8`,
    want: {
      msg: `${BOM}'su root' failed for lonvick on /dev/pts/8`,
      rawmsg: `<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - ${BOM}'su root' failed for lonvick on /dev/pts/8`,
      hostname: 'mymachine.example.com', syslogtag: 'su', programname: 'su', procid: '-', msgid: 'ID47', 'app-name': 'su',
      'structured-data': '-', pri: '34', syslogfacility: '4', syslogseverity: '2', 'protocol-version': '1',
      timereported: '2003-10-11T22:14:15.003Z', parseFailed: false,
    },
  },
  {
    name: 'RFC 5424 §6.5 example 2: microseconds, negative offset, PROCID',
    frame: "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
    want: {
      msg: "%% It's time to make the do-nuts.", hostname: '192.0.2.1', syslogtag: 'myproc[8710]', programname: 'myproc',
      procid: '8710', msgid: '-', 'app-name': 'myproc', 'structured-data': '-', pri: '165', syslogfacility: '20',
      syslogseverity: '5', 'protocol-version': '1', timereported: '2003-08-24T05:14:15.000003-07:00', parseFailed: false,
    },
  },
  {
    name: 'RFC 5424 §6.5 example 3: STRUCTURED-DATA and BOM',
    frame: `<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] ${BOM}An application event log entry...`,
    want: {
      msg: `${BOM}An application event log entry...`, hostname: 'mymachine.example.com', syslogtag: 'evntslog',
      programname: 'evntslog', procid: '-', msgid: 'ID47', 'app-name': 'evntslog',
      'structured-data': '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]', pri: '165',
      syslogfacility: '20', syslogseverity: '5', 'protocol-version': '1', timereported: '2003-10-11T22:14:15.003Z',
      parseFailed: false,
    },
  },
  {
    name: 'RFC 5424 §6.5 example 4: two SD-ELEMENTs, no MSG',
    frame: '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]',
    want: {
      msg: '', hostname: 'mymachine.example.com', syslogtag: 'evntslog', programname: 'evntslog', procid: '-',
      msgid: 'ID47', 'app-name': 'evntslog',
      'structured-data': '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]',
      pri: '165', syslogfacility: '20', syslogseverity: '5', 'protocol-version': '1',
      timereported: '2003-10-11T22:14:15.003Z', parseFailed: false,
    },
  },
];

const FEATURES: Case[] = [
  {
    name: 'SD escapes \\" \\\\ \\] are kept verbatim (RFC 5424 §6.3.3)',
    frame: '<14>1 2026-11-20T10:00:00Z host app proc msgid [a@1 x="y\\"z" w="\\\\" v="\\]"] escapes',
    want: { 'structured-data': '[a@1 x="y\\"z" w="\\\\" v="\\]"]', msg: 'escapes', syslogtag: 'app[proc]', procid: 'proc', msgid: 'msgid' },
  },
  {
    name: 'an escaped "]" followed by SP does not end the SD',
    frame: '<14>1 2026-11-20T10:00:00Z host app - - [a@1 x="\\] y"] after escaped close-space',
    want: { 'structured-data': '[a@1 x="\\] y"]', msg: 'after escaped close-space' },
  },
  {
    name: 'BOM alone before MSG is kept in msg (RFC 5424 §6.4)',
    frame: `<14>1 2026-11-20T10:00:00Z host app - - - ${BOM}bom only`,
    want: { msg: `${BOM}bom only`, parseFailed: false },
  },
  {
    name: 'NILVALUE TIMESTAMP keeps the reception time',
    frame: '<14>1 - host app - - - nil timestamp',
    want: { timereported: RECEIVED_TEXT, hostname: 'host', 'app-name': 'app', msg: 'nil timestamp', parseFailed: false },
  },
  {
    name: 'every header field NILVALUE',
    frame: '<14>1 2026-11-20T10:00:00Z - - - - - all nil',
    want: { hostname: '-', 'app-name': '-', syslogtag: '-', programname: '-', procid: '-', msgid: '-', 'structured-data': '-', msg: 'all nil' },
  },
  {
    name: 'positive offset and MSGID',
    frame: '<14>1 2026-11-20T10:00:00+02:00 host app 123 MSGID - plain',
    want: { timereported: '2026-11-20T10:00:00+02:00', syslogtag: 'app[123]', msgid: 'MSGID', msg: 'plain', pri: '14', syslogseverity: '6' },
  },
  {
    name: 'six-digit fraction and half-hour offset',
    frame: '<14>1 2026-11-20T10:00:00.123456-05:30 host app - - - frac six',
    want: { timereported: '2026-11-20T10:00:00.123456-05:30', msg: 'frac six' },
  },
];

/** Malformed and real-world frames: rsyslog's (often surprising) values, reproduced byte for byte. */
const MALFORMED: Case[] = [
  {
    name: 'SD field neither "[" nor "-": rsyslog keeps MSGID as structured-data, MSG follows',
    frame: '<14>1 2026-11-20T10:00:00Z host app proc msgid notsd rest of it',
    want: { 'structured-data': 'msgid', msg: 'notsd rest of it', parseFailed: true },
  },
  {
    name: 'SD not followed by SP: the SD runs to one byte before the end',
    frame: '<14>1 2026-11-20T10:00:00Z host app proc msgid [a@1 x="y"]nospace',
    want: { 'structured-data': '[a@1 x="y"]nospac', msg: 'e' },
  },
  {
    name: 'unescaped "] " inside a value ends the SD there',
    frame: '<14>1 2026-11-20T10:00:00Z host app - - [a@1 x="a] b"] unescaped close in value',
    want: { 'structured-data': '[a@1 x="a]', msg: 'b"] unescaped close in value' },
  },
  {
    name: 'unterminated SD',
    frame: '<14>1 2026-11-20T10:00:00Z host app - - [unterminated sd',
    want: { 'structured-data': '[unterminated s', msg: 'd' },
  },
  {
    name: 'invalid TIMESTAMP (basic format): no header field is set, MSG starts after "1 "',
    frame: '<14>1 20261120T100000Z host app - - - bad timestamp',
    want: {
      msg: '20261120T100000Z host app - - - bad timestamp', hostname: 'peer.example', syslogtag: '', programname: '',
      'app-name': '', procid: '-', msgid: '-', 'structured-data': '-', 'protocol-version': '1', timereported: RECEIVED_TEXT, parseFailed: true,
    },
  },
  {
    name: 'TIMESTAMP without zone is invalid',
    frame: '<14>1 2026-11-20T10:00:00 host app - - - no zone',
    want: { msg: '2026-11-20T10:00:00 host app - - - no zone', hostname: 'peer.example', parseFailed: true, timereported: RECEIVED_TEXT },
  },
  {
    name: 'two spaces after VERSION: empty TIMESTAMP is invalid',
    frame: '<14>1  2026-11-20T10:00:00Z host app - - - double space',
    want: { msg: ' 2026-11-20T10:00:00Z host app - - - double space', 'app-name': '', parseFailed: true },
  },
  {
    name: 'VERSION 2 is not RFC 5424: parsed as RFC 3164',
    frame: '<14>2 2026-11-20T10:00:00Z host app - - - version two',
    want: {
      'protocol-version': '0', hostname: '2', syslogtag: '2026-11-20T10:', programname: '2026-11-20T10',
      'app-name': '2026-11-20T10', msg: '00:00Z host app - - - version two', timereported: RECEIVED_TEXT,
    },
  },
  {
    name: 'frame ends after HOSTNAME',
    frame: '<14>1 2026-11-20T10:00:00Z host',
    want: { hostname: 'host', 'app-name': '-', syslogtag: '-[]', programname: '-', procid: '', msgid: '', 'structured-data': '', msg: '', parseFailed: true },
  },
  {
    name: 'frame ends after MSGID',
    frame: '<14>1 2026-11-20T10:00:00Z host app - -',
    want: { 'structured-data': '-', msg: '', syslogtag: 'app', parseFailed: true },
  },
  {
    name: 'no MSG after a NILVALUE SD',
    frame: '<14>1 2026-11-20T10:00:00Z host app - - -',
    want: { 'structured-data': '-', msg: '', parseFailed: false },
  },
  {
    name: 'trailing LF dropped, TAB escaped #011',
    frame: '<14>1 2026-11-20T10:00:00Z host app - - - tab\there\n',
    want: { msg: 'tab#011here', rawmsg: '<14>1 2026-11-20T10:00:00Z host app - - - tab#011here' },
  },
];

for (const c of [...EXAMPLES, ...FEATURES, ...MALFORMED]) test(c.name, () => check(c));

test('invalid UTF-8 in MSG: rawmsg and msg keep the bytes (escaped as U+DCxx)', () => {
  const frame = Buffer.concat([Buffer.from('<14>1 2026-11-20T10:00:00Z host app - - - bad '), Buffer.from([0xc3, 0x28, 0xff])]);
  const m = parse(frame);
  assert.deepEqual(m.rawmsg, frame);
  assert.equal(m.msg, 'bad \udcc3(\udcff');
  assert.equal(m.hostname, 'host');
});

test('parsed TIMESTAMP keeps the sender offset and the instant', () => {
  const m = parse("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - x");
  assert.equal(m.timereported.offsetMinutes, -420);
  assert.equal(m.timereported.secfrac, 3);
  assert.equal(m.timereported.secfracPrecision, 6);
  assert.equal(m.timereported.toEpochMicros(), Date.UTC(2003, 7, 24, 12, 14, 15) * 1000 + 3);
  assert.equal(m.timegenerated, RECEIVED);
});

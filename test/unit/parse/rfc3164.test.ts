// RFC 3164 parsing: the examples of RFC 3164 §5.4 with every property, then real-world and malformed frames
// (Cisco, ASA, ISO timestamps, missing parts, control characters, bad PRI, garbage). Expected values are what
// rsyslogd 8.2302 prints for the same frames (test/interop/parse-vs-rsyslog.test.ts runs them through it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Message } from '../../../src/message';
import { SyslogTime, TimeSource, formatRfc3339 } from '../../../src/time';
import { parseSyslog } from '../../../src/parse/index';
import { parseOptions } from '../../../src/parse/options';
import { Case, ORIGIN, RECEIVED_TEXT, check, parse } from './helpers';
import { encodeRaw } from '../../../src/util/raw-text';

const EXAMPLES: Case[] = [
  {
    name: 'RFC 3164 §5.4 example 1: su on mymachine',
    frame: "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
    want: {
      msg: " 'su root' failed for lonvick on /dev/pts/8",
      rawmsg: "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
      hostname: 'mymachine', syslogtag: 'su:', programname: 'su', procid: '-', msgid: '-', 'app-name': 'su',
      'structured-data': '-', pri: '34', syslogfacility: '4', syslogseverity: '2', 'protocol-version': '0',
      timereported: '2026-10-11T22:14:15+01:00', parseFailed: false,
    },
  },
  {
    name: 'RFC 3164 §5.4 example 2: no PRI, no header ("Use the BFG!")',
    frame: 'Use the BFG!',
    want: {
      msg: ' BFG!', rawmsg: 'Use the BFG!', hostname: 'Use', syslogtag: 'the', programname: 'the', procid: '-', msgid: '-',
      'app-name': 'the', 'structured-data': '-', pri: '13', syslogfacility: '1', syslogseverity: '5',
      'protocol-version': '0', timereported: RECEIVED_TEXT, parseFailed: true,
    },
  },
  {
    name: 'RFC 3164 §5.4 example 3: relay added PRI, space-padded day, IP as HOSTNAME',
    frame: '<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!',
    want: {
      msg: ' the BFG!', hostname: '10.0.0.99', syslogtag: 'Use', programname: 'Use', procid: '-', msgid: '-',
      'app-name': 'Use', 'structured-data': '-', pri: '13', syslogfacility: '1', syslogseverity: '5',
      'protocol-version': '0', timereported: '2026-02-05T17:32:18+01:00', parseFailed: false,
    },
  },
  {
    name: 'RFC 3164 §5.4 example 4: "CST 1987" after the timestamp is taken as HOSTNAME and TAG',
    frame: "<165>Aug 24 05:34:00 CST 1987 mymachine myproc[10]: %% It's time to make the do-nuts.  %%  Ingredients: Mix=OK, Jelly=OK # Devices: Mixer=OK, Jelly_Injector=OK, Frier=OK # Transport: Conveyer1=OK, Conveyer2=OK # %%",
    want: {
      msg: " mymachine myproc[10]: %% It's time to make the do-nuts.  %%  Ingredients: Mix=OK, Jelly=OK # Devices: Mixer=OK, Jelly_Injector=OK, Frier=OK # Transport: Conveyer1=OK, Conveyer2=OK # %%",
      hostname: 'CST', syslogtag: '1987', programname: '1987', procid: '-', 'app-name': '1987', pri: '165',
      syslogfacility: '20', syslogseverity: '5', 'protocol-version': '0', timereported: '2026-08-24T05:34:00+01:00', parseFailed: false,
    },
  },
  {
    name: 'RFC 3164 §5.4 example 5: leading year, "TZ-6" as HOSTNAME',
    frame: "<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!",
    want: {
      msg: " 10.1.2.3 sched[0]: That's All Folks!", hostname: 'TZ-6', syslogtag: 'scapegoat.dmz.example.org',
      programname: 'scapegoat.dmz.example.org', procid: '-', 'app-name': 'scapegoat.dmz.example.org', pri: '0',
      syslogfacility: '0', syslogseverity: '0', 'protocol-version': '0', timereported: '1990-10-22T10:52:01+01:00', parseFailed: false,
    },
  },
];

const TS = '2026-10-11T22:14:15+01:00';
const std = (msg: string) => ({ hostname: 'host', syslogtag: 'tag:', programname: 'tag', msg, timereported: TS });

const REAL_WORLD: Case[] = [
  { name: 'missing PRI: user.notice, header still parsed', frame: 'Oct 11 22:14:15 host tag: no pri',
    want: { ...std(' no pri'), pri: '13', syslogfacility: '1', syslogseverity: '5', parseFailed: false } },
  { name: 'missing HOSTNAME: tag[pid]: is the TAG, hostname is the peer', frame: '<13>Oct 11 22:14:15 sshd[1234]: no hostname',
    want: { hostname: 'peer.example', syslogtag: 'sshd[1234]:', programname: 'sshd', procid: '1234', 'app-name': 'sshd', msg: ' no hostname' } },
  { name: 'tag[pid]: with hostname', frame: '<13>Oct 11 22:14:15 host sshd[1234]: Accepted publickey for root',
    want: { hostname: 'host', syslogtag: 'sshd[1234]:', programname: 'sshd', procid: '1234', 'app-name': 'sshd', msg: ' Accepted publickey for root' } },
  { name: 'ISO timestamp with fraction and offset', frame: '<13>2026-11-20T10:00:00.5+01:00 host tag: iso in 3164',
    want: { hostname: 'host', syslogtag: 'tag:', msg: ' iso in 3164', timereported: '2026-11-20T10:00:00.5+01:00', 'protocol-version': '0' } },
  { name: 'ISO timestamp in Zulu', frame: '<13>2026-11-20T10:00:00Z host tag: iso zulu',
    want: { hostname: 'host', msg: ' iso zulu', timereported: '2026-11-20T10:00:00Z' } },
  { name: 'Cisco IOS sequence number and "*Mar  1": the number is the TAG', frame: '<189>58: *Mar  1 00:14:46.379: %SYS-5-CONFIG_I: Configured from console by console',
    want: { hostname: 'peer.example', syslogtag: '58:', programname: '58', msg: ' *Mar  1 00:14:46.379: %SYS-5-CONFIG_I: Configured from console by console',
      pri: '189', syslogfacility: '23', syslogseverity: '5', timereported: RECEIVED_TEXT, parseFailed: false } },
  { name: 'Cisco "Mmm dd yyyy hh:mm:ss:" with year and stray colon', frame: '<189>Oct 11 2025 22:14:15: %LINK-3-UPDOWN: Interface down',
    want: { hostname: 'peer.example', syslogtag: '%LINK-3-UPDOWN:', programname: '%LINK-3-UPDOWN', msg: ' Interface down', timereported: '2025-10-11T22:14:15+01:00' } },
  { name: 'Cisco ASA with timestamp', frame: '<166>Nov 20 2026 10:00:00: %ASA-6-302013: Built outbound TCP connection 1',
    want: { syslogtag: '%ASA-6-302013:', programname: '%ASA-6-302013', 'app-name': '%ASA-6-302013', msg: ' Built outbound TCP connection 1',
      pri: '166', syslogfacility: '20', syslogseverity: '6', timereported: '2026-11-20T10:00:00+01:00' } },
  { name: 'Cisco ASA without timestamp', frame: '<166>%ASA-6-302013: Built outbound TCP connection 2',
    want: { hostname: 'peer.example', syslogtag: '%ASA-6-302013:', msg: ' Built outbound TCP connection 2', timereported: RECEIVED_TEXT, parseFailed: false } },
  { name: 'single-digit day padded with SP', frame: '<13>Oct  1 22:14:15 host tag: single digit day',
    want: { ...std(' single digit day'), timereported: '2026-10-01T22:14:15+01:00' } },
  { name: 'single-digit day without padding', frame: '<13>Oct 1 22:14:15 host tag: unpadded day',
    want: { ...std(' unpadded day'), timereported: '2026-10-01T22:14:15+01:00' } },
  { name: 'lower-case month', frame: '<13>oct 11 22:14:15 host tag: lower-case month', want: std(' lower-case month') },
  { name: 'BSD timestamp with milliseconds', frame: '<13>Oct 11 22:14:15.123 host tag: fraction',
    want: { ...std(' fraction'), timereported: '2026-10-11T22:14:15.123+01:00' } },
  { name: 'leading year (Brocade)', frame: '<13>2025 Oct 11 22:14:15 host tag: leading year',
    want: { ...std(' leading year'), timereported: '2025-10-11T22:14:15+01:00' } },
  { name: 'stray SP before the timestamp (HP ProCurve)', frame: '<13> Oct 11 22:14:15 host tag: leading space', want: std(' leading space') },
  { name: 'TAB escaped as #011', frame: '<13>Oct 11 22:14:15 host tag: tab\tinside',
    want: { ...std(' tab#011inside'), rawmsg: '<13>Oct 11 22:14:15 host tag: tab#011inside' } },
  { name: 'control characters escaped #ooo', frame: '<13>Oct 11 22:14:15 host tag: ctl \x01\x07\x1b end', want: std(' ctl #001#007#033 end') },
  { name: 'one trailing LF dropped', frame: '<13>Oct 11 22:14:15 host tag: trailing lf\n',
    want: { ...std(' trailing lf'), rawmsg: '<13>Oct 11 22:14:15 host tag: trailing lf' } },
  { name: 'only one of two trailing LFs dropped', frame: '<13>Oct 11 22:14:15 host tag: two lf\n\n', want: std(' two lf#012') },
  { name: 'trailing CR is escaped', frame: '<13>Oct 11 22:14:15 host tag: trailing cr\r', want: std(' trailing cr#015') },
  { name: 'NUL inside escaped #000', frame: '<13>Oct 11 22:14:15 host tag: nul \x00 inside', want: std(' nul #000 inside') },
  { name: 'TAG ended by SP, no colon', frame: '<13>Oct 11 22:14:15 host tag hello no colon',
    want: { hostname: 'host', syslogtag: 'tag', programname: 'tag', msg: ' hello no colon' } },
  { name: 'no SP after the TAG colon', frame: '<13>Oct 11 22:14:15 host tag:no space after colon', want: std('no space after colon') },
  { name: 'day 32 is no timestamp: month and day become HOSTNAME and TAG', frame: '<13>Oct 32 22:14:15 host tag: day 32',
    want: { hostname: 'Oct', syslogtag: '32', msg: ' 22:14:15 host tag: day 32', timereported: RECEIVED_TEXT, parseFailed: false } },
  { name: 'unknown month', frame: '<13>Foo 11 22:14:15 host tag: bad month',
    want: { hostname: 'Foo', syslogtag: '11', msg: ' 22:14:15 host tag: bad month', timereported: RECEIVED_TEXT } },
  { name: 'text right after PRI', frame: '<13>just text after pri', want: { hostname: 'just', syslogtag: 'text', msg: ' after pri', parseFailed: false } },
  { name: 'headerless JSON after PRI is kept whole', frame: '<13>{"json":"headerless"}',
    want: { msg: '{"json":"headerless"}', hostname: 'peer.example', syslogtag: '', programname: '', 'app-name': '-' } },
  { name: 'slash in TAG ends programname', frame: '<13>Oct 11 22:14:15 host.example.com app/sub[99]: slash in tag',
    want: { hostname: 'host.example.com', syslogtag: 'app/sub[99]:', programname: 'app', procid: '99', msg: ' slash in tag' } },
  { name: 'slash in TAG with permitSlashInProgramname', frame: '<13>Oct 11 22:14:15 host app/sub[99]: x',
    opts: { permitSlashInProgramname: true }, want: { programname: 'app/sub', 'app-name': 'app/sub' } },
  { name: 'word ending in "-" is no HOSTNAME', frame: '<13>Oct 11 22:14:15 host- tag: hostname ending in dash',
    want: { hostname: 'peer.example', syslogtag: 'host-', msg: ' tag: hostname ending in dash' } },
  { name: 'unclosed [pid', frame: '<13>Oct 11 22:14:15 host tag[12: unclosed pid',
    want: { syslogtag: 'tag[12:', programname: 'tag', procid: '-', msg: ' unclosed pid' } },
  { name: 'frame ends after HOSTNAME', frame: '<13>Oct 11 22:14:15 host',
    want: { hostname: 'host', syslogtag: '', programname: '', 'app-name': '-', msg: '', timereported: TS } },
  { name: 'UTF-8 text kept', frame: '<13>Oct 11 22:14:15 host tag: ünïcödé ✓', want: std(' ünïcödé ✓') },
  { name: 'inner spaces kept', frame: '<13>Oct 11 22:14:15 host tag: two  spaces  kept', want: std(' two  spaces  kept') },
  { name: 'removeMsgFirstSpace', frame: '<13>Oct 11 22:14:15 host tag: x', opts: { removeMsgFirstSpace: true }, want: { msg: 'x' } },
  { name: 'escaping off: control characters dropped, NUL still escaped', frame: '<13>Oct 11 22:14:15 host tag: a\x01b\x00c',
    opts: { escapeControlCharacters: false }, want: { msg: ' ab#000c' } },
];

const PRI_CASES: Case[] = [
  { name: '"<>" is PRI 0', frame: '<>Oct 11 22:14:15 host tag: empty pri',
    want: { ...std(' empty pri'), pri: '0', syslogfacility: '0', syslogseverity: '0' } },
  { name: 'PRI 191 is the largest', frame: '<191>Oct 11 22:14:15 host tag: pri 191',
    want: { ...std(' pri 191'), pri: '191', syslogfacility: '23', syslogseverity: '7' } },
  { name: 'leading zero in PRI', frame: '<013>Oct 11 22:14:15 host tag: leading zero pri', want: { ...std(' leading zero pri'), pri: '13' } },
];

/** Unparseable frames: kept whole as msg with rawmsg intact; facility "invld". */
const UNPARSEABLE: Case[] = [
  { name: 'PRI 192 is invalid', frame: '<192>Oct 11 22:14:15 host tag: pri 192' },
  { name: 'four-digit PRI', frame: '<1234>Oct 11 22:14:15 host tag: long pri' },
  { name: 'unclosed PRI', frame: '<13 Oct 11 22:14:15 host tag: unclosed pri' },
].map((c) => ({
  ...c,
  want: {
    msg: c.frame as string, rawmsg: c.frame as string, hostname: 'peer.example', syslogtag: '', programname: '', 'app-name': '-',
    pri: 'invld', syslogfacility: 'invld', syslogseverity: '7', timereported: RECEIVED_TEXT, parseFailed: true,
  },
}));

for (const c of [...EXAMPLES, ...REAL_WORLD, ...PRI_CASES, ...UNPARSEABLE]) test(c.name, () => check(c));

test('PRI alone: empty msg, not a failure', () => {
  check({ name: '<13>', frame: '<13>', want: { msg: '', rawmsg: '<13>', pri: '13', hostname: 'peer.example', syslogtag: '', parseFailed: false } });
});

test('empty frame: user.notice, empty msg, flagged as not parsed', () => {
  check({ name: 'empty', frame: '', want: { msg: '', rawmsg: '', pri: '13', hostname: 'peer.example', timereported: RECEIVED_TEXT, parseFailed: true } });
});

test('garbage with control bytes: escaped, rsyslog reads words as HOSTNAME and TAG', () => {
  check({ name: 'garbage', frame: 'garbage \x02\x03 zz',
    want: { rawmsg: 'garbage #002#003 zz', hostname: 'garbage', syslogtag: '#002#003', programname: '#002#003', msg: ' zz', parseFailed: true } });
});

test('binary garbage (NUL, 8-bit, LF): never throws, rawmsg escaped as rsyslog, nothing lost', () => {
  const frame = Buffer.from([0x00, 0x01, 0xff, 0x80, 0x3c, 0x3e, 0x0a, 0x41]);
  const m = parse(frame);
  assert.deepEqual(m.rawmsg, Buffer.concat([Buffer.from('#000#001'), Buffer.from([0xff, 0x80]), Buffer.from('<>#012A')]));
  assert.equal(m.programname, '#000#001');
  assert.equal(m.msg, '');
  assert.equal(m.parseFailed, true);
});

test('invalid UTF-8: rawmsg and msg keep the bytes (escaped as U+DCxx, written back as the bytes)', () => {
  const frame = Buffer.concat([Buffer.from('<13>Oct 11 22:14:15 h t: '), Buffer.from([0xff, 0xfe, 0x41])]);
  const m = parse(frame);
  assert.deepEqual(m.rawmsg, frame);
  assert.equal(m.msg, ' \udcff\udcfeA');
  assert.deepEqual(encodeRaw(m.msg), Buffer.from([0x20, 0xff, 0xfe, 0x41]));
  assert.equal(m.syslogtag, 't:');
});

test('long TAG is cut at 510 bytes, long HOSTNAME rejected at 511', () => {
  const tag = parse(`<13>Oct 11 22:14:15 host ${'t'.repeat(600)}: long tag`);
  assert.equal(tag.syslogtag, 't'.repeat(510));
  const host = parse(`<13>Oct 11 22:14:15 ${'h'.repeat(600)} tag: long hostname`);
  assert.equal(host.hostname, 'peer.example');
});

test('year rollover (Logwarden improvement over rsyslog): a December stamp received in January is last year', () => {
  const received = new SyslogTime(2027, 1, 2, 0, 0, 5, 0, 6, 0, TimeSource.Local);
  const run = (rollover: boolean): string => {
    const frame = Buffer.from('<13>Dec 31 23:59:59 host tag: x');
    const m = new Message(frame, ORIGIN, received);
    parseSyslog(frame, m, parseOptions({ yearRollover: rollover }));
    return formatRfc3339(m.timereported);
  };
  assert.equal(run(true), '2026-12-31T23:59:59+00:00');
  assert.equal(run(false), '2027-12-31T23:59:59+00:00'); // rsyslog 8.2302's value
});

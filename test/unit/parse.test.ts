// Unit tests for the syslog parsers: RFC 5424 §6.5 and RFC 3164 §5.4 examples and malformed frames, each
// with exact property values (rsyslog's, confirmed by test/interop/parse-vs-rsyslog).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Message, Origin } from '../../src/message';
import { SyslogTime, TimeSource, formatRfc3339 } from '../../src/time';
import { parseSyslog } from '../../src/parse/index';
import { ParseOptions, parseOptions } from '../../src/parse/options';
import { sanitizeFrame } from '../../src/parse/sanitize';

const ORIGIN: Origin = { inputname: 'imtcp', fromhost: 'peerhost', fromhostIp: '192.0.2.9', ruleset: 'RSYSLOG_DefaultRuleset' };
const RECEIVED = new SyslogTime(2026, 11, 22, 12, 0, 0, 0, 6, 60, TimeSource.Local);

function parse(text: string | Buffer, opts: Partial<ParseOptions> = {}): Message {
  const frame = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const m = new Message(frame, ORIGIN, RECEIVED);
  parseSyslog(frame, m, parseOptions(opts));
  return m;
}

function fields(m: Message): Record<string, string | number | boolean> {
  return {
    msg: m.msg, hostname: m.hostname, syslogtag: m.syslogtag, programname: m.programname, appName: m.appName,
    procid: m.procid, msgid: m.msgid, structuredData: m.structuredData, facility: m.facility, severity: m.severity,
    protocolVersion: m.protocolVersion, ts: formatRfc3339(m.timereported), parseFailed: m.parseFailed,
  };
}

test('RFC 5424 §6.5 example 1: BOM kept in msg, Z offset', () => {
  assert.deepEqual(fields(parse('<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \u{feff}\'su root\' failed for lonvick on /dev/pts/8')), {
    msg: '\u{feff}\'su root\' failed for lonvick on /dev/pts/8', hostname: 'mymachine.example.com', syslogtag: 'su',
    programname: 'su', appName: 'su', procid: '-', msgid: 'ID47', structuredData: '-', facility: 4, severity: 2,
    protocolVersion: '1', ts: '2003-10-11T22:14:15.003Z', parseFailed: false,
  });
});

test('RFC 5424 §6.5 example 2: microseconds and negative offset, tag with procid', () => {
  const m = parse('<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It\'s time to make the do-nuts.');
  assert.equal(formatRfc3339(m.timereported), '2003-08-24T05:14:15.000003-07:00');
  assert.equal(m.timereported.toEpochMs(), Date.UTC(2003, 7, 24, 12, 14, 15));
  assert.deepEqual([m.hostname, m.syslogtag, m.programname, m.procid, m.msg, m.facility, m.severity],
    ['192.0.2.1', 'myproc[8710]', 'myproc', '8710', '%% It\'s time to make the do-nuts.', 20, 5]);
});

test('RFC 5424 §6.5 examples 3 and 4: structured data kept verbatim', () => {
  const sd = '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]';
  const m3 = parse(`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 ${sd} \u{feff}An application event log entry...`);
  assert.equal(m3.structuredData, sd);
  assert.equal(m3.msg, '\u{feff}An application event log entry...');
  const m4 = parse(`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 ${sd}[examplePriority@32473 class="high"]`);
  assert.equal(m4.structuredData, `${sd}[examplePriority@32473 class="high"]`);
  assert.equal(m4.msg, '');
});

test('RFC 5424 SD escapes stay as received; "\\]" does not end an element', () => {
  const m = parse('<14>1 2026-11-20T10:00:00Z h a p m [a@1 x="y\\"z" v="\\]"] text');
  assert.equal(m.structuredData, '[a@1 x="y\\"z" v="\\]"]');
  assert.equal(m.msg, 'text');
});

test('RFC 5424 with a bad timestamp: no fallback to 3164, header left empty (rsyslog)', () => {
  assert.deepEqual(fields(parse('<14>1 20261120T100000Z host app - - - bad')), {
    msg: '20261120T100000Z host app - - - bad', hostname: 'peerhost', syslogtag: '', programname: '', appName: '',
    procid: '-', msgid: '-', structuredData: '-', facility: 1, severity: 6, protocolVersion: '1',
    ts: formatRfc3339(RECEIVED), parseFailed: true,
  });
});

test('RFC 5424 SD field that is not SD: rsyslog copies MSGID into structured-data', () => {
  const m = parse('<14>1 2026-11-20T10:00:00Z host app proc msgid notsd rest');
  assert.deepEqual([m.structuredData, m.msg, m.parseFailed], ['msgid', 'notsd rest', true]);
});

test('RFC 3164 §5.4 example 1: hostname, tag with colon, msg keeps its leading space', () => {
  assert.deepEqual(fields(parse('<34>Oct 11 22:14:15 mymachine su: \'su root\' failed for lonvick on /dev/pts/8', { yearRollover: false })), {
    msg: ' \'su root\' failed for lonvick on /dev/pts/8', hostname: 'mymachine', syslogtag: 'su:', programname: 'su',
    appName: 'su', procid: '-', msgid: '-', structuredData: '-', facility: 4, severity: 2, protocolVersion: '0',
    ts: '2026-10-11T22:14:15+01:00', parseFailed: false,
  });
});

test('RFC 3164 §5.4 example 2: no PRI → user.notice; "Use" looks like a hostname to rsyslog', () => {
  const m = parse('Use the BFG!');
  assert.deepEqual([m.facility, m.severity, m.hostname, m.syslogtag, m.msg, m.parseFailed], [1, 5, 'Use', 'the', ' BFG!', true]);
});

test('RFC 3164 §5.4 examples 3-5', () => {
  const m3 = parse('<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!');
  assert.deepEqual([m3.hostname, m3.syslogtag, m3.msg, m3.timereported.day], ['10.0.0.99', 'Use', ' the BFG!', 5]);
  const m4 = parse('<165>Aug 24 05:34:00 CST 1987 mymachine myproc[10]: %% It\'s time');
  assert.deepEqual([m4.hostname, m4.syslogtag, m4.msg], ['CST', '1987', ' mymachine myproc[10]: %% It\'s time']);
  const m5 = parse('<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That\'s All Folks!');
  assert.deepEqual([m5.timereported.year, m5.hostname, m5.syslogtag], [1990, 'TZ-6', 'scapegoat.dmz.example.org']);
});

test('RFC 3164 variants: no hostname, tag[pid], ISO timestamp, Cisco year, one-digit day', () => {
  const a = parse('<13>Oct 11 22:14:15 sshd[1234]: no hostname');
  assert.deepEqual([a.hostname, a.syslogtag, a.programname, a.procid, a.appName], ['peerhost', 'sshd[1234]:', 'sshd', '1234', 'sshd']);
  const b = parse('<13>2026-11-20T10:00:00.5+01:00 host tag: iso');
  assert.equal(formatRfc3339(b.timereported), '2026-11-20T10:00:00.5+01:00');
  const c = parse('<13>Oct 11 2025 22:14:15 host tag: x');
  assert.equal(c.timereported.year, 2025);
  const d = parse('<13>Oct  1 22:14:15 host tag: x');
  assert.deepEqual([d.timereported.day, d.hostname], [1, 'host']);
  const e = parse('<166>%ASA-6-302013: Built');
  assert.deepEqual([e.syslogtag, e.programname, e.msg], ['%ASA-6-302013:', '%ASA-6-302013', ' Built']);
  const f = parse('<13>Oct 11 22:14:15 host app/sub[9]: x');
  assert.deepEqual([f.programname, f.procid], ['app', '9']);
  assert.equal(parse('<13>Oct 11 22:14:15 host app/sub[9]: x', { permitSlashInProgramname: true }).programname, 'app/sub');
});

test('PRI edge cases: <> is 0, >191 and malformed are invalid (facility 24) and not parsed', () => {
  assert.equal(parse('<>Oct 11 22:14:15 host tag: x').facility, 0);
  const bad = parse('<192>Oct 11 22:14:15 host tag: x');
  assert.deepEqual([bad.facility, bad.severity, bad.msg, bad.syslogtag, bad.parseFailed], [24, 7, '<192>Oct 11 22:14:15 host tag: x', '', true]);
  assert.equal(parse('<13 x').facility, 24);
});

test('control characters are escaped as #ooo, trailing LF and NUL dropped; options change it', () => {
  const m = parse('<13>Oct 11 22:14:15 host tag: a\tb\x01c\r\n');
  assert.equal(m.msg, ' a#011b#001c#015');
  assert.equal(m.rawmsg.toString(), '<13>Oct 11 22:14:15 host tag: a#011b#001c#015');
  assert.equal(parse('<13>h t: a\tb', { escapeTab: false }).msg, ' a\tb');
  assert.equal(parse('<13>h t: a\x01b', { escapeControlCharacters: false }).msg, ' a\x01b');
  // rsyslog quirk: with escaping off, a NUL still forces the copy, which then drops other control chars
  assert.equal(parse('<13>h t: a\x01b\x00c', { escapeControlCharacters: false }).msg, ' ab#000c');
  assert.equal(parse('<13>h t: a\x00b\x00').msg, ' a#000b');
  assert.equal(parse('<13>h t: a\tb', { escapeControlCharactersCStyle: true }).msg, ' a\\tb');
  assert.equal(sanitizeFrame(Buffer.from('x\n'), parseOptions({ dropTrailingLF: false })).toString(), 'x#012');
});

test('fractions longer than 6 digits are kept at their precision', () => {
  const m = parse('<14>1 2026-11-20T10:00:00.123456789Z h a - - - x');
  assert.deepEqual([m.timereported.secfrac, m.timereported.secfracPrecision], [123456789, 9]);
});

test('BSD year rollover: a December stamp received in January is last year, and vice versa', () => {
  const jan = new SyslogTime(2027, 1, 1, 0, 5, 0, 0, 6, 0, TimeSource.Local);
  const m = new Message(Buffer.alloc(0), ORIGIN, jan);
  parseSyslog(Buffer.from('<13>Dec 31 23:59:59 host tag: x'), m, parseOptions());
  assert.equal(m.timereported.year, 2026);
  const dec = new SyslogTime(2026, 12, 31, 23, 59, 0, 0, 6, 0, TimeSource.Local);
  const n = new Message(Buffer.alloc(0), ORIGIN, dec);
  parseSyslog(Buffer.from('<13>Jan  1 00:00:01 host tag: x'), n, parseOptions());
  assert.equal(n.timereported.year, 2027);
  const o = new Message(Buffer.alloc(0), ORIGIN, dec);
  parseSyslog(Buffer.from('<13>Jan  1 00:00:01 host tag: x'), o, parseOptions({ yearRollover: false }));
  assert.equal(o.timereported.year, 2026);
});

test('garbage never throws and is kept', () => {
  for (const s of ['', '<', '<1', '1', '1 ', '<13>1', '\x00\x00', '<13>[', '\xff\xfe', '<13>Oct', '<13>Oct 11 22:14:1']) {
    const m = parse(Buffer.from(s, 'latin1'));
    assert.equal(typeof m.msg, 'string');
  }
});

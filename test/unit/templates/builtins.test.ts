// Every built-in template on messages from the real parser. The generator formats (and the other templates
// rsyslogd lets a config name) are compared with bytes rsyslogd 8.2302 wrote for the same frames; the
// internal ones (wall, usrmsg, SQL, JSON) follow rsconf.c's template text and are checked field by field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtin, FRAMES, messages, parsed } from './helpers';

/** [template, rsyslogd's output for all FRAMES in order, concatenated]. */
const RECORDED: Array<[string, string]> = [
  ["RSYSLOG_TraditionalFileFormat", "Oct 11 22:14:15 mymachine.example.com su[77] 'su root' failed for lonvick on /dev/pts/8\nAug 24 05:14:15 Host.Example.ORG app/x \tTab  two   spaces\u0001ctl a=5 b=66 \"q\" \\back\nOct  5 01:02:03 host-b sshd[1234]: Accepted user alice from 10.0.0.7 port 52214\n"],
  ["RSYSLOG_FileFormat", "2003-10-11T22:14:15.003Z mymachine.example.com su[77] 'su root' failed for lonvick on /dev/pts/8\n2003-08-24T05:14:15.000003-07:00 Host.Example.ORG app/x \tTab  two   spaces\u0001ctl a=5 b=66 \"q\" \\back\n2026-10-05T01:02:03+00:00 host-b sshd[1234]: Accepted user alice from 10.0.0.7 port 52214\n"],
  ["RSYSLOG_TraditionalForwardFormat", "<34>Oct 11 22:14:15 mymachine.example.com su[77] 'su root' failed for lonvick on /dev/pts/8<165>Aug 24 05:14:15 Host.Example.ORG app/x \tTab  two   spaces\u0001ctl a=5 b=66 \"q\" \\back<13>Oct  5 01:02:03 host-b sshd[1234]: Accepted user alice from 10.0.0.7 port 52214"],
  ["RSYSLOG_ForwardFormat", "<34>2003-10-11T22:14:15.003Z mymachine.example.com su[77] 'su root' failed for lonvick on /dev/pts/8<165>2003-08-24T05:14:15.000003-07:00 Host.Example.ORG app/x \tTab  two   spaces\u0001ctl a=5 b=66 \"q\" \\back<13>2026-10-05T01:02:03+00:00 host-b sshd[1234]: Accepted user alice from 10.0.0.7 port 52214"],
  ["RSYSLOG_SyslogProtocol23Format", "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su 77 ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"App\"] 'su root' failed for lonvick on /dev/pts/8\n<165>1 2003-08-24T05:14:15.000003-07:00 Host.Example.ORG app/x - - - \tTab  two   spaces\u0001ctl a=5 b=66 \"q\" \\back\n<13>1 2026-10-05T01:02:03+00:00 host-b sshd 1234 - -  Accepted user alice from 10.0.0.7 port 52214\n"],
  ["RSYSLOG_SysklogdFileFormat", "Oct 11 22:14:15 mymachine.example.com su[77] 'su root' failed for lonvick on /dev/pts/8\nAug 24 05:14:15 Host.Example.ORG app/x \tTab  two   spaces\u0001ctl a=5 b=66 \"q\" \\back\nOct  5 01:02:03 host-b sshd[1234]: Accepted user alice from 10.0.0.7 port 52214\n"],
  ["RSYSLOG_SyslogRFC5424Format", "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su 77 ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"App\"] 'su root' failed for lonvick on /dev/pts/8<165>1 2003-08-24T05:14:15.000003-07:00 Host.Example.ORG app/x - - - \tTab  two   spaces\u0001ctl a=5 b=66 \"q\" \\back<13>1 2026-10-05T01:02:03+00:00 host-b sshd 1234 - -  Accepted user alice from 10.0.0.7 port 52214"],
];

for (const [name, expected] of RECORDED) {
  test(`built-in ${name} matches rsyslogd byte for byte`, () => {
    const tpl = builtin(name);
    assert.equal(messages().map((m) => tpl.render(m)).join(''), expected);
  });
}

test('built-in names are case-insensitive', () => {
  assert.equal(builtin('rsyslog_fileformat').render(parsed(FRAMES[2]!)), builtin('RSYSLOG_FileFormat').render(parsed(FRAMES[2]!)));
});

test('forward formats cut the TAG at 32 characters (RFC 3164 §4.1.3), file formats do not', () => {
  const m = parsed(FRAMES[2]!);
  m.syslogtag = 'a'.repeat(40) + ':';
  assert.equal(builtin('RSYSLOG_ForwardFormat').render(m), `<13>2026-10-05T01:02:03+00:00 host-b ${'a'.repeat(32)} Accepted user alice from 10.0.0.7 port 52214`);
  assert.equal(builtin('RSYSLOG_TraditionalForwardFormat').render(m), `<13>Oct  5 01:02:03 host-b ${'a'.repeat(32)} Accepted user alice from 10.0.0.7 port 52214`);
  assert.equal(builtin('RSYSLOG_TraditionalFileFormat').render(m), `Oct  5 01:02:03 host-b ${'a'.repeat(40)}: Accepted user alice from 10.0.0.7 port 52214\n`);
});

test('RSYSLOG_WallFmt and RSYSLOG_StdUsrMsgFmt: CR LF framing for terminals, TAG glued to MSG', () => {
  const [a, , c] = messages();
  assert.equal(builtin('RSYSLOG_WallFmt').render(a!),
    "\r\n\x07Message from syslogd@mymachine.example.com at Nov 23 00:00:00 ...\r\n su[77]'su root' failed for lonvick on /dev/pts/8\n\r");
  assert.equal(builtin('RSYSLOG_StdUsrMsgFmt').render(a!), " su[77]'su root' failed for lonvick on /dev/pts/8\n\r");
  assert.equal(builtin('RSYSLOG_StdUsrMsgFmt').render(c!), ' sshd[1234]: Accepted user alice from 10.0.0.7 port 52214\n\r');
});

test('RSYSLOG_StdJSONFmt and RSYSLOG_FullJSONFmt', () => {
  const [a, b] = messages();
  const tg = '"timegenerated":"2026-11-23T00:00:00.123456+00:00"';
  assert.equal(builtin('RSYSLOG_StdJSONFmt').render(a!),
    '{"message":"\'su root\' failed for lonvick on \\/dev\\/pts\\/8","fromhost":"mymachine.example.com","facility":"auth",' +
    `"priority":"crit","timereported":"2003-10-11T22:14:15.003Z",${tg}}`);
  assert.equal(builtin('RSYSLOG_StdJSONFmt').render(b!),
    '{"message":"\\tTab  two   spaces\\u0001ctl a=5 b=66 \\"q\\" \\\\back","fromhost":"Host.Example.ORG","facility":"local4",' +
    `"priority":"notice","timereported":"2003-08-24T05:14:15.000003-07:00",${tg}}`);
  assert.equal(builtin('RSYSLOG_FullJSONFmt').render(a!),
    '{"message":"\'su root\' failed for lonvick on \\/dev\\/pts\\/8","fromhost":"mymachine.example.com","programname":"su",' +
    `"procid":"77","msgid":"ID47","facility":"auth","priority":"crit","timereported":"2003-10-11T22:14:15.003Z",${tg}}`);
});

test('RSYSLOG_StdDBFmt (sql: \\\' and \\\\), RSYSLOG_StdPgSQLFmt (stdsql: \'\'), RSYSLOG_StdClickHouseFmt', () => {
  const a = parsed(FRAMES[0]!);
  a.msg = "it's a \\ path";
  const head = 'insert into SystemEvents (Message, Facility, FromHost, Priority, DeviceReportedTime, ReceivedAt, InfoUnitID, SysLogTag) values ';
  assert.equal(builtin('RSYSLOG_StdDBFmt').render(a),
    head + "('it\\'s a \\\\ path', 4, 'mymachine.example.com', 2, '20031011221415', '20261123000000', 1, 'su[77]')");
  assert.equal(builtin('RSYSLOG_StdPgSQLFmt').render(a),
    head + "('it''s a \\ path', 4, 'mymachine.example.com', 2, '2003-10-11 22:14:15', '2026-11-23 00:00:00', 1, 'su[77]')");
  assert.equal(builtin('RSYSLOG_StdClickHouseFmt').render(a),
    "INSERT INTO rsyslog.SystemEvents (severity, facility, timestamp, hostname, tag, message) VALUES (2, 4, '1065910455', 'mymachine.example.com', 'su[77]', 'it''s a \\ path')");
});

test('RSYSLOG_DebugFormat lists every property; $! $. $/ empty on a fresh message', () => {
  const c = parsed(FRAMES[2]!);
  assert.equal(builtin('RSYSLOG_DebugFormat').render(c),
    "Debug line with all properties:\nFROMHOST: 'peer', fromhost-ip: '192.0.2.9', HOSTNAME: 'host-b', PRI: 13,\n" +
    "syslogtag 'sshd[1234]:', programname: 'sshd', APP-NAME: 'sshd', PROCID: '1234', MSGID: '-',\n" +
    "TIMESTAMP: 'Oct  5 01:02:03', STRUCTURED-DATA: '-',\nmsg: ' Accepted user alice from 10.0.0.7 port 52214'\n" +
    "escaped msg: ' Accepted user alice from 10.0.0.7 port 52214'\ninputname: imudp rawmsg: '" + FRAMES[2] + "'\n$!:\n$.:\n$/:\n\n");
  c.json = { k: 'v' };
  assert.match(builtin('RSYSLOG_DebugFormat').render(c), /\n\$!:\{ "k": "v" \}\n/);
});

test('helper templates: omudpspoof source and per-source key', () => {
  const c = parsed(FRAMES[2]!);
  assert.equal(builtin('RSYSLOG_omudpspoofDfltSourceTpl').render(c), '192.0.2.9');
  assert.equal(builtin('RSYSLOG_PerSourceKey').render(c), 'host-b');
});

// Every property replacer option on messages from the real parser, with the exact bytes rsyslogd 8.2302
// wrote for the same frames and templates (recorded through imudp → omfile; see helpers.ts FRAMES).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Message } from '../../../src/message';
import { compileTemplate } from '../../../src/templates';
import { FRAMES, LOC, messages, parsed, stringTemplate } from './helpers';

/** [what, template text, expected output for each of FRAMES]. */
const RECORDED: Array<[string, string, string[]]> = [
  ["from/to positions: $, reversed pair swapped, pos-end-relative, fixed-width, past the end", "%msg:1:10%|%msg:5:$%|%msg:3:3%|%msg:10:5%|%msg:1:4:pos-end-relative%|%syslogtag:1:12:fixed-width%|%msg:200:210%|\n", [
    "'su root' |root' failed for lonvick on /dev/pts/8|u|root' |ts/8|su[77]      ||\n",
    "\tTab  two |  two   spaces\u0001ctl a=5 b=66 \"q\" \\back|a|  two |back|app/x       ||\n",
    " Accepted |epted user alice from 10.0.0.7 port 52214|c|epted |2214|sshd[1234]: ||\n",
  ]],
  ["R regex with --end: ERE/BRE, submatch, DFLT/BLANK/ZERO/FIELD no-match modes, match index", "%msg:R,ERE,1,DFLT:([0-9]+)--end%|%msg:R,ERE,2,BLANK:(a|b)=([0-9]+)--end%|%msg:R,ERE,1,ZERO:zz(z)--end%|%msg:R,ERE,1,FIELD:zz(z)--end%|%msg:R,ERE,0,DFLT,1:[a-z]+--end%|%msg:R:[0-9][0-9]*--end%|%msg:R,BRE,1,BLANK:\\(f[a-z]*\\)--end%|%msg:R,ERE,0,DFLT:qqq--end%\n", [
    "8||0|'su root' failed for lonvick on /dev/pts/8|root|8|failed|**NO MATCH**\n",
    "5|5|0|\tTab  two   spaces\u0001ctl a=5 b=66 \"q\" \\back|two|5||**NO MATCH**\n",
    "10||0| Accepted user alice from 10.0.0.7 port 52214|user|10|from|**NO MATCH**\n",
  ]],
  ["F field extraction: delimiter by code, default HT, missing field, field with from-position", "%msg:F,32:1%|%msg:F,32:3%|%msg:F,32:99%|%msg:F,61:2%|%msg:F:1%|%syslogtag:F,91:1%|%msg:F,32,2:2%\n", [
    "'su|failed|**FIELD NOT FOUND**|**FIELD NOT FOUND**|'su root' failed for lonvick on /dev/pts/8|su|ro\n",
    "\tTab|two|**FIELD NOT FOUND**|5 b||app/x|\n",
    "|user|**FIELD NOT FOUND**|**FIELD NOT FOUND**| Accepted user alice from 10.0.0.7 port 52214|sshd|Ac\n",
  ]],
  ["date-mysql, date-pgsql, date-rfc3164, date-rfc3339, date-unixtimestamp, date-subseconds", "%timereported:::date-mysql%|%timereported:::date-pgsql%|%timereported:::date-rfc3164%|%timereported:::date-rfc3339%|%timereported:::date-unixtimestamp%|%timereported:::date-subseconds%\n", [
    "20031011221415|2003-10-11 22:14:15|Oct 11 22:14:15|2003-10-11T22:14:15.003Z|1065910455|003\n",
    "20030824051415|2003-08-24 05:14:15|Aug 24 05:14:15|2003-08-24T05:14:15.000003-07:00|1061727255|000003\n",
    "20261005010203|2026-10-05 01:02:03|Oct  5 01:02:03|2026-10-05T01:02:03+00:00|1791162123|0\n",
  ]],
  ["date-year/month/day/hour/minute/second, date-tzoffs*, date-wday, date-wdayname (RFC 5424 Z shows as -00:00)", "%timereported:::date-year%-%timereported:::date-month%-%timereported:::date-day% %timereported:::date-hour%:%timereported:::date-minute%:%timereported:::date-second% %timereported:::date-tzoffsdirection%%timereported:::date-tzoffshour%:%timereported:::date-tzoffsmin% %timereported:::date-wday% %timereported:::date-wdayname%\n", [
    "2003-10-11 22:14:15 -00:00 6 Sat\n",
    "2003-08-24 05:14:15 -07:00 0 Sun\n",
    "2026-10-05 01:02:03 +00:00 1 Mon\n",
  ]],
  ["date-utc with rfc3339, default, mysql and hour", "%timereported:::date-rfc3339,date-utc%|%timereported:::date-utc%|%timereported:::date-mysql,date-utc%|%timereported:::date-hour,date-utc%\n", [
    "2003-10-11T22:14:15.003000+00:00|Oct 11 22:14:15|20031011221415|22\n",
    "2003-08-24T12:14:15.000003+00:00|Aug 24 12:14:15|20030824121415|12\n",
    "2026-10-05T01:02:03.000000+00:00|Oct  5 01:02:03|20261005010203|01\n",
  ]],
  ["lowercase and uppercase (ASCII only)", "%hostname:::lowercase%|%hostname:::uppercase%|%msg:1:6:uppercase%\n", [
    "mymachine.example.com|MYMACHINE.EXAMPLE.COM|'SU RO\n",
    "host.example.org|HOST.EXAMPLE.ORG|\tTAB  \n",
    "host-b|HOST-B| ACCEP\n",
  ]],
  ["escape-cc, drop-cc, space-cc", "%msg:::escape-cc%|%msg:::drop-cc%|%msg:::space-cc%\n", [
    "'su root' failed for lonvick on /dev/pts/8|'su root' failed for lonvick on /dev/pts/8|'su root' failed for lonvick on /dev/pts/8\n",
    "#009Tab  two   spaces#001ctl a=5 b=66 \"q\" \\back|Tab  two   spacesctl a=5 b=66 \"q\" \\back| Tab  two   spaces ctl a=5 b=66 \"q\" \\back\n",
    " Accepted user alice from 10.0.0.7 port 52214| Accepted user alice from 10.0.0.7 port 52214| Accepted user alice from 10.0.0.7 port 52214\n",
  ]],
  ["sp-if-no-1st-sp", "[%msg:::sp-if-no-1st-sp%%msg%]\n", [
    "[ 'su root' failed for lonvick on /dev/pts/8]\n",
    "[ \tTab  two   spaces\u0001ctl a=5 b=66 \"q\" \\back]\n",
    "[ Accepted user alice from 10.0.0.7 port 52214]\n",
  ]],
  ["secpath-drop and secpath-replace", "%programname:::secpath-drop%|%programname:::secpath-replace%|%syslogtag:::secpath-replace%\n", [
    "su|su|su[77]\n",
    "app|app|app_x\n",
    "sshd|sshd|sshd[1234]:\n",
  ]],
  ["json, jsonf (with and without field name), csv", "%msg:::json%|%msg:::jsonf%|%hostname:::jsonf:h%|%msg:::csv%|%procid:::csv%\n", [
    "'su root' failed for lonvick on \\/dev\\/pts\\/8|\"msg\":\"'su root' failed for lonvick on \\/dev\\/pts\\/8\"|\"h\":\"mymachine.example.com\"|\"'su root' failed for lonvick on /dev/pts/8\"|\"77\"\n",
    "\\tTab  two   spaces\\u0001ctl a=5 b=66 \\\"q\\\" \\\\back|\"msg\":\"\\tTab  two   spaces\\u0001ctl a=5 b=66 \\\"q\\\" \\\\back\"|\"h\":\"Host.Example.ORG\"|\"\tTab  two   spaces\u0001ctl a=5 b=66 \"\"q\"\" \\back\"|\"-\"\n",
    " Accepted user alice from 10.0.0.7 port 52214|\"msg\":\" Accepted user alice from 10.0.0.7 port 52214\"|\"h\":\"host-b\"|\" Accepted user alice from 10.0.0.7 port 52214\"|\"1234\"\n",
  ]],
  ["compressspace alone and with drop-cc", "%msg:::compressspace%|%msg:::compressspace,drop-cc%\n", [
    "'su root' failed for lonvick on /dev/pts/8|'su root' failed for lonvick on /dev/pts/8\n",
    "\tTab two spaces\u0001ctl a=5 b=66 \"q\" \\back|Tab two spacesctl a=5 b=66 \"q\" \\back\n",
    " Accepted user alice from 10.0.0.7 port 52214| Accepted user alice from 10.0.0.7 port 52214\n",
  ]],
  ["drop-last-lf on values without a trailing LF", "%msg:::drop-last-lf%|\n", [
    "'su root' failed for lonvick on /dev/pts/8|\n",
    "\tTab  two   spaces\u0001ctl a=5 b=66 \"q\" \\back|\n",
    " Accepted user alice from 10.0.0.7 port 52214|\n",
  ]],
];

for (const [what, text, expected] of RECORDED) {
  test(`replacer: ${what}`, () => {
    const tpl = stringTemplate(text);
    const msgs = messages();
    assert.equal(expected.length, FRAMES.length);
    msgs.forEach((m, i) => assert.equal(tpl.render(m), expected[i], `frame ${i}: ${FRAMES[i]}`));
  });
}

test('date-utc keeps the fraction scale (rsyslog 8.2302 turns .003 into .000003: documented divergence)', () => {
  assert.equal(stringTemplate('%timereported:::date-rfc3339,date-utc%').render(parsed(FRAMES[0]!)), '2003-10-11T22:14:15.003000+00:00');
});

test('drop-last-lf removes exactly one trailing LF, but not when escape-cc already turned it into #010', () => {
  const m = parsed(FRAMES[0]!);
  m.msg = 'two lines\nend\n\n';
  assert.equal(stringTemplate('[%msg:::drop-last-lf%]').render(m), '[two lines\nend\n]');
  assert.equal(stringTemplate('[%msg:::drop-last-lf,escape-cc%]').render(m), '[two lines#010end#010#010]');
  assert.equal(stringTemplate('[%msg:::drop-last-lf,space-cc%]').render(m), '[two lines end  ]');
});

test('sp-if-no-1st-sp: empty value gives nothing, leading space gives nothing, else one space', () => {
  const m = parsed(FRAMES[0]!);
  const tpl = stringTemplate('[%msg:::sp-if-no-1st-sp%]');
  for (const [msg, want] of [['', '[]'], [' x', '[]'], ['x', '[ ]']] as const) {
    m.msg = msg;
    assert.equal(tpl.render(m), want, JSON.stringify(msg));
  }
});

test('secpath options never yield a path component that climbs or is empty', () => {
  const m: Message = parsed(FRAMES[0]!);
  const tpl = stringTemplate('%hostname:::secpath-drop%|%hostname:::secpath-replace%');
  for (const [host, want] of [['..', '_.|_.'], ['.', '_|_'], ['', '_|_'], ['../../etc', '....etc|.._.._etc'], ['a/b', 'ab|a_b']] as const) {
    m.hostname = host;
    assert.equal(tpl.render(m), want, JSON.stringify(host));
  }
});

test('json escapes control characters (upper-case hex, as rsyslogd), quotes, backslash and slash; csv doubles quotes', () => {
  const m = parsed(FRAMES[0]!);
  m.msg = 'a"b\\c/d\x1fe\tf\ng';
  assert.equal(stringTemplate('%msg:::json%').render(m), 'a\\"b\\\\c\\/d\\u001Fe\\tf\\ng');
  assert.equal(stringTemplate('%msg:::csv%').render(m), '"a""b\\c/d\x1fe\tf\ng"');
});

test('options are read case-insensitively and unknown ones are reported, not fatal', () => {
  const warnings: string[] = [];
  const tpl = compileTemplate({ name: 'w', type: 'string', string: '%hostname:::UpperCase,no-such-option%', options: new Map(), loc: LOC },
    { warn: (code, message, loc) => warnings.push(`${code} ${loc.file}:${loc.line} ${message}`) });
  assert.equal(tpl.render(parsed(FRAMES[2]!)), 'HOST-B');
  assert.deepEqual(warnings, ["LW_WARN_TEMPLATE_OPTION tpl.conf:4 unknown property replacer option 'no-such-option' ignored"]);
});

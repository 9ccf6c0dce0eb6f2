// Property replacer and template compiler on fixed messages: the options the rsyslog interop test cannot
// cover (because rsyslogd 8.2302 crashes or caches), JSON variables, escapes, and compile errors with places.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Param, Params, TemplateDecl } from '../../../src/config/model';
import { Message } from '../../../src/message';
import { SyslogTime, TimeSource } from '../../../src/time';
import { builtinTemplates, compileProperty, compileTemplate, getJsonValue, TemplateError, unescapeC } from '../../../src/templates';

const LOC = { file: 'rsyslog.conf', line: 7, col: 3 };

function message(): Message {
  const t = new SyslogTime(2026, 3, 4, 5, 6, 7, 0, 0, 0, TimeSource.Rfc3164);
  const m = new Message(Buffer.from('<13>Mar  4 05:06:07 host app[9]: a  b\tc'), { inputname: 'imudp', fromhost: 'peer', fromhostIp: '192.0.2.9', ruleset: 'r' }, t);
  m.hostname = 'host';
  m.syslogtag = 'app[9]:';
  m.programname = 'app';
  m.msg = ' a  b\tc';
  return m;
}

function render(text: string, m: Message = message(), options: Params = new Map()): string {
  return compileTemplate({ name: 't', type: 'string', string: text, options, loc: LOC }).render(m);
}

test('date formats rsyslogd cannot be compared against (ordinal, week, ISO week, buggy day)', () => {
  assert.equal(render('%timereported:::date-ordinal%|%timereported:::date-week%|%timereported:::date-iso-week%|%timereported:::date-iso-week-year%'), '063|10|10|2026');
  assert.equal(render('%timereported:::date-rfc3164-buggyday%|%timereported%'), 'Mar 04 05:06:07|Mar  4 05:06:07');
  assert.equal(render('%timereported:::date-wday%%timereported:::date-wdayname%'), '3Wed');
});

test('character positions, fixed width and end-relative positions', () => {
  assert.equal(render('[%msg:2:3%][%msg:6:12:fixed-width%][%msg:1:2:pos-end-relative%][%msg:40:50%]'), '[a ][\tc     ][\tc][]');
});

test('field and regex extraction with every no-match mode', () => {
  assert.equal(render('%rawmsg:F,32:2%|%rawmsg:F,32:3%|%rawmsg:F,32:99%'), '|4|**FIELD NOT FOUND**');
  assert.equal(render('%msg:R,ERE,1,DFLT:(z+)--end%|%msg:R,ERE,1,BLANK:(z+)--end%|%msg:R,ERE,1,ZERO:(z+)--end%|%msg:R,ERE,1,FIELD:(z+)--end%'), '**NO MATCH**||0| a  b\tc');
  assert.equal(render('%syslogtag:R,BRE,1,DFLT:\\([0-9]\\{1,\\}\\)--end%'), '9');
});

test('control characters, secure paths, spaces, case and formats', () => {
  assert.equal(render('%msg:::escape-cc%|%msg:::drop-cc%|%msg:::space-cc%|%msg:::compressspace%'), ' a  b#009c| a  bc| a  b c| a b\tc');
  const m = message();
  for (const [prog, drop, replace] of [['', '_', '_'], ['.', '_', '_'], ['..', '_.', '_.'], ['a/b', 'ab', 'a_b'], ['/', '_', '_']]) {
    m.programname = prog!;
    assert.equal(render('%programname:::secpath-drop%|%programname:::secpath-replace%', m), `${drop}|${replace}`, `secpath of '${prog}'`);
  }
  assert.equal(render('%hostname:::uppercase,csv%|%msg:::json%|%msg:::jsonf:m%'), '"HOST"| a  b\\tc|"m":" a  b\\tc"');
});

test('template options sql, stdsql, json escape only property values', () => {
  const m = message();
  m.msg = "it's a \\ \"q\"";
  const opt = (k: string): Params => new Map<string, Param>([[k, { name: k, value: 'on', loc: LOC }]]);
  assert.equal(render("'%msg%'", m, opt('option.sql')), "'it\\'s a \\\\ \"q\"'");
  assert.equal(render("'%msg%'", m, opt('option.stdsql')), "'it''s a \\ \"q\"'");
  assert.equal(render('"%msg%"', m, opt('option.json')), '"it\'s a \\\\ \\"q\\""');
});

test('JSON variables: whole tree like json-c, paths, typed values', () => {
  const m = message();
  m.json = { a: { b: 'x/y', n: 5 }, list: [1, true, null], e: {} };
  assert.equal(render('%$!%'), '');
  assert.equal(render('%$!%', m), '{ "a": { "b": "x\\/y", "n": 5 }, "list": [ 1, true, null ], "e": { } }');
  assert.equal(render('%$!a!b%|%$!a!n%|%$!a%|%$!missing%|%$!all-json-plain%', m),
    'x/y|5|{ "b": "x\\/y", "n": 5 }||{"a":{"b":"x\\/y","n":5},"list":[1,true,null],"e":{}}');
  assert.equal(getJsonValue(m, '$!a!n'), 5);
  assert.equal(compileProperty('$!a!b')!(m), 'x/y');
});

test('property names resolve case-insensitively with rsyslog aliases', () => {
  const m = message();
  assert.equal(compileProperty('HOSTNAME')!(m), 'host');
  assert.equal(compileProperty('source')!(m), 'host');
  assert.equal(compileProperty('TIMESTAMP')!(m), 'Mar  4 05:06:07');
  assert.equal(compileProperty('syslogpriority-text')!(m), 'notice');
  assert.equal(compileProperty('rawmsg-after-pri')!(m), 'Mar  4 05:06:07 host app[9]: a  b\tc');
  assert.equal(compileProperty('nonsense'), null);
  const uuid = compileProperty('uuid')!;
  assert.match(uuid(m), /^[0-9A-F]{32}$/);
  assert.equal(uuid(m), uuid(m), 'uuid is fixed per message');
  assert.match(compileProperty('$now')!(m), /^\d{4}-\d\d-\d\d$/);
});

test('list templates: constants with C escapes, jsonf constant and option.jsonf wrapper', () => {
  const p = (o: Record<string, string>): Params => new Map(Object.entries(o).map(([k, v]) => [k.toLowerCase(), { name: k, value: v, loc: LOC }]));
  const decl: TemplateDecl = {
    name: 'j', type: 'list', options: p({ 'option.jsonf': 'on' }), loc: LOC,
    items: [
      { kind: 'property', name: 'hostname', params: p({ outname: 'h', format: 'jsonf' }), loc: LOC },
      { kind: 'property', name: 'msgid', params: p({ outname: 'id', format: 'jsonf', onempty: 'null' }), loc: LOC },
      { kind: 'property', name: 'syslogseverity', params: p({ outname: 's', format: 'jsonf', datatype: 'number' }), loc: LOC },
      { kind: 'constant', value: 'v', params: p({ outname: 'k', format: 'jsonf' }), loc: LOC },
    ],
  };
  assert.equal(compileTemplate(decl).render(message()), '{"h":"host", "id":"-", "s":5, "k": "v"}\n');
  assert.equal(unescapeC('a\\tb\\\\n\\x41\\101'), 'a\tb\\nAA');
});

test('legacy $template escapes apply to constants only', () => {
  const t = compileTemplate({ name: 'l', type: 'string', string: '\\7x\\%%hostname%\\n', options: new Map(), loc: LOC }, { legacy: true });
  assert.equal(t.render(message()), '\x07x%host\n');
});

test('compile errors carry a stable code and the config place', () => {
  const bad = (s: string, code: string): void => {
    assert.throws(() => render(s), (e: unknown) => {
      assert.ok(e instanceof TemplateError);
      assert.equal(e.code, code);
      assert.deepEqual(e.loc, LOC);
      assert.match(e.message, /^rsyslog\.conf:7:3: /);
      return true;
    });
  };
  bad('%nosuchprop%', 'LW_ERR_TEMPLATE_PROPERTY');
  bad('%msg:R,ERE,0,DFLT:([a--end%', 'LW_ERR_TEMPLATE_REGEX');
  bad('%msg:R,ERE,0,DFLT:abc%', 'LW_ERR_TEMPLATE_REGEX');
  bad('%msg', 'LW_ERR_TEMPLATE_SYNTAX');
  const warnings: string[] = [];
  compileTemplate({ name: 'w', type: 'string', string: '%msg:::bogus-opt%', options: new Map(), loc: LOC }, { warn: (c) => warnings.push(c) });
  assert.deepEqual(warnings, ['LW_WARN_TEMPLATE_OPTION']);
});

test('built-in templates on a fixed message', () => {
  const b = builtinTemplates();
  const m = message();
  const r = (n: string): string => b.get(n.toLowerCase())!.render(m);
  assert.equal(r('RSYSLOG_TraditionalFileFormat'), 'Mar  4 05:06:07 host app[9]: a  b\tc\n');
  assert.equal(r('RSYSLOG_FileFormat'), '2026-03-04T05:06:07+00:00 host app[9]: a  b\tc\n');
  assert.equal(r('RSYSLOG_TraditionalForwardFormat'), '<13>Mar  4 05:06:07 host app[9]: a  b\tc');
  assert.equal(r('RSYSLOG_ForwardFormat'), '<13>2026-03-04T05:06:07+00:00 host app[9]: a  b\tc');
  assert.equal(r('RSYSLOG_SysklogdFileFormat'), 'Mar  4 05:06:07 host app[9]: a  b\tc\n');
  assert.equal(r('RSYSLOG_SyslogProtocol23Format'), '<13>1 2026-03-04T05:06:07+00:00 host - - - -  a  b\tc\n');
  assert.equal(r('RSYSLOG_StdUsrMsgFmt'), ' app[9]: a  b\tc\n\r');
  assert.equal(r('RSYSLOG_WallFmt'), '\r\n\x07Message from syslogd@host at Mar  4 05:06:07 ...\r\n app[9]: a  b\tc\n\r');
  assert.match(r('RSYSLOG_StdDBFmt'), /values \(' a {2}b\tc', 1, 'host', 5, '20260304050607', '20260304050607', 1, 'app\[9\]:'\)$/);
  assert.equal(r('RSYSLOG_StdJSONFmt'), '{"message":" a  b\\tc","fromhost":"host","facility":"user","priority":"notice","timereported":"2026-03-04T05:06:07+00:00","timegenerated":"2026-03-04T05:06:07+00:00"}');
  m.syslogtag = 'x'.repeat(40) + ':';
  assert.equal(r('RSYSLOG_ForwardFormat'), `<13>2026-03-04T05:06:07+00:00 host ${'x'.repeat(32)} a  b\tc`, 'forward formats cut TAG at 32');
});

test('jsonmesg: the message as json-c spaced JSON in rsyslog\'s key order; uuid null until used, $! the variables', () => {
  const m = message();
  m.procid = '9';
  const j = render('%jsonmesg%', m);
  assert.ok(j.startsWith('{ "msg": " a  b\\tc", "rawmsg": "<13>Mar  4 05:06:07 host app[9]: a  b\\tc", "timereported": "2026-03-04T05:06:07'), j);
  const o = JSON.parse(j) as Record<string, unknown>;
  assert.deepEqual(Object.keys(o), ['msg', 'rawmsg', 'timereported', 'hostname', 'syslogtag', 'inputname', 'fromhost', 'fromhost-ip', 'pri',
    'syslogfacility', 'syslogseverity', 'timegenerated', 'programname', 'protocol-version', 'structured-data', 'app-name', 'procid', 'msgid', 'uuid', '$!']);
  assert.deepEqual([o.hostname, o.syslogtag, o.inputname, o['fromhost-ip'], o.procid, o.uuid, o['$!']], ['host', 'app[9]:', 'imudp', '192.0.2.9', '9', null, null]);
  m.json = { a: 'x/y' };
  const uuid = render('%uuid%', m);
  assert.ok(render('%jsonmesg%', m).endsWith(`"uuid": "${uuid}", "$!": { "a": "x\\/y" } }`));
});

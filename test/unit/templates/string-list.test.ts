// String templates (legacy escapes), list templates with constant()/property() and their parameters, and
// `$!` JSON properties, on messages from the real parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate, TemplateError } from '../../../src/templates';
import { FRAMES, LOC, listTemplate, messages, parsed, stringTemplate } from './helpers';

test('string template: text between fields is copied as is; legacy $template escapes only in legacy text', () => {
  const c = parsed(FRAMES[2]!);
  // a string template's text is already unescaped by the config parser: a backslash here is a plain byte
  assert.equal(stringTemplate('to \\n "%programname%":').render(c), 'to \\n "sshd":');
  assert.throws(() => stringTemplate('50% off'), (e: unknown) => e instanceof TemplateError && e.code === 'LW_ERR_TEMPLATE_PROPERTY',
    'a lone % opens a property, as in rsyslog');
  const legacy = compileTemplate({ name: 'l', type: 'string', string: '\\100\\%%hostname%\\r\\n\\t', options: new Map(), loc: LOC }, { legacy: true });
  assert.equal(legacy.render(c), 'd%host-b\r\nt', '\\DDD is decimal; unknown escapes give the character');
});

test('list template: constant() C escapes and property() position/case/control/secpath parameters', () => {
  const tpl = listTemplate([
    ['property', 'hostname', { caseconversion: 'upper' }],
    ['constant', '\\t|\\x41\\101|'],
    ['property', 'msg', { 'position.from': '2', 'position.to': '9', controlcharacters: 'escape' }],
    ['constant', '|'],
    ['property', 'msg', { 'position.from': '4', 'position.to': '1', 'position.relativeToEnd': 'on' }],
    ['constant', '|'],
    ['property', 'syslogtag', { 'position.from': '1', 'position.to': '8', fixedwidth: 'on' }],
    ['constant', '|'],
    ['property', 'syslogtag', { securepath: 'replace' }],
    ['constant', '\\n'],
  ]);
  assert.deepEqual(messages().map((m) => tpl.render(m)), [
    "MYMACHINE.EXAMPLE.COM\t|AA|su root'|ts/8|su[77]  |su[77]\n",
    'HOST.EXAMPLE.ORG\t|AA|Tab  two|back|app/x   |app_x\n',
    'HOST-B\t|AA|Accepted|2214|sshd[123|sshd[1234]:\n',
  ]);
});

test('list template: regex.* and field.* parameters', () => {
  const tpl = listTemplate([
    ['property', 'msg', { 'regex.expression': '([a-z])=([0-9]+)', 'regex.type': 'ERE', 'regex.submatch': '2', 'regex.match': '1', 'regex.nomatchmode': 'ZERO' }],
    ['constant', '|'],
    ['property', 'msg', { 'regex.expression': 'f\\([a-z]*\\)', 'regex.submatch': '1', 'regex.nomatchmode': 'BLANK' }],
    ['constant', '|'],
    ['property', 'msg', { 'field.number': '3', 'field.delimiter': '32' }],
    ['constant', '|'],
    ['property', 'syslogtag', { 'field.number': '1', 'field.delimiter': '91' }],
  ]);
  assert.deepEqual(messages().map((m) => tpl.render(m)), ['0|ailed|failed|su', '66||two|app/x', '0|rom|user|sshd']);
});

test('list template: dateformat, date.inutc, spifno1stsp, droplastlf, compressspace, csv/json formats', () => {
  const b = parsed(FRAMES[1]!);
  b.msg = 'a  "b"\n';
  const tpl = listTemplate([
    ['property', 'timereported', { dateformat: 'rfc3339', 'date.inutc': 'on' }],
    ['constant', ' '],
    ['property', 'timereported', { dateformat: 'unixtimestamp' }],
    ['constant', '['],
    ['property', 'msg', { spifno1stsp: 'on' }],
    ['property', 'msg', { droplastlf: 'on', compressspace: 'on' }],
    ['constant', ']'],
    ['property', 'msg', { format: 'csv' }],
    ['property', 'msg', { format: 'json' }],
  ]);
  assert.equal(tpl.render(b), '2003-08-24T12:14:15.000003+00:00 1061727255[ a "b"]"a  ""b""\n"a  \\"b\\"\\n');
});

test('list template with option.jsonf: jsonf fields with datatype, onempty and a jsonf constant', () => {
  const tpl = listTemplate([
    ['property', 'hostname', { outname: 'host', format: 'jsonf' }],
    ['property', 'procid', { outname: 'pid', format: 'jsonf', datatype: 'number' }],
    ['property', 'msgid', { outname: 'id', format: 'jsonf', onempty: 'skip' }],
    ['property', 'syslogseverity', { outname: 'sev', format: 'jsonf', datatype: 'auto' }],
    ['constant', 'v1', { outname: 'ver', format: 'jsonf' }],
  ], { 'option.jsonf': 'on' });
  assert.deepEqual(messages().map((m) => tpl.render(m)), [
    '{"host":"mymachine.example.com", "pid":77, "id":"ID47", "sev":2, "ver": "v1"}\n',
    '{"host":"Host.Example.ORG", "pid":-, "id":"-", "sev":5, "ver": "v1"}\n',
    '{"host":"host-b", "pid":1234, "id":"-", "sev":5, "ver": "v1"}\n',
  ]);
});

test('$! properties: whole tree, paths, nested objects, missing paths, all-json-plain', () => {
  const a = parsed(FRAMES[0]!);
  const tpl = stringTemplate('[%$!%][%$!user!name%][%$!user%][%$!n%][%$!nope!x%][%$!all-json-plain%][%$.%]');
  assert.equal(tpl.render(a), '[][][][][][{}][]');
  a.json = { user: { name: 'al/ice', id: 7 }, n: 1.5, ok: false };
  assert.equal(tpl.render(a),
    '[{ "user": { "name": "al\\/ice", "id": 7 }, "n": 1.5, "ok": false }][al/ice][{ "name": "al\\/ice", "id": 7 }][1.5][]' +
    '[{"user":{"name":"al\\/ice","id":7},"n":1.5,"ok":false}][]');
  assert.equal(listTemplate([['property', '$!user!name', { format: 'jsonf' }]]).render(a), '"user!name":"al\\/ice"');
});

test('list parameter errors name the place and carry a code', () => {
  const bad = (ps: Record<string, string>, re: RegExp): void => {
    assert.throws(() => listTemplate([['property', 'msg', ps]]), (e: unknown) =>
      e instanceof TemplateError && e.code === 'LW_ERR_TEMPLATE_PARAM' && /^tpl\.conf:4:9: /.test(e.message) && re.test(e.message));
  };
  bad({ caseconversion: 'title' }, /caseconversion/);
  bad({ dateformat: 'nonsense' }, /dateformat/);
  bad({ 'position.from': 'x' }, /position\.from/);
  assert.throws(() => listTemplate([['property', 'msg', { 'regex.expression': '(a' , 'regex.type': 'ERE' }]]),
    (e: unknown) => e instanceof TemplateError && e.code === 'LW_ERR_TEMPLATE_REGEX' && e.message.startsWith('tpl.conf:4:9: '));
  assert.throws(() => listTemplate([['property', 'nosuch']]), (e: unknown) => e instanceof TemplateError && e.code === 'LW_ERR_TEMPLATE_PROPERTY');
});

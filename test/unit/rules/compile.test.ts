// Expressions, functions and flow of compiled rulesets: typing rules, stop through call, foreach, set/unset,
// call_indirect, and compile errors carrying file:line:col.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RULESET, type ConfigModel, type Expr, type RulesetDecl, type Statement } from '../../../src/config/model';
import { Message } from '../../../src/message';
import { SyslogTime } from '../../../src/time';
import { compileRulesets } from '../../../src/rules/compile';
import { compileExpr } from '../../../src/rules/expr';
import { jsonText, toStr, type Value } from '../../../src/rules/values';

const L = { file: 'u.conf', line: 4, col: 9 };
const v = (name: string): Expr => ({ kind: 'var', name, loc: L });
const s = (value: string): Expr => ({ kind: 'string', value, loc: L });
const n = (value: number): Expr => ({ kind: 'number', value, loc: L });
const call = (fn: string, ...args: Expr[]): Expr => ({ kind: 'call', fn, args, loc: L });
const bin = (op: Extract<Expr, { kind: 'binary' }>['op'], left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right, loc: L });

function message(fac = 2, sev = 6, text = ' hello world'): Message {
  const m = new Message(Buffer.from('x'), { inputname: 'imtcp', fromhostIp: '127.0.0.1', fromhost: 'h', ruleset: DEFAULT_RULESET }, SyslogTime.now());
  m.facility = fac;
  m.severity = sev;
  m.msg = text;
  m.programname = 'sshd';
  m.syslogtag = 'sshd[1]:';
  return m;
}

function evalExpr(e: Expr, m = message()): Value {
  return compileExpr(e, { globals: { root: null }, state: { scriptErrno: 0, prevSuspended: 0 } })(m);
}

test('comparison typing follows rsyslog: numeric only when both sides convert', () => {
  const table: Array<[Expr, Value]> = [
    [bin('==', s('10'), n(10)), 1],
    [bin('==', s('010'), n(10)), 1],
    [bin('==', s('abc'), n(0)), 0],
    [bin('==', s(''), n(0)), 1], // rsyslog: the empty string converts to 0
    [bin('<', s('9'), s('10')), 1], // both numeric → numbers
    [bin('<', s('9a'), s('10')), 0], // byte order
    [bin('==', s('5'), s('05')), 0], // string literal on the right: string compare
    [bin('!=', v('$syslogseverity'), n(6)), 0],
    [bin('==', v('$syslogfacility-text'), s('MAIL')), 1], // optimizer: names, case-insensitive
    [bin('==', v('$syslogseverity-text'), s('warn')), 0],
    [bin('contains_i', v('$msg'), s('WORLD')), 1],
    [bin('startswith', v('$msg'), s(' hel')), 1],
    [bin('&', s('a'), n(1)), 'a1'],
    [bin('+', s('12abc'), n(1)), 13], // arithmetic uses the digit prefix
    [bin('/', n(7), n(0)), 0],
    [bin('/', n(-7), n(2)), -3],
    [bin('%', n(7), n(3)), 1],
    [bin('==', v('$programname'), { kind: 'array', items: [s('cron'), s('sshd')], loc: L }), 1],
    [bin('and', n(0), call('getenv', s('X'))), 0],
  ];
  for (const [e, want] of table) assert.equal(evalExpr(e), want, JSON.stringify(e));
});

test('function library', () => {
  const table: Array<[Expr, Value]> = [
    [call('strlen', v('$msg')), 12],
    [call('toupper', s('aBc')), 'ABC'],
    [call('field', s('a,b,,d'), n(44), n(4)), 'd'],
    [call('field', s('a,b'), n(44), n(3)), '***FIELD NOT FOUND***'],
    [call('field', s('a::b::c'), s('::'), n(2)), 'b'],
    [call('replace', s('abc'), s(''), s('X')), 'XaXbXcX'], // rsyslogd 8.2302: an empty needle matches before each byte
    [call('replace', s(''), s(''), s('X')), 'X'],
    [call('ipv42num', s('256.1.1.1')), 65793], // wraps at 2^32 like rsyslogd
    [call('field', s('abc'), s(''), n(1)), ''], // rsyslogd 8.2302: an empty delimiter string gives "" …
    [call('field', s('abc'), s(''), n(0)), '***FIELD NOT FOUND***'], // … except for a field number below 1
    [call('substring', s('abcdef'), n(2), n(3)), 'cde'],
    [call('substring', s('abcdef'), n(1), n(-2)), 'bcde'], // rsyslog: len = strlen + (-2), then clipped
    [call('replace', s('aXbXc'), s('X'), s('--')), 'a--b--c'],
    [call('wrap', s('a"b'), s('"'), s('\\"')), '"a\\"b"'],
    [call('ltrim', s('  a ')), 'a '],
    [call('rtrim', s('  a  ')), '  a'],
    [call('int2hex', n(255)), 'ff'],
    [call('int2hex', s('x')), 'NAN'],
    [call('ipv42num', s('10.0.0.1')), 167772161],
    [call('ipv42num', s('10.0.0')), -1],
    [call('num2ipv4', n(167772161)), '10.0.0.1'],
    [call('num2ipv4', n(-1)), '-1'],
    [call('re_match', v('$msg'), s('wor(ld|k)$')), 1],
    [call('re_match_i', v('$msg'), s('HELLO')), 1],
    [call('re_extract', s('a1 b22 c333'), s('([a-z])([0-9]+)'), n(1), n(2), s('none')), '22'],
    [call('re_extract', s('abc'), s('[0-9]'), n(0), n(0), s('none')), 'none'],
    [call('cnum', s('42x')), 42],
    [call('cstr', n(-5)), '-5'],
    [call('format_time', n(0), s('date-rfc3339')), '1970-01-01T00:00:00Z'],
    [call('format_time', n(86400 * 3), s('date-rfc3164')), 'Jan  4 00:00:00'],
    [call('parse_time', s('2023-03-01T12:00:00Z')), 1677672000],
    [call('is_time', s('not a time'), s('date-rfc3339')), 0],
    [call('prifilt', s('mail.info')), 1],
    [call('prifilt', s('mail.!info')), 0],
  ];
  for (const [e, want] of table) assert.equal(evalExpr(e), want, JSON.stringify(e));
  assert.equal(evalExpr(call('random', n(10))) as number < 10, true);
});

interface Run { log: string[]; run(m: Message, rs?: string): void }

function build(rulesets: Record<string, Statement[]>): Run {
  const map = new Map<string, RulesetDecl>();
  for (const [name, statements] of Object.entries(rulesets)) map.set(name, { name, params: new Map(), statements, loc: L });
  const model: ConfigModel = { files: ['u.conf'], globals: new Map(), modules: [], inputs: [], templates: new Map(), rulesets: map, mainQueue: new Map(), diagnostics: [] };
  const log: string[] = [];
  const rules = compileRulesets(model, {
    action: (decl) => { const tag = String(decl.params.get('tag')?.value); return (m) => log.push(`${tag}:${jsonText(m.json)}`); },
  });
  return { log, run: (m, rs = DEFAULT_RULESET) => rules.run(rs, m) };
}
const act = (tag: string): Statement => ({ kind: 'action', action: { type: 'omfile', params: new Map([['tag', { name: 'tag', value: tag, loc: L }]]), loc: L }, loc: L });
const stop: Statement = { kind: 'stop', loc: L };

test('stop inside a called ruleset also stops the caller; ~ (omdiscard) is a stop', () => {
  const r = build({
    [DEFAULT_RULESET]: [act('a'), { kind: 'call', ruleset: 'sub', loc: L }, act('after-call')],
    sub: [act('in-sub'), { kind: 'if', cond: bin('<=', v('$syslogseverity'), n(3)), then: [stop], else: [act('else')], loc: L }],
  });
  r.run(message(1, 2));
  r.run(message(1, 6));
  assert.deepEqual(r.log, ['a:', 'in-sub:', 'a:', 'in-sub:', 'else:', 'after-call:']);
  const d = build({ [DEFAULT_RULESET]: [{ kind: 'action', action: { type: 'omdiscard', params: new Map(), loc: L }, loc: L }, act('never')] });
  d.run(message());
  assert.deepEqual(d.log, []);
});

test('set, unset, foreach over arrays and objects, call_indirect', () => {
  const r = build({
    [DEFAULT_RULESET]: [
      { kind: 'set', variable: '$!a!b', expr: n(1), loc: L },
      { kind: 'set', variable: '$!a', expr: call('cstr', s('x')), loc: L }, // a leaf never replaces an object
      { kind: 'if', cond: bin('==', v('$!a!b'), n(1)), then: [act('kept')], else: null, loc: L },
      { kind: 'set', variable: '$.n', expr: n(0), loc: L },
      { kind: 'if', cond: bin('==', call('parse_json', s('{"xs":[1,2,3],"o":{"k":"v"}}'), s('$!p')), n(0)), then: [act('parsed')], else: null, loc: L },
      { kind: 'foreach', variable: '$.i', iterable: v('$!p!xs'), body: [{ kind: 'set', variable: '$.n', expr: bin('+', v('$.n'), v('$.i')), loc: L }], loc: L },
      { kind: 'if', cond: bin('==', v('$.n'), n(6)), then: [act('sum6')], else: null, loc: L },
      { kind: 'foreach', variable: '$.e', iterable: v('$!p!o'), body: [{ kind: 'if', cond: bin('==', bin('&', v('$.e!key'), v('$.e!value')), s('kv')), then: [act('kv')], else: null, loc: L }], loc: L },
      { kind: 'if', cond: call('exists', v('$.i')), then: [act('loopvar-left')], else: null, loc: L },
      { kind: 'unset', variable: '$!p', loc: L },
      { kind: 'call_indirect', expr: bin('&', s('s'), s('ub')), loc: L },
      { kind: 'call_indirect', expr: s('no-such-ruleset'), loc: L },
    ],
    sub: [act('sub')],
  });
  r.run(message());
  assert.deepEqual(r.log, ['kept:{ "a": { "b": 1 } }', 'parsed:{ "a": { "b": 1 }, "p": { "xs": [ 1, 2, 3 ], "o": { "k": "v" } } }',
    'sum6:{ "a": { "b": 1 }, "p": { "xs": [ 1, 2, 3 ], "o": { "k": "v" } } }', 'kv:{ "a": { "b": 1 }, "p": { "xs": [ 1, 2, 3 ], "o": { "k": "v" } } }',
    'sub:{ "a": { "b": 1 } }']);
});

test('compile errors carry code and file:line:col', () => {
  const cases: Array<[Record<string, Statement[]>, string]> = [
    [{ [DEFAULT_RULESET]: [{ kind: 'call', ruleset: 'missing', loc: L }] }, 'LW_ERR_RULES_UNKNOWN_RULESET'],
    [{ [DEFAULT_RULESET]: [{ kind: 'if', cond: call('nope'), then: [], else: null, loc: L }] }, 'LW_ERR_RULES_UNKNOWN_FUNCTION'],
    [{ [DEFAULT_RULESET]: [{ kind: 'if', cond: call('strlen'), then: [], else: null, loc: L }] }, 'LW_ERR_RULES_ARITY'],
    [{ [DEFAULT_RULESET]: [{ kind: 'if', cond: call('re_match', v('$msg'), v('$msg')), then: [], else: null, loc: L }] }, 'LW_ERR_RULES_CONST_ARG'],
    [{ [DEFAULT_RULESET]: [{ kind: 'if', cond: v('$nosuchprop'), then: [], else: null, loc: L }] }, 'LW_ERR_RULES_PROPERTY'],
    [{ [DEFAULT_RULESET]: [{ kind: 'filter', filter: { kind: 'property', property: 'msg', op: 'regex', negate: false, value: 'a\\(', loc: L }, body: [], loc: L }] }, 'LW_ERR_RULES_REGEX'],
    [{ [DEFAULT_RULESET]: [{ kind: 'if', cond: call('lookup', s('t'), v('$msg')), then: [], else: null, loc: L }] }, 'LW_ERR_RULES_LOOKUP_TABLE'],
  ];
  for (const [rs, code] of cases) {
    assert.throws(() => build(rs), (e: Error & { code?: string }) => e.code === code && e.message.startsWith('u.conf:4:9:'), code);
  }
});

test('recursion is bounded like rsyslog (call depth 1024) and never crashes', () => {
  const r = build({ [DEFAULT_RULESET]: [{ kind: 'call', ruleset: 'loop', loc: L }, act('done')], loop: [{ kind: 'call', ruleset: 'loop', loc: L }] });
  r.run(message());
  assert.deepEqual(r.log, ['done:']);
});

test('exec_template() renders a template by name (case-insensitive); an unknown one is a load error', () => {
  const templates = new Map([['tagtpl', { render: (m: Message) => `${m.programname}@${m.severity}` }]]);
  const ctx = { globals: { root: null }, state: { scriptErrno: 0, prevSuspended: 0 }, templates };
  assert.equal(compileExpr(call('exec_template', s('TagTpl')), ctx)(message()), 'sshd@6');
  assert.throws(() => compileExpr(call('exec_template', s('nope')), ctx), (e: Error & { code?: string }) =>
    e.code === 'LW_ERR_CONFIG_UNKNOWN_TEMPLATE' && /u\.conf:4:9: exec_template\(\): template "nope" not found/.test(e.message));
  assert.throws(() => compileExpr(call('exec_template', v('$msg')), ctx), /must be a constant string/);
});

test('get_property(): a string literal container is an error (script_error 1), a variable container is read', () => {
  const m = message();
  m.json = { status: 200 };
  assert.equal(evalExpr(call('get_property', s('lit'), s('k')), m), '');
  assert.equal(toStr(evalExpr(call('get_property', v('$!'), s('status')), m)), '200');
  assert.equal(evalExpr(call('get_property', v('$!'), s('nope')), m), '');
});

test('dyn_inc() returns 0 for a defined dyn_stats bucket; an unknown bucket or a non-constant name is a load error', () => {
  const ctx = { globals: { root: null }, state: { scriptErrno: 0, prevSuspended: 0 }, dynStats: new Set(['per_prog']) };
  assert.equal(compileExpr(call('dyn_inc', s('per_prog'), v('$programname')), ctx)(message()), 0);
  assert.throws(() => compileExpr(call('dyn_inc', s('nope'), v('$programname')), ctx), (e: Error & { code?: string }) => e.code === 'LW_ERR_RULES_DYN_STATS' && /no dyn_stats bucket "nope"/.test(e.message));
  assert.throws(() => compileExpr(call('dyn_inc', v('$msg'), s('k')), ctx), /constant string/);
});

test('action.execOnlyEveryNthTime gates an action and an mmjsonparse alike (rsyslog action.c)', () => {
  const p = (k: string, val: string) => [k.toLowerCase(), { name: k, value: val, loc: L }] as const;
  const every2: Statement = { kind: 'action', action: { type: 'omfile', params: new Map([p('tag', 'x'), p('action.execOnlyEveryNthTime', '2')]), loc: L }, loc: L };
  const parse2: Statement = { kind: 'action', action: { type: 'mmjsonparse', params: new Map([p('cookie', ''), p('action.execOnlyEveryNthTime', '2')]), loc: L }, loc: L };
  const r = build({ [DEFAULT_RULESET]: [every2, parse2, act('all')] });
  for (let i = 0; i < 4; i++) r.run(message(1, 6, `{"i":${i}}`));
  assert.deepEqual(r.log, ['all:', 'x:', 'all:{ "i": 1 }', 'all:', 'x:', 'all:{ "i": 3 }']);
});

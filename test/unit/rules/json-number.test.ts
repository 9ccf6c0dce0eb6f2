// JSON numbers keep what libfastjson prints for them (src/util/json-number.ts): a parsed double its source
// text, a copy (an expression's read, set, foreach) %.17g, an integer int64 saturated. Rows observed with
// rsyslogd 8.2302 (libfastjson 1.2304) through mmjsonparse and %$!x%, cstr() and `set` (diff case
// doc-json-number-forms runs them against the real daemon).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { parseFastJson } from '../../../src/rules/fastjson';
import { compileMmjsonparse } from '../../../src/rules/mmjsonparse';
import { deepCopy, jsonText, jsonToInt } from '../../../src/rules/values';
import { parseVarRef, setVar, getVar } from '../../../src/rules/vars';
import { jsoncStringify, jsonValueText } from '../../../src/templates/jsonc';
import { JsonNumber, sourcelessDoubleText, treeFromText, treeToText } from '../../../src/util/json-number';
import { Message } from '../../../src/message';
import { SyslogTime } from '../../../src/time';
import { decodeMessage, encodeMessage } from '../../../src/queue/codec';

const origin = { inputname: 'imtcp', fromhost: 'h', fromhostIp: '192.0.2.1', ruleset: 'RSYSLOG_DefaultRuleset' };
const L = { file: 'u.conf', line: 1, col: 1 };

/** [JSON number text, %$!x% (its source text or int64), cstr($!x) (a copy: %.17g), $!x + 0] */
const OBSERVED: Array<[string, string, string, string]> = [
  ['1.0', '1.0', '1.0', '1'],
  ['-0.0', '-0.0', '-0.0', '0'],
  ['2.50', '2.50', '2.5', '2'],
  ['1e2', '1e2', '100.0', '100'],
  ['1E+2', '1E+2', '100.0', '100'],
  ['-1.5e-3', '-1.5e-3', '-0.0015', '0'],
  ['0.1', '0.1', '0.10000000000000001', '0'],
  ['007', '7', '7', '7'],
  ['-012', '-12', '-12', '-12'],
  ['00.5', '00.5', '0.5', '0'],
  ['1.', '1.', '1.0', '1'],
  ['-.5', '-.5', '-0.5', '0'],
  ['-0', '0', '0', '0'],
  ['0e0', '0e0', '0.0', '0'],
  ['1e400', '1e400', 'Infinity', '-9223372036854775808'],
  ['-1e400', '-1e400', '-Infinity', '-9223372036854775808'],
  ['1e-400', '1e-400', '0.0', '0'],
  ['123456789012345678901234567890.5', '123456789012345678901234567890.5', '1.2345678901234568e+29.0', '-9223372036854775808'],
  ['-9.3e18', '-9.3e18', '-9.3e+18.0', '-9223372036854775808'],
  ['9.99e18', '9.99e18', '9.99e+18.0', '-9223372036854775808'],
  ['4.9e-324', '4.9e-324', '4.9406564584124654e-324', '0'],
  ['1E5', '1E5', '100000.0', '100000'],
  ['1e-7', '1e-7', '9.9999999999999995e-08', '0'],
  ['123456789.123456789', '123456789.123456789', '123456789.12345679', '123456789'],
  ['9223372036854775808', '9223372036854775807', '9223372036854775807', '9223372036854775807'],
  ['-9223372036854775809', '-9223372036854775808', '-9223372036854775808', '-9223372036854775808'],
  ['18446744073709551616', '9223372036854775807', '9223372036854775807', '9223372036854775807'],
  ['9007199254740993', '9007199254740993', '9007199254740993', '9007199254740993'],
  ['1.5+3', '1.5+3', '1.5', '1'],
  ['12+3', '12', '12', '12'],
  ['1e', '1e', '1.0', '1'],
  ['1e+', '1e+', '1.0', '1'],
  ['NaN', 'NaN', 'NaN', '-9223372036854775808'],
  ['Infinity', 'Infinity', 'Infinity', '-9223372036854775808'],
  ['2.9', '2.9', '2.8999999999999999', '2'],
  ['-2.9', '-2.9', '-2.8999999999999999', '-2'],
  ['1.10', '1.10', '1.1000000000000001', '1'],
];

test('each number form prints as rsyslogd printed it: source text in templates, %.17g in expressions, int64 arithmetic', () => {
  for (const [text, shown, copied, plus0] of OBSERVED) {
    const obj = parseFastJson(`{"x":${text}}`) as Record<string, unknown>;
    assert.ok(obj, text);
    const x = obj.x;
    assert.equal(jsonValueText(x), shown, `%$!x% of ${text}`);
    assert.equal(jsonText(x), copied, `cstr($!x) of ${text}`);
    assert.equal(jsonValueText(deepCopy(x)), copied, `set $!y = $!x of ${text}`);
    assert.equal(String(jsonToInt(x)), plus0, `$!x + 0 of ${text}`);
    assert.equal(jsoncStringify(obj, false), `{"x":${shown}}`, `%$!all-json-plain% of ${text}`);
  }
});

test('invalid number forms fail the parse as in libfastjson', () => {
  for (const t of ['-', '1.5-3', '.5', '1.5e3e', '1.2.3', '+1', '-e5']) assert.equal(parseFastJson(`{"x":${t}}`), undefined, t);
});

/** A double as a C hex float literal (exact). */
function hexFloat(v: number): string {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  const hi = dv.getUint32(0);
  const lo = dv.getUint32(4);
  const sign = hi >>> 31 ? '-' : '';
  const exp = (hi >>> 20) & 0x7ff;
  const mant = ((hi & 0xfffff).toString(16).padStart(5, '0')) + lo.toString(16).padStart(8, '0');
  return exp === 0 ? `${sign}0x0.${mant}p-1022` : `${sign}0x1.${mant}p${exp - 1023}`;
}

test('a copied double prints as C printf("%.17g") (+ ".0" when integral) for any finite value (printf(1) as reference)', () => {
  const values = fc.sample(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer().map((i) => i / 1024),
    fc.constantFrom(0.1, 0.5, 1e-5, 1e-4, 9.999999999999999e-5, 1e16, 1e17, 99999999999999999, 5e-324, 1.7976931348623157e308,
      // exact ties at the 17th digit: printf rounds them to even, JavaScript's toExponential up
      -836221200394411.125, 836221200394411.375, 123456789012345.625)), 300);
  const r = spawnSync('/usr/bin/printf', ['%.17g\\n', ...values.map(hexFloat)], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const want = r.stdout.split('\n');
  values.forEach((v, i) => {
    const g = want[i]!;
    assert.equal(sourcelessDoubleText(v), Number.isInteger(v) ? g + '.0' : g, `${v} (${hexFloat(v)})`);
  });
});

test('trees with source texts, int64 bigints and NaN/Infinity come back exactly from the disk codec; plain JSON (older records) still reads', () => {
  const tree = parseFastJson('{"a":2.0,"b":-0.0,"c":[1e400,{"d":2.5E-3}],"e":12345678901234567890,"f":NaN,"g":-7,"h":"1.50","i":0.5,"j":null} ') as Record<string, unknown>;
  const back = treeFromText(treeToText(tree));
  assert.deepStrictEqual(back, tree);
  assert.equal(jsoncStringify(back, true), '{ "a": 2.0, "b": -0.0, "c": [ 1e400, { "d": 2.5E-3 } ], "e": 9223372036854775807, "f": NaN, "g": -7, "h": "1.50", "i": 0.5, "j": null }');
  assert.deepStrictEqual(treeFromText('{"a":1,"b":[2.5,"x"]}'), { a: 1, b: [2.5, 'x'] });
  assert.equal(JSON.stringify(tree.a), '2', 'outside the codec a JsonNumber serialises as its number');

  const m = new Message(Buffer.from('x'), origin, SyslogTime.now());
  m.json = tree;
  m.local = { n: new JsonNumber('1.0', 1), big: -9223372036854775808n };
  const got = decodeMessage(encodeMessage(m));
  assert.deepStrictEqual(got.json, m.json);
  assert.deepStrictEqual(got.local, m.local);
});

test('a number node is a leaf: no path goes into it, set does not merge into it, copies share or rewrite it', () => {
  const m = new Message(Buffer.from('x'), origin, SyslogTime.now());
  const g = { root: null };
  m.json = parseFastJson('{"x":2.0} ') as Record<string, unknown>;
  assert.ok(m.json.x instanceof JsonNumber);
  assert.equal(getVar(m, parseVarRef('$!x!text')!, g), undefined);
  assert.equal(setVar(m, parseVarRef('$!x!y')!, 1, g), false, 'not a container in the json path');
  assert.equal(deepCopy(m.json.x, true), m.json.x, 'an exact snapshot keeps the node');
  assert.equal(jsonValueText(deepCopy(parseFastJson('[2.2] '))), '[ 2.2000000000000002 ]');
});

test('mmjsonparse reads with the non-strict tokener, and -Infinity fails once the worker\'s tokener has read a word or \\u escape', () => {
  const parse = compileMmjsonparse({ type: 'mmjsonparse', params: new Map(), loc: L }, { root: null });
  const run = (msg: string): string => {
    const m = new Message(Buffer.from(msg), origin, SyslogTime.now());
    m.msg = msg;
    parse(m);
    return jsonValueText(m.json);
  };
  assert.equal(run(' @cee: {"a":-Infinity}'), '{ "a": -Infinity }', 'a fresh tokener');
  assert.equal(run(" @cee: {'a':007,\"b\":1.50, /* c */ \"c\":[TRUE,],}  "), '{ "a": 7, "b": 1.50, "c": [ true ] }');
  assert.equal(run(' @cee: {"a":-Infinity}'), '{ "msg": " {\\"a\\":-Infinity}" }', 'st_pos is 4 after TRUE');
  assert.equal(run(' @cee: {"a":"x\\u0000y"} // c'), '{ "msg": " {\\"a\\":\\"x\\\\u0000y\\"} \\/\\/ c" }', 'a // comment needs its newline');
  assert.equal(run(' @cee: {"a":"x\\u0000y"}'), '{ "a": "x" }', 'a string ends at \\u0000');
});

// RainerScript int64 arithmetic (src/rules/int64.ts): wrap-around as rsyslogd 8.2302 computes it, numbers kept
// as doubles in the safe range and bigints beyond, against a BigInt reference; str2num's wrap-around; expressions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { add, div, mod, mul, neg, norm, saturate, sub, type Int } from '../../../src/rules/int64';
import { strToNum, toStr } from '../../../src/rules/values';
import { compileExpr } from '../../../src/rules/expr';
import { DEFAULT_RULESET, type Expr } from '../../../src/config/model';
import { Message } from '../../../src/message';
import { SyslogTime } from '../../../src/time';

const I64 = (b: bigint): bigint => BigInt.asIntN(64, b);
const big = (a: Int): bigint => BigInt(a);

test('an Int is a number exactly when it is a safe integer', () => {
  assert.equal(norm(9007199254740991n), 9007199254740991);
  assert.equal(norm(9007199254740992n), 9007199254740992n);
  assert.equal(norm(2n ** 64n + 5n), 5);
  assert.equal(add(9007199254740991, 1), 9007199254740992n);
  assert.equal(sub(9007199254740992n, 1), 9007199254740991);
  assert.equal(mul(-0, 5), 0);
  assert.ok(Object.is(div(-1, 2), 0) && Object.is(mod(-4, 2), 0), 'no -0 (it would print as 0 anyway)');
});

test('rows observed with rsyslogd 8.2302: cnum(text) then + 1, - 2, * 3, / -3, % 7, unary minus', () => {
  // text, cnum, +1, -2, *3, /-3, %7, -n
  const rows: Array<[string, ...string[]]> = [
    ['9223372036854775807', '9223372036854775807', '-9223372036854775808', '9223372036854775805', '9223372036854775805', '-3074457345618258602', '0', '-9223372036854775807'],
    ['9223372036854775808', '-9223372036854775808', '-9223372036854775807', '9223372036854775806', '-9223372036854775808', '3074457345618258602', '-1', '-9223372036854775808'],
    ['-9223372036854775807', '-9223372036854775807', '-9223372036854775806', '9223372036854775807', '-9223372036854775805', '3074457345618258602', '0', '9223372036854775807'],
    ['18446744073709551617', '1', '2', '-1', '3', '0', '1', '-1'],
    ['4611686018427387904', '4611686018427387904', '4611686018427387905', '4611686018427387902', '-4611686018427387904', '-1537228672809129301', '4', '-4611686018427387904'],
    ['12345', '12345', '12346', '12343', '37035', '-4115', '4', '-12345'],
    ['-4611686018427387905', '-4611686018427387905', '-4611686018427387904', '-4611686018427387907', '4611686018427387901', '1537228672809129301', '-5', '4611686018427387905'],
    ['123456789012345678901234567890', '-4362896299872285998', '-4362896299872285997', '-4362896299872286000', '5358055174092693622', '1454298766624095332', '-4', '4362896299872285998'],
  ];
  for (const [text, ...want] of rows) {
    const n = strToNum(text).n;
    const got = [n, add(n, 1), sub(n, 2), mul(n, 3), div(n, -3), mod(n, 7), neg(n)].map(String);
    assert.deepEqual(got, want, text);
  }
  assert.equal(div(-9223372036854775808n, -1), -9223372036854775808n, 'rsyslog dies of SIGFPE here; Logwarden wraps');
  assert.equal(mod(-9223372036854775808n, -1), 0);
  assert.equal(div(5, 0), 0);
  assert.equal(mod(5n ** 30n, 0), 0);
  assert.equal(saturate(1e20), 9223372036854775807n, 'a literal beyond int64 saturates as strtoll does');
});

test('property: + - * / % agree with BigInt.asIntN(64) for any int64 operands, small or large', () => {
  const int64 = fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.integer({ min: -1000, max: 1000 }).map(BigInt),
    fc.bigInt({ min: -(2n ** 53n), max: 2n ** 53n }));
  fc.assert(fc.property(int64, int64, (x, y) => {
    const a = norm(x);
    const b = norm(y);
    assert.equal(big(add(a, b)), I64(x + y));
    assert.equal(big(sub(a, b)), I64(x - y));
    assert.equal(big(mul(a, b)), I64(x * y));
    assert.equal(big(div(a, b)), y === 0n ? 0n : I64(x / y));
    assert.equal(big(mod(a, b)), y === 0n ? 0n : I64(x % y));
    for (const r of [add(a, b), sub(a, b), mul(a, b), div(a, b), mod(a, b)]) {
      assert.equal(typeof r === 'number', Number.isSafeInteger(Number(r)) && BigInt(Number(r)) === big(r) && Math.abs(Number(r)) <= Number.MAX_SAFE_INTEGER);
    }
  }), { numRuns: 2000 });
});

test('expressions: cnum of a long number wraps, comparisons and == stay exact across the double/bigint boundary', () => {
  const L = { file: 'u.conf', line: 1, col: 1 };
  const m = new Message(Buffer.from('x'), { inputname: 'imtcp', fromhostIp: '127.0.0.1', fromhost: 'h', ruleset: DEFAULT_RULESET }, SyslogTime.now());
  m.msg = '123456789012345678901234567890';
  const msg: Expr = { kind: 'var', name: '$msg', loc: L };
  const cnum: Expr = { kind: 'call', fn: 'cnum', args: [msg], loc: L };
  const ev = (e: Expr): string => toStr(compileExpr(e, { globals: { root: null }, state: { scriptErrno: 0, prevSuspended: 0 } })(m));
  assert.equal(ev(cnum), '-4362896299872285998');
  assert.equal(ev({ kind: 'binary', op: '+', left: cnum, right: { kind: 'number', value: 1, loc: L }, loc: L }), '-4362896299872285997');
  assert.equal(ev({ kind: 'binary', op: '<', left: cnum, right: { kind: 'number', value: 5, loc: L }, loc: L }), '1');
  assert.equal(ev({ kind: 'binary', op: '==', left: cnum, right: { kind: 'string', value: '-4362896299872285998', loc: L }, loc: L }), '1');
  assert.equal(ev({ kind: 'binary', op: '==', left: { kind: 'string', value: '9007199254740993', loc: L }, right: { kind: 'string', value: '9007199254740992', loc: L }, loc: L }), '0');
});

// fmhash: hash32 (FNV-1) / hash64 (djb2 on signed chars) and the mod variants; expected values were written by
// rsyslogd 8.2302 (module(load="fmhash"), built without xxhash).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashModValue, hashValue } from '../../../src/rules/fmhash';

test('hash32 / hash64 as rsyslogd 8.2302 computes them, seeds included', () => {
  assert.equal(hashValue(32, ' ordinary line before the repeat'), 4022902261);
  assert.equal(hashValue(64, ' ordinary line before the repeat'), 6889584698223360072n);
  assert.equal(hashValue(32, '0f9a1d07-a8c9-43a7-a6f7-198dca3d932e', 42), 3117314272);
  assert.equal(hashValue(32, 'héllo wörld'), 3653072423);
  assert.equal(hashValue(64, 'héllo wörld'), 1315588090863286704n, 'bytes >= 0x80 sign-extend (signed char)');
  assert.equal(hashValue(64, 'xxxxxxxxxyz'), -4653813197875117570n, 'a uint64 >= 2^63 is a negative number');
});

test('hashXXmod: the unsigned hash modulo mod; mod 0 or a non-number mod or seed gives 0', () => {
  assert.equal(hashModValue(64, 'xxxxxxxxxyz', 100), 46);
  assert.equal(hashModValue(32, 'abc', 0), 0);
  assert.equal(hashModValue(32, 'abc', 'x'), 0);
  assert.equal(hashValue(32, 'abc', 'x'), 0);
  assert.equal(hashModValue(32, 'héllo wörld', 1000, 7), 3460668502 % 1000);
});

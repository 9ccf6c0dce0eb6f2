// Variable names are case-insensitive like rsyslogd's (variables.caseSensitive="off"): a key keeps its first
// spelling; parsed JSON objects merge keys that differ only in case (checked side by side:
// test/interop/diff/cases/doc-vars-case-insensitive.conf).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RULESET } from '../../../src/config/model';
import { Message } from '../../../src/message';
import { SyslogTime } from '../../../src/time';
import { getVar, parseVarRef, setVar, unsetVar, type GlobalVars } from '../../../src/rules/vars';
import { findKey, foldKeys } from '../../../src/util/json-keys';

const msg = (): Message => new Message(Buffer.from('x'), { inputname: 'imtcp', fromhostIp: '127.0.0.1', fromhost: 'h', ruleset: DEFAULT_RULESET }, SyslogTime.now());
const ref = (n: string) => parseVarRef(n)!;

test('findKey: exact first, then ASCII case-insensitive; foldKeys merges like libfastjson', () => {
  assert.equal(findKey({ a: 1, A: 2 }, 'A'), 'A');
  assert.equal(findKey({ Foo: 1 }, 'fOO'), 'Foo');
  assert.equal(findKey({ Foo: 1 }, 'bar'), undefined);
  assert.equal(findKey({}, 'constructor'), undefined);
  assert.deepEqual(foldKeys({ dup: 1, dup2: [{ X: 1, x: 2 }], Dup: 3 }), { dup: 3, dup2: [{ X: 2 }] });
});

test('set / get / unset ignore case and keep the first spelling', () => {
  const m = msg();
  const g: GlobalVars = { root: null };
  assert.equal(setVar(m, ref('$!Foo'), 1, g), true);
  assert.equal(setVar(m, ref('$!fOO'), 2, g), true);
  assert.equal(setVar(m, ref('$!bar!Baz'), 3, g), true);
  assert.equal(setVar(m, ref('$!BAR!bAZ'), 4, g), true);
  assert.deepEqual(m.json, { Foo: 2, bar: { Baz: 4 } });
  assert.equal(getVar(m, ref('$!FOO'), g), 2);
  assert.equal(getVar(m, ref('$!Bar!baz'), g), 4);
  unsetVar(m, ref('$!BAR!BAZ'), g);
  assert.deepEqual(m.json, { Foo: 2, bar: {} });
});

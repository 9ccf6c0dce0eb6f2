// get_property(): rsyslog 8.2302's results, including its 0..7 array index limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getProperty } from '../../../src/rules/get-property';
import { JsonValue } from '../../../src/rules/values';

const J = (node: unknown): JsonValue => new JsonValue(node);

test('object members: by key, "" gives the whole object, missing is an error, JSON null is ""', () => {
  const o = { status: 200, user: { name: 'bob' }, nil: null, s: 'x' };
  assert.deepEqual(getProperty(J(o), 'status'), J(200));
  assert.deepEqual(getProperty(J(o), 'user'), J({ name: 'bob' }));
  assert.equal(getProperty(J(o), 's'), 'x');
  assert.equal(getProperty(J(o), 'nil'), '');
  assert.equal(getProperty(J(o), 'nope'), undefined);
  assert.deepEqual(getProperty(J(o), ''), J(o));
});

test('arrays: index 0..7 only (rsyslog compares it to sizeof(size_t)), non-numbers are errors, past the end is ""', () => {
  const a = J([10, 11, 12, 13, 14, 15, 16, 17, 18]);
  assert.deepEqual(getProperty(a, 1), J(11));
  assert.deepEqual(getProperty(a, '7'), J(17));
  assert.equal(getProperty(a, 8), undefined);
  assert.equal(getProperty(a, -1), undefined);
  assert.equal(getProperty(a, 'x'), undefined);
  assert.equal(getProperty(J([1]), 3), '');
});

test('scalars: a string container is itself, a JSON number or boolean is its integer value, a plain number is ""', () => {
  assert.equal(getProperty('text', 'k'), 'text');
  assert.equal(getProperty(J(12.9), 'k'), 12);
  assert.equal(getProperty(J(true), 'k'), 1);
  assert.equal(getProperty(5, 'k'), '');
});

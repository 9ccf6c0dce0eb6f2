// RFC 5424 structured data extraction: a value is sliced in one piece when it has no backslash, copied character
// by character otherwise; both must give back exactly the value the sender escaped (§6.3.3: \" \\ \]).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { extractFields } from '../../src/parse/extract';

/** RFC 5424 §6.3.3: '"', '\' and ']' are escaped with a backslash inside PARAM-VALUE. */
const escape = (v: string): string => v.replace(/["\\\]]/g, (c) => `\\${c}`);

test('SD values with and without escapes come back exactly as sent', () => {
  const value = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '=', '"', '\\', ']', '[', 'é') , maxLength: 12 });
  const element = fc.tuple(fc.constantFrom('meta@32473', 'origin', 'x'), fc.uniqueArray(fc.constantFrom('seq', 'user', 'ip', 'q'), { minLength: 1, maxLength: 4 }));
  fc.assert(fc.property(fc.uniqueArray(element, { selector: (e) => e[0], minLength: 1, maxLength: 3 }), fc.array(value, { minLength: 12, maxLength: 12 }), (elements, values) => {
    let sd = '';
    const want: Record<string, string> = {};
    let k = 0;
    for (const [id, names] of elements) {
      sd += `[${id}`;
      for (const name of names) {
        const v = values[k++ % values.length]!;
        sd += ` ${name}="${escape(v)}"`;
        want[`sd.${id}.${name}`] = v;
      }
      sd += ']';
    }
    assert.deepEqual(extractFields('', sd), want);
  }), { numRuns: 500 });
});

test('an unterminated SD value stops extraction after the complete parameters', () => {
  assert.deepEqual(extractFields('', '[a x="1" y="2'), { 'sd.a.x': '1' });
  assert.deepEqual(extractFields('', '[a x="1" y="2\\"'), { 'sd.a.x': '1' });
  assert.deepEqual(extractFields('', '[a x="1\\\\" y="\\]"]'), { 'sd.a.x': '1\\', 'sd.a.y': ']' });
});

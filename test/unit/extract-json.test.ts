// extractFieldsJson writes the store's `fields` text without building the object: it must equal
// JSON.stringify(extractFields(...)) plus tls.peer exactly (key order, duplicates, escapes, numbers, the bounds).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { extractFields, extractFieldsJson, MAX_FIELDS } from '../../src/parse/extract';
import { storedFields, storedFieldsJson } from '../../src/store/backend';

/** What the store wrote before: the object, the peer added, stringified (null when empty). */
function reference(msg: string, sd: string, vars: Record<string, unknown> | null, peer: string): string | null {
  const f = storedFields(msg, sd, vars, peer);
  return Object.keys(f).length === 0 ? null : JSON.stringify(f);
}

function same(msg: string, sd: string, vars: Record<string, unknown> | null = null, peer = ''): void {
  assert.equal(storedFieldsJson(msg, sd, vars, peer), reference(msg, sd, vars, peer), JSON.stringify({ msg, sd, peer }).slice(0, 300));
}

test('fields JSON: the fixed cases (sd, kv, JSON, CEE, nginx, vars, escapes, duplicates, bounds)', () => {
  same('seq=00000001 action=login result=failure xxx', '[meta@32473 seq="00000001" user="alice"][origin ip="10.1.0.1" software="lwgen"]');
  same('a=1 a=2 b="q\\"x" c=\'s p\' a=3', '[x@1 a="1" a="2"][x@1 a="3"]');
  same('{"a":{"b":[1,"x",true,null,2.5e-3,-0]},"c":"\\u0000\\n\\"\\\\","d\\"e":"\\ud800","e":"\\ud83d\\ude00"}', '-');
  same('@cee: {"k":"v","n":1e400}', '-');
  same('manager {"log_type":"x","params":{"username":"u"}}', '-', null, 'CN=a,O="b"');
  same('10.1.0.9 - - [15/Jan/2025:07:25:36 +0000] "GET /a?b=1 HTTP/1.1" 502 12 "-" "curl/8.5.0"', '-');
  same('x', '-', { params: { user: 'a', n: 2 }, k8s: { ns: 'p' }, zeek: 's' });
  same('no fields', '-');
  same('no fields', '-', null, 'CN=peer\u0001\ud800');
  const many = Array.from({ length: 300 }, (_, i) => `k${i % 150}=${i}`).join(' ');
  same(many, '-', null, 'CN=over the bound');
  assert.equal(Object.keys(extractFields(many)).length, MAX_FIELDS);
  same(Array.from({ length: 40 }, (_, i) => `k${i % 20}=${i}`).join(' '), '-');
  assert.equal(extractFieldsJson('no fields', '-', null, ''), null);
});

test('fields JSON: property — equal to JSON.stringify of the object for any text', () => {
  const piece = fc.constantFrom('a', 'k', '=', '"', "'", '\\', ' ', ',', ';', '[', ']', '{', '}', ':', '.', '-', '_', '1',
    '\u0000', '\n', '\ud800', '\udc00', '\u00e9', '@cee: ', 'x@1 ', 'json', 'null', 'true', '2.5');
  const text = fc.array(fc.oneof(piece, fc.string({ maxLength: 4 })), { maxLength: 40 }).map((a) => a.join(''));
  const obj = fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ maxLength: 6 }), fc.double(), fc.boolean(), fc.constant(null),
    fc.array(fc.integer(), { maxLength: 3 })), { maxKeys: 20 });
  fc.assert(fc.property(text, text, fc.string({ maxLength: 8 }), (msg, sdBody, peer) => {
    same(msg, `[${sdBody}]`, null, peer);
    same(msg, '-', null, '');
  }), { numRuns: 3000 });
  fc.assert(fc.property(obj, fc.option(obj, { nil: null }), fc.string({ maxLength: 4 }), (o, vars, prefix) => {
    same(`${prefix}${JSON.stringify(o)}`, '-', vars, '');
    same(`@cee: ${JSON.stringify(o)}`, '[a b="c"]', vars, 'p');
  }), { numRuns: 1000 });
});

// POSIX BRE/ERE → JS translation (src/util/posix-regex, shared by rules and templates): flavours, brackets, errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePosix, PosixRegexError, translatePosix } from '../../../src/util/posix-regex';

const cases: Array<[string, 'bre' | 'ere', string, boolean]> = [
  ['a\\(b\\)\\{2\\}c', 'bre', 'xabbc', true],
  ['a\\(b\\)\\{2\\}c', 'bre', 'abc', false],
  ['a(b)', 'bre', 'a(b)', true], // ( ) are literal in BRE
  ['a+b?', 'bre', 'a+b?', true], // + ? literal in BRE
  ['a\\+b', 'bre', 'aaab', true], // GNU \+ in BRE
  ['a|b', 'bre', 'a|b', true],
  ['a\\|z', 'bre', 'z', true],
  ['*a', 'bre', 'x*a', true], // leading * is literal in BRE
  ['a^b', 'bre', 'a^b', true], // ^ not first: literal in BRE
  ['a$b', 'bre', 'a$b', true],
  ['(ab|cd){2}', 'ere', 'xxcdab', true],
  ['^ab$', 'ere', 'ab', true],
  ['^ab$', 'ere', 'ab\n', false],
  ['a.b', 'ere', 'a\nb', true], // no REG_NEWLINE: . matches newline
  ['[[:digit:]]{3}', 'ere', 'ab123', true],
  ['[[:alpha:]_]+$', 'ere', '9ab_', true],
  ['[]a]', 'ere', ']', true], // ] first in a bracket is literal
  ['[^]a]', 'ere', 'b', true],
  ['[a\\]', 'ere', '\\', true], // backslash is literal inside brackets
  ['[a-c-]', 'ere', '-', true],
  ['\\.', 'ere', 'a', false],
  ['(a)\\1', 'ere', 'aa', true],
  ['\\<foo\\>', 'ere', 'a foo b', true],
  ['\\<foo\\>', 'ere', 'afoob', false],
  ['a/b', 'ere', 'a/b', true],
];

test('BRE and ERE match like glibc regexec (search anywhere)', () => {
  for (const [re, flavor, input, want] of cases) {
    assert.equal(compilePosix(re, flavor).test(input), want, `${flavor} /${re}/ on ${JSON.stringify(input)}`);
  }
});

test('case-insensitive compile for re_match_i', () => {
  assert.equal(compilePosix('ERROR', 'ere', { ignoreCase: true }).test('an error'), true);
});

test('untranslatable or invalid patterns are compile errors naming the place', () => {
  const loc = { file: 'r.conf', line: 3, col: 7 };
  const bad: Array<[string, 'bre' | 'ere']> = [
    ['a\\(b', 'bre'], ['(a', 'ere'], ['a)', 'ere'], ['[abc', 'ere'], ['[[:nope:]]', 'ere'], ['+a', 'ere'],
    ['a{2,1}', 'ere'], ['[[.ch.]]', 'ere'], ['\\1(a)', 'ere'], ['a\\', 'ere'], ['[z-a]', 'ere'],
  ];
  for (const [re, flavor] of bad) {
    assert.throws(() => compilePosix(re, flavor, { loc }), (e: Error & { code?: string }) =>
      e instanceof PosixRegexError && e.code === 'LW_ERR_REGEX' && e.message.startsWith('r.conf:3:7:') &&
      e.reason.startsWith(`cannot use POSIX regex /${re}/`), `${flavor} /${re}/`);
  }
});

test('each caller names its own error code (rules, templates)', () => {
  for (const code of ['LW_ERR_RULES_REGEX', 'LW_ERR_TEMPLATE_REGEX']) {
    assert.throws(() => compilePosix('(a', 'ere', { errorCode: code }), (e: PosixRegexError) => e.code === code && e.loc === undefined);
  }
});

test('translation output is plain JS source', () => {
  assert.equal(translatePosix('a\\{1,3\\}', 'bre'), 'a{1,3}');
  assert.equal(translatePosix('a{1,3}', 'bre'), 'a\\{1,3\\}');
  assert.equal(translatePosix('[[:space:]]', 'ere'), '[ \\t\\n\\r\\f\\v]');
  // BRE: \( \) group, + literal, backslash literal inside a bracket expression (§9.3.5)
  assert.equal(translatePosix('a\\(b+\\)[[:digit:]\\]', 'bre'), 'a(b\\+)[0-9\\\\]');
});

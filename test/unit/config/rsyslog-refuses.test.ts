// Logwarden accepts toupper(), cbool() and a `$` in a double-quoted expression string; rsyslogd 8.2302 refuses
// the config at load. `check` (and `run` at start) warn at each use, with its position
// (test/interop/rsyslog-refuses.test.ts asks the real rsyslogd -N1 about the same texts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/load';
import { unescapedDollar } from '../../../src/config/expr';
import { lookupComponent } from './specs';

const CODE = 'LW_WARN_CONFIG_RSYSLOG_REFUSES';
const warned = (text: string): string[] => loadConfig('/t.conf', { lookupComponent, text }).diagnostics
  .map((d) => `${d.severity}:${d.code}@${d.loc.line}:${d.loc.col}`);

test('one warning per use, at the function name or the `$`, never an error', () => {
  assert.deepEqual(warned('set $.x = toupper($msg) & cbool("a$b") & "\\$ok" & \'a$\';\nif re_match($msg, "^$") then stop\n'), [
    `warning:${CODE}@1:11`, `warning:${CODE}@1:27`, `warning:${CODE}@1:35`, `warning:${CODE}@2:21`,
  ]);
  assert.deepEqual(warned('foreach ($.i in parse_json("[1]", "$!a")) do { stop }\ncall_indirect "a$";\nset $.y = TOUPPER("x");\n'), [
    `warning:${CODE}@1:36`, `warning:${CODE}@2:17`, `warning:${CODE}@3:11`,
  ]);
});

test('no warning for escaped or single-quoted dollars, tolower(), or $ outside expressions', () => {
  assert.deepEqual(warned('set $.x = tolower("\\$x") & \'$!\' & cstr($msg);\n'), []);
  assert.deepEqual(warned('template(name="t" type="string" string="a$b")\n:msg, contains, "a$b" stop\n'), []);
});

test('unescapedDollar: the first `$` outside an escape pair', () => {
  assert.equal(unescapedDollar('"a$b"'), 2);
  assert.equal(unescapedDollar('"\\$"'), -1);
  assert.equal(unescapedDollar('"\\\\$"'), 3);
  assert.equal(unescapedDollar('"\\\\\\$"'), -1);
  assert.equal(unescapedDollar('""'), -1);
});

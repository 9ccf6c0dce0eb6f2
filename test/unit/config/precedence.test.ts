// rsyslog's expression precedence (and/or equal, left to right; `not` tighter than comparisons) and the
// check warnings for conditions that are probably not what was meant; lone negated selectors warn too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/load';
import type { Expr, Statement } from '../../../src/config/model';
import { DEFAULT_RULESET } from '../../../src/config/model';
import { lookupComponent } from './specs';

function load(text: string) {
  return loadConfig('/t.conf', { lookupComponent, text });
}
function cond(text: string): Expr {
  const st = load(`if ${text} then stop\n`).rulesets.get(DEFAULT_RULESET)!.statements[0] as Extract<Statement, { kind: 'if' }>;
  return st.cond;
}
function show(e: Expr): string {
  switch (e.kind) {
    case 'binary': return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case 'not': return `(not ${show(e.operand)})`;
    case 'var': return e.name;
    case 'string': return JSON.stringify(e.value);
    case 'number': return String(e.value);
    default: return e.kind;
  }
}
const codes = (text: string): string[] => load(text).diagnostics.map((d) => d.code);

test('and/or are equal and left-associative; not binds tightest; comparisons chain left to right', () => {
  assert.equal(show(cond('$msg == "a" or $msg == "b" and $msg == "c"')), '((($msg == "a") or ($msg == "b")) and ($msg == "c"))');
  assert.equal(show(cond('$msg == "a" and $msg == "b" or $msg == "c"')), '((($msg == "a") and ($msg == "b")) or ($msg == "c"))');
  assert.equal(show(cond('$msg == "a" or ($msg == "b" and $msg == "c")')), '(($msg == "a") or (($msg == "b") and ($msg == "c")))');
  assert.equal(show(cond('not $msg contains "x"')), '((not $msg) contains "x")');
  assert.equal(show(cond('not ($msg contains "x")')), '(not ($msg contains "x"))');
  assert.equal(show(cond('1 == 1 == 1')), '((1 == 1) == 1)');
});

test('check warns on mixed and/or without parentheses and on not before a comparison', () => {
  assert.deepEqual(codes('if $msg == "a" or $msg == "b" and $msg == "c" then stop\n'), ['LW_WARN_CONFIG_AND_OR_PRECEDENCE']);
  assert.deepEqual(codes('if $msg == "a" or ($msg == "b" and $msg == "c") then stop\n'), []);
  assert.deepEqual(codes('if $msg == "a" or $msg == "b" or $msg == "c" then stop\n'), []);
  assert.deepEqual(codes('if not $msg contains "x" then stop\n'), ['LW_WARN_CONFIG_NOT_PRECEDENCE']);
  assert.deepEqual(codes('if not ($msg contains "x") then stop\n'), []);
  assert.deepEqual(codes('if (not $msg) == 1 then stop\n'), []);
});

test('a negation on a facility with nothing selected yet warns (it selects nothing, as in rsyslog)', () => {
  for (const sel of ['*.!err', 'user.!=info', 'mail,news,uucp.!crit;mail.*', 'mail.!info']) {
    assert.deepEqual(codes(`${sel} /var/log/x\n`), ['LW_WARN_CONFIG_NEGATION_EMPTY'], sel);
  }
  for (const sel of ['mail.*;mail.!info', 'mail.*;mail.!=info', '*.*;*.!=debug', 'kern.!none']) {
    assert.deepEqual(codes(`${sel} /var/log/x\n`), [], sel);
  }
});

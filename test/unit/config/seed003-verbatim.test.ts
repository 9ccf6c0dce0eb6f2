// Seed 003's selector lines, exactly as the course notes print them (odd blanks included), load with warnings
// and mean the same as their portable rsyslog spellings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadConfig } from '../../../src/config/load';
import { DEFAULT_RULESET, type ConfigModel, type Diagnostic } from '../../../src/config/model';
import { PRIFILT_RE, scanSelector } from '../../../src/config/selector-line';
import { lookupComponent } from './specs';
import { CASES, W_FORWARD, W_JOINED, W_LEGACY_USERS, W_PRILIST, W_SELECTOR, W_USERS, type Lowered, type Term } from './seed003-cases';

const FILE = '/etc/logwarden/seed003.conf';
const SEED_DIR = '/work/shared/seeds';

const NEW_WARNINGS = new Set([W_SELECTOR, W_PRILIST, W_USERS, W_FORWARD, W_JOINED]);

function load(text: string): ConfigModel {
  return loadConfig(FILE, { lookupComponent, text: `${text}\n` });
}

function lowered(m: ConfigModel): Lowered {
  return m.rulesets.get(DEFAULT_RULESET)!.statements.map((st) => {
    if (st.kind !== 'filter' || st.filter.kind !== 'selector') throw new Error(`expected a selector line, got ${st.kind}`);
    const terms = st.filter.terms.map((t): Term => [t.facilities, t.op, t.severity]);
    const actions = st.body.map((b): [string, Record<string, string>] => {
      if (b.kind !== 'action') throw new Error(`expected an action, got ${b.kind}`);
      return [b.action.type, Object.fromEntries([...b.action.params.values()].map((p) => [p.name, String(p.value)]))];
    });
    return [terms, actions];
  });
}

/** The whole model without source locations, so a seed line and its portable spelling can be compared. */
function meaning(m: ConfigModel): unknown {
  const strip = (v: unknown): unknown => {
    if (v instanceof Map) return [...v.entries()].map(([k, x]) => [k, strip(x)]);
    if (Array.isArray(v)) return v.map(strip);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'loc' && k !== 'diagnostics').map(([k, x]) => [k, strip(x)]));
    }
    return v;
  };
  return strip(m);
}

const byCol = (a: Diagnostic, b: Diagnostic): number => a.loc.col - b.loc.col;

for (const c of CASES) {
  test(`seed 003 verbatim: ${c.seed}`, () => {
    const m = load(c.seed);
    assert.deepEqual(m.diagnostics.filter((d) => d.severity === 'error'), [], 'no errors');
    const warnings = m.diagnostics.filter((d) => d.severity === 'warning').sort(byCol);
    assert.deepEqual(warnings.map((d) => [d.code, d.loc.col]), c.warnings);
    for (const w of warnings) {
      assert.equal(w.loc.file, FILE);
      assert.equal(w.loc.line, 1);
      assert.equal(w.sourceLine, c.seed);
      if (!NEW_WARNINGS.has(w.code)) continue;
      assert.match(w.message, /rsyslog/, 'says what rsyslog would do');
      assert.ok(w.hint?.includes(c.hint!), `hint ${JSON.stringify(w.hint)} names ${c.hint}`);
    }
    assert.deepEqual(lowered(m), c.model);
    const portable = load(c.portable);
    assert.deepEqual(portable.diagnostics.filter((d) => d.severity !== 'notice' && d.code !== W_LEGACY_USERS), []);
    assert.deepEqual(meaning(m), meaning(portable), 'same meaning as the portable spelling');
  });
}

test('seed 003 verbatim: the cases are the seed\'s lines, character for character', (t) => {
  const seed = existsSync(SEED_DIR) ? readdirSync(SEED_DIR).find((f) => f.startsWith('003_')) : undefined;
  if (seed === undefined) return t.skip('seed 003 is not on this machine');
  const lines = readFileSync(join(SEED_DIR, seed), 'utf8').split(/\r?\n/);
  assert.ok(lines.includes('19 authpriv.* /dev/tty2'));
  // `authpriv.* /dev/tty2` is printed after the page number "19 " (tested apart below).
  for (const c of CASES) assert.ok(lines.some((l) => l.replace(/^19 /, '') === c.seed), `not in the seed: ${c.seed}`);
});

test('seed 003 verbatim: `19 authpriv.* /dev/tty2` stays an error that says why and how to fix it', () => {
  const m = load('19 authpriv.* /dev/tty2');
  const errors = m.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.length, 1);
  const [e] = errors;
  assert.equal(e.code, 'LW_ERR_CONFIG_BAD_SELECTOR');
  assert.deepEqual(e.loc, { file: FILE, line: 1, col: 1 });
  assert.equal(e.length, 2);
  assert.equal(e.message, 'a selector must start with a facility name; `19` is not one');
  assert.match(e.hint ?? '', /delete `19`.*`authpriv\.\* \/dev\/tty2`/);
  assert.deepEqual(m.rulesets.get(DEFAULT_RULESET)!.statements, [], 'no rule is made from the line');
});

test('the blank-free `cron.!info,!debug` stays an error, as in rsyslog, with the portable spelling as hint', () => {
  const m = load('cron.!info,!debug /var/log/cron.log');
  const errors = m.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => [d.code, d.loc.col]), [['LW_ERR_CONFIG_BAD_SELECTOR', 12]]);
  assert.match(errors[0].hint ?? '', /`cron\.\*;cron\.!=info;cron\.!=debug`/);
  assert.deepEqual(m.diagnostics.filter((d) => d.code === W_PRILIST), []);
});

test('tolerance stops where the selector is complete: an action after a blank is never read into it', () => {
  // `!=` after a complete selector would be a filter, but rsyslog ends the selector at the blank; so do we.
  for (const [line, model] of [
    ['mail.info /var/log/x', [[[[[2], 'ge', 6]], [['omfile', { file: '/var/log/x' }]]]]],
    ['*.* root,gildong', [[[['*', 'ge', 7]], [['omusrmsg', { users: 'root,gildong' }]]]]],
    ['kern.* -/var/log/kern.log', [[[[[0], 'ge', 7]], [['omfile', { file: '/var/log/kern.log' }]]]]],
  ] as Array<[string, Lowered]>) {
    const m = load(line);
    assert.deepEqual(m.diagnostics.filter((d) => d.code === W_SELECTOR || d.severity === 'error'), [], line);
    assert.deepEqual(lowered(m), model, line);
  }
});

test('an incomplete selector with nothing selector-like after the blank is an error, not a guess', () => {
  const m = load('mail. /var/log/x');
  const e = m.diagnostics.find((d) => d.severity === 'error');
  assert.equal(e?.code, 'LW_ERR_CONFIG_BAD_SELECTOR');
  assert.equal(e?.loc.col, 5);
  assert.match(e?.message ?? '', /incomplete selector `mail\.`/);
});

test('scanSelector: a blank-free selector reads exactly as rsyslog\'s PRIFILT rule (property)', () => {
  const word = fc.stringMatching(/^[*a-z]{1,8}[0-7]?[.,][,!=;.*a-z0-7]{0,12}[*a-z0-7]$/);
  const action = fc.constantFrom('/var/log/x', '@host', '-/f', ':omusrmsg:*', 'root', '~', '?Dyn', '|/p');
  fc.assert(fc.property(word, fc.constantFrom(' ', '\t', '   '), action, (sel, blank, act) => {
    const line = `${sel}${blank}${act}`;
    const scan = scanSelector(line, 0);
    PRIFILT_RE.lastIndex = 0;
    const m = PRIFILT_RE.exec(line);
    assert.ok(scan !== null && m !== null);
    assert.equal(scan.end, m[0].length);
    assert.equal(scan.text, sel);
    assert.deepEqual(scan.blanks, []);
  }), { numRuns: 300 });
});

test('a $template value followed by `,option` or a comment is not split', () => {
  const m = load('$template t,"%msg%",json # note\n*.* /var/log/x;t');
  assert.deepEqual(m.diagnostics.filter((d) => d.code === W_JOINED || d.severity === 'error'), []);
  assert.equal(m.templates.get('t')?.string, '%msg%');
  assert.equal(m.rulesets.get(DEFAULT_RULESET)!.statements.length, 1);
});

test('the selector-blank warning shows where rsyslog cuts the selector', () => {
  for (const [line, cut] of [['*. notice @h', '*.'], ['uucp, news.crit /x', 'uucp,'], ['cron.! info,! debug /x', 'cron.!']]) {
    const w = load(line).diagnostics.find((d) => d.code === W_SELECTOR);
    assert.ok(w?.message.includes(`ends the selector at the blank (\`${cut}\`)`), `${line}: ${w?.message}`);
  }
});

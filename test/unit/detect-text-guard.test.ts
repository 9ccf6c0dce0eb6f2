// The engine tests the free-text literals of all of an app's rules in one regex and skips the rules whose
// literals are absent (CompiledRule.textGuard, from literalsOf). Sound only if a query never matches a message
// without one of its literals: checked on random queries and messages (fast-check), and end to end: a rule set
// sharing apps and phrases counts the same matches as each rule's own predicate.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Reporter } from '../../src/config/diagnostics';
import { DetectEngine } from '../../src/detect/engine';
import { toEvent } from '../../src/detect/event';
import { loadRuleText } from '../../src/detect/load';
import { compileQuery, literalsOf } from '../../src/detect/query-eval';
import { parseLogLine } from '../../src/detect/replay';
import { parseQuery } from '../../src/store/query/parser';

const WORDS = ['failed', 'password', 'accepted', 'invalid', 'user', 'kill', 'oom', 'segfault', 'ſegfault', 'Kelvin', 'error'];
const word = fc.constantFrom(...WORDS);
const phrase = fc.array(word, { minLength: 1, maxLength: 3 }).map((w) => `"${w.join(' ')}"`);
const field = fc.constantFrom('app:sshd', 'app:kernel', 'host:h1', 'severity:<=notice', 'kv.user:*');
const leaf = fc.oneof(word, phrase, field, fc.constantFrom('oom-kill', 'fail*', '"..."'));
const query: fc.Arbitrary<string> = fc.letrec((tie) => ({
  q: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(tie('q'), tie('q')).map(([a, b]) => `(${a}) (${b})`),
    fc.tuple(tie('q'), tie('q')).map(([a, b]) => `(${a}) OR (${b})`),
    tie('q').map((a) => `NOT (${a})`)),
})).q as fc.Arbitrary<string>;
const text = fc.array(fc.oneof(word, fc.constantFrom('x', '=', 'user=bob', 'KILL', 'SEGFAULT', 'Failed', '-', '..')), { maxLength: 8 })
  .map((w) => w.join(' '));

test('a query matches a message only when the message holds one of its literals (property)', () => {
  fc.assert(fc.property(query, text, fc.constantFrom('sshd', 'kernel', 'cron'), (q, t, app) => {
    let parsed;
    try {
      parsed = parseQuery(q);
    } catch {
      return; // not every generated string is a query (e.g. a NOT of a time-like word)
    }
    const lits = literalsOf(parsed.where);
    const ev = toEvent(parseLogLine(`2025-01-15T07:00:00Z h1 ${app}[1]: ${t}`)!);
    if (!compileQuery(parsed)(ev) || lits === null) return;
    assert.ok(lits.some((l) => new RegExp(l, 'iu').test(ev.row.msg)), `${q} matched "${t}" without any of ${JSON.stringify(lits)}`);
  }), { numRuns: 3000 });
});

test('rules sharing an app and phrases: the guard skips only what cannot match (matches = each predicate\'s own count)', () => {
  const rep = new Reporter();
  const rules = loadRuleText('guard.yml', `
rules:
  - id: a
    query: 'app:sshd ("failed password" OR "authentication failure")'
  - id: b
    query: 'app:sshd accepted'
  - id: c
    query: 'app:sshd NOT accepted'
  - id: d
    query: 'app:sshd "invalid user" OR app:sshd kv.user:bob'
  - id: e
    kind: sequence
    steps:
      - query: 'app:sshd "failed password"'
      - query: 'app:sshd accepted'
    within: 1m
  - id: f
    query: 'segfault'
  - id: g
    query: '"..."'
`, rep);
  assert.deepEqual(rep.diagnostics, []);
  assert.deepEqual(rules.map((r) => r.textGuard ?? null), [
    ['password', 'authentication'], ['accepted'], null, null, ['password', 'accepted'], ['segfault'], [],
  ]);
  const engine = new DetectEngine(rules, { stateDir: null, onDetect: () => {} });
  const texts = ['Failed password for x', 'PAM: Authentication failure', 'Accepted key', 'Invalid user y', 'user=bob', 'kernel: SEGFAULT at 0', 'other'];
  const own = new Map<string, number>(rules.map((r) => [r.id, 0]));
  let n = 0;
  for (const app of ['sshd', 'kernel']) {
    for (const t of texts) {
      const msg = parseLogLine(`2025-01-15T07:00:00Z h1 ${app}[1]: ${t}`)!;
      engine.process(toEvent(msg));
      n++;
      for (const r of rules) {
        const hit = r.sequence ? r.sequence.steps.some((s) => s.match(toEvent(msg))) : r.match(toEvent(msg));
        if (hit) own.set(r.id, own.get(r.id)! + 1);
      }
    }
  }
  const m = engine.metrics();
  for (const r of rules) assert.equal(m[r.id]!.matches, own.get(r.id), r.id);
  assert.equal(m.f!.evaluations, n); // skipped by the guard still counts as shown
  assert.equal(m.a!.evaluations, texts.length); // shown the sshd messages only (app index)
});

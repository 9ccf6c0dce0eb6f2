// Engine behaviours beyond the windows: rule fields = search fields, new_value state across restarts, clock
// skew across New Year, key caps with a counter, rule reload keeping state, metrics, rule diagnostics.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Reporter } from '../../src/config/diagnostics';
import { DetectEngine } from '../../src/detect/engine';
import { toEvent } from '../../src/detect/event';
import { loadRuleText } from '../../src/detect/load';
import { parseLogLine } from '../../src/detect/replay';
import type { CompiledRule, Detection } from '../../src/detect/rule';
import { tempDir } from '../helpers/util';

function rules(yaml: string): CompiledRule[] {
  const rep = new Reporter();
  const out = loadRuleText('test.yml', yaml, rep);
  assert.deepEqual(rep.diagnostics.map((d) => `${d.loc.line}:${d.loc.col} ${d.code} ${d.message}`), []);
  return out;
}

function run(engine: DetectEngine, lines: string[]): void {
  for (const l of lines) engine.process(toEvent(parseLogLine(l)!));
}

const T = '2025-01-15T07:00:00.000000+00:00';

test('match rules see the store\'s extracted fields (json.*, kv.*, nginx.*) and columns', () => {
  const fired: Detection[] = [];
  const e = new DetectEngine(rules(`
rules:
  - id: j
    query: 'json.params.username:admin json.log_level:WARN'
  - id: k
    query: 'kv.user:alice severity:<=notice'
  - id: n
    query: 'nginx.status:>=500 fromhost-ip:127.0.0.0/8'
`), { stateDir: null, onDetect: (d) => fired.push(d) });
  run(e, [
    `${T} og manager {"log_type":"login_manager","log_level":"WARN","params":{"username":"admin"}}`,
    `${T} h app[1]: op=login user=alice`,
    `${T} web1 nginx: 192.0.2.1 - - [15/Jan/2025:07:00:00 +0000] "GET / HTTP/1.1" 503 1 "-" "x"`,
    `${T} h app[1]: op=login user=bob`,
  ]);
  assert.deepEqual(fired.map((d) => d.rule.id), ['j', 'k', 'n']);
});

test('new_value fires once per value and remembers across restarts (state in the work directory)', () => {
  const tmp = tempDir();
  try {
    const r = rules(`
rules:
  - id: new-sudo-user
    kind: new_value
    query: 'app:sudo'
    extract: { user: '^\\s*(\\S+) : ' }
    field: user
    group_by: [host]
`);
    const fired: string[] = [];
    const line = (u: string): string => `${T} db1 sudo[1]:    ${u} : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/true`;
    const e1 = new DetectEngine(r, { stateDir: tmp.dir, onDetect: (d) => fired.push(d.key) });
    run(e1, [line('alice'), line('alice'), line('bob')]);
    e1.close();
    const e2 = new DetectEngine(r, { stateDir: tmp.dir, onDetect: (d) => fired.push(d.key) });
    run(e2, [line('alice'), line('bob'), line('carol')]);
    e2.close();
    assert.deepEqual(fired, ['db1, alice', 'db1, bob', 'db1, carol']);
  } finally {
    tmp.cleanup();
  }
});

test('clock_skew: a Dec 31 RFC 3164 stamp received on Jan 1 is seconds behind, not a year', () => {
  const fired: string[] = [];
  const e = new DetectEngine(rules(`
rules:
  - id: skew
    kind: clock_skew
    max_skew: 5m
`), { stateDir: null, onDetect: (d) => fired.push(`${d.key} ${d.reason}`) });
  run(e, [
    '2026-01-01T00:00:05Z <38>Dec 31 23:59:58 ok1 sshd[1]: x',
    '2025-12-31T23:59:58Z <38>Jan  1 00:00:03 ok2 sshd[1]: x',
    '2025-01-15T09:00:00Z <38>Jan 15 07:00:00 bad sshd[1]: x',
    '2025-01-15T07:00:00Z <13>1 2025-01-15T07:10:00Z ahead app - - - x',
  ]);
  assert.deepEqual(fired, ['bad reported time is 2h behind reception', 'ahead reported time is 10m ahead of reception']);
});

test('a key cap drops the oldest key and counts it; metrics report evaluations, matches, keys', () => {
  const e = new DetectEngine(rules(`
rules:
  - id: t
    kind: threshold
    query: 'app:sshd'
    group_by: [kv.ip]
    count: 3
    window: 1h
    max_keys: 10
`), { stateDir: null, onDetect: () => {} });
  run(e, Array.from({ length: 25 }, (_, i) => `${T} h sshd[1]: fail ip=10.0.0.${i}`));
  run(e, [`${T} h cron[1]: unrelated`]);
  const m = e.metrics().t!;
  assert.deepEqual(m, { evaluations: 25, matches: 25, alerts: 0, suppressed: 0, keysHeld: 10, keysDropped: 15 });
});

test('reloading rules keeps the state of unchanged rules and resets changed ones', () => {
  const yaml = (count: number): string => `
rules:
  - id: t
    kind: threshold
    query: 'app:sshd'
    group_by: [kv.ip]
    count: ${count}
    window: 1h
`;
  const fired: string[] = [];
  const e = new DetectEngine(rules(yaml(3)), { stateDir: null, onDetect: (d) => fired.push(d.rule.id) });
  const l = `${T} h sshd[1]: fail ip=10.0.0.1`;
  run(e, [l, l]);
  e.setRules(rules(yaml(3)));
  run(e, [l]);
  assert.deepEqual(fired, ['t'], 'the third match after an identical reload fires');
  e.setRules(rules(yaml(2)));
  run(e, [l]);
  assert.deepEqual(fired, ['t'], 'a changed rule starts empty');
  run(e, [l]);
  assert.deepEqual(fired, ['t', 't']);
});

test('rule diagnostics point at file:line:col with did-you-mean', () => {
  const rep = new Reporter();
  loadRuleText('bad.yml', `rules:
  - id: a
    kind: treshold
  - id: b
    kind: match
    query: 'app:sshd AND ('
  - id: c
    kind: sequence
    steps:
      - query: 'x'
      - query: 'y'
        count: 2
    within: 1m
  - id: a
    kind: absence
    after: 10m
    windoww: 1m
`, rep);
  const got = rep.diagnostics.map((d) => `${d.loc.line}:${d.loc.col} ${d.code}`);
  assert.deepEqual(got, [
    '3:11 LW_ERR_RULE_INVALID',
    '6:27 LW_ERR_RULE_QUERY',
    '12:16 LW_ERR_RULE_INVALID',
    '17:5 LW_ERR_RULE_INVALID',
  ]);
  assert.match(rep.diagnostics[0]!.hint!, /threshold/);
});

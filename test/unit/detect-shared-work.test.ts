// Work shared between rules and messages must not leak between them: DetectService shows the rules one event
// object per batch (pointed at each message in turn), and rules searching the same phrase share one text
// predicate that remembers its last answer. Oracle: the same messages as one fresh event each (toEvent)
// through a second service's engine give the same alerts and the same per-rule counters (fast-check).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Reporter } from '../../src/config/diagnostics';
import { toEvent } from '../../src/detect/event';
import { loadRuleText } from '../../src/detect/load';
import { parseLogLine } from '../../src/detect/replay';
import type { CompiledRule } from '../../src/detect/rule';
import { DetectService } from '../../src/detect/service';
import type { Logger } from '../../src/log';
import type { Message } from '../../src/message';
import { tempDir } from '../helpers/util';

const RULES = `
rules:
  - id: pw-any
    query: 'app:sshd "failed password"'
    extract: { src: 'from ([0-9.]+) port' }
    group_by: [src]
  - id: pw-count
    kind: threshold
    query: 'app:sshd ("failed password" OR "authentication failure")'
    group_by: [host]
    count: 2
    window: 5m
  - id: pw-seq
    kind: sequence
    group_by: [host]
    steps:
      - query: 'app:sshd "failed password"'
        count: 2
      - query: 'app:sshd accepted'
    within: 15m
  - id: pw-kernel
    query: 'app:kernel "failed password"'
    group_by: [host]
  - id: anything-failed
    query: 'failed'
    group_by: [host, app]
`;

function rules(): CompiledRule[] {
  const rep = new Reporter();
  const out = loadRuleText('shared.yml', RULES, rep);
  assert.deepEqual(rep.diagnostics, []);
  return out;
}

const quiet: Logger = { debug() {}, info() {}, notice() {}, warn() {}, error() {} } as unknown as Logger;

const TEXTS = [
  'Failed password for root from 203.0.113.7 port 5000 ssh2',
  'Failed password for invalid user bob from 203.0.113.8 port 5001 ssh2',
  'pam_unix(sshd:auth): authentication failure; rhost=203.0.113.7',
  'Accepted password for alice from 203.0.113.7 port 5002 ssh2',
  'Connection closed by 203.0.113.9 port 5003',
  'password failed', // the words, not the phrase
];

const line = (i: number, host: string, app: string, text: string): string =>
  `2025-01-15T07:00:${String(i % 60).padStart(2, '0')}.000000+00:00 ${host} ${app}[${i}]: ${text}`;

/** Alerts and counters of `messages` fed as batches through DetectService.process (one reused event). */
async function viaService(messages: Message[], batch: number): Promise<{ alerts: unknown[]; metrics: unknown }> {
  const tmp = tempDir();
  const svc = new DetectService(rules(), { dataDir: tmp.dir, rules: [], logger: quiet });
  try {
    for (let i = 0; i < messages.length; i += batch) svc.process(messages.slice(i, i + batch));
    return { alerts: svc.alerts.list({ limit: 1000 }).map(({ id: _id, ...a }) => a), metrics: svc.engine.metrics() };
  } finally {
    await svc.close();
    tmp.cleanup();
  }
}

/** The same through the engine with a fresh event (toEvent) per message: the reference. */
async function viaFreshEvents(messages: Message[]): Promise<{ alerts: unknown[]; metrics: unknown }> {
  const tmp = tempDir();
  const svc = new DetectService(rules(), { dataDir: tmp.dir, rules: [], logger: quiet });
  try {
    for (const m of messages) svc.engine.process(toEvent(m));
    return { alerts: svc.alerts.list({ limit: 1000 }).map(({ id: _id, ...a }) => a), metrics: svc.engine.metrics() };
  } finally {
    await svc.close();
    tmp.cleanup();
  }
}

test('one reused event per batch: each alert references its own message, counters match per message', async () => {
  const lines = [
    line(1, 'h1', 'sshd', TEXTS[0]!),
    line(2, 'h1', 'sshd', TEXTS[4]!),
    line(3, 'h2', 'kernel', TEXTS[0]!),
    line(4, 'h1', 'sshd', TEXTS[1]!),
    line(5, 'h1', 'sshd', TEXTS[3]!),
    line(6, 'h3', 'cron', TEXTS[5]!),
  ];
  const msgs = lines.map((l) => parseLogLine(l)!);
  const got = await viaService(msgs, 64);
  const byRule = new Map<string, { key: string; refs: string[] }[]>();
  for (const a of got.alerts as { rule: string; key: string; refs: string[] }[]) {
    byRule.set(a.rule, [...(byRule.get(a.rule) ?? []), { key: a.key, refs: a.refs }]);
  }
  // pw-any: two sources, each alert holding the raw line of its own message
  assert.deepEqual(byRule.get('pw-any')?.map((a) => a.key).sort(), ['203.0.113.7', '203.0.113.8']);
  for (const a of byRule.get('pw-any')!) assert.ok(a.refs.every((r) => r.includes(a.key)), JSON.stringify(a));
  assert.deepEqual(byRule.get('pw-count')?.map((a) => a.key), ['h1']);
  assert.deepEqual(byRule.get('pw-seq')?.map((a) => a.key), ['h1']);
  assert.deepEqual(byRule.get('pw-kernel')?.map((a) => [a.key, a.refs.length]), [['h2', 1]]);
  assert.ok(byRule.get('pw-kernel')![0]!.refs[0]!.includes('kernel[3]'));
  const m = got.metrics as Record<string, { matches: number }>;
  assert.equal(m['pw-any']!.matches, 2);
  assert.equal(m['pw-count']!.matches, 2);
  assert.equal(m['anything-failed']!.matches, 4); // "password failed" has the word too
});

test('batches through the reused event = one fresh event per message (alerts, refs, counters) (property)', async () => {
  const msg = fc.record({
    host: fc.constantFrom('h1', 'h2'),
    app: fc.constantFrom('sshd', 'kernel', 'cron'),
    text: fc.constantFrom(...TEXTS),
  });
  await fc.assert(fc.asyncProperty(fc.array(msg, { maxLength: 40 }), fc.integer({ min: 1, max: 7 }), async (list, batch) => {
    const lines = list.map((x, i) => line(i, x.host, x.app, x.text));
    const a = await viaService(lines.map((l) => parseLogLine(l)!), batch);
    const b = await viaFreshEvents(lines.map((l) => parseLogLine(l)!));
    assert.deepEqual(a, b);
  }), { numRuns: 60 });
});

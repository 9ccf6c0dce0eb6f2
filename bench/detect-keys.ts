// Memory held by 1,000,000 distinct threshold keys: one threshold rule grouped by kv.ip, fed N events with
// distinct addresses (events built directly, so the number is the engine's state, not the parser's garbage).
// Prints heap and RSS before and after, per key. usage: node --expose-gc dist/bench/detect-keys.js [N]
import { Reporter } from '../src/config/diagnostics';
import { DetectEngine } from '../src/detect/engine';
import type { DetectEvent } from '../src/detect/event';
import { loadRuleText } from '../src/detect/load';

const n = Number(process.argv[2] ?? 1_000_000);
const rep = new Reporter();
const rules = loadRuleText('bench.yml', `rules:
  - id: per-ip
    kind: threshold
    query: 'app:sshd kv.ip:*'
    group_by: [kv.ip]
    count: 5
    window: 1h
    max_keys: ${n * 2}
`, rep);
if (rep.diagnostics.length > 0) throw new Error(JSON.stringify(rep.diagnostics));
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const mb = (b: number): string => (b / 1048576).toFixed(1);
gc();
const before = process.memoryUsage();
const engine = new DetectEngine(rules, { stateDir: null, onDetect: () => {} });
const t0 = Date.now();
for (let i = 0; i < n; i++) {
  const ev = {
    msg: null, timeMs: t0 + i, lower: null, tokens: null,
    row: { app: 'sshd', mayHave: () => true, fields: { 'kv.ip': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` } },
  } as unknown as DetectEvent;
  engine.process(ev);
}
const secs = (Date.now() - t0) / 1000;
gc();
const after = process.memoryUsage();
const m = engine.metrics()['per-ip']!;
console.log(`keys held: ${m.keysHeld} (dropped ${m.keysDropped}); ${n} events in ${secs.toFixed(2)} s (${Math.round(n / secs)} events/s)`);
console.log(`heap: ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB (+${mb(after.heapUsed - before.heapUsed)} MB, ${Math.round((after.heapUsed - before.heapUsed) / m.keysHeld)} B/key)`);
console.log(`rss:  ${mb(before.rss)} → ${mb(after.rss)} MB (+${mb(after.rss - before.rss)} MB)`);

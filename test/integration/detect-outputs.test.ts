// A detect action in a running config: alerts reach the NDJSON file, an exec program (JSON on stdin) and a
// ruleset as an RFC 5424 message with structured data (here written by omfile), and are not evaluated again.
import { writeSuFailRule } from '../helpers/detect';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseLogLine } from '../../src/detect/replay';
import { detectServices } from '../../src/detect/service';
import { startLogwarden } from '../helpers/logwarden';
import { readLines, tempDir, waitFor } from '../helpers/util';

const tmp = tempDir('lw-detect-out-');
after(() => tmp.cleanup());

test('alerts go to the NDJSON file, the exec program and a ruleset as RFC 5424 with SD', async () => {
  const dir = tmp.dir;
  writeSuFailRule(dir);
  const prog = join(dir, 'hook.sh');
  writeFileSync(prog, `#!/bin/sh\ncat >> "${join(dir, 'exec.out')}"\n`);
  chmodSync(prog, 0o755);
  const srv = await startLogwarden(dir, `
ruleset(name="alerts") { action(type="omfile" file="${join(dir, 'alerts.log')}" template="RSYSLOG_SyslogProtocol23Format") }
action(type="detect" name="watch" rules="${join(dir, 'rules.yml')}" alertFile="${join(dir, 'alerts.ndjson')}"
       exec.program="${prog}" syslog.ruleset="alerts")
`);
  try {
    const line = (host: string): string => `2025-01-15T07:00:00.000000+00:00 ${host} su[1]: FAILED SU (to root) bob on pts/1`;
    srv.rt.submit([parseLogLine(line('db1'))!, parseLogLine(line('db1'))!, parseLogLine(line('db2'))!]);
    const ndjson = await waitFor(() => (readLines(join(dir, 'alerts.ndjson')).length >= 2 ? readLines(join(dir, 'alerts.ndjson')) : null), 'two NDJSON alerts');
    assert.deepEqual(ndjson.map((l) => (JSON.parse(l) as { key: string }).key).sort(), ['db1', 'db2']);
    const exec = await waitFor(() => (readLines(join(dir, 'exec.out')).length >= 2 ? readLines(join(dir, 'exec.out')) : null), 'two exec deliveries');
    assert.equal((JSON.parse(exec[0]!) as { rule: string }).rule, 'su-fail');
    const sys = await waitFor(() => (readLines(join(dir, 'alerts.log')).length >= 2 ? readLines(join(dir, 'alerts.log')) : null), 'two alert syslog messages');
    assert.match(sys[0]!, /^<35>1 \S+ \S+ logwarden - ALERT \[lwalert@32473 id="\d+" rule="su-fail" key="db[12]" level="high" count="1"\] su failed: matched \(db[12]\)$/);
    const svc = detectServices().find((s) => s.opts.dataDir === join(dir, 'data'))!;
    const m = svc.metrics();
    assert.deepEqual(m.rules['su-fail'], { evaluations: 3, matches: 3, alerts: 3, suppressed: 1, keysHeld: 0, keysDropped: 0 });
    assert.equal(m.outputs.syslog!.delivered, 2);
    assert.equal(svc.alerts.list().length, 2);
  } finally {
    await srv.stop();
  }
});

test('a rule at its key cap warns (LW_WARN_DETECT_KEYS_DROPPED) with the count', async () => {
  const { Reporter } = await import('../../src/config/diagnostics');
  const { loadRuleText } = await import('../../src/detect/load');
  const { DetectService } = await import('../../src/detect/service');
  const { StreamLogger } = await import('../../src/log');
  const rep = new Reporter();
  const rules = loadRuleText('cap.yml', "rules:\n  - id: cap\n    kind: threshold\n    query: 'app:sshd'\n    group_by: [kv.ip]\n    count: 3\n    window: 1h\n    max_keys: 5\n", rep);
  assert.deepEqual(rep.diagnostics, []);
  const logger = new StreamLogger({ out: null, keep: true });
  const svc = new DetectService(rules, { dataDir: join(tmp.dir, 'cap'), rules: [], logger });
  try {
    svc.process(Array.from({ length: 12 }, (_, i) => parseLogLine(`2025-01-15T07:00:00.000000+00:00 h sshd[1]: x ip=10.0.0.${i}`)!));
    const rec = await waitFor(() => logger.records!.find((r) => r.code === 'LW_WARN_DETECT_KEYS_DROPPED'), 'the key cap warning');
    // held is read after the tick expired the 2025 windows, so it is not asserted.
    assert.deepEqual({ ...rec.fields, held: undefined }, { rule: 'cap', dropped: 7, droppedTotal: 7, held: undefined });
  } finally {
    await svc.close(100);
  }
});

// Rule-level action semantics: failover (`action.execOnlyWhenPreviousIsSuspended`) asks the previous action's
// isSuspended() hook; actions followed by variable writes get a snapshot, others the message itself (no cost).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/load';
import { DEFAULT_RULESET, getParam } from '../../../src/config/model';
import { Message } from '../../../src/message';
import { SyslogTime } from '../../../src/time';
import { compileRulesets, type BoundAction } from '../../../src/rules/compile';
import { lookupComponent } from '../../../src/runtime/registry';

function msg(): Message {
  const m = new Message(Buffer.from('x'), { inputname: 'imtcp', fromhostIp: '127.0.0.1', fromhost: 'h', ruleset: DEFAULT_RULESET }, SyslogTime.now());
  m.msg = ' hello';
  return m;
}

function run(conf: string, suspended: Set<string>): Array<{ file: string; m: Message; local: string }> {
  const model = loadConfig('/t.conf', { lookupComponent, text: conf });
  assert.deepEqual(model.diagnostics.filter((d) => d.severity === 'error'), []);
  const got: Array<{ file: string; m: Message; local: string }> = [];
  const rules = compileRulesets(model, {
    action(decl) {
      const file = String(getParam(decl.params, 'file')?.value);
      const f: BoundAction = Object.assign((m: Message) => { got.push({ file, m, local: JSON.stringify(m.local) }); }, { isSuspended: () => suspended.has(file) });
      return f;
    },
  });
  rules.run(DEFAULT_RULESET, input);
  return got;
}
let input = msg();

const FAILOVER = '*.* /primary\n$ActionExecOnlyWhenPreviousIsSuspended on\n& /backup\n& /backup2\n$ActionExecOnlyWhenPreviousIsSuspended off\n';

// rsyslog's failover recipe runs on Direct queues: a suspended action does not take the message, its failover
// does. Logwarden's queue would keep it (and deliver it later too), so an action followed by a failover skips
// messages while it is suspended: each message goes to exactly one of the chain.
test('failover: the backup runs only while the previous action is suspended, instead of it', () => {
  input = msg();
  assert.deepEqual(run(FAILOVER, new Set()).map((x) => x.file), ['/primary']);
  assert.deepEqual(run(FAILOVER, new Set(['/primary'])).map((x) => x.file), ['/backup']);
  assert.deepEqual(run(FAILOVER, new Set(['/primary', '/backup'])).map((x) => x.file), ['/backup2']);
});

test('set; action; set; action: each action sees the value of its time; no writes after: the message itself', () => {
  input = msg();
  const got = run('set $.x = 1;\naction(type="omfile" file="/a")\nset $.x = 2;\naction(type="omfile" file="/b")\n', new Set());
  assert.deepEqual(got.map((x) => [x.file, JSON.stringify(x.m.local)]), [['/a', '{"x":1}'], ['/b', '{"x":2}']]);
  assert.notEqual(got[0].m, input); // a snapshot: a later set follows
  assert.equal(got[1].m, input); // nothing writes after the last action: no copy
  input = msg();
  const plain = run('*.* /a\n*.* /b\n', new Set());
  assert.ok(plain.every((x) => x.m === input));
});

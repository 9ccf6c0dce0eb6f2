// rsyslog's action execution gates: execOnlyEveryNthTime (+Timeout) and execOnlyOnceEveryInterval.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileExecGate } from '../../../src/rules/exec-gate';

const run = (gate: () => boolean, n: number): string => Array.from({ length: n }, () => (gate() ? 'x' : '.')).join('');

test('no gate configured: null (nothing to check per message)', () => {
  assert.equal(compileExecGate({ everyNth: 0, everyNthTimeout: 0, onceInterval: 0 }), null);
  assert.equal(compileExecGate({ everyNth: 1, everyNthTimeout: 0, onceInterval: 0 }), null);
});

test('every n-th: the first n-1 messages are dropped, the n-th runs', () => {
  assert.equal(run(compileExecGate({ everyNth: 3, everyNthTimeout: 0, onceInterval: 0 })!, 10), '..x..x..x.');
});

test('every n-th with a timeout: the count restarts when the timeout passed since the last restart', () => {
  let t = 1000;
  const g = compileExecGate({ everyNth: 3, everyNthTimeout: 10, onceInterval: 0 }, () => t)!;
  assert.equal(run(g, 2), '..');
  t = 1011; // > 10 s since startup: the count restarts
  assert.equal(run(g, 3), '..x');
  t = 1015;
  assert.equal(run(g, 3), '..x');
});

test('once every interval: the first message runs, then none until the interval passed (wall clock)', () => {
  let t = 5000;
  const g = compileExecGate({ everyNth: 0, everyNthTimeout: 0, onceInterval: 60 }, () => t)!;
  assert.equal(run(g, 3), 'x..');
  t = 5059;
  assert.equal(run(g, 1), '.');
  t = 5060;
  assert.equal(run(g, 2), 'x.');
  t = 100; // clock went back: the last run is forgotten
  assert.equal(run(g, 2), 'x.');
});

test('both: only messages the every-n-th check passes count for the interval', () => {
  let t = 0;
  const g = compileExecGate({ everyNth: 2, everyNthTimeout: 0, onceInterval: 10 }, () => t)!;
  t = 100;
  assert.equal(run(g, 4), '.x..');
  t = 110;
  assert.equal(run(g, 2), '.x');
});

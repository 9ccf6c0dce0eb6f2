// impstats: rsyslog-style lines from a scrape (legacy, json, cee, resetCounters deltas), emitted into the
// pipeline as rsyslogd-pstats messages; the module and its parameters pass `check`, bracketing warns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MessageSink } from '../../../src/components';
import { loadConfig } from '../../../src/config/load';
import { StreamLogger } from '../../../src/log';
import type { Message } from '../../../src/message';
import { Scrape } from '../../../src/metrics/exposition';
import { impstatsOptions, startImpstats, statsLines } from '../../../src/metrics/impstats';
import { MetricsRegistry } from '../../../src/metrics/registry';
import { lookupComponent, moduleParamsFor } from '../../../src/runtime/registry';

function scrape(received: number): Scrape {
  const s = new Scrape();
  s.add('logwarden_input_received_total', { input: 'imudp' }, received);
  s.add('logwarden_input_sessions_refused_total', { input: 'imudp', reason: 'allowed_sender' }, 2);
  s.add('logwarden_queue_size', { action: 'file' }, 4);
  s.add('logwarden_sequence_gaps_total', {}, 1);
  return s;
}

test('legacy, json and cee lines group counters by object, as rsyslog prints them', () => {
  assert.deepEqual(statsLines(scrape(10), 'legacy'), [
    'imudp: origin=logwarden.input received=10 sessions_refused.allowed_sender=2 ',
    'file: origin=logwarden.action queue_size=4 ',
    'sequence: origin=logwarden.sequence gaps=1 ',
  ]);
  assert.equal(statsLines(scrape(10), 'json')[0], '{ "name": "imudp", "origin": "logwarden.input", "received": 10, "sessions_refused.allowed_sender": 2 }');
  assert.equal(statsLines(scrape(10), 'json-elasticsearch')[0], '{ "name": "imudp", "origin": "logwarden.input", "received": 10, "sessions_refused!allowed_sender": 2 }');
  assert.match(statsLines(scrape(10), 'cee')[0]!, /^@cee: \{ "name": "imudp"/);
});

test('resetCounters: counters become deltas since the previous run, gauges stay', () => {
  const prev = new Map<string, number>();
  statsLines(scrape(10), 'legacy', prev);
  assert.deepEqual(statsLines(scrape(15), 'legacy', prev).slice(0, 2), [
    'imudp: origin=logwarden.input received=5 sessions_refused.allowed_sender=0 ',
    'file: origin=logwarden.action queue_size=4 ',
  ]);
});

test('a run emits rsyslogd-pstats messages with the configured facility and severity into the sink', async () => {
  const got: Message[] = [];
  const sink: MessageSink = { submit: (b) => got.push(...b), congested: false, onceDrained: (cb) => cb() };
  const reg = new MetricsRegistry();
  reg.register((s) => s.add('logwarden_input_received_total', { input: 'imtcp' }, 3));
  const model = loadConfig('x.conf', { text: 'module(load="impstats" interval="600" facility="5" severity="7" format="json")\n', lookupComponent });
  const stats = startImpstats(impstatsOptions(moduleParamsFor(model, 'impstats')), reg, sink, new StreamLogger({ out: null }));
  try {
    await stats.run();
  } finally {
    stats.close();
  }
  const m = got.find((x) => x.msg.includes('"imtcp"'));
  assert.ok(m, got.map((x) => x.msg).join('\n'));
  assert.equal(m.programname, 'rsyslogd-pstats');
  assert.equal(m.syslogtag, 'rsyslogd-pstats:');
  assert.equal(m.inputname, 'impstats');
  assert.deepEqual([m.facility, m.severity], [5, 7]);
  assert.equal(m.msg.trim(), '{ "name": "imtcp", "origin": "logwarden.input", "received": 3 }');
});

test('check: impstats and its rsyslog parameters are accepted; bracketing warns that it has no effect', () => {
  const model = loadConfig('x.conf', {
    text: 'module(load="impstats" interval="60" severity="7" log.syslog="off" log.file="/tmp/s" format="legacy" resetCounters="on" bracketing="on")\n',
    lookupComponent,
  });
  assert.deepEqual(model.diagnostics.filter((d) => d.severity === 'error'), []);
  const w = model.diagnostics.filter((d) => d.severity === 'warning');
  assert.equal(w.length, 1);
  assert.match(w[0]!.message, /bracketing/);
});

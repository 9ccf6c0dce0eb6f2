// imrelp/omrelp in configs, against the real registry: every rsyslog 8.2302 parameter is accepted (the ones
// without effect with a notice), legacy `:omrelp:host:port;TPL` and `$InputRELPServerRun` lower to the same
// model as their RainerScript forms, and bad values are errors naming file:line:col.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/load';
import type { Params } from '../../../src/config/model';
import { DEFAULT_RULESET } from '../../../src/config/model';
import { lookupComponent } from '../../../src/runtime/registry';
import { relpActionSettings } from '../../../src/actions/relp';

const load = (text: string) => loadConfig('/t.conf', { lookupComponent, text });
const plain = (p: Params): Record<string, unknown> => Object.fromEntries([...p.values()].map((x) => [x.name, x.value]));

test('every imrelp and omrelp parameter rsyslog 8.2302 accepts is accepted; the ones without effect get a notice', () => {
  const m = load(`module(load="imrelp" ruleset="r" tls.tlslib="openssl")
module(load="omrelp" tls.tlslib="openssl")
ruleset(name="r") { stop }
input(type="imrelp" port="20514" address="127.0.0.1" name="x" ruleset="r" maxDataSize="10k" flowControl="light" oversizeMode="truncate" keepAlive="on" keepAlive.probes="3" keepAlive.time="10" keepAlive.interval="5" tls="off" tls.dhbits="2048" tls.prioritystring="NORMAL" tls.authmode="name" tls.compression="off" tls.cacert="/ca.pem" tls.mycert="/c.pem" tls.myprivkey="/k.pem" tls.tlscfgcmd="MinProtocol=TLSv1.2" tls.permittedpeer=["a.example.net"])
action(type="omrelp" target="h" port="2514" template="RSYSLOG_ForwardFormat" timeout="90" conn.timeout="10" localClientIp="127.0.0.1" rebindInterval="0" windowSize="0" tls="off" tls.compression="off" tls.prioritystring="NORMAL" tls.cacert="/ca.pem" tls.mycert="/c.pem" tls.myprivkey="/k.pem" tls.tlscfgcmd="MinProtocol=TLSv1.2" tls.authmode="fingerprint" tls.permittedpeer="SHA1:00:11")`);
  assert.deepEqual(m.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  const ignored = m.diagnostics.filter((d) => /has no effect/.test(d.message)).map((d) => /`([^`]+)`/.exec(d.message)?.[1]);
  assert.deepEqual(ignored.sort(), ['flowControl', 'keepAlive.interval', 'keepAlive.probes', 'tls.compression', 'tls.compression', 'tls.dhbits', 'tls.tlslib', 'tls.tlslib'].sort());
});

test('unknown parameter and bad authmode are errors with file:line:col', () => {
  const m = load('module(load="omrelp")\naction(type="omrelp" target="h" keepAlive="on" tls.authmode="x509/name")');
  const errs = m.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errs.length, 2);
  assert.equal(errs[0].loc.line, 2);
});

test('legacy :omrelp:host:port;TEMPLATE lowers like action(type="omrelp")', () => {
  const m = load('$ModLoad omrelp\n*.* :omrelp:192.0.2.1:2514;RSYSLOG_ForwardFormat\n*.* :omrelp:[2001:db8::1]:20514\nmail.* :omrelp:central');
  assert.deepEqual(m.diagnostics.filter((d) => d.severity === 'error'), []);
  const acts = JSON.stringify(m.rulesets.get(DEFAULT_RULESET)!.statements);
  assert.match(acts, /"type":"omrelp"/);
  const decls: Array<Record<string, unknown>> = [];
  const walk = (list: unknown[]): void => {
    for (const s of list as Array<{ kind: string; action?: { type: string; params: Params }; body?: unknown[] }>) {
      if (s.kind === 'action' && s.action) decls.push({ type: s.action.type, ...plain(s.action.params) });
      if (s.body) walk(s.body);
    }
  };
  walk(m.rulesets.get(DEFAULT_RULESET)!.statements);
  assert.deepEqual(decls.map((d) => [d.type, d.target, d.port, d.template]), [
    ['omrelp', '192.0.2.1', '2514', 'RSYSLOG_ForwardFormat'],
    ['omrelp', '2001:db8::1', '20514', undefined],
    ['omrelp', 'central', undefined, undefined],
  ]);
});

test('$InputRELPServerRun with $InputRELPServerBindRuleset lowers to an imrelp input', () => {
  const m = load('$ModLoad imrelp\n$RuleSet r\n*.* /var/log/r\n$InputRELPServerBindRuleset r\n$InputRELPServerRun 20514');
  assert.deepEqual(m.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.deepEqual(m.inputs.map((i) => [i.type, plain(i.params)]), [['imrelp', { ruleset: 'r', port: '20514' }]]);
});

test('omrelp settings: librelp window default 128, seconds → ms, TLS off unless tls="on"', () => {
  const m = load('module(load="omrelp")\naction(type="omrelp" target="h" timeout="5")');
  let decl: unknown;
  for (const s of m.rulesets.get(DEFAULT_RULESET)!.statements) if (s.kind === 'action') decl = s.action;
  const s = relpActionSettings(decl as Parameters<typeof relpActionSettings>[0]);
  assert.equal(s.windowSize, 128);
  assert.equal(s.timeoutMs, 5000);
  assert.equal(s.connTimeoutMs, 10_000);
  assert.equal(s.target.port, 514);
  assert.equal(s.target.tls, null);
});

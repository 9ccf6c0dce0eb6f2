// Every config snippet of the four seeds parses with zero errors and warnings into the expected model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load';
import { DEFAULT_RULESET, getParam, type ConfigModel, type Params, type Statement } from '../../../src/config/model';
import { lookupComponent } from './specs';

const SEEDS = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'config', 'seeds');

function load(name: string): ConfigModel {
  const m = loadConfig(join(SEEDS, name), { lookupComponent });
  const bad = m.diagnostics.filter((d) => d.severity !== 'notice');
  assert.deepEqual(bad, [], `${name} has diagnostics`);
  return m;
}

function plain(params: Params): Record<string, unknown> {
  return Object.fromEntries([...params.values()].map((p) => [p.name, p.value]));
}

function top(m: ConfigModel): Statement[] {
  return m.rulesets.get(DEFAULT_RULESET)!.statements;
}

/** A legacy line as [terms, action type, action params]. */
function legacy(st: Statement): unknown {
  assert.equal(st.kind, 'filter');
  if (st.kind !== 'filter' || st.filter.kind !== 'selector') throw new Error('not a selector');
  const terms = st.filter.terms.map((t) => [t.facilities, t.op, t.severity]);
  const actions = st.body.map((b) => (b.kind === 'action' ? [b.action.type, plain(b.action.params)] : b.kind));
  return [terms, actions];
}

test('seed 001 server: global() gtls files, module(imtcp) TLS params, input(imtcp port 6514)', () => {
  const m = load('001-tls-server.conf');
  assert.equal(getParam(m.globals, 'defaultnetstreamdriver')?.value, 'gtls');
  assert.equal(getParam(m.globals, 'DefaultNetstreamDriverKeyFile')?.value, '/path/to/contrib/gnutls/key.pem');
  assert.equal(m.modules.length, 1);
  assert.equal(m.modules[0].load, 'imtcp');
  assert.deepEqual(plain(m.modules[0].params), { 'StreamDriver.Name': 'gtls', 'StreamDriver.Mode': '1', 'StreamDriver.Authmode': 'anon' });
  assert.deepEqual(m.inputs.map((i) => [i.type, plain(i.params)]), [['imtcp', { port: '6514' }]]);
  assert.deepEqual(m.inputs[0].loc, { file: join(SEEDS, '001-tls-server.conf'), line: 19, col: 1 });
});

test('seed 001 client: action(omfwd) with StreamDriver gtls as a top-level statement', () => {
  const m = load('001-tls-client.conf');
  const st = top(m);
  assert.equal(st.length, 1);
  assert.equal(st[0].kind, 'action');
  if (st[0].kind !== 'action') return;
  assert.equal(st[0].action.type, 'omfwd');
  assert.deepEqual(plain(st[0].action.params), {
    protocol: 'tcp', target: 's.example.net', port: '6514', StreamDriver: 'gtls', StreamDriverMode: '1', StreamDriverAuthMode: 'anon',
  });
});

test('seed 001 legacy: $DefaultNetstreamDriver* directives and *.* @@192.168.0.1', () => {
  const m = load('001-legacy-directives.conf');
  assert.equal(getParam(m.globals, 'defaultNetstreamDriverCertFile')?.value, '/path/to/cert.pem');
  assert.deepEqual(top(m).map(legacy), [[[['*', 'ge', 7]], [['omfwd', { protocol: 'tcp', target: '192.168.0.1' }]]]]);
});

test('seed 002: commented-out module(load="imklog") is ignored, *.info @10.244.2.1 forwards over UDP', () => {
  const m = load('002-k8s-pod.conf');
  assert.deepEqual(m.modules, []);
  assert.deepEqual(top(m).map(legacy), [[[['*', 'ge', 6]], [['omfwd', { protocol: 'udp', target: '10.244.2.1' }]]]]);
});

test('seed 003: the selector examples lower to terms and omfile/omfwd/omusrmsg actions', () => {
  const m = load('003-selectors.conf');
  assert.deepEqual(top(m).map(legacy), [
    [[[[1], 'ge', 3]], [['omfile', { file: '/var/log/user.log' }]]],
    [[['*', 'ge', 5]], [['omfwd', { protocol: 'udp', target: '192.168.10.10' }]]],
    [[[[2], 'ge', 7]], [['omfwd', { protocol: 'tcp', target: '192.168.10.10', port: '6514' }]]],
    [[['*', 'ge', 7]], [['omfwd', { protocol: 'udp', ziplevel: '9', target: '192.168.10.10' }]]],
    [[['*', 'eq', 2], [[0], 'none', 7]], [['omfile', { file: '/var/log/critical' }]]],
    [[['*', 'ge', 0]], [['omusrmsg', { users: '*' }]]],
    [[[[10], 'ge', 7]], [['omusrmsg', { users: 'root,gildong' }]]],
    [[[[9], 'ge', 7], [[9], 'ne', 6], [[9], 'ne', 7]], [['omfile', { file: '/var/log/cron.log' }]]],
    [[[[10], 'ge', 7]], [['omfile', { file: '/dev/tty2' }]]],
    [[[[2], 'ge', 7], [[2], 'ne', 6]], [['omfile', { file: '/var/log/maillog' }]]],
    [[[[8, 7], 'ge', 2]], [['omfile', { file: '/var/log/news' }]]],
  ]);
});

test('seed 003: $template remote-incoming-logs + *.* ?remote-incoming-logs → omfile dynaFile', () => {
  const m = load('003-remote-template.conf');
  const t = m.templates.get('remote-incoming-logs');
  assert.equal(t?.type, 'string');
  assert.equal(t?.string, '/var/log/%HOSTNAME%/%PROGRAMNAME%.log');
  assert.deepEqual(top(m).map(legacy), [[[['*', 'ge', 7]], [['omfile', { dynaFile: 'remote-incoming-logs' }]]]]);
});

test('seed 004: module(load="builtin:omfile" Template=…) is normalised to omfile', () => {
  const m = load('004-omfile-default.conf');
  assert.deepEqual(m.modules.map((x) => [x.load, plain(x.params)]), [['omfile', { Template: 'RSYSLOG_FileFormat' }]]);
});

test('seed 004: local0.* -/mnt/efs/fs1/local0.log', () => {
  const m = load('004-local0.conf');
  assert.deepEqual(top(m).map(legacy), [[[[[16], 'ge', 7]], [['omfile', { file: '/mnt/efs/fs1/local0.log' }]]]]);
});

test('seed 004: ossl anon and x509/name with PermittedPeer=["aws-syslog"] and trailing comments', () => {
  const anon = load('004-tls-anon.conf');
  assert.equal(getParam(anon.modules[0].params, 'streamdriver.authmode')?.value, 'anon');
  assert.equal(getParam(anon.globals, 'defaultnetstreamdrivercafile')?.value, '/etc/rsyslog.d/tls/ca.cer');
  const x509 = load('004-tls-x509.conf');
  assert.equal(getParam(x509.modules[0].params, 'StreamDriver.Authmode')?.value, 'x509/name');
  assert.deepEqual(getParam(x509.modules[0].params, 'permittedpeer')?.value, ['aws-syslog']);
  assert.deepEqual(x509.inputs.map((i) => plain(i.params)), [{ port: '6514' }]);
});

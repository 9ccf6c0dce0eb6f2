// Lowering of legacy actions, $-directives, RainerScript statements and includes; check and the diagnostic format.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, formatDiagnostics } from '../../../src/config/load';
import { checkConfig } from '../../../src/config/check';
import { DEFAULT_RULESET, getParam, type ConfigModel, type Params, type Statement } from '../../../src/config/model';
import { lookupComponent } from './specs';

const dir = mkdtempSync(join(tmpdir(), 'lw-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function ok(text: string): ConfigModel {
  const m = loadConfig('/t.conf', { lookupComponent, text });
  assert.deepEqual(m.diagnostics.filter((d) => d.severity === 'error'), []);
  return m;
}
const plain = (p: Params): Record<string, unknown> => Object.fromEntries([...p.values()].map((x) => [x.name, x.value]));
const top = (m: ConfigModel): Statement[] => m.rulesets.get(DEFAULT_RULESET)!.statements;
function actions(list: Statement[]): unknown[] {
  return list.flatMap((s) => (s.kind === 'action' ? [[s.action.type, plain(s.action.params)]] : s.kind === 'filter' ? actions(s.body) : [s.kind]));
}

const LEGACY: Array<[string, unknown]> = [
  ['/var/log/messages', ['omfile', { file: '/var/log/messages' }]],
  ['-/var/log/maillog', ['omfile', { file: '/var/log/maillog' }]],
  ['/var/log/x;RSYSLOG_FileFormat', ['omfile', { file: '/var/log/x', template: 'RSYSLOG_FileFormat' }]],
  ['/var/log/x ;RSYSLOG_FileFormat # trailing comment', ['omfile', { file: '/var/log/x', template: 'RSYSLOG_FileFormat' }]],
  [':omfile:/var/log/y', ['omfile', { file: '/var/log/y' }]],
  ['@192.0.2.1', ['omfwd', { protocol: 'udp', target: '192.0.2.1' }]],
  ['@@logs.example.net:6514', ['omfwd', { protocol: 'tcp', target: 'logs.example.net', port: '6514' }]],
  ['@[2001:db8::1]:514', ['omfwd', { protocol: 'udp', target: '2001:db8::1', port: '514' }]],
  ['@@(o,z9)host:10514;RSYSLOG_ForwardFormat', ['omfwd', { protocol: 'tcp', TCP_Framing: 'octet-counted', ziplevel: '9', target: 'host', port: '10514', template: 'RSYSLOG_ForwardFormat' }]],
  ['|/var/run/xconsole', ['ompipe', { pipe: '/var/run/xconsole' }]],
  ['~', ['omdiscard', {}]],
  [':omusrmsg:root,user2', ['omusrmsg', { users: 'root,user2' }]],
  ['/dev/tty2', ['omfile', { file: '/dev/tty2' }]],
];
for (const [text, want] of LEGACY) {
  test(`legacy action \`${text}\` lowers to ${JSON.stringify(want)}`, () => {
    assert.deepEqual(actions(top(ok(`*.* ${text}\n`))), [want]);
  });
}

test('legacy user lists `*` and `root` lower to omusrmsg with a warning, like rsyslog', () => {
  const m = loadConfig('/t.conf', { lookupComponent, text: '*.emerg *\nauthpriv.* root\n' });
  assert.deepEqual(actions(top(m)), [['omusrmsg', { users: '*' }], ['omusrmsg', { users: 'root' }]]);
  assert.deepEqual(m.diagnostics.map((d) => [d.severity, d.code, d.loc.line]), [
    ['warning', 'LW_WARN_CONFIG_LEGACY_USERLIST', 1], ['warning', 'LW_WARN_CONFIG_LEGACY_USERLIST', 2]]);
});

test('& continuation lines add actions to the same property filter; `stop` and `~`', () => {
  const m = ok(':programname, isequal, "sshd" /var/log/ssh\n& @@10.0.0.1:514\n& stop\n:msg, !contains, "x\\"y" ~\n');
  const [f1, f2] = top(m);
  assert.ok(f1.kind === 'filter' && f1.filter.kind === 'property');
  assert.deepEqual([f1.filter.property, f1.filter.op, f1.filter.negate, f1.filter.value], ['programname', 'isequal', false, 'sshd']);
  assert.deepEqual(f1.body.map((s) => s.kind), ['action', 'action', 'stop']);
  assert.ok(f2.kind === 'filter' && f2.filter.kind === 'property');
  assert.deepEqual([f2.filter.op, f2.filter.negate, f2.filter.value], ['contains', true, 'x"y']);
});

test('$ActionQueue* apply to the next legacy action only; sticky $ActionFileDefaultTemplate and $FileCreateMode', () => {
  const m = ok('$ActionQueueType LinkedList\n$ActionResumeRetryCount -1\n*.* @@10.0.0.1\n*.* @@10.0.0.2\n' +
    '$ActionFileDefaultTemplate RSYSLOG_FileFormat\n$FileCreateMode 0640\nmail.* /var/log/a\nkern.* /var/log/b;RSYSLOG_DebugFormat\n');
  assert.deepEqual(actions(top(m)), [
    ['omfwd', { 'queue.Type': 'LinkedList', 'action.resumeRetryCount': '-1', protocol: 'tcp', target: '10.0.0.1' }],
    ['omfwd', { protocol: 'tcp', target: '10.0.0.2' }],
    ['omfile', { template: 'RSYSLOG_FileFormat', fileCreateMode: '0640', file: '/var/log/a' }],
    ['omfile', { template: 'RSYSLOG_DebugFormat', fileCreateMode: '0640', file: '/var/log/b' }],
  ]);
});

test('legacy inputs, globals, main queue and $RuleSet lower into the model', () => {
  const m = ok('$ModLoad imtcp\n$ModLoad imudp\n$WorkDirectory /var/spool/rsyslog\n$MaxMessageSize 64k\n$PreserveFQDN on\n' +
    '$EscapeControlCharactersOnReceive off\n$MainMsgQueueSize 10000\n$RuleSet remote\n*.* /var/log/remote\n' +
    '$InputTCPServerStreamDriverMode 1\n$InputTCPServerStreamDriverAuthMode x509/name\n' +
    '$InputTCPServerStreamDriverPermittedPeer a.example\n$InputTCPServerStreamDriverPermittedPeer b.example\n' +
    '$InputTCPServerBindRuleset remote\n$InputTCPServerRun 6514\n$UDPServerAddress 127.0.0.1\n$UDPServerRun 514\n$RuleSet RSYSLOG_DefaultRuleset\n*.* /var/log/all\n');
  assert.deepEqual(m.modules.map((x) => x.load), ['imtcp', 'imudp']);
  assert.deepEqual(plain(m.globals), { workDirectory: '/var/spool/rsyslog', maxMessageSize: '64k', preserveFQDN: 'on', 'parser.escapeControlCharactersOnReceive': 'off' });
  assert.deepEqual(plain(m.mainQueue), { 'queue.Size': '10000' });
  assert.deepEqual(m.inputs.map((i) => [i.type, plain(i.params)]), [
    ['imtcp', { 'streamDriver.mode': '1', 'streamDriver.authMode': 'x509/name', permittedPeer: ['a.example', 'b.example'], ruleset: 'remote', port: '6514' }],
    ['imudp', { address: '127.0.0.1', port: '514' }],
  ]);
  assert.deepEqual(actions(m.rulesets.get('remote')!.statements), [['omfile', { file: '/var/log/remote' }]]);
  assert.deepEqual(actions(top(m)), [['omfile', { file: '/var/log/all' }]]);
});

test('directives without effect warn (check must say so); imklog is a no-op with a notice', () => {
  const m = loadConfig('/t.conf', { lookupComponent, text: '$OmitLocalLogging on\nmodule(load="imklog")\nglobal(senders.keepTrack="on")\n' });
  assert.deepEqual(m.diagnostics.map((d) => [d.severity, d.code]), [
    ['warning', 'LW_WARN_CONFIG_NO_EFFECT'], ['notice', 'LW_NOTICE_CONFIG_NOOP_MODULE'], ['warning', 'LW_WARN_CONFIG_NO_EFFECT']]);
});

test('templates: string with escapes, list body, subtree, legacy options; strings keep what template.c receives', () => {
  const m = ok('template(name="s" type="string" string="%msg%\\n" option.sql="on")\n' +
    'template(name="l" type="list") {\n  property(name="timereported" dateFormat="rfc3339")\n  constant(value=" ")\n  property(name="msg")\n}\n' +
    'template(name="j" type="subtree" subtree="$!")\n$template legacy,"%HOSTNAME% %msg%\\n",stdsql\n');
  const s = m.templates.get('s')!;
  assert.equal(s.string, '%msg%\n');
  assert.equal(getParam(s.options, 'sql')?.value, 'on');
  const l = m.templates.get('l')!;
  assert.deepEqual(l.items!.map((i) => (i.kind === 'property' ? ['p', i.name, plain(i.params)] : ['c', i.value])),
    [['p', 'timereported', { dateFormat: 'rfc3339' }], ['c', ' '], ['p', 'msg', {}]]);
  assert.equal(m.templates.get('j')!.subtree, '$!');
  const legacy = m.templates.get('legacy')!;
  assert.equal(legacy.string, '%HOSTNAME% %msg%\\n');
  assert.equal(getParam(legacy.options, 'stdsql')?.value, true);
});

test('RainerScript: if/else if/else, set/unset, foreach, call, call_indirect, ruleset, functions and operators', () => {
  const m = ok('ruleset(name="r1" queue.type="LinkedList") { action(type="omfile" file="/r1") }\n' +
    'if $syslogseverity <= 3 and not ($msg contains_i "debug" or $programname startswith "cron") then {\n  call r1\n}\n' +
    'else if re_match($msg, "^a.*") then /var/log/a\nelse { stop }\n' +
    'set $.n = cnum($!x!y) * 2 + 1 & "x"; unset $.n;\n' +
    "foreach ($.i in [\"a\", 'b']) do { set $!seen = $.i; }\ncall_indirect \"r\" & \"1\";\n/* block\ncomment */ # line comment\n");
  const st = top(m);
  assert.deepEqual(st.map((s) => s.kind), ['if', 'set', 'unset', 'foreach', 'call_indirect']);
  const iff = st[0];
  assert.ok(iff.kind === 'if');
  assert.ok(iff.cond.kind === 'binary' && iff.cond.op === 'and');
  assert.ok(iff.cond.right.kind === 'not' && iff.cond.right.operand.kind === 'binary' && iff.cond.right.operand.op === 'or');
  assert.deepEqual(iff.then.map((s) => s.kind), ['call']);
  assert.ok(iff.else && iff.else[0].kind === 'if' && iff.else[0].cond.kind === 'call' && iff.else[0].cond.fn === 're_match');
  assert.deepEqual(iff.else[0].else!.map((s) => s.kind), ['stop']);
  const set = st[1];
  assert.ok(set.kind === 'set' && set.variable === '$.n' && set.expr.kind === 'binary' && set.expr.op === '&');
  assert.equal(getParam(m.rulesets.get('r1')!.params, 'queue.type')?.value, 'LinkedList');
});

test('backticks: `echo` expands environment variables and `cat` reads a file, as rsyslog does', () => {
  writeFileSync(join(dir, 'secret.txt'), 'from-file\n');
  process.env.LW_CONFIG_TEST_VAR = 'from-env';
  const m = ok(`global(localHostname=\`echo $LW_CONFIG_TEST_VAR\`)\nset $.x = \`cat ${join(dir, 'secret.txt')}\`;\n`);
  assert.equal(getParam(m.globals, 'localhostname')?.value, 'from-env');
  const set = top(m)[0];
  assert.ok(set.kind === 'set' && set.expr.kind === 'string' && set.expr.value === 'from-file');
});

test('$IncludeConfig globs and directories include sorted files; include(mode="optional") may be absent', () => {
  const d = join(dir, 'rsyslog.d');
  mkdirSync(d);
  writeFileSync(join(d, '20-b.conf'), 'mail.* /var/log/b\n');
  writeFileSync(join(d, '10-a.conf'), 'kern.* /var/log/a\n');
  writeFileSync(join(d, 'ignored.txt'), 'this is not a config\n');
  const main = join(dir, 'main.conf');
  writeFileSync(main, `$IncludeConfig ${d}/*.conf\ninclude(file="${d}/missing.conf" mode="optional")\n$IncludeConfig ${join(dir, 'nomatch')}/*.conf\n`);
  const m = loadConfig(main, { lookupComponent });
  assert.deepEqual(m.diagnostics.filter((d2) => d2.severity !== 'notice'), []);
  assert.deepEqual(m.files, [main, join(d, '10-a.conf'), join(d, '20-b.conf')]);
  assert.deepEqual(actions(top(m)), [['omfile', { file: '/var/log/a' }], ['omfile', { file: '/var/log/b' }]]);
  const d2 = join(dir, 'dirinc');
  mkdirSync(d2);
  writeFileSync(join(d2, 'b'), 'mail.* /b\n');
  writeFileSync(join(d2, 'a'), 'mail.* /a\n');
  const m2 = loadConfig('/x.conf', { lookupComponent, text: `$IncludeConfig ${d2}\n` });
  assert.deepEqual(actions(top(m2)), [['omfile', { file: '/a' }], ['omfile', { file: '/b' }]]);
});

test('include cycles are reported, not followed forever; errors in included files name that file', () => {
  const a = join(dir, 'cyc-a.conf');
  const b = join(dir, 'cyc-b.conf');
  writeFileSync(a, `include(file="${b}")\n`);
  writeFileSync(b, `mial.* /x\ninclude(file="${a}")\n`);
  const m = loadConfig(a, { lookupComponent });
  const errs = m.diagnostics.map((d) => [d.code, d.loc.file, d.loc.line]);
  assert.deepEqual(errs, [['LW_ERR_CONFIG_BAD_FACILITY', b, 1], ['LW_ERR_CONFIG_INCLUDE_CYCLE', b, 2]]);
});

test('checkConfig: exit 0 with warnings, 1 with --strict; all errors at once otherwise', () => {
  const f = join(dir, 'warn.conf');
  writeFileSync(f, '*.emerg *\n');
  const lax = checkConfig(f, { lookupComponent });
  assert.equal(lax.exitCode, 0);
  assert.equal(lax.warnings.length, 1);
  const strict = checkConfig(f, { lookupComponent, strict: true });
  assert.equal(strict.exitCode, 1);
  assert.deepEqual(strict.errors.map((d) => d.code), ['LW_WARN_CONFIG_LEGACY_USERLIST']);
  const bad = checkConfig('/b.conf', { lookupComponent, text: 'mial.* /x\nmail.inf /y\n' });
  assert.equal(bad.exitCode, 1);
  assert.equal(bad.errors.length, 2);
});

test('formatDiagnostics prints file:line:col, severity[code], the line, a caret under the word and the hint', () => {
  const m = loadConfig('/etc/rsyslog.conf', { lookupComponent, text: '# x\n\tmail.inf /var/log/x\n' });
  assert.equal(formatDiagnostics(m.diagnostics), [
    '/etc/rsyslog.conf:2:7: error[LW_ERR_CONFIG_BAD_SEVERITY]: unknown priority name `inf`',
    '  |',
    '2 | \tmail.inf /var/log/x',
    '  | \t     ^^^',
    '  = hint: did you mean `info`?',
    '',
  ].join('\n'));
});

test('omfile module modes apply to action() only: with legacy selector-line files alone they are a no-effect warning', () => {
  const legacyOnly = ok('module(load="builtin:omfile" fileCreateMode="0640" template="RSYSLOG_FileFormat")\n*.* /var/log/a\n');
  const st = top(legacyOnly)[0];
  const inner = st.kind === 'filter' ? st.body[0] : st;
  assert.equal(inner.kind === 'action' && inner.action.legacy, true);
  assert.deepEqual(legacyOnly.diagnostics.map((d) => [d.code, `${d.loc.line}:${d.loc.col}`]), [['LW_WARN_CONFIG_NO_EFFECT', '1:30']]);
  const withAction = ok('module(load="builtin:omfile" fileCreateMode="0640")\n*.* /var/log/a\n*.* action(type="omfile" file="/var/log/b")\n');
  assert.deepEqual(withAction.diagnostics, []);
});

test('property-filter values: a backslash takes the next character literally, as rsyslog parsQuotedCStr; regex loses a single backslash with a warning', () => {
  const cases: Array<[string, string, string[]]> = [
    [':msg, contains, "a\\"b" /x', 'a"b', []],
    [':msg, contains, "a\\\\b" /x', 'a\\b', []],
    [':msg, regex, "[0-9]\\{3\\}" /x', '[0-9]{3}', ['LW_WARN_CONFIG_PROPFILT_ESCAPE 1:20']],
    [':msg, ereregex, "[0-9]{3}\\.[0-9]+" /x', '[0-9]{3}.[0-9]+', ['LW_WARN_CONFIG_PROPFILT_ESCAPE 1:26']],
    [':msg, ereregex, "a\\\\.b" /x', 'a\\.b', []],
    [':msg, contains, "a\\qb" /x', 'aqb', []],
  ];
  for (const [text, value, diags] of cases) {
    const m = ok(`${text}\n`);
    const f = top(m)[0];
    assert.ok(f.kind === 'filter' && f.filter.kind === 'property');
    assert.equal(f.filter.value, value, text);
    assert.deepEqual(m.diagnostics.map((d) => `${d.code} ${d.loc.line}:${d.loc.col}`), diags, text);
  }
});

test('a legacy file action takes module(load="builtin:omfile" template=…) over $ActionFileDefaultTemplate, as rsyslog getDfltTpl', () => {
  const m = ok('$ActionFileDefaultTemplate RSYSLOG_DebugFormat\n*.* /var/log/a\n'
    + 'module(load="builtin:omfile" template="RSYSLOG_SyslogProtocol23Format")\n*.* /var/log/b\n*.* /var/log/c;RSYSLOG_FileFormat\n');
  assert.deepEqual(actions(top(m)), [
    ['omfile', { template: 'RSYSLOG_DebugFormat', file: '/var/log/a' }],
    ['omfile', { file: '/var/log/b' }],
    ['omfile', { file: '/var/log/c', template: 'RSYSLOG_FileFormat' }],
  ]);
});

test('$ActionExecOnlyEveryNthTime[Timeout] apply to the next legacy action only; $ActionExecOnlyOnceEveryInterval stays (rsyslog)', () => {
  const m = ok('$ActionExecOnlyEveryNthTime 2\n$ActionExecOnlyEveryNthTimeTimeout 5\n$ActionExecOnlyOnceEveryInterval 60\n' +
    '*.* /var/log/a\n*.* /var/log/b\n');
  assert.deepEqual(actions(top(m)), [
    ['omfile', { 'action.execOnlyEveryNthTime': '2', 'action.execOnlyEveryNthTimeTimeout': '5', 'action.execOnlyOnceEveryInterval': '60', file: '/var/log/a' }],
    ['omfile', { 'action.execOnlyOnceEveryInterval': '60', file: '/var/log/b' }],
  ]);
});

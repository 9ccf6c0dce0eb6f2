// Broken configs: each yields an error with the expected code, line:col and message, and nothing crashes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/load';
import { lookupComponent } from './specs';

interface Case {
  name: string;
  text: string;
  code: string;
  line: number;
  col: number;
  message: string;
  hint?: string;
}

const CASES: Case[] = [
  { name: 'unterminated string', text: 'set $.x = "abc;\n', code: 'LW_ERR_CONFIG_UNTERMINATED', line: 1, col: 11, message: 'unterminated string' },
  { name: 'unknown template parameter with suggestion', text: 'template(name="t" type="string" strng="x")\n', code: 'LW_ERR_CONFIG_UNKNOWN_PARAM', line: 1, col: 33, message: '`strng` not known', hint: '`string`' },
  { name: 'unknown input parameter with suggestion', text: 'module(load="imudp")\ninput(type="imudp" prot="514")\n', code: 'LW_ERR_CONFIG_UNKNOWN_PARAM', line: 2, col: 20, message: '`prot` not known', hint: '`port`' },
  { name: 'unknown module with suggestion', text: 'module(load="imudpp")\n', code: 'LW_ERR_CONFIG_UNKNOWN_MODULE', line: 1, col: 1, message: '`imudpp`', hint: '`imudp`' },
  { name: 'valid rsyslog module not supported', text: 'module(load="imkafka")\n', code: 'LW_ERR_CONFIG_UNSUPPORTED_MODULE', line: 1, col: 1, message: 'not supported by Logwarden yet' },
  { name: 'unbalanced braces (unclosed)', text: 'ruleset(name="r") {\n  stop\n', code: 'LW_ERR_CONFIG_UNBALANCED', line: 1, col: 19, message: 'never closed' },
  { name: 'unbalanced braces (stray })', text: '*.* /var/log/x\n}\n', code: 'LW_ERR_CONFIG_UNBALANCED', line: 2, col: 1, message: 'without a matching' },
  { name: 'if without then', text: 'if $msg contains "x" stop\n', code: 'LW_ERR_CONFIG_SYNTAX', line: 1, col: 22, message: '`if` without `then`' },
  { name: 'bad selector facility mial.*', text: '# c\nmial.* /var/log/x\n', code: 'LW_ERR_CONFIG_BAD_FACILITY', line: 2, col: 1, message: 'unknown facility name `mial`', hint: '`mail`' },
  { name: 'bad severity mail.inf', text: 'mail.inf /var/log/x\n', code: 'LW_ERR_CONFIG_BAD_SEVERITY', line: 1, col: 6, message: 'unknown priority name `inf`', hint: '`info`' },
  { name: 'selector without action', text: 'mail.*\n', code: 'LW_ERR_CONFIG_MISSING_ACTION', line: 1, col: 1, message: 'without an action' },
  { name: 'bad legacy port', text: '*.* @10.0.0.1:99999\n', code: 'LW_ERR_CONFIG_BAD_PORT', line: 1, col: 15, message: 'invalid port `99999`' },
  { name: 'bad port type in input()', text: 'module(load="imudp")\ninput(type="imudp" port="abc")\n', code: 'LW_ERR_CONFIG_BAD_VALUE', line: 2, col: 20, message: 'expected an integer' },
  { name: 'unknown template reference in legacy action', text: '*.* /var/log/x;NoSuchTpl\n', code: 'LW_ERR_CONFIG_UNKNOWN_TEMPLATE', line: 1, col: 16, message: '`NoSuchTpl` is not defined' },
  { name: 'unknown template reference in action() with suggestion', text: 'template(name="t1" type="string" string="x")\naction(type="omfile" file="/x" template="t2")\n', code: 'LW_ERR_CONFIG_UNKNOWN_TEMPLATE', line: 2, col: 32, message: '`t2`', hint: '`t1`' },
  { name: 'duplicate ruleset', text: 'ruleset(name="a") { stop }\nruleset(name="a") { stop }\n', code: 'LW_ERR_CONFIG_DUPLICATE_RULESET', line: 2, col: 9, message: 'more than once' },
  { name: 'include of a missing file', text: 'include(file="/nonexistent/logwarden-test.conf")\n', code: 'LW_ERR_CONFIG_INCLUDE_MISSING', line: 1, col: 9, message: 'does not exist' },
  { name: '$-directive typo', text: '$ModeLoad imudp\n', code: 'LW_ERR_CONFIG_UNKNOWN_DIRECTIVE', line: 1, col: 1, message: '`$ModeLoad`', hint: '`ModLoad`' },
  { name: 'comma-joined negations cron.!info,!debug', text: 'cron.!info,!debug /var/log/cron.log\n', code: 'LW_ERR_CONFIG_BAD_SELECTOR', line: 1, col: 12, message: '`!debug` has no `.priority`', hint: '`cron.*;cron.!=info;cron.!=debug`' },
  { name: 'contains_i in a legacy property filter', text: ':msg, contains_i, "x" /var/log/x\n', code: 'LW_ERR_CONFIG_BAD_COMPARE_OP', line: 1, col: 7, message: '`contains_i`' },
  { name: 'unknown property in property filter', text: ':msgx, contains, "x" /var/log/x\n', code: 'LW_ERR_CONFIG_BAD_PROPERTY', line: 1, col: 2, message: '`msgx`', hint: '`msg`' },
  { name: 'unknown property in expression', text: 'if $msgx == "a" then stop\n', code: 'LW_ERR_CONFIG_BAD_PROPERTY', line: 1, col: 4, message: '`$msgx`' },
  { name: 'unknown function', text: 'set $.x = tolowr($msg);\n', code: 'LW_ERR_CONFIG_UNKNOWN_FUNCTION', line: 1, col: 11, message: '`tolowr()`', hint: '`tolower`' },
  { name: 'input of a module never loaded', text: 'input(type="imudp" port="514")\n', code: 'LW_ERR_CONFIG_MODULE_NOT_LOADED', line: 1, col: 1, message: 'not loaded' },
  { name: 'call of an unknown ruleset', text: 'call nosuch\n', code: 'LW_ERR_CONFIG_UNKNOWN_RULESET', line: 1, col: 6, message: '`nosuch`' },
  { name: 'input bound to an unknown ruleset', text: 'module(load="imtcp")\ninput(type="imtcp" port="514" ruleset="remot")\nruleset(name="remote") { stop }\n', code: 'LW_ERR_CONFIG_UNKNOWN_RULESET', line: 2, col: 31, message: '`remot`', hint: '`remote`' },
  { name: 'unterminated comment', text: '*.* /var/log/x\n/* never closed\n', code: 'LW_ERR_CONFIG_UNTERMINATED', line: 2, col: 1, message: 'unterminated comment' },
  { name: 'invalid escape in string', text: 'template(name="t" type="string" string="a\\qb")\n', code: 'LW_ERR_CONFIG_BAD_ESCAPE', line: 1, col: 42, message: '`\\q`' },
  { name: 'unquoted parameter value', text: 'module(load="imtcp") input(type="imtcp" port=514)\n', code: 'LW_ERR_CONFIG_SYNTAX', line: 1, col: 46, message: 'double-quoted' },
  { name: 'single-quoted parameter value', text: "action(type='omfile' file='/x')\n", code: 'LW_ERR_CONFIG_SYNTAX', line: 1, col: 13, message: 'double-quoted' },
  { name: '& without a preceding action', text: '& /var/log/x\n', code: 'LW_ERR_CONFIG_SYNTAX', line: 1, col: 1, message: 'no action before it' },
  { name: 'bad queue size', text: 'action(type="omfile" file="/x" queue.size="abc")\n', code: 'LW_ERR_CONFIG_BAD_VALUE', line: 1, col: 32, message: 'expected an integer' },
  { name: 'missing required parameter', text: 'action(type="omfwd" port="514")\n', code: 'LW_ERR_CONFIG_MISSING_PARAM', line: 1, col: 1, message: '`target`' },
  { name: 'unknown global() parameter', text: 'global(workDirectry="/tmp")\n', code: 'LW_ERR_CONFIG_UNKNOWN_PARAM', line: 1, col: 8, message: '`workDirectry`', hint: '`workDirectory`' },
  { name: 'unknown statement keyword', text: 'actoin(type="omfile" file="/x")\n', code: 'LW_ERR_CONFIG_SYNTAX', line: 1, col: 1, message: 'unknown statement `actoin`', hint: '`action`' },
  { name: 'set without semicolon', text: 'set $.x = 1\nstop\n', code: 'LW_ERR_CONFIG_SYNTAX', line: 1, col: 12, message: 'missing `;`' },
  { name: 'set without semicolon before a selector (newline is blank, `*` multiplies)', text: 'set $.x = 1\n*.* /var/log/x\n', code: 'LW_ERR_CONFIG_SYNTAX', line: 2, col: 2, message: 'expected an expression' },
  { name: 'unsupported legacy omprog action', text: '*.* ^/bin/prog\n', code: 'LW_ERR_CONFIG_UNSUPPORTED_MODULE', line: 1, col: 5, message: 'omprog' },
  { name: 'unknown forwarding option', text: '*.* @(q)host\n', code: 'LW_ERR_CONFIG_BAD_ACTION', line: 1, col: 7, message: 'unknown forwarding option' },
  { name: 'bad $InputTCPServerRun port', text: '$ModLoad imtcp\n$InputTCPServerRun 70000\n', code: 'LW_ERR_CONFIG_BAD_PORT', line: 2, col: 20, message: '`70000`' },
  { name: 'duplicate template', text: '$template a,"x"\ntemplate(name="a" type="string" string="y")\n', code: 'LW_ERR_CONFIG_DUPLICATE_TEMPLATE', line: 2, col: 10, message: 'defined twice' },
];

for (const c of CASES) {
  test(`broken config: ${c.name} → ${c.code} at ${c.line}:${c.col}`, () => {
    const m = loadConfig('/etc/logwarden/broken.conf', { lookupComponent, text: c.text });
    const errors = m.diagnostics.filter((d) => d.severity === 'error');
    const hit = errors.find((d) => d.code === c.code && d.loc.line === c.line && d.loc.col === c.col);
    assert.ok(hit, `expected ${c.code} at ${c.line}:${c.col}, got ${JSON.stringify(errors.map((d) => [d.code, d.loc.line, d.loc.col, d.message]))}`);
    assert.match(hit.message, new RegExp(c.message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.equal(hit.loc.file, '/etc/logwarden/broken.conf');
    assert.equal(hit.sourceLine, c.text.split('\n')[c.line - 1]);
    assert.ok((hit.length ?? 0) >= 1);
    if (c.hint) assert.match(hit.hint ?? '', new RegExp(c.hint.replace(/[.*+?^${}()|[\]\\`]/g, '\\$&')));
  });
}

test('all errors of a file are reported at once, in file order', () => {
  const text = 'mial.* /a\nmail.inf /b\n$ModeLoad imudp\nmodule(load="imudpp")\n';
  const m = loadConfig('/x.conf', { lookupComponent, text });
  const codes = m.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.loc.line]);
  assert.deepEqual(codes, [
    ['LW_ERR_CONFIG_BAD_FACILITY', 1], ['LW_ERR_CONFIG_BAD_SEVERITY', 2], ['LW_ERR_CONFIG_UNKNOWN_DIRECTIVE', 3],
    ['LW_ERR_CONFIG_UNKNOWN_MODULE', 4],
  ]);
});

test('garbage input never throws and always yields located diagnostics', () => {
  const samples = ['\u0000\u0001(((', 'if if if', '"unterminated', 'ruleset(', 'template(name="x" type="list") {', '$', ':', '@@', '*.* @[::1', 'foreach ($.i in', '`rm -rf /`'];
  for (const text of samples) {
    const m = loadConfig('/g.conf', { lookupComponent, text });
    assert.ok(m.diagnostics.length > 0, `no diagnostic for ${JSON.stringify(text)}`);
    for (const d of m.diagnostics) assert.ok(d.loc.line >= 1 && d.loc.col >= 1 && d.code.startsWith('LW_'));
  }
});

// Configs rsyslog accepts that Logwarden used to refuse, and the warnings that say what is not applied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/load';
import { DEFAULT_RULESET, getParam, type Statement } from '../../../src/config/model';
import { joinContinuationLines } from '../../../src/config/continuation';
import { lookupComponent } from '../../../src/runtime/registry';

const load = (text: string) => loadConfig('/t.conf', { lookupComponent, text });
const codes = (text: string): string[] => load(text).diagnostics.filter((d) => d.severity !== 'notice').map((d) => d.code);
const main = (text: string): Statement[] => load(text).rulesets.get(DEFAULT_RULESET)!.statements;

test('backslash continuation joins lines like rsyslog readConfFile and keeps later line numbers', () => {
  assert.equal(joinContinuationLines('a;\\\n\t b;\\  \n c /x\nnext\n'), 'a;b;c /x\n\n\nnext\n');
  assert.equal(joinContinuationLines('plain\n'), 'plain\n');
  const m = load('*.=debug;\\\n\tauth,authpriv.none;\\\n\tnews.none;mail.none\t-/var/log/debug\nmail.inf /x\n');
  const err = m.diagnostics.find((d) => d.severity === 'error');
  assert.equal(err?.loc.line, 4); // the line after the joined ones keeps its number
  assert.equal(main('*.=debug;\\\n\tmail.none\t-/var/log/debug\n').length, 1);
});

test('-?DynFile, :omfile:$outchannel (warning for its limit), & after a directive, reset, ip42num', () => {
  const st = main('$template D,"/var/log/%programname%.log"\n*.* -?D\n');
  assert.equal((st[0] as Extract<Statement, { kind: 'filter' }>).body.length, 1);
  assert.deepEqual(codes('$outchannel c,/var/log/c.log,1048576,/bin/rotate\n*.* :omfile:$c\n'), ['LW_WARN_CONFIG_OUTCHANNEL_LIMIT']);
  assert.deepEqual(codes('$outchannel c,/var/log/c.log\n*.* :omfile:$c\n'), []);
  assert.deepEqual(codes('*.* :omfile:$nochan\n'), ['LW_ERR_CONFIG_BAD_ACTION']);
  const f = main('*.* /var/log/a\n$ActionExecOnlyWhenPreviousIsSuspended on\n& /var/log/b\n$ActionExecOnlyWhenPreviousIsSuspended off\n')[0] as Extract<Statement, { kind: 'filter' }>;
  assert.equal(f.body.length, 2);
  const second = f.body[1] as Extract<Statement, { kind: 'action' }>;
  assert.equal(String(getParam(second.action.params, 'action.execOnlyWhenPreviousIsSuspended')?.value), 'on');
  assert.deepEqual(codes('reset $.x = ip42num("1.2.3.4");\n'), []);
  assert.deepEqual(codes('$Escape8BitCharactersOnReceive on\n$DropTrailingLFOnReception off\n'), []);
});

test('mmjsonparse loads; PermittedPeer in input() is rsyslog\'s, StreamDriver.PermittedPeers warns', () => {
  assert.deepEqual(codes('module(load="mmjsonparse")\naction(type="mmjsonparse" cookie="" container="$.p" useRawMsg="on")\n'), []);
  const tls = 'module(load="imtcp")\ninput(type="imtcp" port="6514" StreamDriver.Mode="1" StreamDriver.AuthMode="x509/name" ';
  assert.deepEqual(codes(`${tls}PermittedPeer=["a.example"])\n`), []);
  assert.deepEqual(codes(`${tls}StreamDriver.PermittedPeers=["a.example"])\n`), ['LW_WARN_CONFIG_NOT_RSYSLOG_SPELLING']);
});

test('ruleset(parser=[…]) with a parser Logwarden lacks warns', () => {
  assert.deepEqual(codes('ruleset(name="r" parser=["rsyslog.rfc5424"]) { stop }\n'), []);
  assert.deepEqual(codes('ruleset(name="r" parser=["rsyslog.pmnull"]) { stop }\n'), ['LW_WARN_CONFIG_PARSER_UNAVAILABLE']);
});

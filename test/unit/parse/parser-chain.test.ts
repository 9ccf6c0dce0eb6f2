// parser(type="pmrfc3164" …) objects and ruleset(parser=[…]) chains: what an input bound to the ruleset parses
// with (resolved once per input), which frames the ruleset discards, and the config checks of parser().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/load';
import { parserChain, rulesetParsers, type ConfigModel } from '../../../src/config/model';
import { inputParseOptions } from '../../../src/inputs/params';
import type { RuntimeContext } from '../../../src/runtime/context';
import { StreamLogger } from '../../../src/log';
import { lookupComponent } from '../config/specs';
import { parse } from './helpers';

const PARSER = 'parser(name="custom.rfc3164" type="pmrfc3164" permit.squareBracketsInHostname="on" permit.slashesInHostname="on" '
  + 'permit.AtSignsInHostname="on" force.tagEndingByColon="on" remove.msgFirstSpace="on" detect.YearAfterTimestamp="on")\n';

function model(text: string): ConfigModel {
  const m = loadConfig('/p.conf', { lookupComponent, text });
  assert.deepEqual(m.diagnostics.map((d) => `${d.code} ${d.message}`), []);
  return m;
}

function options(m: ConfigModel, ruleset: string) {
  const ctx = { config: m, logger: new StreamLogger({ out: null, keep: true }), templates: new Map(), dataDir: '/tmp', maxMessageSize: 8096 } as RuntimeContext;
  return inputParseOptions(ctx, ruleset);
}

test('a ruleset chain naming a custom pmrfc3164 parser gives its inputs that parser\'s options, after RFC 5424', () => {
  const m = model(`${PARSER}ruleset(name="p" parser=["rsyslog.rfc5424", "custom.rfc3164"]) { stop }\nruleset(name="plain") { stop }\n`
    + 'ruleset(name="only3164" parser="Custom.RFC3164") { stop }\nruleset(name="only5424" parser="rsyslog.rfc5424") { stop }\n');
  const o = options(m, 'p');
  assert.deepEqual([o.rfc5424, o.permitSquareBracketsInHostname, o.permitSlashesInHostname, o.permitAtSignsInHostname,
    o.forceTagEndingByColon, o.removeMsgFirstSpace, o.detectYearAfterTimestamp], [true, true, true, true, true, true, true]);
  const plain = options(m, 'plain');
  assert.deepEqual([plain.rfc5424, plain.forceTagEndingByColon, plain.removeMsgFirstSpace], [true, false, false]);
  const only = options(m, 'only3164');
  assert.deepEqual([only.rfc5424, only.removeMsgFirstSpace], [false, true], 'parser names are case-insensitive; no RFC 5424 before it');
  assert.deepEqual(parserChain(rulesetParsers('rsyslog.rfc5424')!, m.parsers), { rfc5424: true, rfc3164: null, pre: [] });
  assert.deepEqual(parserChain(rulesetParsers(['custom.rfc3164', 'rsyslog.rfc5424'])!, m.parsers)?.rfc5424, false, 'nothing after an RFC 3164 parser is reached');
  assert.equal(parserChain(['nosuch'], m.parsers), null);

  // the options at work on one frame
  assert.equal(parse('<13>Oct 11 22:14:15 2025 [10.0.0.1] app: x', o).hostname, '[10.0.0.1]');
  assert.equal(parse('<13>Oct 11 22:14:15 2025 [10.0.0.1] app: x', o).msg, 'x');
  assert.equal(parse('<13>Oct 11 22:14:15 host word rest', o).syslogtag, '-');
});

test('parser() is checked: known parameters per type, on/off values, a name, a type Logwarden has', () => {
  const codes = (text: string): string[] => loadConfig('/p.conf', { lookupComponent, text }).diagnostics.map((d) => `${d.code} ${d.loc.line}:${d.loc.col}`);
  assert.deepEqual(codes('parser(name="a" type="pmrfc3164" detect.headerless="on")\n'), ['LW_ERR_CONFIG_UNKNOWN_PARAM 1:34'],
    'rsyslog 8.2302 has no headerless options');
  assert.deepEqual(codes('parser(name="a" type="pmrfc3164" remove.msgFirstSpace="maybe")\n'), ['LW_ERR_CONFIG_BAD_VALUE 1:34']);
  assert.deepEqual(codes('parser(type="pmrfc3164")\n'), ['LW_ERR_CONFIG_MISSING_PARAM 1:1']);
  assert.deepEqual(codes('parser(name="a" type="pmrfc5424" permit.slashesInHostname="on")\n'), ['LW_ERR_CONFIG_UNKNOWN_PARAM 1:34']);
  assert.deepEqual(codes('parser(name="a" type="pmcisconames")\n'), ['LW_WARN_CONFIG_PARSER_UNAVAILABLE 1:17']);
  assert.deepEqual(codes('parser(name="a" type="pmrfc3164")\nparser(name="A" type="pmrfc3164")\n'), ['LW_ERR_CONFIG_BAD_VALUE 2:1']);
  assert.deepEqual(codes('parser(name="a" type="pmrfc3164")\nruleset(name="r" parser=["a", "b"]) { stop }\n'), ['LW_WARN_CONFIG_PARSER_UNAVAILABLE 2:18']);
});

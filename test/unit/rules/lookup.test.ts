// Lookup tables (rsyslog runtime/lookup.c): the three table types, nomatch, key conversion, file errors with the
// lookup_table() statement's place, reload_lookup_table with and without a stub, reloadOnHUP="off" across a reload,
// and the config side (lookup_table() parameters, reload_lookup_table statement, check refusing a bad file).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RULESET, type ConfigModel } from '../../../src/config/model';
import { loadConfig } from '../../../src/config/load';
import { Message } from '../../../src/message';
import { SyslogTime } from '../../../src/time';
import { compileRulesets } from '../../../src/rules/compile';
import { buildLookupTable, LookupTables } from '../../../src/rules/lookup';
import { lookupComponent } from '../config/specs';

const dir = mkdtempSync(join(tmpdir(), 'lw-lookup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function table(json: unknown) {
  return buildLookupTable(JSON.stringify(json), 't').table;
}

test('string table: exact keys, nomatch for the rest ("" without nomatch); values and indexes as json-c prints them', () => {
  const t = table({ version: 1, nomatch: 'other', type: 'string', table: [{ index: 'err', value: 'TICKET' }, { index: 5, value: 7 }] });
  assert.equal(t.lookup('err'), 'TICKET');
  assert.equal(t.lookup('ERR'), 'other');
  assert.equal(t.lookup(5), '7');
  assert.equal(t.lookup('5'), '7');
  assert.equal(table({ version: 1, table: [{ index: 'a', value: 'b' }] }).lookup('x'), '');
  assert.equal(table({ version: 1, table: [] }).lookup('x'), '', 'an empty table gives nomatch');
});

test('array table: contiguous indexes from any start, keys as uint32 (negative numbers wrap), gaps are refused', () => {
  const t = table({ version: 1, nomatch: '-', type: 'array', table: [{ index: 11, value: 'b' }, { index: 10, value: 'a' }, { index: 12, value: 'c' }] });
  assert.deepEqual([9, 10, 11, 12, 13].map((k) => t.lookup(k)), ['-', 'a', 'b', 'c', '-']);
  assert.equal(t.lookup('11'), 'b');
  assert.equal(t.lookup('11x'), 'b', 'var2Number takes the leading digits');
  const wrap = table({ version: 1, type: 'array', table: [{ index: 4294967295, value: 'max' }] });
  assert.equal(wrap.lookup(-1), '', 'json_object_get_int clamps the index to int32 max, so -1 (uint32 max) misses');
  assert.throws(() => table({ version: 1, type: 'array', table: [{ index: 1, value: 'a' }, { index: 3, value: 'c' }] }), /non-contiguous members between index 1 and 3/);
});

test('sparseArray table: the value of the largest index not above the key', () => {
  const t = table({ version: 1, nomatch: 'low', type: 'sparseArray', table: [{ index: 100, value: 'C' }, { index: 10, value: 'A' }, { index: 50, value: 'B' }] });
  assert.deepEqual([0, 9, 10, 49, 50, 99, 100, 1e9].map((k) => t.lookup(k)), ['low', 'low', 'A', 'A', 'B', 'B', 'C', 'C']);
});

test('invalid tables are refused with the reason; a missing version is a warning', () => {
  assert.throws(() => buildLookupTable('{ "version": 1, "table": [', 't'), /JSON parsing error/);
  assert.throws(() => table({ version: 2, table: [] }), /unsupported version 2/);
  assert.throws(() => table({ version: 1 }), /"table" must be an array/);
  assert.throws(() => table({ version: 1, type: 'hash', table: [] }), /unsupported type "hash"/);
  assert.throws(() => table({ version: 1, table: [{ index: 'a' }] }), /record 1 of the string table has no "value"/);
  assert.throws(() => table({ version: 1, type: 'sparseArray', table: [{ value: 'a' }] }), /record 1 of the sparseArray table has no "index"/);
  assert.deepEqual(buildLookupTable('{"table": []}', 'x').warnings, ['lookup table "x" does not specify its version (1 is assumed)']);
});

function model(text: string): ConfigModel {
  const m = loadConfig('/l.conf', { lookupComponent, text });
  assert.deepEqual(m.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  return m;
}

function message(sev: number): Message {
  const m = new Message(Buffer.from('x'), { inputname: 'imtcp', fromhostIp: '127.0.0.1', fromhost: 'h', ruleset: DEFAULT_RULESET }, SyslogTime.now());
  m.severity = sev;
  return m;
}

test('lookup() and reload_lookup_table in a config: reload picks up the new file; a failed reload keeps the table or uses the stub', async () => {
  const file = join(dir, 'sev.json');
  writeFileSync(file, JSON.stringify({ version: 1, nomatch: 'other', table: [{ index: 'err', value: 'TICKET' }] }));
  const m = model(`lookup_table(name="sev" file="${file}" reloadOnHUP="off")\n`
    + 'set $.s = lookup("sev", $syslogseverity-text);\n'
    + 'if $msg == "reload" then reload_lookup_table("sev")\n'
    + 'if $msg == "stub" then reload_lookup_table("sev", "STUB")\n');
  assert.equal(m.lookupTables?.get('sev')?.loc.line, 1);
  const seen: string[] = [];
  const logs: string[] = [];
  const rules = compileRulesets(m, { action: () => () => undefined }, { lookupLog: (_l, code) => logs.push(code) });
  const run = (sev: number, text = ''): void => {
    const msg = message(sev);
    msg.msg = text;
    rules.run(DEFAULT_RULESET, msg);
    seen.push(String(msg.local?.s ?? ''));
  };
  run(3);
  run(6);
  writeFileSync(file, JSON.stringify({ version: 1, nomatch: 'other', table: [{ index: 'err', value: 'PAGE' }] }));
  run(3);
  await rules.lookups.get('sev')!.reload(null);
  run(3);
  writeFileSync(file, '{ broken');
  await rules.lookups.get('sev')!.reload(null);
  run(3);
  await rules.lookups.get('sev')!.reload('STUB');
  run(3);
  run(6);
  assert.deepEqual(seen, ['TICKET', 'other', 'TICKET', 'PAGE', 'PAGE', 'STUB', 'STUB']);
  assert.deepEqual(logs, ['LW_INFO_LOOKUP_RELOADED', 'LW_WARN_LOOKUP_RELOAD', 'LW_WARN_LOOKUP_RELOAD']);

  // reloadOnHUP="off": a configuration reload keeps the table it had; "on" reads the file again
  writeFileSync(file, JSON.stringify({ version: 1, table: [{ index: 'err', value: 'NEW' }] }));
  assert.equal(LookupTables.load(m, undefined, rules.lookups).get('sev')!.lookup('err'), 'STUB');
  const on = model(`lookup_table(name="sev" file="${file}")\n`);
  assert.equal(LookupTables.load(on, undefined, rules.lookups).get('sev')!.lookup('err'), 'NEW');
});

test('config: a table file that cannot be loaded, and lookup() of an undefined table, are refused naming the place', () => {
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"version": 1, "type": "array", "table": [{"index": 1, "value": "a"}, {"index": 5, "value": "b"}]}');
  const m = model(`\n  lookup_table(name="t" file="${bad}")\n`);
  assert.throws(() => compileRulesets(m, { action: () => () => undefined }), (e: Error & { code?: string }) =>
    e.code === 'LW_ERR_RULES_LOOKUP_TABLE' && /l\.conf:2:3/.test(e.message) && /non-contiguous/.test(e.message));
  const missing = model(`lookup_table(name="t" file="${join(dir, 'none.json')}")\n`);
  assert.throws(() => compileRulesets(missing, { action: () => () => undefined }), /could not be read: ENOENT/);
  const undef = model('set $.x = lookup("nope", $msg);\n');
  assert.throws(() => compileRulesets(undef, { action: () => () => undefined }), /no lookup table "nope" is defined/);
  const reloadUndef = model('reload_lookup_table("nope")\n');
  assert.throws(() => compileRulesets(reloadUndef, { action: () => () => undefined }), /reload_lookup_table\(\): no lookup table "nope"/);
});

test('config: lookup_table() parameters and reload_lookup_table() arguments are checked', () => {
  const codes = (text: string): string[] => loadConfig('/l.conf', { lookupComponent, text }).diagnostics.map((d) => `${d.code} ${d.loc.line}:${d.loc.col}`);
  assert.deepEqual(codes('lookup_table(name="t")\n'), ['LW_ERR_CONFIG_MISSING_PARAM 1:1']);
  assert.deepEqual(codes('lookup_table(name="t" file="/x" reloadOnHUP="maybe")\n'), ['LW_ERR_CONFIG_BAD_VALUE 1:33']);
  assert.deepEqual(codes('lookup_table(name="t" file="/x" fil="/y")\n'), ['LW_ERR_CONFIG_UNKNOWN_PARAM 1:33']);
  assert.deepEqual(codes('lookup_table(name="t" file="/x")\nlookup_table(name="t" file="/y")\n'), ['LW_ERR_CONFIG_BAD_VALUE 2:1']);
  assert.deepEqual(codes('reload_lookup_table(t)\n'), ['LW_ERR_CONFIG_SYNTAX 1:21']);
  const m = loadConfig('/l.conf', { lookupComponent, text: 'reload_lookup_table("t", "stub")\n' });
  assert.deepEqual(m.rulesets.get(DEFAULT_RULESET)!.statements.map((s) => (s.kind === 'reload_lookup_table' ? [s.table, s.stub] : s.kind)), [['t', 'stub']]);
});

test('check (preflight) reports a table without version as a warning at its lookup_table() line', async () => {
  const { preflight } = await import('../../../src/runtime/preflight');
  const file = join(dir, 'noversion.json');
  writeFileSync(file, '{"table": [{"index": "a", "value": "b"}]}');
  const m = model(`\nlookup_table(name="t" file="${file}")\n`);
  const diags = await preflight(m, dir);
  assert.deepEqual(diags.map((d) => `${d.severity} ${d.code} ${d.loc.line}:${d.loc.col}`), ['warning LW_WARN_LOOKUP_TABLE 2:1']);
});

// Message modifiers (src/rules/mm): byte-exact edits of MSG as rsyslog's mm* modules make them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RULESET, type ActionDecl } from '../../../../src/config/model';
import { Message } from '../../../../src/message';
import { SyslogTime } from '../../../../src/time';
import { decodeRaw, encodeRaw } from '../../../../src/util/raw-text';
import { fixControlChars, fixUtf8, compileMmutf8fix } from '../../../../src/rules/mm/utf8fix';
import { rm1stspace } from '../../../../src/rules/mm/rm1stspace';
import { findModifier } from '../../../../src/rules/modifiers';
import { compileMmanon } from '../../../../src/rules/mm/anon';
import { compileMmfields, splitFields } from '../../../../src/rules/mm/fields';
import { compileMmsequence } from '../../../../src/rules/mm/sequence';
import { compileMmpstrucdata, parseStructuredData } from '../../../../src/rules/mm/pstrucdata';

const L = { file: 'u.conf', line: 3, col: 1 };
export function decl(type: string, params: Record<string, string> = {}): ActionDecl {
  return { type, params: new Map(Object.entries(params).map(([k, v]) => [k.toLowerCase(), { value: v, loc: L }])), loc: L } as unknown as ActionDecl;
}

export function message(raw: string, msgFrom: number): Message {
  const b = Buffer.from(raw, 'latin1');
  const m = new Message(b, { inputname: 'imtcp', fromhostIp: '127.0.0.1', fromhost: 'h', ruleset: DEFAULT_RULESET }, SyslogTime.now());
  m.msg = decodeRaw(b, msgFrom);
  return m;
}

test('the registry knows every modifier by its rsyslog name', () => {
  for (const n of ['mmjsonparse', 'mmrm1stspace', 'MMUTF8FIX']) assert.ok(findModifier(n), n);
  assert.equal(findModifier('omfile'), undefined);
});

test('mmrm1stspace drops exactly one leading space, in msg and rawmsg', () => {
  const m = message('<13>x app:   three', 10);
  rm1stspace(m);
  assert.equal(m.msg, '  three');
  assert.equal(m.rawmsg.toString('latin1'), '<13>x app:  three');
  const t = message('<13>x app:\ttab', 10);
  rm1stspace(t);
  assert.equal(t.msg, '\ttab');
  assert.equal(message('', 0).msg, '');
});

test('mmutf8fix utf-8 mode replaces each byte of invalid sequences, as rsyslog doUTF8', () => {
  const fix = (hex: string): string => { const b = Buffer.from(hex, 'hex'); fixUtf8(b, 0x3f); return b.toString('hex'); };
  assert.equal(fix('c328'), '3f28'); // bad continuation: the lead only
  assert.equal(fix('e282'), '3f3f'); // truncated at the end
  assert.equal(fix('ff41'), '3f41');
  assert.equal(fix('c3a9'), 'c3a9'); // valid é
  assert.equal(fix('c0af'), '3f3f'); // overlong
  assert.equal(fix('eda080'), '3f3f3f'); // surrogate
  assert.equal(fix('f09f9880'), 'f09f9880'); // valid 4-byte
  assert.equal(fix('f7bfbfbf'), '3f3f3f3f'); // above U+10FFFF
  assert.equal(fix('80'), '3f'); // stray continuation
});

test('mmutf8fix controlcharacters mode replaces bytes outside 0x20..0x7e', () => {
  const b = Buffer.from('a\x01\x7f\tb', 'latin1');
  fixControlChars(b, 0x20);
  assert.equal(b.toString('latin1'), 'a   b');
});

test('mmutf8fix on a message: replacementChar, msg and rawmsg updated, invalid mode refused', () => {
  const m = message('<13>h app: bad \xc3\x28 end', 10);
  compileMmutf8fix(decl('mmutf8fix', { replacementChar: '?' }))(m);
  assert.equal(m.msg, ' bad ?( end');
  assert.deepEqual(m.rawmsg, encodeRaw('<13>h app: bad ?( end'));
  assert.equal(m.parsedWith, null);
  assert.throws(() => compileMmutf8fix(decl('mmutf8fix', { mode: 'latin1' })), /LW_ERR_RULES_MODIFIER|not "utf-8"/);
});

test('mmanon zero mode (defaults): IPv4 low 16 bits, IPv6 low 96 bits, scan inside longer numbers as rsyslog', () => {
  const run = (text: string, params: Record<string, string> = {}): string => {
    const m = message(`<13>h app: ${text}`, 10);
    compileMmanon(decl('mmanon', params))(m);
    return m.msg.slice(1);
  };
  assert.equal(run('v4 10.1.12.123 end'), 'v4 10.1.0.0 end');
  assert.equal(run('bad 256.1.1.1'), 'bad 256.1.0.0');
  assert.equal(run('v6 2001:db8:85a3::8a2e:370:7334 end'), 'v6 2001:db8:0:0:0:0:0:0 end');
  assert.equal(run('no address here'), 'no address here');
  assert.equal(run('v4 10.1.12.123', { 'ipv4.mode': 'simple', 'ipv4.bits': '24', 'ipv4.replaceChar': '*' }), 'v4 10.*.**.***');
  assert.equal(run('v4 10.1.12.123', { 'ipv4.mode': 'simple', 'ipv4.bits': '20' }), 'v4 10.x.xx.xxx');
  assert.equal(run('v4 10.1.12.123', { 'ipv4.enable': 'off' }), 'v4 10.1.12.123');
});

test('mmfields: empty fields count, a trailing separator starts no field', () => {
  assert.deepEqual(splitFields('a,b,,d', ','), { f1: 'a', f2: 'b', f3: '', f4: 'd' });
  assert.deepEqual(splitFields(',x,', ','), { f1: '', f2: 'x' });
  assert.deepEqual(splitFields('', ','), {});
  const m = message('<13>h app: a;b', 10);
  compileMmfields(decl('mmfields', { separator: ';', jsonRoot: '!csv' }), { root: null })(m);
  assert.deepEqual(m.json, { csv: { f1: ' a', f2: 'b' } });
});

test('mmsequence instance mode: from, from+step, … wrapping before to', () => {
  const run = compileMmsequence(decl('mmsequence', { from: '100', to: '115', step: '7', var: '$.seq' }), { root: null });
  const seen: unknown[] = [];
  for (let i = 0; i < 4; i++) { const m = message('x', 0); run(m); seen.push(m.local?.seq); }
  assert.deepEqual(seen, [100, 107, 114, 100]);
  const dflt = compileMmsequence(decl('mmsequence'), { root: null });
  const m = message('x', 0);
  dflt(m);
  assert.deepEqual(m.json, { mmsequence: 0 });
});

test('mmpstrucdata: SD-IDs and names lowered, value escapes, syntax errors drop everything', () => {
  assert.deepEqual(parseStructuredData('[exampleSDID@32473 iut="3" eventSource="App\\"x\\\\y\\]z\\n"][b]', true),
    { 'examplesdid@32473': { iut: '3', eventsource: 'App"x\\y]z\\n' }, b: {} });
  assert.deepEqual(parseStructuredData('[A  B="1"]', false), { A: { B: '1' } });
  assert.equal(parseStructuredData('[a b=1]', true), null);
  assert.equal(parseStructuredData('[a b="1"', true), null);
  const m = message('x', 0);
  m.structuredData = '[id k="v"]';
  compileMmpstrucdata(decl('mmpstrucdata', { jsonRoot: '$!sd' }), { root: null })(m);
  assert.deepEqual(m.json, { sd: { 'rfc5424-sd': { id: { k: 'v' } } } });
  assert.throws(() => compileMmpstrucdata(decl('mmpstrucdata', { jsonRoot: 'x' }), { root: null }), /jsonRoot/);
});

// parse_json()'s lenient JSON reader (src/rules/fastjson.ts) against what rsyslogd 8.2302 (libfastjson 1.2304)
// returned for each text: parse_json's return value and the stored value as %$!p% renders it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFastJson } from '../../../src/rules/fastjson';
import { jsonValueText } from '../../../src/templates/jsonc';

/** [text given to parse_json, its return value, %$!p% afterwards] observed with rsyslogd. */
const OBSERVED: Array<[string, number, string]> = [
  ["123", 1, ""],
  ["123 ", 0, "123"],
  ["true", 1, ""],
  ["TRUE x", 0, "true"],
  ["'a\\'b'", 1, ""],
  ["{\"a\":1,}", 0, "{ \"a\": 1 }"],
  ["[1,2,]", 0, "[ 1, 2 ]"],
  ["{'k': 'v'} tail", 0, "{ \"k\": \"v\" }"],
  ["1 /x", 1, ""],
  ["/* c */ 5 ", 0, "5"],
  ["nan x", 0, "NaN"],
  ["-Infinity x", 0, "-Infinity"],
  ["99999999999999999999 ", 0, "9223372036854775807"],
  ["1+2 ", 0, "1"],
  ["1.50 ", 0, "1.50"],
  ["null x", 1, ""],
  ["\"\\ud83d\\ude00\"", 0, "😀"],
  ["\"\\ud800x\"", 0, "�x"],
  ["0x10 ", 0, "0"],
  ["- 5", 1, ""],
  ["1e5 ", 0, "1e5"],
  ["-0 ", 0, "0"],
  ["[1 , 2]", 0, "[ 1, 2 ]"],
  ["{\"a\":{\"b\":[true,false,null]}}", 0, "{ \"a\": { \"b\": [ true, false, null ] } }"],
  ["\"a\\qb\"", 1, ""],
  ["tRuEx", 0, "true"],
  ["Infinityy", 0, "Infinity"],
  ["{\"k\" 1}", 1, ""],
  ["-1.5e-3 ", 0, "-1.5e-3"],
  ["00012 ", 0, "12"],
  ["[ ]", 0, "[ ]"],
  ["{ }", 0, "{ }"],
  ["'x\"y'", 0, "x\"y"],
  ["\"\\u00e9\"", 0, "é"],
  ["[truefalse]", 1, ""],
  ["{\"a\":1}{\"b\":2}", 0, "{ \"a\": 1 }"],
  ["[1,]x", 0, "[ 1 ]"],
];

test('parse_json leniency and failures match rsyslogd on every observed text', () => {
  for (const [text, ret, shown] of OBSERVED) {
    const v = parseFastJson(text);
    assert.equal(v === undefined ? 1 : 0, ret, JSON.stringify(text));
    if (v === undefined) continue;
    assert.equal(jsonValueText(v), shown, JSON.stringify(text)); // a double prints its source text
  }
});

test('nesting: 32 levels parse, 33 fail (libfastjson max depth 32); a NUL ends the text; // comments need their newline', () => {
  assert.notEqual(parseFastJson('['.repeat(32) + ']'.repeat(32)), undefined);
  assert.equal(parseFastJson('['.repeat(33) + ']'.repeat(33)), undefined);
  assert.deepEqual(parseFastJson('{"a": 1}\0garbage'), { a: 1 });
  assert.equal(parseFastJson('"ab\0cd"'), undefined, 'the string is cut at the NUL: unterminated');
  assert.equal(parseFastJson('5 // c'), undefined);
  assert.equal(parseFastJson('// c\n5 '), 5);
  assert.equal(parseFastJson(''), undefined);
  assert.equal(parseFastJson('   '), undefined);
  assert.deepEqual(parseFastJson('{"__proto__": 1, "x": 2}'), JSON.parse('{"__proto__": 1, "x": 2}'), 'keys are plain data');
});

// EventRow.mayHave(prefix) lets rules on json.* / nginx.* / kv.* skip field extraction. It must be a necessary
// condition: whenever extraction yields a field under a prefix, mayHave says yes (fast-check, on messages
// assembled from JSON, nginx combined and key=value pieces with odd leading whitespace).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { combinedLike, combinedLikeScan, toEvent } from '../../src/detect/event';
import { Message } from '../../src/message';
import { extractFields } from '../../src/parse/extract';
import { SyslogTime } from '../../src/time';

const lead = fc.constantFrom('', ' ', '  ', '\t', '\n', '\r', '\u00a0', '\u2003', ' \u00a0');
const addr = fc.constantFrom('203.0.113.7', '2001:db8::1', 'host-a', '-', '', 'a\u00a0b');
const combined = fc.tuple(addr, fc.constantFrom(' - ', ' -  ', '\t- ', ' — '), fc.constantFrom('-', 'bob'), fc.constantFrom(
  ' [15/Jan/2025:07:00:00 +0000] "GET /x HTTP/1.1" 404 12 "-" "curl/8"',
  ' [15/Jan/2025:07:00:00 +0000] "POST / HTTP/1.1" 500 - "-" "sqlmap" "a=b"',
  ' [x] "GET" 200 1 "-" "-"',
  ' [15/Jan] "GET /',
)).map((p) => p.join(''));
const json = fc.constantFrom('{"remote_addr":"203.0.113.7","status":404,"request":"GET / HTTP/1.1"}', '{"a":1}', '{"log_type":"login_x"} ', '{broken', 'x {"a":1}');
const kv = fc.constantFrom('user=alice src=10.0.0.1', 'a = b', 'plain words', '');
const msgText = fc.tuple(lead, fc.oneof(combined, json, kv), fc.constantFrom('', ' ', ' trailing', '\n')).map((p) => p.join(''));

test('mayHave(prefix) is true whenever extraction yields a field under that prefix (property)', () => {
  fc.assert(fc.property(msgText, (text) => {
    const m = new Message(Buffer.from('x'), { inputname: 't', fromhostIp: '127.0.0.1', fromhost: 'h', ruleset: '' }, SyslogTime.now());
    m.msg = text;
    const fields = extractFields(m.msg, m.structuredData, m.json);
    const ev = toEvent(m);
    for (const prefix of ['json.', 'nginx.', 'kv.']) {
      if (Object.keys(fields).some((k) => k.startsWith(prefix))) assert.ok(ev.row.mayHave(prefix), `${prefix} of ${JSON.stringify(text)}`);
    }
  }), { numRuns: 2000 });
});

test('mayHave(nginx.) is false for a plain message, true for combined and JSON access lines', () => {
  const row = (text: string): boolean => {
    const m = new Message(Buffer.from('x'), { inputname: 't', fromhostIp: '127.0.0.1', fromhost: 'h', ruleset: '' }, SyslogTime.now());
    m.msg = text;
    return toEvent(m).row.mayHave('nginx.');
  };
  assert.equal(row('seq=1 user=alice src=10.0.0.1 action=login result=failure xxxx'), false);
  assert.equal(row(' 203.0.113.7 - - [15/Jan/2025:07:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "x"'), true);
  assert.equal(row('{"remote_addr":"203.0.113.7","status":200}'), true);
});

test('combinedLike (builtin searches) answers as the character-by-character definition (property)', () => {
  const ch = fc.constantFrom(' ', '-', '\t', '\n', '\r', '\u00a0', '\u2003', '\u3000', 'a', '1', '.', ':', '[', '"');
  fc.assert(fc.property(fc.oneof(fc.array(ch, { maxLength: 12 }).map((a) => a.join('')), msgText), (text) => {
    assert.equal(combinedLike(text), combinedLikeScan(text), JSON.stringify(text));
  }), { numRuns: 5000 });
});

// Byte fidelity in templates, as rsyslogd 8.2302 writes it (checked with the differential suite,
// test/interop/diff): positions count bytes, a cut inside a character keeps its bytes, 8-bit constants are bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSyslog, DEFAULT_PARSE_OPTIONS } from '../../../src/parse';
import { Message } from '../../../src/message';
import { encodeRaw } from '../../../src/util/raw-text';
import { listTemplate, receivedAt, stringTemplate } from './helpers';

const ORIGIN = { inputname: 'imtcp', fromhostIp: '127.0.0.1', fromhost: 'localhost', ruleset: 'RSYSLOG_DefaultRuleset' };

function parseBytes(frame: Buffer): Message {
  const m = new Message(frame, ORIGIN, receivedAt());
  parseSyslog(frame, m, DEFAULT_PARSE_OPTIONS);
  return m;
}

const out = (tpl: string, frame: Buffer): Buffer => encodeRaw(stringTemplate(tpl).render(parseBytes(frame)));

test('%msg:from:to% counts bytes and cuts inside a character (rsyslogd writes the partial bytes)', () => {
  const frame = Buffer.from('<13>Oct 11 22:14:15 myhost tag:\xc3\xa9\xc3\xa9\xc3\xa9 x', 'latin1');
  // msg is "ééé x" (no leading space after "tag:"): bytes C3 A9 C3 A9 C3 A9 20 78
  assert.deepEqual(out('[%msg:1:4%][%msg:2:3%]', frame), Buffer.from('[\xc3\xa9\xc3\xa9][\xa9\xc3]', 'latin1'));
});

test('invalid UTF-8 and Latin-1 bytes are written back unchanged', () => {
  const body = Buffer.from(' hello \xff\xfe world caf\xe9 \xc3\xa9', 'latin1');
  const frame = Buffer.concat([Buffer.from('<13>Oct 11 22:14:15 myhost su:'), body]);
  assert.deepEqual(out('%msg%', frame), body);
  assert.deepEqual(out('%rawmsg%', frame), frame);
  // json escaping leaves bytes >= 0x5d alone, as rsyslog's does
  assert.deepEqual(out('%msg:::json%', frame), body);
});

test('fixed-width pads to a byte count', () => {
  const frame = Buffer.from('<13>Oct 11 22:14:15 myhost tag: \xc3\xa9', 'latin1');
  assert.deepEqual(out('[%msg:1:5:fixed-width%]', frame), Buffer.from('[ \xc3\xa9  ]', 'latin1'));
});

test('8-bit bytes in list constants are single bytes', () => {
  const tpl = listTemplate([['constant', 'a\\xe9b\\351']]);
  assert.deepEqual(encodeRaw(tpl.render(parseBytes(Buffer.from('<13>x')))), Buffer.from('a\xe9b\xe9', 'latin1'));
});

// encodeMessages (the store action's path to the writer thread) must give the writer exactly the columns that
// toStoredRow + encodeRows give, wherever the fields are extracted (here, or by decodeRows on the writer side).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Message } from '../../src/message';
import { DEFAULT_PARSE_OPTIONS, parseSyslog } from '../../src/parse';
import { toStoredRow } from '../../src/store/backend';
import { decodeRows, encodeMessages, encodeRows, TEXT_COLUMNS, T_FIELDS, T_TLS_PEER, type DecodedRows } from '../../src/store/encoded-rows';
import { SyslogTime } from '../../src/time';

const FRAMES = [
  '<34>1 2026-11-22T10:00:00.000Z host00 sshd 1000 ID0 [meta@32473 seq="1" q="a\\"b"] seq=1 action=login result=failure',
  '<13>Nov 22 10:00:01 web01 nginx[12]: 10.1.2.9 - - [15/Jan/2025:07:25:36 +0000] "GET /x HTTP/1.1" 502 12 "-" "curl/8.5.0"',
  '<14>Nov 22 10:00:02 db01 app: {"log_level":"INFO","params":{"username":"user43"}}',
  '<14>Nov 22 10:00:03 db01 plain text, no fields',
  '<14>1 2026-11-22T10:00:04Z h a - - - caf\u00e9 user=\u00e9l\u00e8ve',
];

function messages(): Message[] {
  const out: Message[] = [];
  for (const [i, text] of FRAMES.entries()) {
    const frame = Buffer.from(text);
    const tls = i === 1 ? 'CN=client.example' : undefined;
    const m = new Message(frame, { inputname: 'imtcp', fromhostIp: i === 2 ? '2001:db8::7' : '10.0.0.1', fromhost: 'peer', ruleset: 'r', tlsPeer: tls }, SyslogTime.fromEpochMs(1_764_000_000_000 + i));
    parseSyslog(frame, m, DEFAULT_PARSE_OPTIONS);
    if (i === 3) m.json = { params: { user: 'alice' }, n: 3 }; // `$!` variables: always extracted on the sending side
    out.push(m);
  }
  // rawmsg that is not valid UTF-8 (kept as escapes, stored as a BLOB)
  const bad = Buffer.concat([Buffer.from('<14>Nov 22 10:00:05 h t: bad '), Buffer.from([0xff, 0xfe]), Buffer.from(' k=v')]);
  const m = new Message(bad, { inputname: 'imtcp', fromhostIp: '10.0.0.2', fromhost: 'p', ruleset: 'r' }, SyslogTime.fromEpochMs(1_764_000_000_100));
  parseSyslog(bad, m, DEFAULT_PARSE_OPTIONS);
  out.push(m);
  return out;
}

function plain(d: DecodedRows): { count: number; nums: number[]; texts: Array<string | null> } {
  return { count: d.count, nums: [...d.nums], texts: d.texts };
}

for (const keepRaw of [false, true]) {
  for (const extractHere of [false, true]) {
    test(`encodeMessages = encodeRows(toStoredRow) (keepRaw ${keepRaw}, extract ${extractHere ? 'on the sending side' : 'on the writer side'})`, () => {
      const msgs = messages();
      const want = plain(decodeRows(encodeRows(msgs.map((m) => toStoredRow(m, keepRaw)))));
      const got = plain(decodeRows(encodeMessages(msgs, 0, msgs.length, keepRaw, extractHere)));
      // The TLS peer slot is only used on the way (tls.peer is in the fields either way): compare the columns.
      for (let i = 0; i < got.count; i++) got.texts[i * TEXT_COLUMNS + T_TLS_PEER] = want.texts[i * TEXT_COLUMNS + T_TLS_PEER]!;
      assert.deepEqual(got, want);
      const fields = JSON.parse(got.texts[1 * TEXT_COLUMNS + T_FIELDS]!) as Record<string, unknown>;
      assert.equal(fields['tls.peer'], 'CN=client.example');
      assert.equal(fields['nginx.status'], 502);
    });
  }
}

test('encodeMessages encodes a sub-range', () => {
  const msgs = messages();
  const want = plain(decodeRows(encodeRows(msgs.slice(2, 4).map((m) => toStoredRow(m)))));
  const got = plain(decodeRows(encodeMessages(msgs, 2, 4, false, true)));
  assert.deepEqual(got.nums, want.nums);
  const columns = (t: Array<string | null>): Array<string | null> => t.filter((_, i) => i % TEXT_COLUMNS !== T_TLS_PEER);
  assert.deepEqual(columns(got.texts), columns(want.texts));
});

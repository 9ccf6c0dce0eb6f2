// Field extraction tables: seed 004 JSON after a tag, CEE, RFC 5424 SD, key=value, nginx combined / JSON / body.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFields, MAX_FIELDS, MAX_VALUE_LENGTH, type Fields } from '../../src/parse/extract';

// Seed 004: Soliton OneGate sends `TIMESTAMP OneGate manager {json}`; rsyslog keeps " {json}" as msg.
const ONEGATE = ' {"log_type":"login_manager","log_level":"INFO","tenantcode":"xxxx","message":"Successfully logged in.",'
  + '"params":{"code":"IM-605-I-001000","ip_address":"192.0.2.7","user_agent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64)",'
  + '"username":"xxxxx"},"timestamp":"2025-01-15T07:25:36.523+00:00"}';

// Seed 002: PLURA's nginx `log_format mod_plura` writes JSON without escape=json, so nginx escapes '"' as \x22
// and non-ASCII bytes as \xHH inside the values (here a JSON POST body with a Korean character, UTF-8 EC 95 88).
const PLURA = '{"Remote-addr": "203.0.113.9","X-forwarded-for": "-","Host": "shop.example","Request-date": "15/Jan/2025:07:25:36 +0000",'
  + '"Request-msec": "1736925936.523","Request": "POST /api/login HTTP/1.1","Method": "POST","Uri": "/api/login","Referer": "-",'
  + '"User-Agent": "curl/8.5.0","Cookie": "-","Req-Content-Type": "application/json","Req-Content-Length": "33",'
  + '"Post-body": "{\\x22user\\x22:\\x22admin\\x22,\\x22pw\\x22:\\x22\\xEC\\x95\\x88\\x22}","Status": "401","Cache-Control": "-",'
  + '"Transfer-Encoding": "-","Resp-Content-Type": "application/json","Resp-Content-Length": "17","ModPlura-version": "Nginx/5.5.0(1.24.0)"}';

const cases: Array<{ name: string; msg: string; sd?: string; vars?: Record<string, unknown>; want: Fields; absent?: string[] }> = [
  {
    name: 'seed 004 OneGate JSON after the tag',
    msg: ONEGATE,
    want: {
      'json.log_type': 'login_manager', 'json.log_level': 'INFO', 'json.params.username': 'xxxxx',
      'json.params.ip_address': '192.0.2.7', 'json.params.code': 'IM-605-I-001000', 'json.timestamp': '2025-01-15T07:25:36.523+00:00',
    },
  },
  { name: 'JSON after tag-like words', msg: 'manager {"a":{"b":[1,"x"]}}', want: { 'json.a.b.0': 1, 'json.a.b.1': 'x' } },
  {
    name: 'CEE cookie',
    msg: ' @cee: {"event":"login","user":{"name":"bob"},"ok":true}',
    want: { 'cee.event': 'login', 'cee.user.name': 'bob', 'cee.ok': true },
  },
  {
    name: 'RFC 5424 structured data (RFC 5424 §6.5 example 3) with escapes',
    msg: 'An application event log entry...',
    sd: '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high" q="a\\"b\\]c\\\\"]',
    want: {
      'sd.exampleSDID@32473.iut': '3', 'sd.exampleSDID@32473.eventSource': 'Application', 'sd.exampleSDID@32473.eventID': '1011',
      'sd.examplePriority@32473.class': 'high', 'sd.examplePriority@32473.q': 'a"b]c\\',
    },
  },
  {
    name: 'key=value pairs with double and single quotes',
    msg: ' Accepted user=alice src=10.0.0.1 note="hello \\"world\\"" who=\'bob smith\', port=22;',
    want: { 'kv.user': 'alice', 'kv.src': '10.0.0.1', 'kv.note': 'hello "world"', 'kv.who': 'bob smith', 'kv.port': '22' },
  },
  {
    name: 'nginx combined',
    msg: '93.184.216.34 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif?q=\\x22x\\x22 HTTP/1.0" 200 2326 "http://example.com/" "Mozilla/4.08"',
    want: {
      'nginx.remote_addr': '93.184.216.34', 'nginx.remote_user': 'frank', 'nginx.time_local': '10/Oct/2000:13:55:36 -0700',
      'nginx.method': 'GET', 'nginx.uri': '/a.gif?q="x"', 'nginx.protocol': 'HTTP/1.0', 'nginx.status': 200,
      'nginx.body_bytes_sent': 2326, 'nginx.http_referer': 'http://example.com/', 'nginx.http_user_agent': 'Mozilla/4.08',
    },
    absent: ['kv.q'],
  },
  {
    name: 'nginx combined with a request body field',
    msg: ' 10.0.0.5 - - [15/Jan/2025:07:25:36 +0000] "POST /login HTTP/1.1" 401 12 "-" "curl/8.0" Body: "user=admin&pass=x"',
    want: { 'nginx.method': 'POST', 'nginx.status': 401, 'nginx.request_body': 'user=admin&pass=x' },
    absent: ['nginx.remote_user', 'nginx.http_referer'],
  },
  {
    name: 'seed 002 PLURA nginx JSON with the POST body',
    msg: PLURA,
    want: {
      'nginx.remote_addr': '203.0.113.9', 'nginx.method': 'POST', 'nginx.uri': '/api/login', 'nginx.status': 401,
      'nginx.request_body': '{"user":"admin","pw":"안"}', 'nginx.body_bytes_sent': 17, 'nginx.host': 'shop.example',
      'json.Post-body': '{"user":"admin","pw":"안"}', 'json.Status': '401',
    },
    absent: ['nginx.http_x_forwarded_for', 'nginx.http_cookie'],
  },
  {
    name: 'nginx escape=json log line',
    msg: '{"time":"2025-01-15T07:25:36+00:00","remote_addr":"198.51.100.2","request":"GET / HTTP/2.0","status":"304","request_body":""}',
    want: { 'nginx.remote_addr': '198.51.100.2', 'nginx.method': 'GET', 'nginx.uri': '/', 'nginx.status': 304 },
    absent: ['nginx.request_body'],
  },
  { name: 'rsyslog $! tree', msg: 'x', vars: { params: { user: 'a', n: 2 } }, want: { 'var.params.user': 'a', 'var.params.n': 2 } },
];

test('extraction table', () => {
  for (const c of cases) {
    const got = extractFields(c.msg, c.sd, c.vars ?? null);
    for (const [k, v] of Object.entries(c.want)) assert.deepEqual(got[k], v, `${c.name}: ${k}`);
    for (const k of c.absent ?? []) assert.equal(k in got, false, `${c.name}: ${k} must be absent`);
  }
});

test('bad input never throws and yields no fields', () => {
  for (const msg of ['not json {broken', '{"a":', '@cee: not json', '"""', '=', 'a=', '[[[', '\u0000\uffff', '{'.repeat(10000) + '}']) {
    const got = extractFields(msg, '[bad sd');
    assert.deepEqual(Object.keys(got).filter((k) => !k.startsWith('kv.')), [], msg.slice(0, 20));
  }
  assert.deepEqual(Object.keys(extractFields('no fields here')), []);
  assert.deepEqual(Object.keys(extractFields('{"__proto__":{"x":1}}')), ['json.__proto__.x'], 'no prototype pollution');
});

test('bounds: field count, depth and value length are capped', () => {
  const many: Record<string, number> = {};
  for (let i = 0; i < 1000; i++) many[`k${i}`] = i;
  assert.equal(Object.keys(extractFields(JSON.stringify(many))).length, MAX_FIELDS);
  let deep: unknown = 'leaf';
  for (let i = 0; i < 50; i++) deep = { d: deep };
  const d = extractFields(JSON.stringify(deep));
  assert.equal(Object.keys(d).length, 0, 'values below the depth cap are dropped');
  const long = extractFields(`{"v":"${'x'.repeat(100_000)}"}`);
  assert.equal((long['json.v'] as string).length, MAX_VALUE_LENGTH);
  const kv = extractFields(Array.from({ length: 1000 }, (_, i) => `k${i}=${i}`).join(' '));
  assert.equal(Object.keys(kv).length, MAX_FIELDS);
});

test('a TLS peer subject is stored as the field tls.peer and is searchable by that name', async () => {
  const { Message } = await import('../../src/message');
  const { SyslogTime } = await import('../../src/time');
  const { toStoredRow } = await import('../../src/store/backend');
  const { resolveField } = await import('../../src/store/query/fields');
  const origin = { inputname: 'imtcp', fromhost: 'h', fromhostIp: '192.0.2.9', ruleset: 'r', tlsPeer: 'CN=client.example.net,O=Example' };
  const m = new Message(Buffer.from('x'), origin, SyslogTime.now());
  assert.equal(m.tlsPeer, 'CN=client.example.net,O=Example');
  assert.equal(toStoredRow(m).fields['tls.peer'], 'CN=client.example.net,O=Example');
  assert.equal(toStoredRow(new Message(Buffer.from('x'), { ...origin, tlsPeer: undefined }, SyslogTime.now())).fields['tls.peer'], undefined);
  assert.deepEqual(resolveField('tls.peer'), { kind: 'extracted', path: 'tls.peer' });
});

// nginx access logs tailed by imfile into the store: the default combined format, a JSON log_format with
// escape=json and the documented combined + "$request_body" format (docs/collection.md). Bodies are stored as
// nginx.request_body, searchable, and capped at 8192 characters (MAX_VALUE_LENGTH).
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_VALUE_LENGTH } from '../../../src/parse/extract';
import { parseQuery } from '../../../src/store/query/parser';
import { SqliteStore } from '../../../src/store/sqlite';
import { startLogwarden } from '../../helpers/logwarden';
import { tempDir, waitFor } from '../../helpers/util';

const tmp = tempDir('lw-nginx-');
after(() => tmp.cleanup());

it('nginx combined, JSON (escape=json) and combined+body logs: status and request_body searchable, body capped', { timeout: 60_000 }, async () => {
  const logs = join(tmp.dir, 'nginx');
  mkdirSync(logs);
  const big = 'x'.repeat(MAX_VALUE_LENGTH + 5000);
  // log_format combined (nginx default)
  writeFileSync(join(logs, 'access.log'), '203.0.113.7 - - [02/Jan/2026:03:04:05 +0000] "GET /index.html HTTP/1.1" 200 612 "-" "curl/8.5.0"\n' +
    '203.0.113.8 - bob [02/Jan/2026:03:04:06 +0000] "GET /private HTTP/1.1" 403 153 "https://shop.example/" "Mozilla/5.0"\n');
  // log_format json escape=json '{"time":"$time_iso8601","remote_addr":"$remote_addr","request":"$request","status":"$status",
  //   "body_bytes_sent":"$body_bytes_sent","request_body":"$request_body","http_user_agent":"$http_user_agent"}';
  writeFileSync(join(logs, 'json.log'), JSON.stringify({ time: '2026-01-02T03:04:05+00:00', remote_addr: '198.51.100.2', request: 'POST /api/login HTTP/1.1',
    status: '401', body_bytes_sent: '17', request_body: '{"user":"admin","password":"hunter2"}', http_user_agent: 'python-requests/2.31' }) + '\n');
  // log_format withbody '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer"
  //   "$http_user_agent" Body: "$request_body"';
  writeFileSync(join(logs, 'body.log'),
    '192.0.2.9 - - [02/Jan/2026:03:04:07 +0000] "POST /search HTTP/1.1" 500 0 "-" "sqlmap/1.7" Body: "q=1\\x27 OR \\x271\\x27=\\x271"\n' +
    `192.0.2.9 - - [02/Jan/2026:03:04:08 +0000] "POST /upload HTTP/1.1" 413 0 "-" "curl/8.5.0" Body: "${big}"\n`);
  const store = join(tmp.dir, 'store');
  // maxMessageSize above the body: imfile cuts longer lines into several messages, as rsyslog does.
  const server = await startLogwarden(tmp.dir, `global(maxMessageSize="64k")
module(load="imfile")
input(type="imfile" File="${logs}/*.log" Tag="nginx:")
action(type="store" path="${store}")
`);
  const st: { s: SqliteStore | null } = { s: null };
  const hits = async (q: string) => {
    if (!existsSync(store)) return [];
    st.s ??= new SqliteStore({ path: store, readonly: true });
    const r = await st.s.search({ query: parseQuery(q), limit: 100 });
    return r.kind === 'hits' ? r.hits : [];
  };
  try {
    await waitFor(async () => (await hits('*').catch(() => [])).length === 5, 'five access log lines', 30_000);
    assert.equal((await hits('app:nginx nginx.status:>=400')).length, 4);
    assert.equal((await hits('nginx.request_body:*admin*')).length, 1, 'JSON log_format body');
    assert.equal((await hits("nginx.request_body:*OR*")).length, 1, 'combined + Body: "$request_body", \\x escapes decoded');
    const [up] = await hits('nginx.uri:"/upload"');
    assert.equal(String(up!.fields['nginx.request_body']).length, MAX_VALUE_LENGTH, 'the body is capped');
    const [sqli] = await hits('nginx.uri:"/search"');
    assert.equal(sqli!.fields['nginx.request_body'], "q=1' OR '1'='1");
  } finally {
    await st.s?.close();
    await server.stop();
  }
});

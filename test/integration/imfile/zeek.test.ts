// Zeek logs through imfile format="zeek" into the store: http.log and conn.log in TSV and in JSON, tailed
// while Zeek-style rotation renames them to dated files (which still match *.log): each record stored once
// with zeek.* fields, ts as the reported time, zeek.log from #path / _path / the file name.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseQuery } from '../../../src/store/query/parser';
import { SqliteStore } from '../../../src/store/sqlite';
import { startLogwarden } from '../../helpers/logwarden';
import { tempDir, waitFor } from '../../helpers/util';

const tmp = tempDir('lw-zeek-');
after(() => tmp.cleanup());

const T = '\t';
const HTTP_FIELDS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'trans_depth', 'method', 'host', 'uri', 'referrer',
  'version', 'user_agent', 'request_body_len', 'response_body_len', 'status_code', 'status_msg', 'tags', 'resp_mime_types'];
const HTTP_TYPES = ['time', 'string', 'addr', 'port', 'addr', 'port', 'count', 'string', 'string', 'string', 'string', 'string', 'string',
  'count', 'count', 'count', 'string', 'set[enum]', 'vector[string]'];
const CONN_FIELDS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'service', 'duration', 'orig_bytes', 'resp_bytes', 'conn_state'];
const CONN_TYPES = ['time', 'string', 'addr', 'port', 'addr', 'port', 'enum', 'string', 'interval', 'count', 'count', 'string'];

function header(path: string, fields: string[], types: string[]): string {
  return ['#separator \\x09', `#set_separator${T},`, `#empty_field${T}(empty)`, `#unset_field${T}-`, `#path${T}${path}`,
    `#open${T}2026-01-02-03-00-00`, `#fields${T}${fields.join(T)}`, `#types${T}${types.join(T)}`].join('\n') + '\n';
}

const now = (): string => (Date.now() / 1000).toFixed(6);
function httpRow(uid: string, orig: string, status: number, uri: string): string {
  return [now(), uid, orig, '52814', '192.168.1.10', '80', '1', 'GET', 'shop.example', uri, '-', '1.1', 'Mozilla/5.0', '0', '512',
    String(status), status === 200 ? 'OK' : 'Not Found', '(empty)', 'text/html'].join(T) + '\n';
}
function connRow(uid: string, orig: string): string {
  return [now(), uid, orig, '52814', '192.168.1.10', '80', 'tcp', 'http', '0.250000', '73', '512', 'SF'].join(T) + '\n';
}

it('Zeek TSV and JSON logs: zeek.* fields, rotation to dated files, searches by status and address', { timeout: 120_000 }, async () => {
  const tsv = join(tmp.dir, 'zeek/tsv');
  const json = join(tmp.dir, 'zeek/json');
  mkdirSync(tsv, { recursive: true });
  mkdirSync(json, { recursive: true });
  writeFileSync(join(tsv, 'http.log'), header('http', HTTP_FIELDS, HTTP_TYPES) + httpRow('CHhAvV', '10.0.0.5', 200, '/') + httpRow('CRdvq2', '10.0.0.6', 404, '/admin'));
  writeFileSync(join(tsv, 'conn.log'), header('conn', CONN_FIELDS, CONN_TYPES) + connRow('CHhAvV', '10.0.0.5'));
  writeFileSync(join(json, 'http.log'), JSON.stringify({ ts: Date.now() / 1000, uid: 'CJ1', 'id.orig_h': '10.0.0.7', 'id.orig_p': 40000,
    'id.resp_h': '192.168.1.10', 'id.resp_p': 443, method: 'POST', uri: '/login', status_code: 500 }) + '\n');
  writeFileSync(join(json, 'conn.log'), JSON.stringify({ _path: 'conn', ts: new Date().toISOString(), uid: 'CJ2', 'id.orig_h': '10.0.0.7', proto: 'tcp' }) + '\n');
  const store = join(tmp.dir, 'store');
  const conf = `module(load="imfile")
input(type="imfile" File="${tmp.dir}/zeek/*/*.log" format="zeek" Tag="zeek:")
action(type="store" path="${store}")
`;
  const server = await startLogwarden(tmp.dir, conf);
  const st: { s: SqliteStore | null } = { s: null };
  const count = async (q: string): Promise<number> => {
    if (!existsSync(store)) return 0;
    st.s ??= new SqliteStore({ path: store, readonly: true });
    const r = await st.s.search({ query: parseQuery(q), limit: 1000 });
    return r.kind === 'hits' ? r.hits.length : -1;
  };
  const settled = async (q: string): Promise<number> => count(q).catch(() => 0);
  try {
    await waitFor(async () => (await settled('*')) === 5, 'the first 5 records', 30_000);
    // Zeek rotation: the log is renamed to a dated name (still matching *.log), a new one starts with a header.
    appendFileSync(join(tsv, 'http.log'), httpRow('C3', '10.0.0.8', 403, '/secret'));
    renameSync(join(tsv, 'http.log'), join(tsv, 'http.2026-01-02-03-00-00.log'));
    appendFileSync(join(tsv, 'http.2026-01-02-03-00-00.log'), `#close${T}2026-01-02-04-00-00\n`);
    writeFileSync(join(tsv, 'http.log'), header('http', HTTP_FIELDS, HTTP_TYPES) + httpRow('C4', '10.0.0.9', 200, '/after'));
    await waitFor(async () => (await settled('*')) === 7, 'the records around the rotation', 30_000);
    await server.rt.whenIdle();
    await new Promise((r) => setTimeout(r, 1500)); // one more look: the dated file must not be read again
    assert.equal(await count('*'), 7, 'each record once');
    assert.equal(await count('zeek.log:http zeek.status_code:>=400'), 3);
    assert.equal(await count('zeek.log:conn'), 2);
    assert.equal(await count('zeek.id.orig_h:10.0.0.7'), 2);
    assert.equal(await count('zeek.id.orig_h:10.0.0.5'), 2);
    assert.equal(await count('zeek.uri:"/after"'), 1);
    const r = await st.s!.search({ query: parseQuery('zeek.uid:CRdvq2'), limit: 5 });
    assert.ok(r.kind === 'hits');
    const h = r.hits[0]!;
    assert.equal(h.fields['zeek.status_code'], 404);
    assert.equal(h.fields['zeek.tags'], '', '(empty) is an empty value');
    assert.equal(h.fields['zeek.referrer'], undefined, '- is unset');
    assert.ok(Math.abs(h.tsReported / 1000 - Date.now()) < 120_000, 'ts is the reported time');
  } finally {
    await st.s?.close();
    await server.stop();
  }
});

// Store query benchmark: fill a SQLite store with N synthetic rows straight through the backend (reports the
// insert rate, extraction included), then time 20 typical queries (first page or aggregation) and print p50/p95.
// usage: node dist/bench/store-query.js DIR [N=10000000] [REPEAT=5]
import { existsSync } from 'node:fs';
import { extractFields } from '../src/parse/extract';
import type { StoredRow } from '../src/store/backend';
import { parseQuery } from '../src/store/query/parser';
import { SqliteStore } from '../src/store/sqlite';

const QUERIES = [
  '"failed password"',
  'host:web01',
  'host:web0* app:sshd',
  'app:sshd severity:<=warning',
  'severity:err -15m',
  'facility:auth "session opened"',
  'fromhost-ip:10.0.0.0/16',
  'fromhost-ip:2001:db8::/32',
  'kv.user:alice kv.result:failure',
  'json.params.username:user43',
  'nginx.status:>=500',
  'pass* OR root',
  'NOT host:web01 failed',
  'msgid:ID7 procid:1207',
  '* | count',
  'failed | count by host',
  '* -1h | top 10 app',
  '* -6h | timechart 5m',
  'sshd -1h | timechart 1m by severity',
  'host:db01 | count by app, severity',
];

const HOSTS = ['web01', 'web02', 'web03', 'db01', 'db02', 'fw-edge', 'k8s-node-1', 'k8s-node-2'];
const APPS = ['sshd', 'nginx', 'postgres', 'kernel', 'cron', 'sudo', 'systemd', 'OneGate'];
const SPAN_US = 24 * 3_600_000_000;

function row(k: number, nowUs: number, n: number): StoredRow {
  let msg: string;
  switch (k % 5) {
    case 0: msg = `Failed password for user${k % 1000} from 10.0.${k % 256}.${(k >> 8) % 256} port ${1024 + (k % 60000)} ssh2`; break;
    case 1: msg = `pam_unix(sshd:session): session opened for user root by (uid=0) seq=${k}`; break;
    case 2: msg = `10.1.${k % 256}.9 - - [15/Jan/2025:07:25:36 +0000] "GET /api/v1/items/${k % 5000} HTTP/1.1" ${k % 17 === 0 ? 502 : 200} ${k % 9000} "-" "curl/8.5.0"`; break;
    case 3: msg = `{"log_type":"login_manager","log_level":"INFO","params":{"username":"user${k % 100}","ip_address":"192.0.2.${k % 250}"}}`; break;
    default: msg = `seq=${k} user=${k % 3 === 0 ? 'alice' : 'bob'} src=10.2.${k % 256}.1 action=login result=${k % 4 === 0 ? 'failure' : 'success'}`;
  }
  const ts = nowUs - Math.floor(((n - k) / n) * SPAN_US);
  return {
    tsReported: ts, tsReceived: ts, host: HOSTS[k % HOSTS.length]!, fromhostIp: k % 11 === 0 ? `2001:db8::${(k % 65535).toString(16)}` : `10.0.${k % 256}.${(k >> 8) % 256}`,
    app: APPS[(k >> 3) % APPS.length]!, procid: String(1000 + (k % 5000)), msgid: `ID${k % 100}`, facility: k % 24, severity: k % 8,
    structuredData: '-', msg, fields: extractFields(msg), raw: null,
  };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const [dir, nText = '10000000', repText = '5'] = process.argv.slice(2);
  if (!dir) throw new Error('usage: store-query.js DIR [N] [REPEAT]');
  const n = Number(nText);
  const fresh = !existsSync(dir);
  const store = new SqliteStore({ path: dir });
  const nowUs = Date.now() * 1000;
  if (fresh) {
    const BATCH = 5000;
    const t0 = process.hrtime.bigint();
    let insertNs = 0n;
    for (let i = 0; i < n; i += BATCH) {
      const batch: StoredRow[] = [];
      for (let k = i; k < Math.min(n, i + BATCH); k++) batch.push(row(k, nowUs, n));
      const t1 = process.hrtime.bigint();
      await store.insert(batch);
      insertNs += process.hrtime.bigint() - t1;
    }
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const ins = Number(insertNs) / 1e9;
    const st = await store.stats();
    console.log(`insert: ${n} rows in ${s.toFixed(1)} s = ${Math.round(n / s)} rows/s with row generation + extraction; `
      + `store.insert alone ${Math.round(n / ins)} rows/s (FTS included); ${(st.bytes / 1048576).toFixed(0)} MiB in ${st.partitions.length} partitions`);
  }
  const repeat = Number(repText);
  console.log(`queries: ${QUERIES.length} × ${repeat} runs, first page of 100 hits or the full aggregation`);
  const all: number[] = [];
  for (const q of QUERIES) {
    const times: number[] = [];
    let size = 0;
    for (let r = 0; r < repeat; r++) {
      const t0 = process.hrtime.bigint();
      const res = await store.search({ query: parseQuery(q), limit: 100 });
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      size = res.kind === 'hits' ? res.hits.length : res.rows.length;
    }
    times.sort((a, b) => a - b);
    all.push(...times);
    console.log(`${pct(times, 50).toFixed(1).padStart(9)} ms p50 ${pct(times, 95).toFixed(1).padStart(9)} ms p95  ${String(size).padStart(4)} rows  ${q}`);
  }
  all.sort((a, b) => a - b);
  console.log(`all queries: p50 ${pct(all, 50).toFixed(1)} ms, p95 ${pct(all, 95).toFixed(1)} ms`);
  await store.close();
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exitCode = 1;
});

// Prints the markdown table of a bench/matrix.sh CSV: per row and receiver the median msgs/s of its rounds
// (min–max), the median CPU seconds, the largest peak RSS; the ratios Logwarden/rsyslog of the medians
// (throughput; CPU as rsyslog's CPU-s over Logwarden's, > 1 = Logwarden cheaper); FAILURE when any run of the
// row lost (or duplicated) a message. usage: node matrix-table.mjs FILE.csv
import { readFileSync } from 'node:fs';

const [head, ...lines] = readFileSync(process.argv[2], 'utf8').trim().split('\n');
const cols = head.split(',');
const runs = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const k = (x) => (x >= 1000 ? `${Math.round(x / 1000)}k` : String(Math.round(x)));
const rows = new Map();
for (const r of runs) {
  if (!rows.has(r.row)) rows.set(r.row, { meta: r, logwarden: [], rsyslog: [] });
  rows.get(r.row)[r.receiver === 'lwb' ? 'rsyslog' : r.receiver].push(r);
}
// An A/B run of two Logwarden builds (RECEIVERS="logwarden lwb"): the second column is build B, not rsyslog.
const other = runs.some((r) => r.receiver === 'lwb') ? 'build B' : 'rsyslog';
const oth = other === 'rsyslog' ? 'rs' : 'B';
function side(rs) {
  if (rs.length === 0) return { text: 'n/a', rate: 0, cpu: 0, rss: 0, failed: false };
  const rates = rs.map((r) => Number(r.msgs_s));
  const failed = rs.some((r) => r.status !== 'ok');
  const rate = median(rates), cpu = median(rs.map((r) => Number(r.cpu_s))), rss = Math.max(...rs.map((r) => Number(r.rss_mb)));
  const range = rs.length > 1 ? ` (${k(Math.min(...rates))}–${k(Math.max(...rates))})` : '';
  return { text: `${failed ? '**FAILURE** ' : ''}${k(rate)}${range}`, rate, cpu, rss, failed };
}
console.log(`| row | transport | framing | format | size | output | msgs | Logwarden msgs/s | ${other} msgs/s | ratio | LW CPU-s | ${oth} CPU-s | CPU ratio | LW RSS MB | ${oth} RSS MB |`);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const [id, { meta, logwarden, rsyslog }] of rows) {
  const a = side(logwarden), b = side(rsyslog);
  const ratio = b.rate > 0 ? (a.rate / b.rate).toFixed(2) : 'n/a';
  const cpuRatio = a.cpu > 0 ? (b.cpu / a.cpu).toFixed(2) : 'n/a';
  console.log(`| ${id} | ${meta.transport} | ${meta.framing} | ${meta.format} | ${meta.size} | ${meta.output} | ${meta.n} | ${a.text} | ${b.text} | ${a.failed || b.failed ? 'FAILURE ' : ''}${ratio} | ${a.cpu.toFixed(2)} | ${b.cpu.toFixed(2)} | ${cpuRatio} | ${a.rss.toFixed(0)} | ${b.rss.toFixed(0)} |`);
}
const loads = runs.map((r) => Number(r.load1));
console.log(`\nload average (1 min) during the runs: ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`);

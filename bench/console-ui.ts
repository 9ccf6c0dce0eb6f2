// Web console benchmark (issue #20), printed, not asserted:
//   1. builds a store of N rows (default 1,000,000) straight through SqliteStore (no network), unless DIR has one;
//   2. starts `logwarden run` on it with the console, logs in with chromium (Debian's, via playwright-core);
//   3. times a 1,000-row search page: full load (navigation → 1,000 rows in the DOM), in-app paging (click
//      "older" → next 1,000 rows), and the API call alone for comparison;
//   4. live tail while ~RATE msgs/s (default 20,000) are sent over TCP for SECS seconds: what the page shows
//      (rows kept, rate and sampling notice), the server's CPU (from /proc/PID/stat) and how many rows it stored.
// usage: node dist/bench/console-ui.js DIR [N=1000000] [RATE=20000] [SECS=10]
import { existsSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { extractFields } from '../src/parse/extract';
import type { StoredRow } from '../src/store/backend';
import { SqliteStore } from '../src/store/sqlite';
import { browserMissing, launchBrowser, loginUi, newPage, startConsoleServer } from '../test/helpers/browser';

const HOSTS = ['edge-1', 'edge-2', 'api-1', 'api-2', 'db-1', 'mail', 'vpn', 'k8s-a'];
const APPS = ['sshd', 'nginx', 'postgres', 'kernel', 'postfix', 'sudo', 'kubelet'];
const SPAN_US = 24 * 3_600_000_000;

function syntheticRow(k: number, nowUs: number, n: number): StoredRow {
  const msg = k % 4 === 0
    ? `{"event":"login","user":"u${k % 500}","ok":${k % 3 !== 0},"ms":${k % 900}}`
    : k % 4 === 1 ? `Accepted publickey for u${k % 500} from 198.51.100.${k % 250} port ${2000 + (k % 50000)} ssh2`
      : k % 4 === 2 ? `status=${k % 7 === 0 ? 503 : 200} path=/v1/items/${k % 9000} bytes=${k % 70000}`
        : `kernel: eth0: link up, 1000 Mbps, seq ${k}`;
  const ts = nowUs - Math.floor(((n - k) / n) * SPAN_US);
  const sd = k % 10 === 0 ? `[origin@32473 ip="10.9.${k % 250}.1" software="bench"]` : '-';
  return {
    tsReported: ts, tsReceived: ts, host: HOSTS[k % HOSTS.length]!, fromhostIp: `10.9.${k % 250}.${(k >> 8) % 250}`,
    app: APPS[(k >> 2) % APPS.length]!, procid: String(100 + (k % 3000)), msgid: '-', facility: k % 24, severity: k % 8,
    structuredData: sd, msg, fields: extractFields(msg, sd), raw: null,
  };
}

async function buildStore(path: string, n: number): Promise<void> {
  const store = new SqliteStore({ path });
  const nowUs = Date.now() * 1000;
  const t0 = Date.now();
  const BATCH = 5000;
  for (let i = 0; i < n; i += BATCH) {
    const batch: StoredRow[] = [];
    for (let k = i; k < Math.min(n, i + BATCH); k++) batch.push(syntheticRow(k, nowUs, n));
    await store.insert(batch);
  }
  const st = await store.stats();
  await store.close();
  console.log(`store: ${n} rows written in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${(st.bytes / 1048576).toFixed(0)} MiB`);
}

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime (fields 14, 15), clock ticks (100/s on Linux)
}

/** Paced TCP sender (own process): RATE msgs/s for SECS seconds in 50 ms ticks, LF-framed RFC 5424; prints the count. */
const SENDER = `
const [port, rate, secs] = process.argv.slice(1).map(Number);
const sock = require('node:net').connect(port, '127.0.0.1');
const per = Math.round(rate / 20);
let sent = 0;
sock.once('connect', async () => {
  const t0 = Date.now();
  while (Date.now() - t0 < secs * 1000) {
    const tick = Date.now();
    const ts = new Date().toISOString();
    let chunk = '';
    for (let i = 0; i < per; i++, sent++) chunk += '<14>1 ' + ts + ' load-' + (sent % 16) + ' loadapp - - - load message ' + sent + ' user=u' + (sent % 100) + ' status=200\\n';
    if (!sock.write(chunk)) await new Promise((r) => sock.once('drain', r));
    const wait = 50 - (Date.now() - tick);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  sock.end(() => { console.log(sent); });
});
`;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const [dir, nText = '1000000', rateText = '20000', secsText = '10'] = process.argv.slice(2);
  if (!dir) throw new Error('usage: console-ui.js DIR [N] [RATE] [SECS]');
  const missing = browserMissing();
  if (missing) throw new Error(missing);
  const n = Number(nText);
  const storePath = join(dir, 'data', 'store');
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  if (!existsSync(storePath)) await buildStore(storePath, n);
  else console.log(`store: reusing ${storePath}`);

  const srv = await startConsoleServer(dir);
  const browser = await launchBrowser();
  try {
    const { page } = await newPage(browser);
    await loginUi(page, srv, '/status');
    const q = new URLSearchParams({ q: '*', from: '-25h', limit: '1000' });
    const loads: number[] = [];
    const pages: number[] = [];
    const apis: number[] = [];
    for (let i = 0; i < 3; i++) {
      await page.goto(`${srv.url}/status`);
      await page.waitForSelector('.page.status');
      let t0 = Date.now();
      await page.goto(`${srv.url}/search?${q}`);
      await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('table.hits tr.hit').length === 1000, null, { timeout: 60_000 });
      loads.push(Date.now() - t0);
      t0 = Date.now();
      await page.click('nav.pager a.next');
      await page.waitForFunction(() => /page 2/.test((globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector('nav.pager')?.textContent ?? '')
        && (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('table.hits tr.hit').length === 1000, null, { timeout: 60_000 });
      pages.push(Date.now() - t0);
      t0 = Date.now();
      const r = await srv.api(`/api/search?${q}`);
      await r.json();
      apis.push(Date.now() - t0);
    }
    console.log(`search page, 1,000 rows over ${n} stored: full load ${median(loads)} ms (runs ${loads.join(', ')}); `
      + `next page in-app ${median(pages)} ms (${pages.join(', ')}); /api/search limit=1000 alone ${median(apis)} ms (${apis.join(', ')})`);

    // Live tail under load.
    const rate = Number(rateText);
    const secs = Number(secsText);
    await page.goto(`${srv.url}/tail`);
    await page.waitForSelector('.conn-live', { timeout: 15_000 });
    const before = await (await srv.api('/api/status')).json() as { store: { rows: number } };
    const ticks0 = cpuTicks(srv.child.pid!);
    // The sender is its own process, so sampling the page here never slows the load down.
    const sender = spawn(process.execPath, ['-e', SENDER, String(srv.tcpPort), String(rate), String(secs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let senderOut = '';
    sender.stdout!.on('data', (d: Buffer) => { senderOut += d.toString(); });
    const senderDone = new Promise<void>((r) => sender.once('exit', () => r()));
    const tStart = Date.now();
    const samples: { rows: number; text: string; sampled: boolean; lagMs: number }[] = [];
    while (Date.now() - tStart < secs * 1000) {
      await new Promise((r) => setTimeout(r, 1000));
      const e0 = Date.now();
      const s = await page.evaluate(() => {
        const d = (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number }; querySelector(s: string): { textContent: string } | null } }).document;
        return { rows: d.querySelectorAll('table.hits tr.hit').length, text: d.querySelector('.tailbar .rate')?.textContent ?? '', sampled: d.querySelector('.notice.sampled') !== null };
      });
      samples.push({ ...s, lagMs: Date.now() - e0 });
    }
    await senderDone;
    const sendS = (Date.now() - tStart) / 1000;
    const ticksSend = cpuTicks(srv.child.pid!) - ticks0;
    const sent = Number(senderOut.trim()) || 0;
    let stored = 0;
    const drainDeadline = Date.now() + 120_000;
    while (Date.now() < drainDeadline) {
      stored = ((await (await srv.api('/api/status')).json()) as { store: { rows: number } }).store.rows - before.store.rows;
      if (stored >= sent) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const allS = (Date.now() - tStart) / 1000;
    const ticksAll = cpuTicks(srv.child.pid!) - ticks0;
    console.log(`live tail under load: sent ${sent} msgs in ${sendS.toFixed(1)} s = ${Math.round(sent / sendS)} msg/s; all ${stored} stored after ${allS.toFixed(1)} s `
      + `(${Math.round(stored / allS)} msg/s end to end); server CPU while sending ${(ticksSend / sendS).toFixed(0)}% of one core, until stored ${(ticksAll / allS).toFixed(0)}% (${ticksAll / 100} CPU s)`);
    console.log(`  page each second: ${samples.map((x) => `${x.rows} rows${x.sampled ? ' [sampled]' : ''} (${x.lagMs} ms)`).join('; ')}`);
    console.log(`  last rate line: "${samples[samples.length - 1]?.text}"; page.evaluate round trip median ${median(samples.map((x) => x.lagMs))} ms (main-thread responsiveness)`);
  } finally {
    await browser.close();
    await srv.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

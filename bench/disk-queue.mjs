// Disk queue throughput: ~250-byte messages encoded (src/queue/codec.ts), appended to a DiskQueue in batches,
// then peeked, decoded and acked — enqueue + dequeue msgs/s for checkpointInterval 0 / 1000 / 1 and
// syncQueueFiles off / on. Median of 3 runs after a discarded warm-up run; prints the machine and a table.
// Usage: node bench/disk-queue.mjs [N=200000] [BATCH=100] [DIR=os.tmpdir()]   (after `npx tsc -p tsconfig.json`)
// N is cut to N/10 for the configurations that fsync on every batch.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
const require = createRequire(import.meta.url);
const { encodeBatch, decodeMessage } = require('../dist/src/queue/codec.js');
const { DiskQueue } = require('../dist/src/queue/disk/disk-queue.js');
const { Message } = require('../dist/src/message.js');
const { SyslogTime } = require('../dist/src/time.js');
const { StreamLogger } = require('../dist/src/log.js');

const N = Number(process.argv[2] ?? 200_000);
const BATCH = Number(process.argv[3] ?? 100);
const BASE = process.argv[4] ?? tmpdir();
const origin = { inputname: 'imtcp', fromhost: 'web-01', fromhostIp: '192.0.2.10', ruleset: 'RSYSLOG_DefaultRuleset' };
/** An RFC 3164 sshd line as the parser leaves it: ~100-byte rawmsg, ~250 bytes encoded. */
function make(i) {
  const text = ` Accepted publickey for alice from 198.51.100.${i % 250} port ${40000 + (i % 20000)}`;
  const m = new Message(Buffer.from(`<38>Dec  3 13:00:00 web-01 sshd[4242]:${text}`), origin, SyslogTime.now());
  m.msg = text; m.hostname = 'web-01'; m.syslogtag = 'sshd[4242]:'; m.programname = 'sshd'; m.appName = 'sshd';
  m.procid = '4242'; m.facility = 4; m.severity = 6;
  m.timereported = new SyslogTime(2026, 12, 3, 13, 0, 0, 0, 0, 60, 1);
  return m;
}
const msgs = Array.from({ length: 1000 }, (_, i) => make(i));
const recBytes = encodeBatch([msgs[0]])[0].length;

/** Steady state of a disk-assisted queue with a backlog: 10 batches queued ahead, then one in, one out. */
function once(cpi, sync, n) {
  const dir = mkdtempSync(join(BASE, 'lw-bench-dq-'));
  const q = DiskQueue.open({ dir, name: 'b', maxFileSize: 1 << 20, maxDiskSpace: 0, checkpointInterval: cpi,
    syncQueueFiles: sync, logger: new StreamLogger({ out: null }), checkpointMs: 1000 });
  let inN = 0;
  let outN = 0;
  let check = 0;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const push = () => {
    const batch = [];
    for (let k = 0; k < BATCH && inN < n; k++) batch.push(msgs[inN++ % 1000]);
    if (q.append(encodeBatch(batch)) !== batch.length) throw new Error('append refused');
  };
  for (let b = 0; b < 10 && inN < n; b++) push();
  while (outN < n) {
    if (inN < n) push();
    const got = q.peek(BATCH);
    for (const buf of got) check += decodeMessage(buf).severity;
    q.ack(got.length);
    outN += got.length;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  q.close();
  rmSync(dir, { recursive: true, force: true });
  if (check !== 6 * n) throw new Error('lost or corrupt messages');
  return { rate: n / secs, cpuUs: (cpu.user + cpu.system) / n };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[1];
console.log(`disk queue bench: node ${process.version}, ${cpus().length} x ${cpus()[0]?.model}, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log(`spool ${BASE}, record payload ${recBytes} bytes (+24 header), batch ${BATCH}, maxFileSize 1 MiB`);
console.log('| checkpointInterval | syncQueueFiles | msgs | enqueue+dequeue msgs/s (median of 3) | runs | CPU µs/msg |');
console.log('|---|---|---|---|---|---|');
for (const sync of [false, true]) {
  for (const cpi of [0, 1000, 1]) {
    const n = sync || cpi === 1 ? Math.max(BATCH * 20, Math.floor(N / 10)) : N;
    once(cpi, sync, Math.min(n, 5000)); // warm-up, discarded
    const runs = [once(cpi, sync, n), once(cpi, sync, n), once(cpi, sync, n)];
    const rates = runs.map((r) => r.rate);
    console.log(`| ${cpi} | ${sync ? 'on' : 'off'} | ${n} | ${Math.round(median(rates)).toLocaleString('en-US')} | ${rates.map((r) => Math.round(r)).join(' / ')} | ${median(runs.map((r) => r.cpuUs)).toFixed(2)} |`);
  }
}

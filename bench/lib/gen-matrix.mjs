// Pre-generates the input of one matrix row: N messages of about SIZE bytes in FORMAT, each carrying a
// sequence number, from 50 hosts × 5 programs, framed for FRAMING, written to FILE in big chunks.
// usage: node gen-matrix.mjs N FILE FRAMING FORMAT SIZE
//   FRAMING: lf (LF after each message; also the UDP input: one line = one datagram) | octet (RFC 6587 "LEN SP MSG")
//   FORMAT:  3164 (BSD header + tag) | 5424sd (RFC 5424 with two SD elements) | json (BSD header + tag + JSON)
import { openSync, writeSync, closeSync } from 'node:fs';

const [nArg, file, framing = 'lf', format = '5424sd', sizeArg = '250'] = process.argv.slice(2);
const n = Number(nArg);
const size = Number(sizeArg);
const HOSTS = Array.from({ length: 50 }, (_, i) => `host${String(i).padStart(2, '0')}`);
const APPS = ['sshd', 'nginx', 'postgres', 'kernel', 'cron'];
const MON = ['Nov'];
const p2 = (v) => String(v).padStart(2, '0');

function message(k) {
  const pri = (k % 24) * 8 + (k % 8);
  const host = HOSTS[k % 50];
  const app = APPS[Math.floor(k / 50) % 5]; // every host sends as every program
  const mm = p2(Math.floor(k / 60000) % 60), ss = p2(Math.floor(k / 1000) % 60);
  const seq = String(k).padStart(8, '0');
  const src = `10.0.${k % 256}.${(k >> 8) % 256}`;
  let head, body;
  if (format === '5424sd') {
    head = `<${pri}>1 2026-11-22T10:${mm}:${ss}.${String(k % 1000).padStart(3, '0')}Z ${host} ${app} ${1000 + (k % 5000)} ID${k % 100} ` +
      `[meta@32473 seq="${seq}" user="alice" src="${src}"][origin ip="10.1.0.${k % 200}" software="lwgen"] `;
    body = `seq=${seq} action=login result=failure `;
  } else if (format === '3164') {
    head = `<${pri}>${MON[0]} 22 10:${mm}:${ss} ${host} ${app}[${1000 + (k % 5000)}]: `;
    body = `seq=${seq} user=alice src=${src} action=login result=failure `;
  } else if (format === 'json') {
    head = `<${pri}>${MON[0]} 22 10:${mm}:${ss} ${host} ${app}[${1000 + (k % 5000)}]: `;
    const pre = `{"seq":${k},"user":"alice","src":"${src}","action":"login","result":"failure","pad":"`;
    const pad = Math.max(0, size - head.length - pre.length - 2);
    return head + pre + 'x'.repeat(pad) + '"}';
  } else throw new Error(`unknown format ${format}`);
  const pad = Math.max(0, size - head.length - body.length);
  return head + body + 'x'.repeat(pad);
}

const fd = openSync(file, 'w');
let chunk = [];
let bytes = 0;
for (let k = 0; k < n; k++) {
  const m = message(k);
  const framed = framing === 'octet' ? `${Buffer.byteLength(m)} ${m}` : `${m}\n`;
  chunk.push(framed); bytes += framed.length;
  if (bytes > 4 << 20) { writeSync(fd, chunk.join('')); chunk = []; bytes = 0; }
}
if (chunk.length) writeSync(fd, chunk.join(''));
closeSync(fd);

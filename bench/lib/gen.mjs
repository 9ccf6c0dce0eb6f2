// Writes N RFC 5424 messages of about SIZE bytes to FILE, LF-framed or octet-counted (RFC 6587), each with a
// sequence number so a run can be checked for loss. usage: node gen.mjs N FILE [lf|octet] [SIZE]
import { createWriteStream } from 'node:fs';

const [n, file, framing = 'lf', sizeArg = '250'] = process.argv.slice(2);
const count = Number(n);
const size = Number(sizeArg);
const out = createWriteStream(file);
const hosts = ['web01', 'web02', 'db01', 'fw-edge', 'k8s-node-3'];
const apps = ['sshd', 'nginx', 'postgres', 'kernel', 'cron'];
let i = 0;
function line(k) {
  const head = `<${(k % 24) * 8 + (k % 8)}>1 2026-11-22T10:${String(Math.floor(k / 60000) % 60).padStart(2, '0')}:${String(Math.floor(k / 1000) % 60).padStart(2, '0')}.${String(k % 1000).padStart(3, '0')}Z ${hosts[k % 5]} ${apps[k % 5]} ${1000 + (k % 5000)} ID${k % 100} - `;
  const body = `seq=${String(k).padStart(8, '0')} user=alice src=10.0.${k % 256}.${(k >> 8) % 256} action=login result=failure `;
  const pad = Math.max(0, size - head.length - body.length);
  return head + body + 'x'.repeat(pad);
}
function write() {
  let ok = true;
  while (i < count && ok) {
    const msg = line(i++);
    const framed = framing === 'octet' ? `${Buffer.byteLength(msg)} ${msg}` : msg + '\n';
    ok = out.write(framed);
  }
  if (i < count) out.once('drain', write);
  else out.end();
}
write();

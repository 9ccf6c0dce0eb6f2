// Sends each line of FILE (LF-framed) as one UDP datagram to HOST:PORT at up to RATE messages/s (bursts of
// 200 per timer tick), then exits. UDP has no back-pressure: RATE is the offered load, and a receiver that
// cannot keep up loses datagrams (counted as a FAILURE by the matrix). usage: node send-udp.mjs HOST PORT FILE RATE
import { readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';

const [host, port, file, rateArg = '100000'] = process.argv.slice(2);
const rate = Number(rateArg);
const data = readFileSync(file);
const lines = [];
for (let s = 0, e; s < data.length; s = e + 1) {
  e = data.indexOf(10, s);
  if (e < 0) e = data.length;
  if (e > s) lines.push(data.subarray(s, e));
}
const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
sock.connect(Number(port), host, () => {
  const t0 = performance.now();
  let i = 0, inflight = 0;
  const done = () => { if (i >= lines.length && inflight === 0) sock.close(); };
  const cb = () => { inflight--; done(); };
  const tick = () => {
    const due = Math.min(lines.length, Math.floor(((performance.now() - t0) / 1000) * rate) + 200);
    while (i < due) { inflight++; sock.send(lines[i++], cb); }
    if (i < lines.length) setTimeout(tick, 1); else done();
  };
  tick();
});

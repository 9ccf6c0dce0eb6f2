// A forward target that stops reading once, for PAUSE_MS, after AFTER bytes (a receiver's hiccup), and otherwise
// reads as fast as it can. Counts the lines received; prints its port on stdout once listening, and on SIGTERM
// (or when LINES lines have arrived) the line count and ms from the first byte to the last line.
// usage: PAUSE_MS=300 AFTER=5000000 LINES=400000 node sink-pause.mjs
import { createServer } from 'node:net';

const PAUSE = Number(process.env.PAUSE_MS ?? 0);
const AFTER = Number(process.env.AFTER ?? 5_000_000);
const WANT = Number(process.env.LINES ?? Infinity);
let bytes = 0;
let lines = 0;
let paused = false;
let first = 0;
let last = 0;
const done = () => { console.log(`lines ${lines} ms ${last - first}`); process.exit(0); };
const server = createServer((sock) => {
  sock.on('data', (b) => {
    if (first === 0) first = Date.now();
    bytes += b.length;
    for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) lines++;
    last = Date.now();
    if (lines >= WANT) done();
    if (!paused && PAUSE > 0 && bytes > AFTER) {
      paused = true;
      sock.pause();
      setTimeout(() => sock.resume(), PAUSE);
    }
  });
  sock.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('SIGTERM', done);

// omfwd's batch framing on its own: render-like concatenated texts (~250 characters, ASCII) framed by FramedBatch
// for both TCP framings, 256 texts a batch; prints CPU ns per message (render + frame), median of 7 passes.
// A/B: ROOT=<other build> node bench/lib/forward-frame.mjs
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.env.ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
const { FramedBatch } = require(join(root, 'dist/src/actions/forward.js'));

const body = 'seq=00001 user=alice src=10.0.0.1 action=login result=failure ' + 'x'.repeat(150);
const msgs = Array.from({ length: 1000 }, (_, i) => `${body.slice(0, 200 + (i % 13))} ${i}`);
// Built piece by piece as a template renders (a rope, not a flat string).
const render = (i) => '<' + (i % 191) + '>' + 'Nov 22 10:00:00' + ' ' + 'host' + (i % 50) + ' ' + 'app[1234]:' + ' ' + msgs[i % 1000];
for (const framing of ['octet-counted', 'traditional']) {
  const framer = new FramedBatch(framing);
  const res = [];
  for (let r = 0; r < 7; r++) {
    const c0 = process.cpuUsage();
    for (let b = 0; b < 2000; b++) {
      const texts = [];
      for (let i = 0; i < 256; i++) texts.push(render(b * 256 + i));
      framer.frame(texts);
    }
    const c = process.cpuUsage(c0);
    res.push(((c.user + c.system) * 1000) / (2000 * 256));
  }
  res.sort((a, b) => a - b);
  console.log(`${framing}: ${res[3].toFixed(0)} ns/msg CPU, render + frame (median of 7; min ${res[0].toFixed(0)})`);
}

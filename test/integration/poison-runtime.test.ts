// One bad message must not jam the server: the real Runtime on seed 003's dynaFile template
// (`$template remote-incoming-logs,"…/%HOSTNAME%/%PROGRAMNAME%.log"` + `*.* ?remote-incoming-logs`), fed over
// UDP with numbered canaries around three poison messages: a 300-character hostname (ENAMETOOLONG), a host
// "a" whose file is a directory made by host "a/x.log" (EISDIR), a host "b/f.log" whose directory is host b's
// file (ENOTDIR). An unwritable directory (chmod 000) would not refuse root, which runs CI, so the refusals come
// from the filesystem's shape instead. Every canary lands exactly once, in order, and nothing is retried.
// Counting poison is the queue's job: that part turns on by itself once ActionQueue's stats have a poison counter.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Action } from '../../src/actions/action';
import { StreamLogger } from '../../src/log';
import { ActionQueue, DEFAULT_QUEUE_OPTIONS } from '../../src/queue/action-queue';
import { startLogwarden } from '../helpers/logwarden';
import { readLines, tempDir, waitFor, waitForLines } from '../helpers/util';

const tmp = tempDir('lw-poison-rt-');
after(() => tmp.cleanup());

/** The queue's poison counter, if the queue consumes DeliveryReports yet (see the file header). */
const POISON_KEY: string | undefined = (() => {
  const probe: Action = { name: 'probe', stats: { delivered: 0, failed: 0 }, deliver: async () => undefined, close: async () => undefined };
  const q = new ActionQueue(probe, DEFAULT_QUEUE_OPTIONS, new StreamLogger({ out: null }), () => undefined);
  return Object.keys(q.stats).find((k) => /poison|reject/i.test(k));
})();
const queueConsumesReports = POISON_KEY !== undefined;

const LONG_HOST = 'h'.repeat(300);

/** The frames in order: [host, app, text]; canaries are host "canary", app "seq". */
function script(): Array<[string, string, string]> {
  const s: Array<[string, string, string]> = [];
  const canary = (n: number): void => { s.push(['canary', 'seq', `canary-${String(n).padStart(3, '0')}`]); };
  canary(1);
  s.push([LONG_HOST, 'p', 'poison-enametoolong']);
  canary(2);
  s.push(['a/x.log', 'p', 'makes-a-dir']);
  canary(3);
  s.push(['a', 'x', 'poison-eisdir']);
  s.push(['b', 'f', 'makes-a-file']);
  canary(4);
  s.push(['b/f.log', 'q', 'poison-enotdir']);
  for (let n = 5; n <= 20; n++) canary(n);
  return s;
}

async function send(port: number, frames: Array<[string, string, string]>): Promise<void> {
  const sock = createSocket('udp4');
  try {
    for (const [host, app, text] of frames) {
      const f = Buffer.from(`<13>1 2026-03-04T05:06:07Z ${host} ${app} - - - ${text}`);
      await new Promise<void>((res, rej) => sock.send(f, port, '127.0.0.1', (e) => (e ? rej(e) : res())));
    }
  } finally {
    sock.close();
  }
}

function walk(d: string, out: string[] = []): string[] {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p, out); else out.push(p);
  }
  return out;
}

async function run(name: string): Promise<{ base: string; stats: ReturnType<Awaited<ReturnType<typeof startLogwarden>>['rt']['queueStats']> }> {
  const dir = join(tmp.dir, name);
  const base = join(dir, 'log');
  mkdirSync(base, { recursive: true });
  const srv = await startLogwarden(dir, [
    'module(load="imudp")',
    'input(type="imudp" port="0" address="127.0.0.1")',
    `$template remote-incoming-logs,"${base}/%HOSTNAME%/%PROGRAMNAME%.log"`,
    '*.* ?remote-incoming-logs',
    `*.* ${join(dir, 'all.log')}`,
  ].join('\n') + '\n');
  try {
    const frames = script();
    await send(srv.port('udp'), frames);
    await waitForLines(join(dir, 'all.log'), frames.length);
    await waitFor(() => readLines(join(base, 'canary', 'seq.log')).length >= 20, 'canaries in seq.log');
    await srv.rt.whenIdle();
    return { base, stats: srv.rt.queueStats() };
  } finally {
    await srv.stop();
  }
}

test('seed 003 dynaFile: poison messages are dropped, every canary lands exactly once, nothing is retried', async () => {
  const { base, stats } = await run('canaries');
  const frames = script();
  const canaries = frames.filter(([h]) => h === 'canary').map(([, , t]) => t);
  const seq = readLines(join(base, 'canary', 'seq.log'));
  assert.deepEqual(seq.map((l) => l.split(' ').at(-1)), canaries, 'each canary once, in order');
  assert.deepEqual(readLines(join(base, 'a', 'x.log', 'p.log')).map((l) => l.split(' ').at(-1)), ['makes-a-dir']);
  assert.deepEqual(readLines(join(base, 'b', 'f.log')).map((l) => l.split(' ').at(-1)), ['makes-a-file']);
  const files = walk(base).map((p) => p.slice(base.length + 1)).sort();
  assert.deepEqual(files, ['a/x.log/p.log', 'b/f.log', 'canary/seq.log'], 'no file for a poison message');
  assert.equal(existsSync(join(base, LONG_HOST)), false);
  // the static file saw every frame exactly once: the dynaFile's trouble never reached the other action
  const all = readLines(join(tmp.dir, 'canaries', 'all.log')).map((l) => l.split(' ').at(-1));
  assert.deepEqual(all, frames.map(([, , t]) => t));
  for (const s of stats) assert.equal(s.retries, 0, `${s.action}: a poison message is not retried`);
});

test('seed 003 dynaFile: the queue counts 3 poison messages', { skip: !queueConsumesReports && 'ActionQueue does not consume DeliveryReports yet (no poison counter in its stats)' }, async () => {
  const { stats } = await run('counted');
  const poison = (q: object): number => Number((q as Record<string, unknown>)[POISON_KEY!] ?? 0);
  const dyna = stats.filter((q) => poison(q) > 0);
  assert.equal(dyna.length, 1, `one queue counted poison: ${JSON.stringify(stats)}`);
  assert.equal(poison(dyna[0]!), 3);
  // whether `delivered` includes the poison is the queue's choice; either way nothing was counted twice
  assert.ok([script().length - 3, script().length].includes(dyna[0]!.delivered), JSON.stringify(dyna[0]));
});

// The live-tail hub on its own: the bus is subscribed only while a client listens, a burst above 200 matching
// messages a second is capped and reported as sampled, a slow client's unsent bytes are bounded (drops counted),
// and the ring replays after Last-Event-ID without repeats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { compileQuery } from '../../../src/detect/query-eval';
import { Message } from '../../../src/message';
import { TailBus } from '../../../src/runtime/tail-bus';
import { parseQuery } from '../../../src/store/query/parser';
import { SyslogTime } from '../../../src/time';
import { MAX_RATE, TailHub } from '../../../src/web/tail';

function fakeRes(writableLength = 0): { res: ServerResponse; frames: string[] } {
  const frames: string[] = [];
  const res = { write: (s: string) => { frames.push(s); return true; }, end: () => {}, writableLength } as unknown as ServerResponse;
  return { res, frames };
}

function msg(text: string): Message {
  const m = new Message(Buffer.from(text), { inputname: 't', fromhost: 'h', fromhostIp: '127.0.0.1', ruleset: 'R' }, SyslogTime.now());
  m.msg = text;
  return m;
}

const match = (q: string) => compileQuery(parseQuery(q));
const msgFrames = (f: string[]) => f.filter((x) => x.startsWith('event: msg'));

test('the bus is subscribed only while clients listen', () => {
  const bus = new TailBus();
  const hub = new TailHub(bus);
  assert.equal(bus.active, false);
  const { res } = fakeRes();
  const detach = hub.attach(res, match('*'), null);
  assert.equal(bus.active, true);
  detach();
  hub.close();
  assert.equal(bus.active, false);
});

test('a burst above the rate is capped at MAX_RATE a second and flagged as sampled', async () => {
  const bus = new TailBus();
  const hub = new TailHub(bus);
  const { res, frames } = fakeRes();
  hub.attach(res, match('burst'), null);
  for (let i = 0; i < 10; i++) bus.publish(Array.from({ length: 100 }, (_, k) => msg(`burst ${i * 100 + k}`)));
  assert.ok(msgFrames(frames).length <= MAX_RATE, `${msgFrames(frames).length} sent`);
  // the stats frame of this second (the hub's 1 s timer) reports the rate and the sampling
  const stats = await statsOf(frames);
  assert.equal(stats.sampled, true);
  assert.ok(stats.rate >= 1000 || stats.sent <= MAX_RATE);
  hub.close();
});

async function statsOf(frames: string[]): Promise<{ rate: number; sent: number; sampled: boolean; dropped: number }> {
  const deadline = Date.now() + 15_000;
  while (!frames.some((f) => f.startsWith('event: stats')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return JSON.parse(frames.find((f) => f.startsWith('event: stats'))!.split('data: ')[1]!);
}

test('a client that does not read loses messages beyond the buffer bound, counted as dropped', async () => {
  const bus = new TailBus();
  const hub = new TailHub(bus);
  const { res, frames } = fakeRes(10 * 1024 * 1024);
  hub.attach(res, match('*'), null);
  bus.publish([msg('a'), msg('b')]);
  assert.equal(msgFrames(frames).length, 0);
  assert.equal((await statsOf(frames)).dropped, 2);
  hub.close();
});

test('Last-Event-ID replays the ring after that id, filtered, without repeats', () => {
  const bus = new TailBus();
  const hub = new TailHub(bus);
  const first = fakeRes();
  const detach = hub.attach(first.res, match('keep'), null);
  bus.publish([msg('keep 1'), msg('drop'), msg('keep 2')]);
  const ids = msgFrames(first.frames).map((f) => /id: (\d+)/.exec(f)![1]!);
  assert.equal(ids.length, 2);
  detach();
  bus.publish([msg('keep 3'), msg('drop'), msg('keep 4')]);
  const again = fakeRes();
  hub.attach(again.res, match('keep'), Number(ids[0]));
  const texts = msgFrames(again.frames).map((f) => JSON.parse(f.split('data: ')[1]!).msg);
  assert.deepEqual(texts, ['keep 2', 'keep 3', 'keep 4']);
  bus.publish([msg('keep 5')]);
  assert.equal(JSON.parse(msgFrames(again.frames).at(-1)!.split('data: ')[1]!).msg, 'keep 5');
  hub.close();
});

// Segments written before the frame form existed (codec version 1 only) are still read: the fixture in
// test/fixtures/queue-v1/ was written by the previous build (DiskQueue + encodeMessage) with three messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Action } from '../../../src/actions/action';
import { StreamLogger } from '../../../src/log';
import { Message } from '../../../src/message';
import { parseSyslog } from '../../../src/parse';
import { parseOptions } from '../../../src/parse/options';
import { ActionQueue, DEFAULT_QUEUE_OPTIONS } from '../../../src/queue/action-queue';
import { SyslogTime } from '../../../src/time';
import { tempDir, waitFor } from '../../helpers/util';

const FIXTURE = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'queue-v1');
const origin = { inputname: 'imtcp', fromhost: 'web-01', fromhostIp: '192.0.2.10', ruleset: 'RSYSLOG_DefaultRuleset' };
const frames = [
  "<34>Oct 11 22:14:15 mymachine su[42]: 'su root' failed for lonvick on /dev/pts/8",
  '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3"] An application event',
  '<13>1 2025-01-01T00:00:00Z h app - - - {"a":1}',
];

test('a disk queue written by the previous build (codec version 1) is delivered field for field', async (t) => {
  const { dir, cleanup } = tempDir('lw-old-seg-');
  t.after(cleanup);
  for (const f of ['old.00000001.seg', 'old.qi']) copyFileSync(join(FIXTURE, f), join(dir, f));
  const got: Message[] = [];
  const action: Action = { name: 'collect', stats: { delivered: 0, failed: 0 }, deliver: (b) => { got.push(...b); return Promise.resolve(); }, close: () => Promise.resolve() };
  const logger = new StreamLogger({ out: null, keep: true });
  const q = new ActionQueue(action, { ...DEFAULT_QUEUE_OPTIONS, kind: 'disk-assisted', spoolDirectory: dir, fileName: 'old' }, logger, () => undefined);
  await waitFor(() => got.length >= 3, 'the 3 old records delivered');
  await q.close(1000);
  assert.equal(got.length, 3);
  assert.equal(q.stats.lostAtRecovery, 0);
  frames.forEach((f, i) => {
    const want = new Message(Buffer.from(f), origin, new SyslogTime(2025, 1, 2, 3, 4, 5, 0, 0, 0, 1));
    parseSyslog(want.rawmsg, want, parseOptions());
    if (i === 2) want.json = { a: 1 };
    const { parsedWith: _a, ...w } = want;
    const { parsedWith: _b, ...g } = got[i]!;
    assert.deepStrictEqual(g, w);
  });
});

// rsyslog's failover recipe: `$ActionExecOnlyWhenPreviousIsSuspended on` + `& action`. While the primary forward
// is suspended (its receiver down), new messages go to the failover file instead; once the primary recovers they
// go to it again. Every numbered message ends up in exactly one of the two places (or in the primary's queue,
// which delivers it when the receiver returns).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLogwarden } from '../helpers/logwarden';
import { freePort, tempDir, waitFor } from '../helpers/util';

async function sendLines(port: number, from: number, n: number): Promise<void> {
  const s = net.connect(port, '127.0.0.1');
  await new Promise<void>((r, j) => { s.once('connect', r); s.once('error', j); });
  let text = '';
  for (let i = from; i < from + n; i++) text += `<13>Jan  2 03:04:05 h app: seq=${i}\n`;
  await new Promise<void>((r) => s.end(text, r));
}

function seqsIn(file: string): number[] {
  if (!existsSync(file)) return [];
  return [...readFileSync(file, 'utf8').matchAll(/seq=(\d+)/g)].map((m) => Number(m[1]));
}

test('failover: a suspended primary hands new messages to the `&` action; recovered, it takes them again', { timeout: 60_000 }, async (t) => {
  const d = tempDir();
  const fwdPort = await freePort();
  const backup = join(d.dir, 'backup.log');
  const lw = await startLogwarden(d.dir, `module(load="imtcp")
input(type="imtcp" port="0" address="127.0.0.1")
template(name="raw" type="string" string="%msg%\\n")
$ActionResumeInterval 1
*.* @@127.0.0.1:${fwdPort};raw
$ActionExecOnlyWhenPreviousIsSuspended on
& ${backup};raw
$ActionExecOnlyWhenPreviousIsSuspended off
`);
  t.after(async () => { await lw.stop(); d.cleanup(); });
  const port = lw.port('tcp');
  await sendLines(port, 0, 5); // the primary takes these, fails, and is suspended
  await waitFor(() => lw.rt.queueStats()[0].suspended, 'primary suspended');
  await sendLines(port, 5, 100);
  await waitFor(() => seqsIn(backup).length >= 100, 'failover file');
  assert.deepEqual(seqsIn(backup), Array.from({ length: 100 }, (_, i) => i + 5), 'the messages sent while suspended, in order');

  // The receiver comes up: the primary delivers what it held and takes new messages again.
  const got: number[] = [];
  const server = net.createServer((s) => s.on('data', (b: Buffer) => { for (const m of b.toString().matchAll(/seq=(\d+)/g)) got.push(Number(m[1])); }));
  await new Promise<void>((r) => server.listen(fwdPort, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  await waitFor(() => got.length >= 5, 'held messages delivered', 20_000);
  await waitFor(() => !lw.rt.queueStats()[0].suspended, 'primary recovered', 20_000);
  await sendLines(port, 105, 20);
  await waitFor(() => got.length >= 25, 'new messages to the primary', 20_000);
  assert.deepEqual(got, [0, 1, 2, 3, 4, ...Array.from({ length: 20 }, (_, i) => i + 105)]);
  assert.equal(seqsIn(backup).length, 100, 'nothing more went to the failover');
});

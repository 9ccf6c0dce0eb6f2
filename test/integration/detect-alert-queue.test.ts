// Alert outputs on the queue stage: a webhook that is down while 3 alerts are raised; `logwarden run` is
// stopped with SIGTERM (the webhook's disk-assisted queue saves them) and started again; once the receiver is
// up, each of the 3 alerts is delivered exactly once. The NDJSON file output, which worked all along, is not
// written again.
import { writeSuFailRule } from '../helpers/detect';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runLogwarden as run } from '../helpers/seq-sender';
import { freePort, readLines, tempDir, waitFor } from '../helpers/util';

function send(port: number, lines: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.end(lines.map((l) => `${l}\n`).join('')));
    s.on('close', () => resolve());
    s.on('error', reject);
  });
}

test('webhook down → 3 alerts → SIGTERM restart → webhook up: all 3 delivered once', { timeout: 120_000 }, async (t) => {
  const d = tempDir('lw-alert-queue-');
  t.after(() => d.cleanup());
  const port = await freePort();
  const hookPort = await freePort(); // nothing listens there yet
  writeSuFailRule(d.dir);
  const conf = join(d.dir, 'lw.conf');
  writeFileSync(conf, `global(workDirectory="${join(d.dir, 'data')}")
module(load="imtcp")
input(type="imtcp" port="${port}" address="127.0.0.1")
action(type="detect" name="watch" rules="${join(d.dir, 'rules.yml')}" alertFile="${join(d.dir, 'alerts.ndjson')}"
       webhook.url="http://127.0.0.1:${hookPort}/hook" webhook.retries="0" webhook.timeout_ms="2000"
       output.action.resumeInterval="1")
`);
  const first = run(['run', '-f', conf], d.dir);
  t.after(() => { if (first.child.exitCode === null) first.child.kill('SIGKILL'); });
  await waitFor(() => first.stderr().includes('LW_INFO_STARTED'), 'first start');
  await send(port, ['db1', 'db2', 'db3'].map((h) => `<34>Jan 15 07:00:00 ${h} su[1]: FAILED SU (to root) bob on pts/1`));
  const ndjson = join(d.dir, 'alerts.ndjson');
  await waitFor(() => readLines(ndjson).length >= 3, '3 alerts in the NDJSON file', 30_000);
  await waitFor(() => first.stderr().includes('LW_ERR_ALERT_WEBHOOK'), 'a failed webhook attempt', 30_000);
  first.child.kill('SIGTERM');
  assert.equal(await first.exited, 0);
  assert.match(first.stderr(), /LW_NOTICE_QUEUE_SAVED/);
  assert.ok(readdirSync(join(d.dir, 'data')).some((f) => f.startsWith('lw-alert-watch-webhook.') && f.endsWith('.seg')), 'the webhook queue is on disk');

  const bodies: Array<{ id: number; key: string }> = [];
  const srv: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
    req.on('end', () => {
      bodies.push(JSON.parse(body) as { id: number; key: string });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => srv.listen(hookPort, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => { srv.closeAllConnections(); srv.close(() => r()); }));

  const second = run(['run', '-f', conf], d.dir);
  t.after(() => { if (second.child.exitCode === null) second.child.kill('SIGKILL'); });
  await waitFor(() => bodies.length >= 3, '3 webhook deliveries after the restart', 30_000);
  // Anything delivered twice would arrive right behind: give it time, then stop and count.
  await new Promise((r) => setTimeout(r, 1500));
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0);
  assert.equal(bodies.length, 3, JSON.stringify(bodies));
  assert.deepEqual(bodies.map((b) => b.key).sort(), ['db1', 'db2', 'db3']);
  assert.equal(new Set(bodies.map((b) => b.id)).size, 3);
  assert.equal(readLines(ndjson).length, 3, 'the file output is not written again');
});

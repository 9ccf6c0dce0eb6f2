// The webhook output: delivered (signed) to a local HTTP server, retried after a 500, timed out on a hanging
// server, and never in the way of ingest (alerts are stored while the webhook hangs).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Reporter } from '../../src/config/diagnostics';
import { StreamLogger } from '../../src/log';
import { loadRuleText } from '../../src/detect/load';
import { WebhookOutput } from '../../src/detect/outputs';
import { parseLogLine } from '../../src/detect/replay';
import { DetectService } from '../../src/detect/service';
import type { Alert } from '../../src/detect/alerts';
import type { Message } from '../../src/message';
import { tempDir, waitFor } from '../helpers/util';

const tmp = tempDir('lw-detect-webhook-');
const servers: Server[] = [];
after(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  tmp.cleanup();
});

interface Received {
  body: string;
  signature: string | undefined;
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string, n: number) => void): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
    req.on('end', () => {
      received.push({ body, signature: req.headers['x-logwarden-signature'] as string | undefined });
      handler(req, res, body, received.length);
    });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/hook`, received };
}

const alert = (id: number): Alert => ({
  id, rule: 'sshd-brute-force', title: 'SSH brute force', level: 'high', key: '203.0.113.7', firstMs: Date.UTC(2025, 0, 15),
  lastMs: Date.UTC(2025, 0, 15), count: 1, reason: '5 matches within 5m', refs: ['line'], status: 'open',
});
const quiet = (): StreamLogger => new StreamLogger({ out: null, keep: true });

test('an alert is POSTed as JSON with an HMAC-SHA256 signature', async () => {
  const srv = await serve((_q, res) => res.writeHead(204).end());
  const out = new WebhookOutput({ url: srv.url, secret: 's3cret', retries: 0 }, quiet());
  out.push(alert(1));
  await out.whenIdle();
  assert.equal(out.stats.delivered, 1);
  assert.equal(srv.received.length, 1);
  const { body, signature } = srv.received[0]!;
  assert.equal((JSON.parse(body) as { rule: string }).rule, 'sshd-brute-force');
  assert.equal(signature, `sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`);
});

test('a 500 is retried with backoff and then delivered once', async () => {
  const srv = await serve((_q, res, _b, n) => res.writeHead(n === 1 ? 500 : 200).end());
  const logger = quiet();
  const out = new WebhookOutput({ url: srv.url, retries: 3, backoffMs: 20 }, logger);
  out.push(alert(2));
  await out.whenIdle();
  assert.equal(srv.received.length, 2);
  assert.deepEqual(out.stats, { queued: 0, delivered: 1, failed: 0, dropped: 0 });
  assert.equal(logger.records!.filter((r) => r.code === 'LW_ERR_ALERT_WEBHOOK').length, 0);
});

test('a hanging server times out, and ingest and alert storage go on meanwhile', async () => {
  const srv = await serve(() => { /* never answers */ });
  const rules = tmp.dir + '/r.yml';
  writeFileSync(rules, 'rules:\n  - id: any-fail\n    kind: match\n    query: \'"failed password"\'\n    group_by: [host]\n');
  const logger = quiet();
  const rep = new Reporter();
  const compiled = loadRuleText(rules, `rules:\n  - id: any-fail\n    kind: match\n    query: '"failed password"'\n    group_by: [host]\n`, rep);
  assert.equal(rep.diagnostics.length, 0);
  const svc = new DetectService(compiled, { dataDir: join(tmp.dir, 'work'), rules: [rules], logger });
  const hook = new WebhookOutput({ url: srv.url, timeoutMs: 150, retries: 1, backoffMs: 10 }, logger);
  svc.outputs = [hook];
  const batch = (host: string): Message[] => [parseLogLine(`2025-01-15T07:00:00.000000+00:00 ${host} sshd[1]: Failed password for root from 203.0.113.7 port 22 ssh2`)!];
  svc.process(batch('h1'));
  // The webhook is now stuck on h1's alert; ingest of more messages returns at once and alerts are stored.
  for (let i = 2; i <= 20; i++) svc.process(batch(`h${i}`));
  assert.equal(svc.alerts.list({ limit: 100 }).length, 20);
  await waitFor(() => hook.stats.failed >= 1, 'the first webhook call to time out');
  assert.ok(logger.records!.some((r) => r.code === 'LW_ERR_ALERT_WEBHOOK' && /within 150 ms/.test(String(r.fields.error))));
  await svc.close(100);
});

test('a full output queue drops and counts instead of growing', async () => {
  const srv = await serve(() => { /* never answers */ });
  const logger = quiet();
  const out = new WebhookOutput({ url: srv.url, timeoutMs: 100, retries: 0 }, logger, 3);
  for (let i = 0; i < 10; i++) out.push(alert(100 + i));
  assert.ok(out.stats.dropped >= 6, `dropped ${out.stats.dropped}`);
  assert.ok(logger.records!.some((r) => r.code === 'LW_WARN_ALERT_OUTPUT_DROPPED'));
  await out.whenIdle();
});

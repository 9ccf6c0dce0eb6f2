// The console's alerts page in chromium against a real `logwarden run` with the shipped sshd rules: five failed
// passwords from one address (sent by `logger`) raise an alert; its row opens the messages behind it; Acknowledge
// (a POST carrying the CSRF token) moves it from the open list to the acknowledged one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ROOT, browserMissing, launchBrowser, logger, loginUi, newPage, screenshot, startConsoleServer, type ConsoleServer } from '../helpers/browser';
import { tempDir, waitFor } from '../helpers/util';

const missing = browserMissing();
if (missing) console.log(`# browser tests skipped: ${missing}`);

describe('console alerts', { skip: missing }, () => {
  const tmp = tempDir('lw-browser-alerts-');
  let srv: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let noRoutes: string | false = false;

  before(async () => {
    srv = await startConsoleServer(tmp.dir, `action(type="detect" rules="${join(ROOT, 'rules', 'pack', 'sshd.yml')}" alertFile="${join(tmp.dir, 'alerts.ndjson')}")`);
    noRoutes = srv.password === '' ? 'the server has no console routes' : false;
    browser = await launchBrowser();
    if (noRoutes) return;
    ({ page } = await newPage(browser));
    await loginUi(page, srv, '/alerts');
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
    tmp.cleanup();
  });

  it('shows the empty state, then the alert, its messages, and acknowledges it', async (t) => {
    if (noRoutes) return t.skip(noRoutes);
    await page.waitForSelector('.page.alerts .empty');
    for (let i = 0; i < 5; i++) logger(srv.tcpPort, `Failed password for root from 203.0.113.7 port ${50000 + i} ssh2`, { tag: 'sshd', priority: 'authpriv.warning' });
    await waitFor(async () => {
      const r = (await (await srv.api('/api/alerts?status=open')).json()) as { alerts: unknown[] };
      return r.alerts.length > 0;
    }, 'an open alert', 30_000, 200);
    await page.reload();
    const row = page.locator('table.alerttable tr.alert', { hasText: 'sshd-brute-force' });
    await row.waitFor();
    await row.click();
    await page.waitForSelector('table.alerttable tr.detail table.hits tr.hit');
    const msgs = await page.locator('tr.detail table.hits td.msg').allTextContents();
    assert.ok(msgs.length >= 5, `${msgs.length} messages behind the alert`);
    for (const m of msgs) assert.match(m, /Failed password for root from 203\.0\.113\.7/);
    await screenshot(page, 'alerts');
    await row.locator('button.ack').click();
    await page.waitForSelector('.page.alerts .empty');
    await page.click('.filterbar button:has-text("acknowledged")');
    await page.locator('table.alerttable tr.alert', { hasText: 'sshd-brute-force' }).waitFor();
    assert.equal(new URL(page.url()).searchParams.get('status'), 'acknowledged');
    const acked = (await (await srv.api('/api/alerts?status=acknowledged')).json()) as { alerts: { rule: string }[] };
    assert.ok(acked.alerts.some((a) => a.rule === 'sshd-brute-force'));
  });
});

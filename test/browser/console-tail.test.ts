// The console's live tail in chromium against a real `logwarden run`: a `logger` line matching the filter shows
// within 2 s, a non-matching one never does; pause holds lines back and resume shows them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { browserMissing, consoleRoutesMissing, launchBrowser, logger, loginUi, newPage, screenshot, sendRaw, startConsoleServer, type ConsoleServer } from '../helpers/browser';
import { tempDir } from '../helpers/util';

// Browser globals used inside page.waitForFunction callbacks (tests compile without the DOM lib).
declare const document: { querySelector(s: string): { textContent: string | null } | null };

const missing = browserMissing();
if (missing) console.log(`# browser tests skipped: ${missing}`);

describe('console live tail', { skip: missing }, () => {
  const tmp = tempDir('lw-browser-tail-');
  let srv: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let noRoutes: string | false = false;
  const lineCount = () => page.locator('table.hits tr.hit').count();

  before(async () => {
    srv = await startConsoleServer(tmp.dir);
    noRoutes = await consoleRoutesMissing(srv.url);
    browser = await launchBrowser();
    if (noRoutes) return;
    ({ page } = await newPage(browser));
    await loginUi(page, srv, '/tail?q=tailmarker');
    await page.waitForSelector('.conn-live', { timeout: 15_000 });
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
    tmp.cleanup();
  });

  it('shows a matching logger line within 2 s, and not a line outside the filter', async (t) => {
    if (noRoutes) return t.skip(noRoutes);
    logger(srv.tcpPort, 'othermarker must not show', { tag: 'tailapp' });
    const t0 = Date.now();
    logger(srv.tcpPort, 'tailmarker first line', { tag: 'tailapp' });
    await page.locator('table.hits tr.hit td.msg', { hasText: 'tailmarker first line' }).waitFor({ timeout: 10_000 });
    const ms = Date.now() - t0;
    console.log(`# live tail: logger line on the page after ${ms} ms`);
    assert.ok(ms <= 2000, `tail latency ${ms} ms`);
    assert.equal(await page.locator('table.hits td.msg', { hasText: 'othermarker' }).count(), 0);
    await page.waitForFunction(() => /msg\/s matching/.test(document.querySelector('.tailbar .rate')?.textContent ?? ''));
    await screenshot(page, 'tail');
  });

  it('pause holds new lines back; resume shows them', async (t) => {
    if (noRoutes) return t.skip(noRoutes);
    const before = await lineCount();
    await page.click('button.pause');
    logger(srv.tcpPort, 'tailmarker while paused', { tag: 'tailapp' });
    await page.waitForSelector('.tailbar .held', { timeout: 10_000 });
    assert.equal(await lineCount(), before);
    await page.click('button.pause');
    await page.locator('table.hits tr.hit td.msg', { hasText: 'tailmarker while paused' }).waitFor({ timeout: 10_000 });
    assert.equal(await lineCount(), before + 1);
  });

  it('a burst above the server\'s per-client rate shows the sampling notice and keeps at most 1,000 lines', async (t) => {
    if (noRoutes) return t.skip(noRoutes);
    const BURST = 3000;
    const ts = new Date().toISOString();
    await sendRaw(srv.tcpPort, Array.from({ length: BURST }, (_, i) => `<14>1 ${ts} bursthost burstapp - - - tailmarker burst ${i}`));
    await page.waitForSelector('.notice.sampled', { timeout: 15_000 });
    await page.locator('table.hits td.msg', { hasText: 'tailmarker burst' }).first().waitFor({ timeout: 10_000 });
    const n = await lineCount();
    assert.ok(n <= 1000, `${n} lines in the DOM`);
    assert.ok(await page.locator('table.hits td.msg', { hasText: 'tailmarker burst' }).count() < BURST);
  });
});

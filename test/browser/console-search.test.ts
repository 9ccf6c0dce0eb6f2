// The console's search, hosts, alerts and status pages in chromium against a real `logwarden run` fed by
// `logger` (plain TCP, RFC 5424 with SD), `logwarden send --tls` and a host whose clock is 10 minutes behind.
// What the page shows is checked against what the API answers for the same state.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import {
  browserMissing, consoleRoutesMissing, launchBrowser, logger, loginUi, newPage, screenshot, sendRaw, sendTls, startConsoleServer, type ConsoleServer,
} from '../helpers/browser';
import { tempDir, waitFor } from '../helpers/util';

// Browser globals used inside page.evaluate / waitForFunction callbacks (tests compile without the DOM lib).
declare const location: { search: string; pathname: string };
declare const document: {
  activeElement: { className: string } | null;
  querySelectorAll(s: string): { length: number };
  querySelector(s: string): { textContent: string | null } | null;
  documentElement: { scrollWidth: number; clientWidth: number };
  body: unknown;
};
declare const window: { __lwXss?: number };
declare function getComputedStyle(e: unknown): { backgroundColor: string };

const missing = browserMissing();
if (missing) console.log(`# browser tests skipped: ${missing}`);

const PLAIN = 30;
const SKEWED = 5;
const XSS = '<script>window.__lwXss=1</script><img src=x onerror="window.__lwXss=2"> xssmarker';

interface Hit { id: string; host: string; app: string; msg: string; fields: Record<string, unknown>; structuredData: string }

describe('console search', { skip: missing }, () => {
  const tmp = tempDir('lw-browser-search-');
  let srv: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];
  let noRoutes: string | false = false;
  // An absolute range, so the page's and the API's histograms have the same buckets.
  let fromIso = '';
  let toIso = '';

  const apiJson = async <T>(path: string): Promise<T> => {
    const r = await srv.api(path);
    assert.equal(r.status, 200, `${path}: ${r.status} ${await r.clone().text()}`);
    return (await r.json()) as T;
  };
  const searchUrl = (q: string, extra: Record<string, string> = {}) => `/search?${new URLSearchParams({ q, from: fromIso, to: toIso, ...extra })}`;
  const rowsShown = async (n: number): Promise<void> => {
    await page.waitForFunction((k) => document.querySelectorAll('table.hits tr.hit').length === k, n, { timeout: 15_000 });
  };

  before(async () => {
    srv = await startConsoleServer(tmp.dir);
    noRoutes = await consoleRoutesMissing(srv.url);
    browser = await launchBrowser();
    if (noRoutes) return;
    const t0 = Date.now();
    fromIso = new Date(t0 - 3600_000).toISOString();
    for (let i = 0; i < PLAIN; i++) logger(srv.tcpPort, `browsermarker line ${i}`, { tag: i % 3 === 0 ? 'appA' : 'appB', priority: i % 2 ? 'user.err' : 'user.info' });
    logger(srv.tcpPort, '{"user":"alice","action":"login","n":7}', { tag: 'jsonapp', sd: { id: 'exampleSDID@32473', params: { iut: '3', eventSource: 'Application' } } });
    logger(srv.tcpPort, XSS, { tag: 'evil' });
    sendTls(srv.tlsPort, 'tlsmarker hello over tls');
    const old = new Date(t0 - 10 * 60_000);
    await sendRaw(srv.tcpPort, Array.from({ length: SKEWED }, (_, i) => `<14>1 ${new Date(old.getTime() + i).toISOString()} oldclock skewapp - - - skewmarker ${i}`));
    toIso = new Date(Date.now() + 600_000).toISOString();
    const total = PLAIN + 1 + 1 + 1 + SKEWED;
    await waitFor(async () => {
      const r = await apiJson<{ kind: string; hits: Hit[] }>(`/api/search?${new URLSearchParams({ q: '*', from: fromIso, to: toIso, limit: '1000' })}`);
      return r.hits.length >= total;
    }, `${total} messages stored`, 30_000, 200);
    ({ page, errors: pageErrors } = await newPage(browser));
    await loginUi(page, srv);
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
    tmp.cleanup();
  });

  it('shows the results and a histogram whose buckets equal the API\'s', async (t) => {
    if (noRoutes) return t.skip(noRoutes);
    const t0 = Date.now();
    await page.goto(`${srv.url}${searchUrl('browsermarker')}`);
    await rowsShown(PLAIN);
    await page.waitForSelector('.histogram canvas');
    console.log(`# time to first render (search, ${PLAIN} rows + histogram): ${Date.now() - t0} ms`);
    const shown = await page.getAttribute('.histogram', 'data-buckets');
    const api = await apiJson<{ buckets: { t: number; count: number }[]; total: number }>(`/api/histogram?${new URLSearchParams({ q: 'browsermarker', from: fromIso, to: toIso, time: 'reported', buckets: '60' })}`);
    assert.equal(shown, api.buckets.map((b) => b.count).join(','));
    assert.equal(api.total, PLAIN);
    assert.equal(api.buckets.reduce((a, b) => a + b.count, 0), PLAIN);
    assert.equal(await page.getAttribute('.histogram', 'data-total'), String(PLAIN));
    await screenshot(page, 'search');
  });

  it('"/" focuses the query box; a bad query shows the API\'s caret under it; a preset sets a relative range', async (t) => {
    if (noRoutes) return t.skip(noRoutes);
    await page.goto(`${srv.url}${searchUrl('browsermarker')}`);
    await rowsShown(PLAIN);
    await page.click('h3, .histhead');
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'q');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('host:a AND (b OR c');
    await page.keyboard.press('Enter');
    const caret = await page.waitForSelector('.error pre.caret');
    const api = await srv.api(`/api/search?${new URLSearchParams({ q: 'host:a AND (b OR c' })}`);
    assert.equal(api.status, 400);
    const body = (await api.json()) as { error: { caret: string; code: string } };
    assert.equal(await caret.textContent(), body.error.caret);
    assert.match((await page.textContent('.error')) ?? '', new RegExp(body.error.code));
    await page.click('.presets button:has-text("15m")');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('from') === '-15m' && !new URLSearchParams(location.search).has('to'));
  });

  it('zooms: a drag across the histogram narrows the range in the URL', async (t) => {
    if (noRoutes) return t.skip(noRoutes);
    await page.goto(`${srv.url}${searchUrl('browsermarker')}`);
    await page.waitForSelector('.histogram .u-over');
    const box = (await page.locator('.histogram .u-over').boundingBox())!;
    const before = new URL(page.url());
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.99, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction((old) => location.search !== old, before.search);
    const after = new URL(page.url());
    const span = (u: URL) => Date.parse(u.searchParams.get('to')!) - Date.parse(u.searchParams.get('from')!);
    assert.ok(span(after) < span(before) * 0.8, `zoomed span ${span(after)} ms < ${span(before)} ms`);
    assert.ok(Date.parse(after.searchParams.get('from')!) > Date.parse(before.searchParams.get('from')!));
    assert.equal(after.searchParams.get('q'), 'browsermarker');
    // The messages were sent within the last minutes, at the right end: the zoomed range still holds them all.
    await rowsShown(PLAIN);
    await page.goBack();
    await page.waitForFunction((old) => location.search === old, before.search);
  });

  it('opens a message with SD and JSON fields to every field; a value click adds it to the query', async (t) => {
    if (noRoutes) return t.skip(noRoutes);
    await page.goto(`${srv.url}${searchUrl('app:jsonapp')}`);
    await rowsShown(1);
    const api = await apiJson<{ hits: Hit[] }>(`/api/search?${new URLSearchParams({ q: 'app:jsonapp', from: fromIso, to: toIso })}`);
    const hit = api.hits[0];
    assert.equal(hit.fields['json.user'], 'alice');
    assert.equal(hit.fields['sd.exampleSDID@32473.iut'], '3');
    await page.click('table.hits tr.hit');
    await page.waitForSelector('table.fields');
    for (const [k, v] of Object.entries(hit.fields)) {
      const cell = page.locator(`table.fields tr[data-field="${k}"] .val`);
      assert.equal(await cell.textContent(), String(v), k);
    }
    assert.equal(await page.locator('table.fields tr[data-field="structured-data"] .val').textContent(), hit.structuredData);
    assert.equal(await page.locator('table.fields tr[data-field="msg"] .val').textContent(), hit.msg);
    await screenshot(page, 'search-detail');
    await page.click('table.fields tr[data-field="json.user"] button.val');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('q') === 'app:jsonapp json.user:alice');
    await rowsShown(1);
  });

  it('a facet click adds host/app/severity to the query', async (t) => {
    if (noRoutes) return t.skip(noRoutes);
    await page.goto(`${srv.url}${searchUrl('browsermarker')}`);
    await rowsShown(PLAIN);
    const facet = page.locator('.facet[data-facet="app"] button.facet-value', { hasText: 'appA' });
    await facet.waitFor();
    assert.equal(await facet.locator('.count').textContent(), String(PLAIN / 3));
    await facet.click();
    await page.waitForFunction(() => new URLSearchParams(location.search).get('q') === 'browsermarker app:appA');
    await rowsShown(PLAIN / 3);
    const apps = await page.locator('table.hits tr.hit td.app').allTextContents();
    assert.deepEqual([...new Set(apps)], ['appA']);
  });

  it('CSV export equals the API\'s rows for the same state', async (t) => {
    if (noRoutes) return t.skip(noRoutes);
    await page.goto(`${srv.url}${searchUrl('browsermarker')}`);
    await rowsShown(PLAIN);
    const href = await page.getAttribute('.exports a:has-text("CSV")', 'href');
    assert.ok(href);
    const csv = await page.evaluate(async (h) => (await fetch(h)).text(), href);
    const lines = csv.trim().split(/\r?\n/);
    assert.equal(lines[0], 'id,tsReported,tsReceived,host,fromhostIp,app,procid,msgid,facility,severity,msg');
    const api = await apiJson<{ hits: Hit[] }>(`/api/search?${new URLSearchParams({ q: 'browsermarker', from: fromIso, to: toIso, limit: '1000' })}`);
    assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0]), api.hits.map((h) => h.id));
    assert.deepEqual(lines.slice(1).map((l) => l.slice(l.lastIndexOf(',') + 1)), api.hits.map((h) => h.msg));
    const shownIds = await page.locator('table.hits tr.hit').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));
    assert.deepEqual(shownIds, api.hits.map((h) => h.id));
  });

  it('renders a message holding <script> and <img onerror> as text, running nothing', async (t) => {
    if (noRoutes) return t.skip(noRoutes);
    await page.goto(`${srv.url}${searchUrl('xssmarker')}`);
    await rowsShown(1);
    await page.click('table.hits tr.hit');
    await page.waitForSelector('table.fields');
    await page.waitForTimeout(300); // give an injected onerror the chance to fire (it must not exist)
    assert.equal(await page.locator('table.hits tr.hit td.msg').textContent(), XSS);
    assert.equal(await page.locator('table.fields tr[data-field="msg"] .val').textContent(), XSS);
    assert.equal(await page.locator('main img').count(), 0);
    assert.equal(await page.locator('main script').count(), 0);
    assert.equal(await page.evaluate(() => window.__lwXss), undefined);
    // The same through the facet list and the live tail's renderer (shared HitTable) is covered by the same code path.
  });

  it('flags the host whose clock is 10 minutes behind as skewed; its link finds it by received time', async (t) => {
    if (noRoutes) return t.skip(noRoutes);
    await page.goto(`${srv.url}/hosts`);
    const row = page.locator('tr[data-host="oldclock"]');
    await row.waitFor();
    await row.locator('.badge.skewed').waitFor();
    const hosts = await apiJson<{ hosts: { host: string; skewed: boolean; tlsPeer: string | null }[] }>('/api/hosts');
    assert.equal(hosts.hosts.find((h) => h.host === 'oldclock')?.skewed, true);
    for (const h of hosts.hosts.filter((x) => !x.skewed)) assert.equal(await page.locator(`tr[data-host="${h.host}"] .badge.skewed`).count(), 0, h.host);
    await screenshot(page, 'hosts');
    await row.locator('td.host a').click();
    await page.waitForFunction(() => location.pathname === '/search');
    const u = new URL(page.url());
    assert.equal(u.searchParams.get('time'), 'received');
    await rowsShown(SKEWED);
    assert.deepEqual([...new Set(await page.locator('table.hits tr.hit td.host').allTextContents())], ['oldclock']);
    // A received-time search over the last 5 minutes finds them; a reported-time one does not.
    const recv = await apiJson<{ hits: Hit[] }>(`/api/search?${new URLSearchParams({ q: 'skewmarker', from: '-5m', time: 'received' })}`);
    const rep = await apiJson<{ hits: Hit[] }>(`/api/search?${new URLSearchParams({ q: 'skewmarker', from: '-5m', time: 'reported' })}`);
    assert.equal(recv.hits.length, SKEWED);
    assert.equal(rep.hits.length, 0);
  });

  it('shows the TLS sender\'s message with every field the API gives', async (t) => {
    if (noRoutes) return t.skip(noRoutes);
    await page.goto(`${srv.url}${searchUrl('tlsmarker')}`);
    await rowsShown(1);
    const api = await apiJson<{ hits: Hit[] }>(`/api/search?${new URLSearchParams({ q: 'tlsmarker', from: fromIso, to: toIso })}`);
    await page.click('table.hits tr.hit');
    await page.waitForSelector('table.fields');
    for (const [k, v] of Object.entries(api.hits[0].fields)) {
      assert.equal(await page.locator(`table.fields tr[data-field="${k}"] .val`).textContent(), String(v), k);
    }
  });

  it('shows the alerts page (empty here: no detect action) and the status page', async (t) => {
    if (noRoutes) return t.skip(noRoutes);
    await page.goto(`${srv.url}/alerts`);
    await page.waitForSelector('.page.alerts .empty, .page.alerts table.alerttable');
    await page.goto(`${srv.url}/status`);
    await page.waitForSelector('.page.status .cards');
    const st = await apiJson<{ store: { rows: number } }>('/api/status');
    assert.ok(st.store.rows >= PLAIN);
    await screenshot(page, 'status');
    assert.deepEqual(pageErrors, []);
  });

  it('holds at 800 px: the search page has no horizontal scrollbar', async (t) => {
    if (noRoutes) return t.skip(noRoutes);
    const narrow = await newPage(browser, 800);
    await narrow.ctx.addCookies(await page.context().cookies());
    await narrow.page.goto(`${srv.url}${searchUrl('browsermarker')}`);
    await narrow.page.waitForFunction((k) => document.querySelectorAll('table.hits tr.hit').length === k, PLAIN);
    const overflow = await narrow.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `horizontal overflow ${overflow}px at 800 px`);
    await screenshot(narrow.page, 'search-800');
    await narrow.ctx.close();
  });

  it('follows prefers-color-scheme: dark and light backgrounds differ', async (t) => {
    if (noRoutes) return t.skip(noRoutes);
    const bg: Record<string, string> = {};
    for (const scheme of ['light', 'dark'] as const) {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: scheme });
      await ctx.addCookies(await page.context().cookies());
      const p = await ctx.newPage();
      await p.goto(`${srv.url}${searchUrl('browsermarker')}`);
      await p.waitForSelector('table.hits tr.hit');
      bg[scheme] = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
      if (scheme === 'dark') await screenshot(p, 'search-dark');
      await ctx.close();
    }
    assert.equal(bg.light, 'rgb(255, 255, 255)');
    assert.notEqual(bg.dark, bg.light);
  });
});

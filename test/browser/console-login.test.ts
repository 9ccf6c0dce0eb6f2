// The console's login form against a real `logwarden run`: a page route without a session lands on the form
// with `next` set; a wrong password is refused (message shown, still no session); the right one lands on `next`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { browserMissing, consoleRoutesMissing, launchBrowser, newPage, screenshot, startConsoleServer, type ConsoleServer } from '../helpers/browser';
import { tempDir } from '../helpers/util';

const missing = browserMissing();
if (missing) console.log(`# browser tests skipped: ${missing}`);

describe('console login', { skip: missing }, () => {
  const tmp = tempDir('lw-browser-login-');
  let srv: ConsoleServer;
  let browser: Browser;
  let noRoutes: string | false = false;
  before(async () => {
    srv = await startConsoleServer(tmp.dir);
    noRoutes = await consoleRoutesMissing(srv.url);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
    tmp.cleanup();
  });

  it('refuses a wrong password and keeps the user on the form', async (t) => {
    if (noRoutes) return t.skip(noRoutes);
    const { ctx, page, errors } = await newPage(browser);
    await page.goto(`${srv.url}/search?q=app%3Asshd`);
    await page.waitForSelector('form.login');
    const here = new URL(page.url());
    assert.equal(here.pathname, '/login');
    const next = new URL(here.searchParams.get('next') ?? '', srv.url);
    assert.equal(next.pathname, '/search');
    assert.equal(next.searchParams.get('q'), 'app:sshd');
    await screenshot(page, 'login');
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', 'not-the-password');
    await page.click('form.login button[type=submit]');
    const err = await page.waitForSelector('form.login .error');
    assert.match((await err.textContent()) ?? '', /Wrong user name or password/);
    assert.equal(await page.locator('header.topbar').count(), 0);
    const status = await page.evaluate(async () => (await fetch('/api/session')).status);
    assert.equal(status, 401);
    assert.deepEqual(errors, []);
    await ctx.close();
  });

  it('logs in with the admin password and lands on `next`', async (t) => {
    if (noRoutes) return t.skip(noRoutes);
    const { ctx, page, errors } = await newPage(browser);
    const t0 = Date.now();
    await page.goto(`${srv.url}/hosts`);
    await page.waitForSelector('form.login');
    console.log(`# time to first render (login form): ${Date.now() - t0} ms`);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', srv.password);
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('header.topbar .user');
    assert.equal(new URL(page.url()).pathname, '/hosts');
    assert.equal(await page.textContent('header.topbar .user'), 'admin');
    const session = await page.evaluate(async () => (await fetch('/api/session')).status);
    assert.equal(session, 200);
    // Sign out clears the session: the next page route asks for the password again.
    await page.click('header.topbar button.logout');
    await page.waitForSelector('form.login');
    assert.equal(await page.evaluate(async () => (await fetch('/api/session')).status), 401);
    assert.deepEqual(errors, []);
    await ctx.close();
  });
});

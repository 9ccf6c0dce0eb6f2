// Browser-test helpers: Debian's chromium driven by playwright-core (never a downloaded browser), and a real
// `logwarden run` child process with the console enabled, a plain TCP input and a TLS input, fed by `logger`
// and `logwarden send --tls`. Screenshots go to test-artifacts/screenshots/ (gitignored).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort, peersRequired, waitFor } from './util';

export const CHROMIUM = '/usr/bin/chromium';
/** dist/test/helpers → repository root. */
export const ROOT = join(__dirname, '..', '..', '..');
export const SCREENSHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const PKI = join(ROOT, 'test', 'fixtures', 'pki');
export const CA = join(PKI, 'ca', 'ca.pem');

/** Why the browser tests cannot run here, or false. With LW_REQUIRE_PEERS=1 (CI) a missing browser is an error. */
export function browserMissing(): string | false {
  let why: string | false = false;
  if (!existsSync(CHROMIUM)) why = `${CHROMIUM} is not installed (apt-get install chromium; scripts/install-test-deps.sh does it)`;
  else if (!existsSync(join(ROOT, 'dist', 'ui', 'index.html'))) why = 'the console bundle is not built (npm run build)';
  if (why && peersRequired()) throw new Error(`LW_REQUIRE_PEERS=1: ${why}`);
  return why;
}

export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--disable-gpu', '--disable-dev-shm-usage'] });
}

export interface ConsoleServer {
  url: string;
  tcpPort: number;
  tlsPort: number;
  dataDir: string;
  user: string;
  password: string;
  child: ChildProcess;
  /** stderr so far (the server's log). */
  log(): string;
  /** An API call with a session of its own (logs in once). */
  api(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

/** Starts `logwarden run` with the console on a free port; resolves once /healthz answers and the admin exists. */
export async function startConsoleServer(dir: string, extraConf = ''): Promise<ConsoleServer> {
  const [httpPort, tcpPort, tlsPort] = [await freePort(), await freePort(), await freePort()];
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const conf = `global(
  workDirectory="${dataDir}"
  DefaultNetstreamDriver="ossl"
  DefaultNetstreamDriverCAFile="${CA}"
  DefaultNetstreamDriverCertFile="${join(PKI, 'localhost.pem')}"
  DefaultNetstreamDriverKeyFile="${join(PKI, 'localhost-key.pem')}"
)
module(load="imtcp")
module(load="http" port="${httpPort}" address="127.0.0.1")
input(type="imtcp" port="${tcpPort}" name="tcp")
input(type="imtcp" port="${tlsPort}" name="tls" StreamDriver.Name="ossl" StreamDriver.Mode="1" StreamDriver.AuthMode="x509/certvalid")
action(type="store" path="${join(dataDir, 'store')}")
${extraConf}
`;
  const file = join(dir, 'logwarden.conf');
  writeFileSync(file, conf);
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'logwarden.js'), 'run', '-f', file, '--data-dir', dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); if (stderr.length > 1e6) stderr = stderr.slice(-5e5); });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${httpPort}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(t);
  };
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`logwarden run exited ${child.exitCode}: ${stderr}`);
      try {
        return (await fetch(`${url}/healthz`)).ok;
      } catch {
        return false;
      }
    }, 'console /healthz', 60_000, 100);
  } catch (e) {
    await stop();
    throw e;
  }
  // Without the console routes (an older server) there is no admin password to read: the tests skip.
  let password = '';
  try {
    if (!(await consoleRoutesMissing(url))) password = await waitFor(() => readAdminPassword(dataDir), 'admin-password file', 15_000, 100);
  } catch (e) {
    await stop();
    throw e;
  }
  let cookie = '';
  let csrf = '';
  const api = async (path: string, init: RequestInit = {}): Promise<Response> => {
    if (!cookie) {
      const r = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
      if (!r.ok) throw new Error(`API login failed: ${r.status} ${await r.text()}`);
      cookie = (r.headers.get('set-cookie') ?? '').split(';')[0];
      csrf = ((await r.json()) as { csrf: string }).csrf;
    }
    const headers = new Headers(init.headers);
    headers.set('cookie', cookie);
    if ((init.method ?? 'GET') !== 'GET') headers.set('x-csrf-token', csrf);
    return fetch(`${url}${path}`, { ...init, headers });
  };
  return { url, tcpPort, tlsPort, dataDir, user: 'admin', password, child, log: () => stderr, api, stop };
}

/** The first start's admin password (<dataDir>/admin-password), or '' while it is not written yet. */
function readAdminPassword(dataDir: string): string {
  for (const f of [join(dataDir, 'admin-password'), join(dataDir, 'console', 'admin-password')]) {
    if (existsSync(f)) return readFileSync(f, 'utf8').trim();
  }
  return '';
}

/** Does this server have the console routes (the console-server branch merged)? */
export async function consoleRoutesMissing(url: string): Promise<string | false> {
  const r = await fetch(`${url}/api/session`);
  return r.status === 404 ? 'the server has no /api/session (console server routes not in this build)' : false;
}

/** Sends one message with util-linux `logger` over plain TCP, RFC 5424 (octet-counted), optionally with SD. */
export function logger(port: number, msg: string, opts: { tag?: string; priority?: string; msgid?: string; sd?: { id: string; params: Record<string, string> } } = {}): void {
  const args = ['--tcp', '-n', '127.0.0.1', '-P', String(port), '--octet-count', '--rfc5424'];
  if (opts.tag) args.push('-t', opts.tag);
  if (opts.priority) args.push('-p', opts.priority);
  if (opts.msgid) args.push('--msgid', opts.msgid);
  if (opts.sd) {
    args.push('--sd-id', opts.sd.id);
    for (const [k, v] of Object.entries(opts.sd.params)) args.push('--sd-param', `${k}="${v}"`);
  }
  args.push('--', msg);
  const r = spawnSync('logger', args, { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`logger failed (${r.status}): ${r.stderr}`);
}

/** Sends raw syslog lines over TCP (LF framing): for hosts and timestamps `logger` cannot set. */
export async function sendRaw(port: number, lines: string[]): Promise<void> {
  const net = await import('node:net');
  await new Promise<void>((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.end(lines.map((l) => `${l}\n`).join(''), () => resolve());
    });
    s.on('error', reject);
  });
}

/** `logwarden send --tls` with the client.example.net certificate (so the row carries a TLS peer identity). */
export function sendTls(port: number, msg: string): void {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'logwarden.js'), 'send', '--tls', '--host', 'localhost', '--port', String(port),
    '--ca', CA, '--cert', join(PKI, 'client.example.net.pem'), '--key', join(PKI, 'client.example.net-key.pem'), '--tag', 'tlsapp', msg], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`logwarden send --tls failed (${r.status}): ${r.stderr}`);
}

export async function newPage(browser: Browser, width = 1280): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
  const ctx = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { ctx, page, errors };
}

/** Logs in through the form and waits for the search page. */
export async function loginUi(page: Page, srv: ConsoleServer, next = '/search'): Promise<void> {
  await page.goto(`${srv.url}${next}`);
  await page.waitForSelector('form.login');
  await page.fill('input[name=username]', srv.user);
  await page.fill('input[name=password]', srv.password);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('header.topbar');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

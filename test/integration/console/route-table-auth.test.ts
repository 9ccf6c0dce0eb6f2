// The console's one gate, checked against fastify's own route table: with no credentials every API route answers
// 401 and every page route redirects to /login, except the public list; so a route added later cannot be left
// open by mistake. Also: foreign Host → 403, cookie without CSRF on POST → 403, wrong password → 401, foreign
// Origin → 403 (/healthz excepted, for probes), the login rate limit (429 and a warning naming the peer), security headers on every answer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { StreamLogger } from '../../../src/log';
import { HostTracker } from '../../../src/runtime/hosts';
import { TailBus } from '../../../src/runtime/tail-bus';
import { SqliteStore } from '../../../src/store/sqlite';
import { isPublic } from '../../../src/web/guard';
import { startHttp, type HttpServer } from '../../../src/web/server';
import { UserStore } from '../../../src/web/users';
import { tempDir } from '../../helpers/util';
import { call, sessionFrom } from './http-client';

const tmp = tempDir('lw-console-auth-');
const logger = new StreamLogger({ keep: true, out: null });
let store: SqliteStore;
let http: HttpServer;
let users: UserStore;
const PASSWORD = 'correct horse battery';

before(async () => {
  store = new SqliteStore({ path: join(tmp.dir, 'store') });
  users = new UserStore(join(tmp.dir, 'data'));
  users.ensureAdmin();
  users.addUser('alice', PASSWORD);
  http = await startHttp({
    backend: store, port: 0, logger, users, allowedHosts: ['logs.example.net'], tail: new TailBus(), hosts: new HostTracker(),
    uiDir: join(tmp.dir, 'no-ui'),
  });
});

after(async () => {
  await http.close();
  await store.close();
  tmp.cleanup();
});

function concrete(url: string): string {
  return url.replace(/:[A-Za-z]+/g, '1').replace(/\*$/, 'x.js');
}

test('every route of the table: 401 (API) or 302 to /login (pages) without credentials, except the public list', async () => {
  const routes = http.routes.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS');
  assert.ok(routes.length >= 20, `route table collected (${routes.length})`);
  const seen = { api: 0, page: 0, public: 0 };
  for (const r of routes) {
    const path = concrete(r.url);
    const res = await call(http.port, r.method, path, {}, r.method === 'POST' ? {} : undefined);
    const where = `${r.method} ${r.url} → ${res.status}`;
    if (isPublic(r.method, path)) {
      seen.public++;
      assert.notEqual(res.status, 401, where);
      assert.notEqual(res.status, 302, where);
    } else if (path.startsWith('/api/') || path === '/metrics') {
      seen.api++;
      assert.equal(res.status, 401, where);
      assert.equal(res.json.error.code, 'LW_ERR_API_AUTH', where);
    } else {
      seen.page++;
      assert.equal(res.status, 302, where);
      assert.equal(res.headers.location, `/login?next=${encodeURIComponent(path)}`, where);
    }
  }
  assert.deepEqual(seen, { api: 14, page: 6, public: 4 }, 'the public list is exactly /login, /assets/*, POST /api/login, /healthz');
  const q = await call(http.port, 'GET', '/search?q=a%20b');
  assert.equal(q.headers.location, `/login?next=${encodeURIComponent('/search?q=a%20b')}`, 'next keeps the query string');
  const unknown = await call(http.port, 'GET', '/api/nope');
  assert.equal(unknown.status, 401, 'an unknown API path asks for credentials before saying 404');
});

test('Host allow-list: foreign names are refused before any route, even with credentials', async () => {
  const token = users.createToken('alice', 'host-test').token;
  const auth = { authorization: `Bearer ${token}` };
  for (const host of ['evil.example', `evil.example:${http.port}`, '127.0.0.1:1', 'a b', '127.0.0.1.evil.example']) {
    const r = await call(http.port, 'GET', '/api/stats', { ...auth, host });
    assert.equal(r.status, 403, `Host: ${host}`);
    assert.equal(r.json.error.code, 'LW_ERR_API_HOST');
    const login = await call(http.port, 'POST', '/api/login', { host }, { username: 'alice', password: PASSWORD });
    assert.equal(login.status, 403, `public routes too (Host: ${host})`);
    const h = await call(http.port, 'GET', '/healthz', { host });
    assert.equal(h.status, 200, `/healthz answers probes addressed to the pod IP (Host: ${host})`);
  }
  for (const host of [`127.0.0.1:${http.port}`, `localhost:${http.port}`, 'localhost', `[::1]:${http.port}`, 'logs.example.net', 'LOGS.example.net:443']) {
    const r = await call(http.port, 'GET', '/api/stats', { ...auth, host });
    assert.equal(r.status, 200, `Host: ${host}`);
  }
});

test('login, session, CSRF on POST, logout; wrong password and unknown user both 401 with one message', async () => {
  const bad = await call(http.port, 'POST', '/api/login', {}, { username: 'alice', password: 'wrong password!' });
  assert.equal(bad.status, 401);
  const nobody = await call(http.port, 'POST', '/api/login', {}, { username: 'mallory', password: 'wrong password!' });
  assert.equal(nobody.status, 401);
  assert.equal(nobody.json.error.message, bad.json.error.message);
  assert.equal(bad.headers['set-cookie'], undefined);

  const ok = await call(http.port, 'POST', '/api/login', { origin: `http://127.0.0.1:${http.port}` }, { username: 'alice', password: PASSWORD });
  assert.equal(ok.status, 200);
  assert.equal(ok.json.user.name, 'alice');
  const setCookie = String(ok.headers['set-cookie']);
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  assert.match(setCookie, /Path=\//);
  assert.doesNotMatch(setCookie, /Secure/, 'no Secure flag over plain HTTP');
  const sid = sessionFrom(ok);
  assert.ok(Buffer.from(sid, 'base64url').length >= 32, 'a 256-bit session id');
  const cookie = { cookie: `lw_session=${sid}` };

  const s = await call(http.port, 'GET', '/api/session', cookie);
  assert.deepEqual(s.json, { user: { name: 'alice' }, csrf: ok.json.csrf });
  assert.equal((await call(http.port, 'GET', '/api/search?q=*', cookie)).status, 200);
  assert.equal((await call(http.port, 'GET', '/search', cookie)).status, 200, 'a page with a session');

  const noCsrf = await call(http.port, 'POST', '/api/logout', cookie);
  assert.equal(noCsrf.status, 403);
  assert.equal(noCsrf.json.error.code, 'LW_ERR_API_CSRF');
  const wrongCsrf = await call(http.port, 'POST', '/api/alerts/1/ack', { ...cookie, 'x-csrf-token': 'x'.repeat(43) });
  assert.equal(wrongCsrf.status, 403);
  const foreign = await call(http.port, 'POST', '/api/logout', { ...cookie, 'x-csrf-token': ok.json.csrf, origin: 'http://evil.example' });
  assert.equal(foreign.status, 403);
  assert.equal(foreign.json.error.code, 'LW_ERR_API_ORIGIN');

  const out = await call(http.port, 'POST', '/api/logout', { ...cookie, 'x-csrf-token': ok.json.csrf });
  assert.equal(out.status, 204);
  assert.match(String(out.headers['set-cookie']), /lw_session=;.*Max-Age=0/);
  assert.equal((await call(http.port, 'GET', '/api/session', cookie)).status, 401, 'the session is gone server-side');
});

test('a revoked token and a deleted user lose access at once', async () => {
  const { id, token } = users.createToken('alice', 'revoke-me');
  const auth = { authorization: `Bearer ${token}` };
  assert.equal((await call(http.port, 'GET', '/api/stats', auth)).status, 200);
  users.revokeToken(id);
  assert.equal((await call(http.port, 'GET', '/api/stats', auth)).status, 401);
  assert.equal((await call(http.port, 'GET', '/api/stats', { authorization: 'Bearer lw_00000000_' + 'A'.repeat(43) })).status, 401);
  assert.equal((await call(http.port, 'GET', '/api/stats', { authorization: 'Basic YTpi' })).status, 401);
});

test('security headers on every answer; Cache-Control no-store on the API', async () => {
  for (const [path, status] of [['/healthz', 200], ['/api/stats', 401], ['/login', 200], ['/assets/nope.js', 404], ['/', 302]] as const) {
    const r = await call(http.port, 'GET', path);
    assert.equal(r.status, status, path);
    assert.equal(r.headers['content-security-policy'], "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'", path);
    assert.equal(r.headers['x-content-type-options'], 'nosniff', path);
    assert.equal(r.headers['referrer-policy'], 'no-referrer', path);
    assert.equal(r.headers['x-frame-options'], 'DENY', path);
    if (path.startsWith('/api/') || path === '/healthz') assert.equal(r.headers['cache-control'], 'no-store', path);
  }
  const page = await call(http.port, 'GET', '/login');
  assert.match(page.text, /<html/);
  assert.doesNotMatch(page.text, /<script>/, 'no inline script');
});

test('login attempts are rate-limited per address with a warning naming the peer', async () => {
  const codes: number[] = [];
  for (let i = 0; i < 7; i++) codes.push((await call(http.port, 'POST', '/api/login', {}, { username: 'alice', password: `guess ${i} xxxx` })).status);
  assert.ok(codes.includes(429), `statuses ${codes}`);
  const r = await call(http.port, 'POST', '/api/login', {}, { username: 'alice', password: PASSWORD });
  assert.equal(r.status, 429, 'even the right password waits');
  assert.ok(Number(r.headers['retry-after']) >= 1);
  assert.equal(r.json.error.code, 'LW_ERR_API_RATE');
  const warns = logger.records!.filter((x) => x.code === 'LW_WARN_HTTP_LOGIN_RATE');
  assert.equal(warns.length, 1, 'one warning per lockout, not one per refused attempt');
  const warn = warns[0]!;
  assert.equal(warn.fields?.peer, '127.0.0.1');
});

// Console accounts (scrypt, 0600 file, tokens stored hashed), sessions (idle and absolute expiry, LRU cap),
// the login limiter (burst, refill, doubling backoff) and the hosts tracker (skew, per-minute, cap, persistence).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Message } from '../../../src/message';
import { HostTracker } from '../../../src/runtime/hosts';
import { SyslogTime } from '../../../src/time';
import { LoginLimiter, BURST, REFILL_MS } from '../../../src/web/login-limit';
import { ABSOLUTE_MS, IDLE_MS, SessionTable, csrfMatches } from '../../../src/web/sessions';
import { UserStore, UserStoreError } from '../../../src/web/users';
import { splitHost, sessionCookie } from '../../../src/web/guard';
import { tempDir } from '../../helpers/util';

test('accounts: first start makes admin once; hashes only; 0600; tokens verify until revoked', async () => {
  const t = tempDir('lw-users-');
  try {
    const u = new UserStore(t.dir);
    const pw = u.ensureAdmin();
    assert.ok(pw !== null && pw.length >= 20);
    assert.equal(u.ensureAdmin(), null, 'only on first start');
    assert.equal(readFileSync(join(t.dir, 'admin-password'), 'utf8'), `${pw}\n`);
    assert.equal(statSync(join(t.dir, 'admin-password')).mode & 0o777, 0o600);
    assert.equal(statSync(u.file).mode & 0o777, 0o600);
    assert.equal(await u.verifyPassword('admin', pw!), 'admin');
    assert.equal(await u.verifyPassword('admin', `${pw}x`), null);
    assert.equal(await u.verifyPassword('nobody', pw!), null);
    const text = readFileSync(u.file, 'utf8');
    assert.ok(!text.includes(pw!), 'no plaintext password in the file');

    u.addUser('alice', 'alice password');
    assert.throws(() => u.addUser('alice', 'another password'), (e: unknown) => e instanceof UserStoreError && e.code === 'LW_ERR_USER_EXISTS');
    assert.throws(() => u.addUser('a b', 'long enough password'), (e: unknown) => e instanceof UserStoreError && e.code === 'LW_ERR_USER_NAME');
    assert.throws(() => u.addUser('bob', 'short'), (e: unknown) => e instanceof UserStoreError && e.code === 'LW_ERR_USER_PASSWORD');
    u.setPassword('alice', 'new alice password');
    assert.equal(await u.verifyPassword('alice', 'alice password'), null);
    assert.equal(await u.verifyPassword('alice', 'new alice password'), 'alice');

    const { id, token } = u.createToken('alice', 'ci');
    assert.ok(!readFileSync(u.file, 'utf8').includes(token.slice(12)), 'only the token hash is stored');
    const other = new UserStore(t.dir); // another process's view (the server) sees the CLI's write
    assert.equal(other.verifyToken(token), 'alice');
    assert.equal(other.verifyToken(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')), null);
    assert.equal(other.verifyToken('garbage'), null);
    u.revokeToken(id);
    assert.equal(other.verifyToken(token), null);
    const t2 = u.createToken('alice', 'second').token;
    u.deleteUser('alice');
    assert.equal(other.verifyToken(t2), null, 'deleting a user drops their tokens');
    assert.deepEqual(u.listUsers().map((x) => x.name), ['admin']);

    writeFileSync(u.file, '{not json');
    assert.throws(() => new UserStore(t.dir), (e: unknown) => e instanceof UserStoreError && e.code === 'LW_ERR_USER_FILE');
  } finally {
    t.cleanup();
  }
});

test('sessions: idle and absolute expiry, CSRF compare', () => {
  let now = 1_000_000;
  const s = new SessionTable(() => now);
  const a = s.create('alice');
  assert.equal(Buffer.from(a.id, 'base64url').length, 32);
  assert.equal(s.get(a.id)?.user, 'alice');
  now += IDLE_MS - 1;
  assert.ok(s.get(a.id), 'touched within the idle limit');
  now += IDLE_MS + 1;
  assert.equal(s.get(a.id), undefined, 'idle expiry');
  const b = s.create('bob');
  for (let i = 0; i < ABSOLUTE_MS / (IDLE_MS / 2) + 2; i++) {
    now += IDLE_MS / 2;
    if (!s.get(b.id)) break;
  }
  assert.equal(s.get(b.id), undefined, 'absolute expiry even when active');
  const c = s.create('carol');
  assert.equal(csrfMatches(c, c.csrf), true);
  assert.equal(csrfMatches(c, undefined), false);
  assert.equal(csrfMatches(c, `${c.csrf}x`), false);
  assert.equal(s.get(undefined), undefined);
  assert.equal(s.get('nope'), undefined);
});

test('login limiter: a burst, then one per refill, the wait doubling while refused; success resets', () => {
  let now = 0;
  const l = new LoginLimiter(() => now);
  for (let i = 0; i < BURST; i++) assert.equal(l.take('p'), 0);
  const w1 = l.take('p');
  assert.ok(w1 > 0);
  assert.equal(l.take('q'), 0, 'per peer');
  now += REFILL_MS * 2; // the refill interval doubled after the refusal
  assert.equal(l.take('p'), 0);
  assert.ok(l.take('p') > 0);
  l.succeeded('p');
  assert.equal(l.take('p'), 0);
});

test('guard helpers: Host parsing and the session cookie', () => {
  assert.deepEqual(splitHost('[::1]:8080'), { name: '[::1]', port: '8080' });
  assert.deepEqual(splitHost('Logs.Example.net'), { name: 'logs.example.net', port: null });
  assert.equal(splitHost('a b'), null);
  assert.equal(splitHost('x:y'), null);
  assert.equal(sessionCookie('a=1; lw_session=abc; b=2'), 'abc');
  assert.equal(sessionCookie('xlw_session=abc'), undefined);
});

function msg(host: string, recvMs: number, skewMs: number): Message {
  const m = new Message(Buffer.from('x'), { inputname: 'imudp', fromhost: host, fromhostIp: '192.0.2.1', ruleset: 'RSYSLOG_DefaultRuleset' }, SyslogTime.fromEpochMs(recvMs));
  m.hostname = host;
  m.timereported = SyslogTime.fromEpochMs(recvMs - skewMs);
  return m;
}

test('hosts tracker: skew median/p95, per-minute counts, silent, cap, save/load', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  const h = new HostTracker(2);
  const feed = (m: Message): void => h.observe(m, m.timegenerated.toEpochMicros());
  for (let i = 0; i < 100; i++) feed(msg('late', now - (i % 3) * 60_000, 600_000 + (i % 50 === 1 ? 5_000_000 : 0)));
  feed(msg('ok', now - 20 * 60_000, 100));
  feed(msg('third', now, 0));
  assert.equal(h.capped, 1, 'a third host is only counted');
  const [late, ok] = h.snapshot(now);
  assert.equal(late!.host, 'late');
  assert.equal(late!.skewMedianMs, 600_000);
  assert.equal(late!.skewP95Ms, 600_000, 'a sample, not every message: the two outliers were not sampled');
  assert.equal(late!.skewed, true);
  assert.equal(late!.perMinute.length, 60);
  assert.deepEqual(late!.perMinute.slice(-3), [33, 33, 34]);
  assert.equal(ok!.skewed, false);
  assert.equal(ok!.silent, true, 'silent after 15 minutes');
  const t = tempDir('lw-hosts-');
  try {
    const file = join(t.dir, 'console', 'hosts.json');
    h.save(file);
    const back = new HostTracker();
    assert.equal(back.load(file), true);
    const snap = back.snapshot(now);
    assert.deepEqual(snap.map((x) => [x.host, x.firstSeenUs, x.inputs]), [['late', late!.firstSeenUs, ['imudp']], ['ok', ok!.firstSeenUs, ['imudp']]]);
    assert.equal(snap[0]!.skewMedianMs, null);
    assert.equal(new HostTracker().load(join(t.dir, 'missing.json')), false);
  } finally {
    t.cleanup();
  }
});

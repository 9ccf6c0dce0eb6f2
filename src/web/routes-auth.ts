// Login, logout and the current session (docs/console.md, "Login"). The session cookie is HttpOnly,
// SameSite=Strict, Path=/, and Secure under HTTPS; the CSRF token travels in the JSON body, never in a cookie.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from '../log';
import type { LoginLimiter } from './login-limit';
import { SESSION_COOKIE, ABSOLUTE_MS, type SessionTable } from './sessions';
import type { UserStore } from './users';

export interface AuthRouteOptions {
  users: UserStore;
  sessions: SessionTable;
  limiter: LoginLimiter;
  https: boolean;
  logger: Logger;
}

function cookie(value: string, maxAgeS: number, https: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${https ? '; Secure' : ''}`;
}

function unauthorized(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(401).send({ error: { code: 'LW_ERR_API_AUTH', message } });
}

export function authRoutes(app: FastifyInstance, o: AuthRouteOptions): void {
  app.post<{ Body: unknown }>('/api/login', async (req, reply) => {
    const peer = req.socket.remoteAddress ?? '?';
    const wait = o.limiter.take(peer);
    if (wait > 0) {
      o.logger.warn('LW_WARN_HTTP_LOGIN_RATE', 'console login attempts from this address are rate-limited', { peer, retryAfterS: wait });
      return reply.code(429).header('retry-after', String(wait))
        .send({ error: { code: 'LW_ERR_API_RATE', message: `too many login attempts; try again in ${wait} s` } });
    }
    const body = req.body as { username?: unknown; password?: unknown } | null;
    const username = body?.username;
    const password = body?.password;
    if (typeof username !== 'string' || typeof password !== 'string' || username.length > 64 || password.length > 1024) {
      return reply.code(400).send({ error: { code: 'LW_ERR_API_PARAM', message: 'send JSON {"username","password"}', param: 'body' } });
    }
    const user = await o.users.verifyPassword(username, password);
    if (user === null) {
      o.logger.notice('LW_NOTICE_HTTP_LOGIN_FAILED', 'console login failed', { peer, username });
      return unauthorized(reply, 'wrong user name or password');
    }
    o.limiter.succeeded(peer);
    if (req.principal?.session) o.sessions.delete(req.principal.session.id);
    const s = o.sessions.create(user);
    o.logger.info('LW_INFO_HTTP_LOGIN', 'console login', { peer, user });
    return reply.header('set-cookie', cookie(s.id, Math.floor(ABSOLUTE_MS / 1000), o.https)).send({ user: { name: user }, csrf: s.csrf });
  });

  app.post('/api/logout', async (req, reply) => {
    if (req.principal?.session) o.sessions.delete(req.principal.session.id);
    return reply.code(204).header('set-cookie', cookie('', 0, o.https)).send();
  });

  app.get('/api/session', async (req, reply) => {
    const p = req.principal;
    if (p === null) return unauthorized(reply, 'not logged in');
    return { user: { name: p.user }, csrf: p.session?.csrf ?? null };
  });
}

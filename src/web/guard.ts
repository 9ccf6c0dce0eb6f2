// The one gate in front of every route (an onRequest hook): security headers, the Host allow-list (DNS
// rebinding), credentials (session cookie or bearer token) with an explicit public allow-list, CSRF on every
// state-changing request made with a cookie, and the Origin check. Routes never check credentials themselves, so
// a route added later is protected by default (test/integration/console/route-table-auth.test.ts enumerates them).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { csrfMatches, SESSION_COOKIE, type Session, type SessionTable } from './sessions';
import type { UserStore } from './users';

/** Requests that need no credentials: `METHOD path` exactly, or a path prefix ending in '/'. */
const PUBLIC: ReadonlyArray<{ method: 'GET' | 'POST'; path: string; prefix: boolean }> = [
  { method: 'GET', path: '/login', prefix: false },
  { method: 'GET', path: '/assets/', prefix: true },
  { method: 'POST', path: '/api/login', prefix: false },
  { method: 'GET', path: '/healthz', prefix: false },
];

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface Principal {
  user: string;
  /** The session when the request came with the cookie; null for a bearer token. */
  session: Session | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export interface GuardOptions {
  users: UserStore;
  sessions: SessionTable;
  /** Lower-case host names (no port) accepted in Host besides the built-in loopback names. */
  allowedHosts: string[];
  /** The listen address as given (a Host of it is accepted). */
  listenAddress: string;
  https: boolean;
  /** The bound port, known after listen. */
  port(): number;
  /** Longest request URI (414 beyond). */
  maxUrlBytes: number;
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

export function isPublic(method: string, url: string): boolean {
  const m = method === 'HEAD' ? 'GET' : method;
  const p = pathOf(url);
  return PUBLIC.some((r) => r.method === m && (r.prefix ? p.startsWith(r.path) : p === r.path));
}

/** `name` and `port` of a Host header value (`[::1]:8080`, `logs.example.net`); null when malformed. */
export function splitHost(value: string): { name: string; port: string | null } | null {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(value);
  if (m === null) return null;
  return { name: m[1]!.toLowerCase(), port: m[2] ?? null };
}

/** The session cookie's value from a Cookie header (the first one named lw_session). */
export function sessionCookie(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function setSecurityHeaders(reply: FastifyReply, api: boolean, https: boolean): void {
  reply.header('content-security-policy', CSP);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-frame-options', 'DENY');
  reply.header('cross-origin-opener-policy', 'same-origin');
  reply.header('cross-origin-resource-policy', 'same-origin');
  if (https) reply.header('strict-transport-security', 'max-age=31536000');
  if (api) reply.header('cache-control', 'no-store');
}

function refuse(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ error: { code, message } });
}

export function makeGuard(o: GuardOptions): (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  const builtin = new Set(['localhost', '127.0.0.1', '[::1]']);
  const listen = o.listenAddress.includes(':') ? `[${o.listenAddress.toLowerCase()}]` : o.listenAddress.toLowerCase();
  if (listen !== '0.0.0.0' && listen !== '[::]') builtin.add(listen);
  const extra = new Set(o.allowedHosts.map((h) => h.toLowerCase()));

  const hostAllowed = (value: string | undefined): boolean => {
    if (value === undefined) return false;
    const h = splitHost(value);
    if (h === null) return false;
    if (extra.has(h.name)) return true;
    return builtin.has(h.name) && (h.port === null || Number(h.port) === o.port());
  };

  const originAllowed = (origin: string): boolean => {
    const scheme = o.https ? 'https://' : 'http://';
    return origin.startsWith(scheme) && hostAllowed(origin.slice(scheme.length));
  };

  return async (req, reply) => {
    const path = pathOf(req.url);
    const api = path.startsWith('/api/') || path === '/healthz' || path === '/metrics';
    setSecurityHeaders(reply, api, o.https);
    req.principal = null;
    if (req.url.length > o.maxUrlBytes) return refuse(reply, 414, 'LW_ERR_API_URI', 'request URI too long');
    // /healthz answers any Host: probes (kubelet) address the pod IP, and it discloses nothing.
    if (path !== '/healthz' && !hostAllowed(req.headers.host)) {
      return refuse(reply, 403, 'LW_ERR_API_HOST', 'Host not allowed (add it to the http module\'s allowedHosts)');
    }
    const origin = req.headers.origin;
    if (!SAFE_METHODS.has(req.method) && origin !== undefined && !originAllowed(origin)) {
      return refuse(reply, 403, 'LW_ERR_API_ORIGIN', 'cross-origin request refused');
    }
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      const user = m === null ? null : o.users.verifyToken(m[1]!);
      if (user === null) return refuse(reply, 401, 'LW_ERR_API_AUTH', 'invalid or revoked token');
      req.principal = { user, session: null };
      return undefined;
    }
    const sid = sessionCookie(req.headers.cookie);
    const session = o.sessions.get(sid);
    if (session !== undefined && !o.users.hasUser(session.user)) o.sessions.delete(session.id);
    else if (session !== undefined) {
      if (!SAFE_METHODS.has(req.method) && !csrfMatches(session, headerValue(req.headers['x-csrf-token']))) {
        return refuse(reply, 403, 'LW_ERR_API_CSRF', 'missing or wrong x-csrf-token header');
      }
      req.principal = { user: session.user, session };
      return undefined;
    }
    if (isPublic(req.method, req.url)) return undefined;
    if (api) return refuse(reply, 401, 'LW_ERR_API_AUTH', 'log in or send Authorization: Bearer <token>');
    if (req.method === 'GET' || req.method === 'HEAD') {
      return reply.code(302).header('location', `/login?next=${encodeURIComponent(req.url)}`).send();
    }
    return refuse(reply, 401, 'LW_ERR_API_AUTH', 'log in first');
  };
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? undefined : v;
}

// The web console's HTTP(S) server (fastify): the console API (docs/console.md) and the SPA's pages, behind one
// gate (guard.ts) that sets security headers, refuses foreign Host headers, and demands credentials on every
// route outside its public list. Loopback by default; bounded request sizes; bad input answers 4xx, never 500.
import type { SecureContextOptions } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import type FastifyT from 'fastify';
import type { Logger } from '../log';
import type { HostTracker } from '../runtime/hosts';
import type { TailBus } from '../runtime/tail-bus';
import type { StoreBackend } from '../store/backend';
import { makeGuard } from './guard';
import { sendError } from './http-common';
import { LoginLimiter } from './login-limit';
import { pageRoutes } from './pages';
import { authRoutes } from './routes-auth';
import { consoleRoutes } from './routes-console';
import { searchRoutes } from './routes-search';
import { SessionTable } from './sessions';
import { TailHub } from './tail';
import type { UserStore } from './users';
import { registerMetricsRoutes, type MetricsSource } from './metrics-routes';

export interface HttpOptions {
  backend: StoreBackend;
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** Port (0: any free port). */
  port: number;
  logger: Logger;
  /** Accounts and tokens (src/web/users.ts). */
  users: UserStore;
  /** Extra names accepted in the Host header (module parameter allowedHosts). */
  allowedHosts?: string[];
  /** Serve HTTPS with these context options (certificate and key) instead of HTTP. */
  tls?: SecureContextOptions | null;
  /** The runtime's live-tail bus; null when no pipeline runs in this process (tail answers 400). */
  tail?: TailBus | null;
  hosts?: HostTracker | null;
  retention?: { days: number; maxBytes: number } | null;
  /** The running server's metrics (GET /metrics, /api/status, the `metrics` field of /api/stats). */
  metrics?: MetricsSource;
  /** Directory of the built UI (default dist/ui). */
  uiDir?: string;
}

export interface HttpServer {
  address: string;
  port: number;
  /** The console's URL (http(s)://address:port/). */
  url: string;
  /** Every route as `METHOD url` (HEAD routes included), collected as they were added. */
  routes: Array<{ method: string; url: string }>;
  close(): Promise<void>;
}

/** Request bodies are small JSON (login); anything bigger is refused before it is read. */
const BODY_LIMIT_BYTES = 16 * 1024;
/** Longest request URI accepted (the parser caps the query text itself at 8 KiB). */
const MAX_URL_BYTES = 16 * 1024;
const REQUEST_TIMEOUT_MS = 30_000;

export async function startHttp(opts: HttpOptions): Promise<HttpServer> {
  const { backend, logger } = opts;
  const https = opts.tls != null;
  // fastify is loaded here, not at startup (~90 ms of CPU for a process that may serve no console).
  const Fastify = (require('fastify') as { default: typeof FastifyT }).default;
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionTimeout: REQUEST_TIMEOUT_MS,
    ...(https ? { https: opts.tls } : {}),
  } as Parameters<typeof FastifyT>[0]) as unknown as FastifyInstance;
  const host = opts.host ?? '127.0.0.1';
  let boundPort = opts.port;
  const routes: Array<{ method: string; url: string }> = [];
  app.addHook('onRoute', (r) => {
    for (const m of Array.isArray(r.method) ? r.method : [r.method]) routes.push({ method: m, url: r.url });
  });
  app.decorateRequest('principal', null);

  const sessions = new SessionTable();
  app.addHook('onRequest', makeGuard({
    users: opts.users, sessions, allowedHosts: opts.allowedHosts ?? [], listenAddress: host, https, port: () => boundPort, maxUrlBytes: MAX_URL_BYTES,
  }));

  app.get('/healthz', async () => ({ status: 'ok' }));
  authRoutes(app, { users: opts.users, sessions, limiter: new LoginLimiter(), https, logger });
  searchRoutes(app, backend, logger);
  const tail = opts.tail ? new TailHub(opts.tail) : null;
  consoleRoutes(app, { backend, logger, tail, hosts: opts.hosts ?? null, retention: opts.retention, metrics: opts.metrics, startedMs: Date.now() });
  pageRoutes(app, opts.uiDir);
  registerMetricsRoutes(app, opts);

  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: { code: 'LW_ERR_API_NOT_FOUND', message: 'no such endpoint' } }));
  app.setErrorHandler((err: Error, _req, reply) => {
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status < 500) return reply.code(status).send({ error: { code: 'LW_ERR_API_REQUEST', message: err.message } });
    return sendError(reply, err, logger);
  });

  await app.listen({ host, port: opts.port });
  const addr = app.server.address();
  boundPort = typeof addr === 'object' && addr !== null ? addr.port : opts.port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host;
  const url = `${https ? 'https' : 'http'}://${urlHost}:${boundPort}/`;
  logger.info('LW_HTTP_LISTEN', 'HTTP API listening', { address: host, port: boundPort, https });
  return {
    address: host,
    port: boundPort,
    url,
    routes,
    close: async () => {
      tail?.close();
      await app.close();
    },
  };
}

// HTTP API over a store backend (fastify): GET /api/search, GET /api/stats, GET /healthz. Loopback by default;
// bounded request sizes; a bad query answers 400 with its code, column and caret display.
import Fastify, { type FastifyReply } from 'fastify';
import { alertJson } from '../detect/outputs';
import { detectServices } from '../detect/service';
import type { Logger } from '../log';
import { DEFAULT_PAGE, MAX_PAGE, StoreError, type StoreBackend } from '../store/backend';
import { QueryError } from '../store/query/errors';
import { parseTimeValue } from '../store/query/fields';
import { parseQuery } from '../store/query/parser';
import { SEARCH_RETRY_AFTER_S } from '../store/search-worker';
import { registerMetricsRoutes, withMetrics, type MetricsSource } from './metrics-routes';

export interface HttpOptions {
  backend: StoreBackend;
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** Port (0: any free port). */
  port: number;
  logger: Logger;
  /** The running server's metrics (GET /metrics, the `metrics` field of /api/stats). */
  metrics?: MetricsSource;
}

export interface HttpServer {
  address: string;
  port: number;
  close(): Promise<void>;
}

/** The API takes no bodies; anything bigger is refused before it is read. */
const BODY_LIMIT_BYTES = 16 * 1024;
/** Longest query string accepted (the parser caps the query text itself at 8 KiB). */
const MAX_URL_BYTES = 16 * 1024;
const REQUEST_TIMEOUT_MS = 30_000;

interface SearchQuery {
  q?: string;
  from?: string;
  to?: string;
  limit?: string;
  cursor?: string;
}

class BadRequest extends Error {
  constructor(readonly code: string, message: string, readonly param: string) {
    super(message);
  }
}

function timeParam(v: string | undefined, name: string, nowMs: number): number | null {
  if (v === undefined || v === '') return null;
  const us = parseTimeValue(v, nowMs);
  if (us === undefined) throw new BadRequest('LW_ERR_QUERY_TIME', `${name}="${v}" is not a time (-15m, now, RFC 3339)`, name);
  return us;
}

function limitParam(v: string | undefined): number {
  if (v === undefined || v === '') return DEFAULT_PAGE;
  if (!/^\d{1,6}$/.test(v) || Number(v) < 1 || Number(v) > MAX_PAGE) {
    throw new BadRequest('LW_ERR_API_PARAM', `limit must be 1..${MAX_PAGE}`, 'limit');
  }
  return Number(v);
}

function sendError(reply: FastifyReply, err: unknown, logger: Logger): FastifyReply {
  if (err instanceof QueryError) {
    return reply.code(400).send({ error: { code: err.code, message: err.message, col: err.col, caret: err.caret() } });
  }
  if (err instanceof BadRequest) return reply.code(400).send({ error: { code: err.code, message: err.message, param: err.param } });
  if (err instanceof StoreError && err.code === 'LW_ERR_SEARCH_BUSY') return reply.code(503).header('retry-after', String(SEARCH_RETRY_AFTER_S)).send({ error: { code: err.code, message: err.message } });
  if (err instanceof StoreError && err.code.startsWith('LW_ERR_QUERY')) {
    return reply.code(400).send({ error: { code: err.code, message: err.message } });
  }
  const e = err as Error & { code?: string };
  logger.error('LW_ERR_API', 'search request failed', { error: e.message, code: e.code });
  return reply.code(500).send({ error: { code: e.code ?? 'LW_ERR_API', message: 'internal error; see the server log' } });
}

export async function startHttp(opts: HttpOptions): Promise<HttpServer> {
  const { backend, logger } = opts;
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionTimeout: REQUEST_TIMEOUT_MS,
  });

  app.addHook('onRequest', async (req, reply) => {
    if (req.url.length > MAX_URL_BYTES) return reply.code(414).send({ error: { code: 'LW_ERR_API_URI', message: 'request URI too long' } });
    return undefined;
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/api/stats', async (_req, reply) => {
    try {
      return await withMetrics(await backend.stats(), opts);
    } catch (err) {
      return sendError(reply, err, logger);
    }
  });

  registerMetricsRoutes(app, opts);

  app.get<{ Querystring: SearchQuery }>('/api/search', async (req, reply) => {
    try {
      const p = req.query;
      if (typeof p.q !== 'string') throw new BadRequest('LW_ERR_API_PARAM', 'q (the query) is required', 'q');
      for (const k of ['from', 'to', 'limit', 'cursor'] as const) {
        if (p[k] !== undefined && typeof p[k] !== 'string') throw new BadRequest('LW_ERR_API_PARAM', `${k} given twice`, k);
      }
      const now = Date.now();
      const query = parseQuery(p.q, { nowMs: now });
      const result = await backend.search({
        query, fromUs: timeParam(p.from, 'from', now), toUs: timeParam(p.to, 'to', now), limit: limitParam(p.limit),
        cursor: p.cursor === undefined || p.cursor === '' ? null : p.cursor,
      });
      return result;
    } catch (err) {
      return sendError(reply, err, logger);
    }
  });

  // Alerts of the running detect actions (docs/detection.md): newest first; status=open|acknowledged, rule=, limit=.
  app.get<{ Querystring: { status?: string; rule?: string; limit?: string } }>('/api/alerts', async (req, reply) => {
    try {
      const { status, rule, limit } = req.query;
      if (status !== undefined && status !== 'open' && status !== 'acknowledged') throw new BadRequest('LW_ERR_API_PARAM', 'status must be open or acknowledged', 'status');
      const n = limitParam(limit);
      const alerts = detectServices().flatMap((s) => s.alerts.list({ status, rule, limit: n })).map(alertJson);
      return { alerts, metrics: detectServices().map((s) => s.metrics()) };
    } catch (err) {
      return sendError(reply, err, logger);
    }
  });

  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: { code: 'LW_ERR_API_NOT_FOUND', message: 'no such endpoint' } }));
  app.setErrorHandler((err: Error, _req, reply) => {
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status < 500) return reply.code(status).send({ error: { code: 'LW_ERR_API_REQUEST', message: err.message } });
    return sendError(reply, err, logger);
  });

  const host = opts.host ?? '127.0.0.1';
  await app.listen({ host, port: opts.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : opts.port;
  logger.info('LW_HTTP_LISTEN', 'HTTP API listening', { address: host, port });
  return {
    address: host,
    port,
    close: async () => {
      await app.close();
    },
  };
}

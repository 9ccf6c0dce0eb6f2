// Console routes beside search: live tail (SSE), hosts, alerts (list, detail, acknowledge), status and stats.
import { withMetrics, type MetricsSource } from './metrics-routes';
import type { FastifyInstance } from 'fastify';
import { version } from '../cli/main';
import { compileQuery } from '../detect/query-eval';
import type { Alert } from '../detect/alerts';
import { alertJson } from '../detect/outputs';
import type { DetectService } from '../detect/service';
import { loadedDetectServices as detectServices } from '../runtime/registry'; // not detect/service: loads the engine
import type { Logger } from '../log';
import { SILENT_AFTER_MIN, SKEW_THRESHOLD_MS, type HostTracker } from '../runtime/hosts';
import type { StoreBackend } from '../store/backend';
import { QueryError } from '../store/query/errors';
import type { QueryNode } from '../store/query/ast';
import { parseQuery } from '../store/query/parser';
import { andNode, BadRequest, limitParam, notFound, one, sendError, type Params } from './http-common';
import type { TailHub } from './tail';

export interface ConsoleRouteOptions {
  backend: StoreBackend;
  logger: Logger;
  tail: TailHub | null;
  hosts: HostTracker | null;
  /** Retention settings of the store, for /api/status. */
  retention?: { days: number; maxBytes: number } | null;
  /** The metrics registry (src/metrics), when one runs. */
  metrics?: MetricsSource;
  startedMs: number;
}

const ALERT_MESSAGES = 50;

function findAlert(id: number): { svc: DetectService; alert: Alert } | null {
  for (const svc of detectServices()) {
    const alert = svc.alerts.get(id);
    if (alert !== undefined) return { svc, alert };
  }
  return null;
}

function alertId(v: string): number {
  if (!/^\d{1,12}$/.test(v)) throw new BadRequest('LW_ERR_API_PARAM', 'alert id must be a number', 'id');
  return Number(v);
}

export function consoleRoutes(app: FastifyInstance, o: ConsoleRouteOptions): void {
  const { backend, logger } = o;

  app.get<{ Querystring: Params }>('/api/tail', async (req, reply) => {
    try {
      if (o.tail === null) throw new BadRequest('LW_ERR_API_PARAM', 'live tail needs `logwarden run` (no pipeline in this process)', 'q');
      const q = one(req.query, 'q') ?? '*';
      const query = parseQuery(q === '' ? '*' : q);
      if (query.pipes.length > 0) throw new QueryError('LW_ERR_QUERY_SYNTAX', 'pipes are not allowed in a live tail', query.pipes[0]!.pos, q);
      if (query.fromUs !== null || query.toUs !== null) throw new QueryError('LW_ERR_QUERY_TIME', 'a live tail has no time range; use received: to filter', 1, q);
      const match = compileQuery(query);
      const lastRaw = req.headers['last-event-id'];
      const last = typeof lastRaw === 'string' && /^\d{1,15}$/.test(lastRaw) ? Number(lastRaw) : null;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no',
      });
      res.write('retry: 2000\n\n');
      const detach = o.tail.attach(res, match, last);
      res.on('close', detach);
      return reply;
    } catch (err) {
      return sendError(reply, err, logger);
    }
  });

  app.get('/api/hosts', async () => ({
    hosts: o.hosts?.snapshot() ?? [], capped: o.hosts?.capped ?? 0, skewThresholdMs: SKEW_THRESHOLD_MS, silentAfterMin: SILENT_AFTER_MIN,
  }));

  // Alerts of the running detect actions (docs/detection.md): newest first; status=open|acknowledged, rule=, limit=.
  app.get<{ Querystring: Params }>('/api/alerts', async (req, reply) => {
    try {
      const status = one(req.query, 'status');
      const rule = one(req.query, 'rule');
      if (status !== undefined && status !== 'open' && status !== 'acknowledged') throw new BadRequest('LW_ERR_API_PARAM', 'status must be open or acknowledged', 'status');
      const n = limitParam(req.query);
      const alerts = detectServices().flatMap((s) => s.alerts.list({ status, rule, limit: n })).map(alertJson);
      return { alerts, metrics: detectServices().map((s) => s.metrics()) };
    } catch (err) {
      return sendError(reply, err, logger);
    }
  });

  // One alert and the stored messages around it: received within [first, last] (±1 s) and, when the alert has a
  // key, from a host of that name or containing the key as a phrase (best effort: alerts keep no message ids).
  app.get<{ Params: { id: string } }>('/api/alerts/:id', async (req, reply) => {
    try {
      const found = findAlert(alertId(req.params.id));
      if (found === null) return notFound(reply, 'no such alert');
      const a = found.alert;
      let where: QueryNode | null = null;
      if (a.key !== '') {
        where = { kind: 'field', field: { kind: 'column', name: 'host' }, op: 'eq', value: a.key, wildcard: false, pos: 1 };
        if (/[\p{L}\p{N}]/u.test(a.key)) where = { kind: 'or', left: where, right: { kind: 'text', value: a.key, phrase: true, prefix: false, pos: 1 }, pos: 1 };
      }
      where = andNode(where, { kind: 'received', op: 'ge', us: a.firstMs * 1000 - 1_000_000, pos: 1 });
      where = andNode(where, { kind: 'received', op: 'le', us: a.lastMs * 1000 + 1_000_000, pos: 1 });
      const res = await backend.search({ query: { where, fromUs: null, toUs: null, pipes: [], text: `alert ${a.id}` }, limit: ALERT_MESSAGES });
      return { alert: alertJson(a), messages: res.kind === 'hits' ? res.hits : [] };
    } catch (err) {
      return sendError(reply, err, logger);
    }
  });

  app.post<{ Params: { id: string } }>('/api/alerts/:id/ack', async (req, reply) => {
    try {
      const id = alertId(req.params.id);
      const found = findAlert(id);
      if (found === null) return notFound(reply, 'no such alert');
      found.svc.alerts.ack([id]);
      logger.info('LW_INFO_HTTP_ALERT_ACK', 'alert acknowledged from the console', { id, user: req.principal?.user });
      return { alert: alertJson(found.svc.alerts.get(id)!) };
    } catch (err) {
      return sendError(reply, err, logger);
    }
  });

  app.get('/api/status', async (_req, reply) => {
    try {
      const st = await backend.stats();
      return {
        ingestRate: st.ingestRate,
        store: { rows: st.rows, bytes: st.bytes, partitions: st.partitions.length, retention: o.retention ?? null },
        uptimeS: Math.round((Date.now() - o.startedMs) / 1000),
        version: version(),
        metrics: o.metrics ? await o.metrics.registry.json() : null,
      };
    } catch (err) {
      return sendError(reply, err, logger);
    }
  });

  app.get('/api/stats', async (_req, reply) => {
    try {
      return await withMetrics(await backend.stats(), { metrics: o.metrics });
    } catch (err) {
      return sendError(reply, err, logger);
    }
  });
}

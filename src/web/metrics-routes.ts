// GET /metrics (Prometheus text format 0.0.4) over the server's metrics registry, and the registry snapshot
// that /api/stats adds to the store's numbers. The HTTP module's auth hook covers these routes like any other.
import type { FastifyInstance } from 'fastify';
import type { MetricsRegistry } from '../metrics/registry';
import type { PipelineCounters } from '../metrics/pipeline';

/** What the routes read: the running server's registry and its sequence tracking. */
export interface MetricsSource {
  registry: MetricsRegistry;
  pipeline?: PipelineCounters;
}

export interface MetricsDeps {
  metrics?: MetricsSource;
}

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function registerMetricsRoutes(app: FastifyInstance, deps: MetricsDeps): void {
  app.get('/metrics', async (_req, reply) => {
    const m = deps.metrics;
    if (m === undefined) return reply.code(404).send({ error: { code: 'LW_ERR_API_NOT_FOUND', message: 'no metrics registry in this process' } });
    return reply.type(CONTENT_TYPE).send(await m.registry.text());
  });
}

/** /api/stats: the store's numbers as before, plus `metrics` (the registry snapshot) and `sequences`. */
export async function withMetrics<T extends object>(stats: T, deps: MetricsDeps): Promise<T & { metrics?: unknown; sequences?: unknown }> {
  const m = deps.metrics;
  if (m === undefined) return stats;
  return { ...stats, metrics: await m.registry.json(), sequences: m.pipeline?.sequenceStats() };
}

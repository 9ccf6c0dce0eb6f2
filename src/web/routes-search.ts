// Search routes of the console API: /api/search (the store's SearchResult), /api/histogram (hit counts per time
// bucket; the counts add up to the search's hits), /api/facets (top values per field) and /api/export (CSV or
// NDJSON, streamed page by page through the same cursor chain as /api/search, so the rows are the same).
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../log';
import { MAX_PAGE, type CompiledQueryInput, type Hit, type StoreBackend } from '../store/backend';
import type { Query } from '../store/query/ast';
import { QueryError } from '../store/query/errors';
import { resolveField } from '../store/query/fields';
import { BadRequest, filterOnly, intParam, limitParam, one, searchRequest, sendError, storeInput, type Params, type SearchRequest } from './http-common';

const S = 1_000_000;
/** Bucket widths the histogram picks from (µs): the smallest that gives at most the requested bucket count. */
const NICE_BUCKETS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800].map((s) => s * S);
const DAY_US = 86_400 * S;
const MAX_BUCKETS = 1000;
const MAX_FACET_FIELDS = 10;
const EXPORT_PAGE = 1000;
/** Largest export; more needs the CLI (`logwarden search --json`) or several exports with time ranges. */
export const MAX_EXPORT = 1_000_000;
export const CSV_COLUMNS = ['id', 'tsReported', 'tsReceived', 'host', 'fromhostIp', 'app', 'procid', 'msgid', 'facility', 'severity', 'msg'] as const;

/** RFC 3339 UTC with microseconds: 2025-01-15T07:25:36.123456Z. */
export function rfc3339Micros(us: number): string {
  const ms = Math.floor(us / 1000);
  const frac = ((us % S) + S) % S;
  return `${new Date(ms).toISOString().slice(0, 19)}.${String(frac).padStart(6, '0')}Z`;
}

/** One CSV field per RFC 4180 §2: quoted when it holds a quote, comma, CR or LF; quotes doubled. */
export function csvField(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(h: Hit): string {
  const cells: Array<string | number> = [h.id, rfc3339Micros(h.tsReported), rfc3339Micros(h.tsReceived), h.host, h.fromhostIp, h.app,
    h.procid, h.msgid, h.facility, h.severity, h.msg];
  return `${cells.map(csvField).join(',')}\r\n`;
}

function withPipe(q: Query, pipe: Query['pipes'][number]): Query {
  return { ...q, pipes: [pipe] };
}

/** Aggregate rows of a `| timechart` over the request's filter. */
async function timechart(backend: StoreBackend, input: CompiledQueryInput, bucketUs: number, on: 'reported' | 'received'): Promise<Array<[number, number]>> {
  const pipe = { kind: 'timechart' as const, bucketUs, by: null, pos: 1, ...(on === 'received' ? { on: 'received' as const } : {}) };
  const res = await backend.search({ ...input, query: withPipe(input.query, pipe), limit: MAX_PAGE });
  if (res.kind !== 'aggregate') throw new Error('timechart returned hits');
  return res.rows.map((r) => [Number(r[0]), Number(r[r.length - 1])]);
}

function boundsOf(r: SearchRequest): { from: number | null; to: number | null } {
  if (r.time === 'received') return { from: r.fromUs, to: r.toUs };
  const q = r.query;
  const from = q.fromUs === null ? r.fromUs : r.fromUs === null ? q.fromUs : Math.max(q.fromUs, r.fromUs);
  const to = q.toUs === null ? r.toUs : r.toUs === null ? q.toUs : Math.min(q.toUs, r.toUs);
  return { from, to };
}

export async function histogram(backend: StoreBackend, r: SearchRequest, buckets: number): Promise<{ fromUs: number; toUs: number; bucketUs: number; buckets: Array<{ t: number; count: number }>; total: number }> {
  filterOnly(r.query);
  const input = storeInput(r);
  let { from, to } = boundsOf(r);
  if (from === null || to === null) {
    // Unbounded on a side: one coarse pass (day buckets) finds where the data is, so no hit falls outside.
    const days = await timechart(backend, input, DAY_US, r.time);
    if (days.length === 0) {
      to ??= r.nowMs * 1000;
      from ??= to - 3600 * S;
    } else {
      from ??= days[0]![0];
      to ??= days[days.length - 1]![0] + DAY_US;
    }
  }
  if (to <= from) to = from + S;
  const bucketUs = NICE_BUCKETS.find((b) => Math.ceil((to! - Math.floor(from! / b) * b) / b) <= buckets) ?? Math.ceil((to - from) / buckets / DAY_US) * DAY_US;
  const start = Math.floor(from / bucketUs) * bucketUs;
  const n = Math.max(1, Math.ceil((to - start) / bucketUs));
  const out = Array.from({ length: n }, (_, i) => ({ t: start + i * bucketUs, count: 0 }));
  let total = 0;
  for (const [t, c] of await timechart(backend, input, bucketUs, r.time)) {
    const i = Math.min(n - 1, Math.max(0, Math.round((t - start) / bucketUs)));
    out[i]!.count += c;
    total += c;
  }
  return { fromUs: start, toUs: start + n * bucketUs, bucketUs, buckets: out, total };
}

async function* exportRows(backend: StoreBackend, input: CompiledQueryInput, first: { hits: Hit[]; nextCursor: string | null }, limit: number, line: (h: Hit) => string): AsyncGenerator<string> {
  let page = first;
  let sent = 0;
  for (;;) {
    let chunk = '';
    for (const h of page.hits) {
      if (sent >= limit) break;
      chunk += line(h);
      sent++;
    }
    if (chunk !== '') yield chunk;
    if (sent >= limit || page.nextCursor === null) return;
    const next = await backend.search({ ...input, limit: Math.min(EXPORT_PAGE, limit - sent), cursor: page.nextCursor });
    if (next.kind !== 'hits') return;
    page = next;
  }
}

export function searchRoutes(app: FastifyInstance, backend: StoreBackend, logger: Logger): void {
  app.get<{ Querystring: Params }>('/api/search', async (req, reply) => {
    try {
      const r = searchRequest(req.query);
      const cursor = one(req.query, 'cursor');
      return await backend.search({ ...storeInput(r), limit: limitParam(req.query), cursor: cursor === undefined || cursor === '' ? null : cursor });
    } catch (err) {
      return sendError(reply, err, logger);
    }
  });

  app.get<{ Querystring: Params }>('/api/histogram', async (req, reply) => {
    try {
      return await histogram(backend, searchRequest(req.query, { requireQ: false }), intParam(req.query, 'buckets', 60, MAX_BUCKETS));
    } catch (err) {
      return sendError(reply, err, logger);
    }
  });

  app.get<{ Querystring: Params }>('/api/facets', async (req, reply) => {
    try {
      const r = searchRequest(req.query, { requireQ: false });
      filterOnly(r.query);
      const size = intParam(req.query, 'size', 10, 100);
      const names = (one(req.query, 'fields') ?? 'host,app,severity').split(',').filter((f) => f !== '');
      if (names.length === 0 || names.length > MAX_FACET_FIELDS) throw new BadRequest('LW_ERR_API_PARAM', `fields takes 1..${MAX_FACET_FIELDS} field names`, 'fields');
      const input = storeInput(r);
      const facets: Record<string, Array<{ value: string | number | null; count: number }>> = {};
      await Promise.all(names.map(async (name) => {
        const field = resolveField(name);
        if (field === undefined) throw new BadRequest('LW_ERR_QUERY_FIELD', `unknown field '${name}'`, 'fields');
        const res = await backend.search({ ...input, query: withPipe(input.query, { kind: 'top', n: size, field, pos: 1 }) });
        facets[name] = res.kind === 'aggregate' ? res.rows.map((row) => ({ value: row[0]!, count: Number(row[1]) })) : [];
      }));
      return { facets };
    } catch (err) {
      return sendError(reply, err, logger);
    }
  });

  app.get<{ Querystring: Params }>('/api/export', async (req, reply) => {
    try {
      const format = one(req.query, 'format') ?? 'csv';
      if (format !== 'csv' && format !== 'ndjson') throw new BadRequest('LW_ERR_API_PARAM', 'format must be csv or ndjson', 'format');
      const r = searchRequest(req.query);
      const agg = r.query.pipes.find((p) => p.kind !== 'sort' && p.kind !== 'limit');
      if (agg !== undefined) throw new QueryError('LW_ERR_QUERY_SYNTAX', `'| ${agg.kind}' cannot be exported: export hits, or use /api/search`, agg.pos, r.query.text);
      const limit = intParam(req.query, 'limit', 10_000, MAX_EXPORT);
      const input = storeInput(r);
      // The first page runs before the headers go out, so a bad query or cursor still answers 400.
      const first = await backend.search({ ...input, limit: Math.min(EXPORT_PAGE, limit) });
      if (first.kind !== 'hits') throw new Error('export got an aggregate');
      const line = format === 'csv' ? csvRow : (h: Hit) => `${JSON.stringify(h)}\n`;
      const head = format === 'csv' ? `${CSV_COLUMNS.join(',')}\r\n` : '';
      const stream = Readable.from((async function* () {
        if (head !== '') yield head;
        yield* exportRows(backend, input, first, limit, line);
      })());
      stream.on('error', (e) => logger.error('LW_ERR_API', 'export stopped part way', { error: (e as Error).message }));
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson')
        .header('content-disposition', `attachment; filename="logwarden-export.${format}"`)
        .send(stream);
    } catch (err) {
      return sendError(reply, err, logger);
    }
  });
}

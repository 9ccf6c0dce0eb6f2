// Shared pieces of the console API routes: parameter parsing (q, from, to, time, limit), the search input they
// build, and the one error mapping (query errors → 400 with col and caret; anything unexpected → 500, logged).
import type { FastifyReply } from 'fastify';
import type { Logger } from '../log';
import { DEFAULT_PAGE, MAX_PAGE, StoreError, type CompiledQueryInput } from '../store/backend';
import type { Query, QueryNode } from '../store/query/ast';
import { QueryError } from '../store/query/errors';
import { parseTimeValue } from '../store/query/fields';
import { parseQuery } from '../store/query/parser';
import { SEARCH_RETRY_AFTER_S } from '../store/search-worker';
import { UserStoreError } from './users';

export class BadRequest extends Error {
  constructor(readonly code: string, message: string, readonly param: string) {
    super(message);
  }
}

export type Params = Record<string, string | string[] | undefined>;

/** A single-valued string parameter, or undefined; a repeated one is refused. */
export function one(p: Params, name: string): string | undefined {
  const v = p[name];
  if (Array.isArray(v)) throw new BadRequest('LW_ERR_API_PARAM', `${name} given twice`, name);
  return v;
}

export function timeParam(v: string | undefined, name: string, nowMs: number): number | null {
  if (v === undefined || v === '') return null;
  const us = parseTimeValue(v, nowMs);
  if (us === undefined) throw new BadRequest('LW_ERR_QUERY_TIME', `${name}="${v}" is not a time (-15m, now, RFC 3339)`, name);
  return us;
}

export function intParam(p: Params, name: string, dflt: number, max: number): number {
  const v = one(p, name);
  if (v === undefined || v === '') return dflt;
  if (!/^\d{1,7}$/.test(v) || Number(v) < 1 || Number(v) > max) throw new BadRequest('LW_ERR_API_PARAM', `${name} must be 1..${max}`, name);
  return Number(v);
}

export function limitParam(p: Params): number {
  return intParam(p, 'limit', DEFAULT_PAGE, MAX_PAGE);
}

export type TimeAxis = 'reported' | 'received';

/** What from=/to=/time= and q= of a request mean for the store: the parsed query plus the bounds to apply. */
export interface SearchRequest {
  query: Query;
  time: TimeAxis;
  /** The request's from/to, µs (null: unbounded), on the chosen axis. */
  fromUs: number | null;
  toUs: number | null;
  nowMs: number;
}

export function searchRequest(p: Params, opts: { requireQ?: boolean } = {}): SearchRequest {
  const q = one(p, 'q');
  if (q === undefined && opts.requireQ !== false) throw new BadRequest('LW_ERR_API_PARAM', 'q (the query) is required', 'q');
  const time = one(p, 'time') ?? 'reported';
  if (time !== 'reported' && time !== 'received') throw new BadRequest('LW_ERR_API_PARAM', 'time must be reported or received', 'time');
  const nowMs = Date.now();
  const query = parseQuery(q ?? '*', { nowMs });
  return { query, time, fromUs: timeParam(one(p, 'from'), 'from', nowMs), toUs: timeParam(one(p, 'to'), 'to', nowMs), nowMs };
}

/** `a AND b`, or just b when a is null (match-all). */
export function andNode(a: QueryNode | null, b: QueryNode): QueryNode {
  return a === null ? b : { kind: 'and', left: a, right: b, pos: a.pos };
}

/**
 * The store input for a request. time=received turns from/to into `received:` terms of the filter (ordering
 * and paging stay on the reported time, the store's index); time=reported passes them as the usual bounds.
 */
export function storeInput(r: SearchRequest): CompiledQueryInput {
  if (r.time === 'reported') return { query: r.query, fromUs: r.fromUs, toUs: r.toUs };
  let where = r.query.where;
  if (r.fromUs !== null) where = andNode(where, { kind: 'received', op: 'ge', us: r.fromUs, pos: 1 });
  if (r.toUs !== null) where = andNode(where, { kind: 'received', op: 'lt', us: r.toUs, pos: 1 });
  return { query: { ...r.query, where } };
}

/** Refuse pipes where only a filter makes sense (histogram, facets, export, tail). */
export function filterOnly(query: Query): void {
  const p = query.pipes[0];
  if (p !== undefined) throw new QueryError('LW_ERR_QUERY_SYNTAX', `'| ${p.kind}' is not allowed here: give only a filter`, p.pos, query.text);
}

export function sendError(reply: FastifyReply, err: unknown, logger: Logger): FastifyReply {
  if (err instanceof QueryError) {
    return reply.code(400).send({ error: { code: err.code, message: err.message, col: err.col, caret: err.caret() } });
  }
  if (err instanceof BadRequest) return reply.code(400).send({ error: { code: err.code, message: err.message, param: err.param } });
  if (err instanceof UserStoreError) return reply.code(400).send({ error: { code: err.code, message: err.message } });
  if (err instanceof StoreError && err.code === 'LW_ERR_SEARCH_BUSY') {
    return reply.code(503).header('retry-after', String(SEARCH_RETRY_AFTER_S)).send({ error: { code: err.code, message: err.message } });
  }
  if (err instanceof StoreError && err.code.startsWith('LW_ERR_QUERY')) {
    return reply.code(400).send({ error: { code: err.code, message: err.message } });
  }
  const e = err as Error & { code?: string };
  logger.error('LW_ERR_API', 'console API request failed', { error: e.message, code: e.code });
  return reply.code(500).send({ error: { code: e.code ?? 'LW_ERR_API', message: 'internal error; see the server log' } });
}

export function notFound(reply: FastifyReply, what: string): FastifyReply {
  return reply.code(404).send({ error: { code: 'LW_ERR_API_NOT_FOUND', message: what } });
}

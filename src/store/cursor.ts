// Opaque pagination cursors: keyset position (tsReported, id), the snapshot id and the resolved time bounds of
// the first page (so "-15m" does not move between pages), and a hash of the query text so a cursor cannot be
// replayed against a different query.
import { QueryError } from './query/errors';
import type { Query } from './query/ast';

export interface CursorState {
  /** Highest row id visible to this cursor chain (rows inserted later are excluded). */
  snapshot: string;
  /** Keyset position: the last hit returned. */
  ts: number;
  id: string;
  /** Time bounds (µs) in force on the first page; later pages reuse them (absent: null). */
  fromUs?: number | null;
  toUs?: number | null;
}

const VERSION = 2;

/**
 * FNV-1a over the query text: cheap, stable, enough to tell queries apart. Bounds are not hashed (a relative
 * "-15m" resolves differently on every page): the first page's bounds travel in the cursor instead. The bound
 * arguments are accepted for compatibility and ignored.
 */
export function queryHash(q: Query, _fromUs?: number | null, _toUs?: number | null): string {
  const s = q.text;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16);
}

export function encodeCursor(c: CursorState, hash: string): string {
  return Buffer.from(JSON.stringify([VERSION, c.snapshot, c.ts, c.id, c.fromUs ?? null, c.toUs ?? null, hash])).toString('base64url');
}

/** Decode a cursor; throws QueryError LW_ERR_QUERY_CURSOR when malformed or made for another query. */
export function decodeCursor(text: string, hash: string, queryText: string): CursorState {
  const bad = (): never => {
    throw new QueryError('LW_ERR_QUERY_CURSOR', 'invalid cursor for this query', 1, queryText);
  };
  if (text.length > 512) bad();
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return bad();
  }
  if (!Array.isArray(v) || v.length !== 7 || v[0] !== VERSION) return bad();
  const [, snapshot, ts, id, fromUs, toUs, h] = v as unknown[];
  if (typeof snapshot !== 'string' || typeof ts !== 'number' || typeof id !== 'string' || h !== hash) return bad();
  if (!/^\d{1,19}$/.test(snapshot) || !/^\d{1,19}$/.test(id) || !Number.isSafeInteger(ts)) return bad();
  const bound = (b: unknown): b is number | null => b === null || Number.isSafeInteger(b);
  if (!bound(fromUs) || !bound(toUs)) return bad();
  return { snapshot, ts, id, fromUs, toUs };
}

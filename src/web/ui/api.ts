// The console's HTTP client: JSON over fetch with the session cookie, the CSRF header on every non-GET, and
// the API's error body ({error:{code,message,col?,caret?}}) turned into an ApiError. A 401 from any call but the
// session probe and login sends the user to the login form with `next` set to where they were.
import { navigate } from './router';

export interface Hit {
  id: string;
  tsReported: number;
  tsReceived: number;
  host: string;
  fromhostIp: string;
  app: string;
  procid: string;
  msgid: string;
  facility: number;
  severity: number;
  structuredData: string;
  msg: string;
  fields: Record<string, string | number | boolean>;
  raw: string | null;
}

export type SearchResult =
  | { kind: 'hits'; hits: Hit[]; nextCursor: string | null }
  | { kind: 'aggregate'; columns: string[]; rows: (string | number | null)[][] };

export interface Histogram {
  fromUs: number;
  toUs: number;
  bucketUs: number;
  buckets: { t: number; count: number }[];
  total: number;
}

export interface FacetValue { value: string | number; count: number }
export interface Facets { facets: Record<string, FacetValue[]> }

export interface HostInfo {
  host: string;
  fromhostIp: string;
  tlsPeer: string | null;
  firstSeenUs: number;
  lastSeenUs: number;
  perMinute: number[];
  inputs: string[];
  skewMedianMs: number | null;
  skewP95Ms: number | null;
  skewed: boolean;
  silent: boolean;
}
export interface Hosts { hosts: HostInfo[]; skewThresholdMs: number; silentAfterMin: number }

export interface Alert {
  id: string;
  rule: string;
  title?: string;
  key: string;
  /** Rule level (low … critical); `severity` is accepted too. */
  level?: string;
  severity?: string;
  reason?: string;
  count: number;
  firstUs?: number;
  lastUs?: number;
  first?: string | number;
  last?: string | number;
  status: string;
  messageIds?: string[];
}

export interface Session { user: { name: string }; csrf: string }

export interface ApiErrorBody { code: string; message: string; col?: number; caret?: string; param?: string }

export class ApiError extends Error {
  constructor(readonly status: number, readonly body: ApiErrorBody) {
    super(body.message);
  }
}

let csrf = '';
let unauthorized = (): void => navigate(loginUrl(), true);
/** What a 401 does (the app also forgets its session); default: go to the login form. */
export function setUnauthorizedHandler(fn: () => void): void {
  unauthorized = fn;
}
export function setCsrf(token: string): void {
  csrf = token;
}

/** Builds `path?k=v…` from the params that are set (undefined and '' are left out). */
export function withQuery(path: string, params: Record<string, string | number | undefined | null>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') sp.set(k, String(v));
  const s = sp.toString();
  return s ? `${path}?${s}` : path;
}

export function loginUrl(): string {
  const here = location.pathname + location.search;
  return here.startsWith('/login') ? '/login' : withQuery('/login', { next: here });
}

export async function api<T>(path: string, opts: { method?: string; body?: unknown; signal?: AbortSignal; quiet401?: boolean } = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const res = await fetch(path, {
    method, headers, credentials: 'same-origin', signal: opts.signal,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const body = (json as { error?: ApiErrorBody } | null)?.error ?? { code: `HTTP_${res.status}`, message: text.slice(0, 200) || res.statusText };
    if (res.status === 401 && !opts.quiet401) unauthorized();
    throw new ApiError(res.status, body);
  }
  return json as T;
}

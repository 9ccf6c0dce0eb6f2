// Field extraction from a message's text: JSON payloads, CEE, RFC 5424 structured data, key=value pairs,
// nginx access logs (combined and JSON, with the request body) and rsyslog's `$!` tree. Pure; never throws.
//
// Result: a flat map of dotted paths to scalars, prefixed by where the value came from:
//   json.*   a JSON object in msg (bare, or after a tag-like prefix: `manager {"log_type":…}`)
//   cee.*    `@cee: {…}` (the CEE cookie of the Lumberjack/mmjsonparse convention)
//   sd.*     RFC 5424 STRUCTURED-DATA: sd.<SD-ID>.<PARAM-NAME>
//   kv.*     key=value pairs (`user=alice src="10.0.0.1"`)
//   nginx.*  normalised nginx access-log fields, from a combined line or a JSON log_format line
//   var.*    rsyslog `$!` message variables (`$!params!user` → var.params.user)
//   k8s.*, zeek.*  `$!k8s` / `$!zeek`, set by imfile's container and Zeek formats
import { JsonNumber } from '../util/json-number';

export type FieldValue = string | number | boolean;
export type Fields = Record<string, FieldValue>;

/** Bounds: a hostile message cannot make extraction (or the stored row) large. */
export const MAX_FIELDS = 128;
export const MAX_DEPTH = 8;
export const MAX_KEY_LENGTH = 128;
export const MAX_VALUE_LENGTH = 8192;
/** JSON is only looked for when its '{' starts within this many characters of msg (tag-like prefixes). */
const MAX_JSON_PREFIX = 256;
/** Text longer than this is not scanned for key=value pairs. */
const MAX_KV_SCAN = 65536;

const CEE_COOKIE = '@cee:';

class Collector {
  // A plain object, not Object.create(null): V8 keeps objects with a null prototype in (slow) dictionary mode,
  // while rows with the same keys in the same order share one hidden class. Every key has a source prefix
  // ("kv.", "json.", …), so no key can name an inherited property such as __proto__ or toString.
  readonly out: Fields = {};
  count = 0;

  get full(): boolean {
    return this.count >= MAX_FIELDS;
  }

  set(key: string, value: FieldValue): void {
    if (this.full || key.length > MAX_KEY_LENGTH) return;
    if (!Object.prototype.hasOwnProperty.call(this.out, key)) this.count++;
    this.out[key] = typeof value === 'string' && value.length > MAX_VALUE_LENGTH ? value.slice(0, MAX_VALUE_LENGTH) : value;
  }

  /** Flatten a parsed JSON value under `prefix`; arrays index by position. Nulls are skipped. */
  flatten(prefix: string, v: unknown, depth: number): void {
    if (this.full || v === null || v === undefined) return;
    if (typeof v === 'string' || typeof v === 'boolean') return this.set(prefix, v);
    if (typeof v === 'number') return Number.isFinite(v) ? this.set(prefix, v) : undefined;
    if (v instanceof JsonNumber) return Number.isFinite(v.value) ? this.set(prefix, v.value) : undefined;
    if (typeof v !== 'object' || depth >= MAX_DEPTH) return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && !this.full; i++) this.flatten(`${prefix}.${i}`, v[i], depth + 1);
      return;
    }
    for (const k of Object.keys(v as object)) {
      if (this.full) return;
      this.flatten(`${prefix}.${k}`, (v as Record<string, unknown>)[k], depth + 1);
    }
  }
}

/**
 * nginx's default log escaping (escape=default) writes `"`, `\` and bytes outside 0x20..0x7e as `\xHH`, which
 * is not JSON. Turn each run of `\xHH` back into its UTF-8 text, re-escaped as a JSON string fragment.
 */
const NGINX_HEX_RUN = /(?:\\x[0-9A-Fa-f]{2})+/g;

function decodeHexRun(run: string): string {
  const bytes = Buffer.alloc(run.length / 4);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.substr(i * 4 + 2, 2), 16);
  return bytes.toString('utf8');
}

function nginxHexToJson(text: string): string {
  return text.replace(NGINX_HEX_RUN, (run) => JSON.stringify(decodeHexRun(run)).slice(1, -1));
}

/** Decode nginx `\xHH` escapes in a plain (non-JSON) value. */
export function nginxUnescape(s: string): string {
  return s.indexOf('\\x') < 0 ? s : s.replace(NGINX_HEX_RUN, decodeHexRun);
}

/** Parse an object from text, tolerating nginx `\xHH` escapes; null when it is not one JSON object. */
function parseJsonObject(text: string): Record<string, unknown> | null {
  for (const candidate of [text, text.indexOf('\\x') >= 0 ? nginxHexToJson(text) : null]) {
    if (candidate === null) continue;
    try {
      const v: unknown = JSON.parse(candidate);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
      return null;
    } catch {
      // try the next form
    }
  }
  return null;
}

/** nginx JSON log keys (lower-cased, '-' → '_') that map to normalised nginx.* names. */
const NGINX_JSON_KEYS: Record<string, string> = {
  remote_addr: 'remote_addr', x_forwarded_for: 'http_x_forwarded_for', http_x_forwarded_for: 'http_x_forwarded_for',
  host: 'host', request_date: 'time_local', time_local: 'time_local', time_iso8601: 'time_iso8601',
  request: 'request', method: 'method', request_method: 'method', uri: 'uri', request_uri: 'uri',
  referer: 'http_referer', http_referer: 'http_referer', user_agent: 'http_user_agent',
  http_user_agent: 'http_user_agent', status: 'status', request_status: 'status', post_body: 'request_body',
  request_body: 'request_body', body_bytes_sent: 'body_bytes_sent', resp_content_length: 'body_bytes_sent',
  req_content_type: 'content_type', content_type: 'content_type', cookie: 'http_cookie', http_cookie: 'http_cookie',
  request_time: 'request_time', remote_user: 'remote_user',
};
const NGINX_NUMERIC = new Set(['status', 'body_bytes_sent', 'request_time']);

/** An object is an nginx access log line when it has a client address and a request or status. */
function addNginxFromJson(c: Collector, obj: Record<string, unknown>): void {
  const norm: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    const name = NGINX_JSON_KEYS[k.toLowerCase().replace(/-/g, '_')];
    if (name !== undefined && norm[name] === undefined) norm[name] = obj[k];
  }
  if (norm.remote_addr === undefined || (norm.request === undefined && norm.status === undefined)) return;
  for (const name of Object.keys(norm)) {
    const v = norm[name];
    if (typeof v !== 'string' && typeof v !== 'number') continue;
    // nginx writes "-" for an empty variable (e.g. no request body).
    if (v === '-' || v === '') continue;
    c.set(`nginx.${name}`, NGINX_NUMERIC.has(name) ? toNumberIfNumeric(String(v)) : v);
  }
  if (typeof norm.request === 'string' && norm.method === undefined) addRequestLine(c, norm.request);
}

function toNumberIfNumeric(s: string): FieldValue {
  return /^-?\d+(?:\.\d+)?$/.test(s) && s.length < 16 ? Number(s) : s;
}

/** "GET /path?q HTTP/1.1" → method, uri, protocol (RFC 9112 §3 request-line). */
function addRequestLine(c: Collector, request: string): void {
  const sp1 = request.indexOf(' ');
  if (sp1 <= 0) return;
  const sp2 = request.lastIndexOf(' ');
  c.set('nginx.method', request.slice(0, sp1));
  if (sp2 > sp1) {
    c.set('nginx.uri', request.slice(sp1 + 1, sp2));
    c.set('nginx.protocol', request.slice(sp2 + 1));
  } else {
    c.set('nginx.uri', request.slice(sp1 + 1));
  }
}

/**
 * nginx "combined": `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
 * "$http_referer" "$http_user_agent"`, optionally followed by more quoted fields (custom formats append
 * e.g. "$request_body"); those become nginx.extra.1, nginx.extra.2, … and a field labelled `Body:` is
 * request_body.
 */
const NGINX_COMBINED =
  /^(\S+) - (\S+) \[([^\]]{1,64})\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"(.*)$/s;
const NGINX_TRAILING = /\s*(?:(Body:|[A-Za-z_][\w-]*=)\s*)?"((?:[^"\\]|\\.)*)"/y;

function addNginxCombined(c: Collector, text: string): boolean {
  // A combined line has ' - ' after its first word: without one, the regex (tried on every message the store
  // extracts) cannot match.
  if (text.indexOf(' - ') <= 0) return false;
  const m = NGINX_COMBINED.exec(text);
  if (m === null) return false;
  const put = (name: string, v: string): void => {
    if (v !== '-' && v !== '') c.set(`nginx.${name}`, nginxUnescape(v));
  };
  put('remote_addr', m[1]!);
  put('remote_user', m[2]!);
  put('time_local', m[3]!);
  put('request', m[4]!);
  addRequestLine(c, nginxUnescape(m[4]!));
  c.set('nginx.status', Number(m[5]));
  if (m[6] !== '-') c.set('nginx.body_bytes_sent', Number(m[6]));
  put('http_referer', m[7]!);
  put('http_user_agent', m[8]!);
  const rest = m[9]!;
  NGINX_TRAILING.lastIndex = 0;
  let extra = 0;
  let t: RegExpExecArray | null;
  while (!c.full && (t = NGINX_TRAILING.exec(rest)) !== null) {
    const label = t[1];
    if (label === 'Body:') put('request_body', t[2]!);
    else if (label !== undefined) put(label.slice(0, -1), t[2]!);
    else put(`extra.${++extra}`, t[2]!);
  }
  return true;
}

/** RFC 5424 §6.3: `[SD-ID *(SP PARAM-NAME="PARAM-VALUE")]...`; in values `\"`, `\\` and `\]` are escapes (§6.3.3). */
function addStructuredData(c: Collector, sd: string): void {
  let i = 0;
  const n = sd.length;
  // The next backslash at or after the current value (Infinity: none left): found once, not per value.
  let slash = -1;
  while (i < n && sd.charCodeAt(i) === 0x5b /* [ */ && !c.full) {
    let j = i + 1;
    while (j < n && sd[j] !== ' ' && sd[j] !== ']') j++;
    const prefix = `sd.${sd.slice(i + 1, j)}.`;
    while (j < n && sd[j] === ' ') {
      const eq = sd.indexOf('="', j + 1);
      if (eq < 0) return;
      const name = sd.slice(j + 1, eq);
      // The value ends at the first '"' not escaped; without a backslash before it, it is one slice (the store
      // extracts every message: a character-by-character copy took half of the extraction time).
      let k = sd.indexOf('"', eq + 2);
      if (slash < eq + 2) {
        slash = sd.indexOf('\\', eq + 2);
        if (slash < 0) slash = Infinity;
      }
      let value: string;
      if (k >= 0 && slash > k) {
        value = sd.slice(eq + 2, k);
      } else {
        value = '';
        for (k = eq + 2; k < n && sd[k] !== '"'; k++) {
          if (sd[k] === '\\' && k + 1 < n && (sd[k + 1] === '"' || sd[k + 1] === '\\' || sd[k + 1] === ']')) k++;
          value += sd[k];
        }
      }
      if (k < 0 || k >= n) return; // unterminated value: malformed, stop
      c.set(prefix + name, value);
      j = k + 1;
    }
    if (sd[j] !== ']') return;
    i = j + 1;
  }
}

/** key=value, key="quoted value" (backslash escapes), key='single quoted'; keys start with a letter or '_'. */
const KV_PAIR = /(?:^|[\s,;])([A-Za-z_][\w.\-]{0,63})=("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,;"']*)/g;

function addKeyValues(c: Collector, text: string): void {
  if (text.indexOf('=') < 0 || text.length > MAX_KV_SCAN) return;
  KV_PAIR.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (!c.full && (m = KV_PAIR.exec(text)) !== null) {
    let v = m[2]!;
    if (v.length >= 2 && v[0] === '"') v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    else if (v.length >= 2 && v[0] === "'") v = v.slice(1, -1);
    c.set(`kv.${m[1]}`, v);
  }
}

/** Find a JSON object payload: msg is `{…}` or `prefix {…}` (tag-like words before it). */
function jsonPayload(text: string): Record<string, unknown> | null {
  const open = text.indexOf('{');
  if (open < 0 || open > MAX_JSON_PREFIX) return null;
  let end = text.length;
  while (end > open && isSpace(text.charCodeAt(end - 1))) end--;
  if (text.charCodeAt(end - 1) !== 0x7d /* } */) return null;
  return parseJsonObject(text.slice(open, end));
}

function isSpace(ch: number): boolean {
  return ch === 0x20 || ch === 0x09 || ch === 0x0a || ch === 0x0d;
}

/** Extract fields from one text payload (msg) into `c`. */
function extractText(c: Collector, msg: string): void {
  let start = 0;
  while (start < msg.length && isSpace(msg.charCodeAt(start))) start++;
  const text = start === 0 ? msg : msg.slice(start);
  if (text.startsWith(CEE_COOKIE)) {
    const obj = parseJsonObject(text.slice(CEE_COOKIE.length).trim());
    if (obj !== null) return c.flatten('cee', obj, 0);
  }
  const obj = jsonPayload(text);
  if (obj !== null) {
    addNginxFromJson(c, obj);
    return c.flatten('json', obj, 0);
  }
  if (addNginxCombined(c, text)) return;
  addKeyValues(c, text);
}

/**
 * `$!` trees that collectors fill (imfile's container and Zeek formats) are stored under their own name, so a
 * search reads `k8s.namespace:prod` and `zeek.status_code:>=400`; everything else is var.*.
 */
const OWN_PREFIX_VARS = new Set(['k8s', 'zeek']);

function addVars(c: Collector, vars: Record<string, unknown>): void {
  for (const k of Object.keys(vars)) {
    if (c.full) return;
    c.flatten(OWN_PREFIX_VARS.has(k) ? k : `var.${k}`, vars[k], OWN_PREFIX_VARS.has(k) ? 0 : 1);
  }
}

/**
 * Extract fields from a message: its msg text, its RFC 5424 structured data ("-" when none) and its `$!`
 * tree (null when unset). Returns at most MAX_FIELDS fields; never throws.
 */
export function extractFields(msg: string, structuredData = '-', vars: Record<string, unknown> | null = null): Fields {
  const c = new Collector();
  try {
    if (structuredData.length > 1 && structuredData.charCodeAt(0) === 0x5b) addStructuredData(c, structuredData);
    extractText(c, msg);
    if (vars !== null) addVars(c, vars);
  } catch {
    // Extraction is best effort: whatever was collected before an unexpected input stays.
  }
  return c.out;
}

// Display helpers: times (UTC, microsecond inputs), severities, numbers, and query-term building.
export const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
export const FACILITIES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv',
  'ftp', 'ntp', 'audit', 'alert', 'clock', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];

export function severityName(n: number): string {
  return SEVERITIES[n] ?? String(n);
}

export function facilityName(n: number): string {
  return FACILITIES[n] ?? String(n);
}

/** µs since the epoch → "2025-01-15 07:00:00.123456Z" (UTC, microseconds kept). */
export function fmtTimeUs(us: number | null | undefined): string {
  if (us === null || us === undefined || !Number.isFinite(us)) return '';
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString(); // 2025-01-15T07:00:00.123Z
  const micro = String(Math.trunc(us - ms * 1000)).padStart(3, '0');
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${micro}Z`;
}

/** A time the API may send as µs, ms, or an ISO string. */
export function anyTimeToUs(v: string | number | undefined): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return v > 1e14 ? v : v * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t * 1000;
}

/** µs → RFC 3339 UTC (what the API and the URL carry for absolute ranges). */
export function isoUs(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString();
}

export function fmtAgo(us: number, nowMs = Date.now()): string {
  const s = Math.max(0, Math.round(nowMs / 1000 - us / 1e6));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export function fmtNum(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits });
}

export function fmtBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** A query term `field:value`, quoting the value when it is not a plain word (docs/query-language.md). */
export function term(field: string, value: string | number | boolean): string {
  const s = String(value);
  if (/^[A-Za-z0-9_.@/+-]+$/.test(s) && !s.startsWith('-')) return `${field}:${s}`;
  return `${field}:"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Appends a term to a query (AND by juxtaposition), ahead of any pipe stages. */
export function addTerm(q: string, t: string): string {
  const trimmed = q.trim();
  if (trimmed === '' || trimmed === '*') return t;
  const pipe = pipeIndex(trimmed);
  if (pipe < 0) return `${trimmed} ${t}`;
  return `${trimmed.slice(0, pipe).trimEnd()} ${t} ${trimmed.slice(pipe)}`.trim();
}

/** Index of the first `|` outside quotes, or -1. */
function pipeIndex(q: string): number {
  let quoted = false;
  for (let i = 0; i < q.length; i++) {
    const c = q[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === '|' && !quoted) return i;
  }
  return -1;
}

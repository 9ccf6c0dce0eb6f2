// Status: ingest rate, store size and retention, uptime, version, and the metrics snapshot flattened into a
// name/value table (whatever shape /api/status carries: prom-client JSON or a plain object).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { ErrorBox } from '../components/errorbox';
import { fmtBytes, fmtNum } from '../format';

const REFRESH_MS = 5000;
const MAX_METRIC_ROWS = 2000;

interface Status {
  ingestRate?: number;
  store?: { rows?: number; bytes?: number; partitions?: unknown; retention?: unknown };
  uptimeS?: number;
  version?: string;
  metrics?: unknown;
}

type Row = [string, string];

function labelText(labels: unknown): string {
  if (!labels || typeof labels !== 'object') return '';
  const parts = Object.entries(labels as Record<string, unknown>).map(([k, v]) => `${k}="${String(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** Flattens a metrics snapshot: prom-client's getMetricsAsJSON() array, or any nested object. */
export function flattenMetrics(m: unknown, prefix = '', out: Row[] = []): Row[] {
  if (out.length >= MAX_METRIC_ROWS) return out;
  if (Array.isArray(m)) {
    for (const [i, item] of m.entries()) {
      const it = item as { name?: unknown; values?: unknown };
      if (it && typeof it === 'object' && typeof it.name === 'string' && Array.isArray(it.values)) {
        for (const v of it.values as { labels?: unknown; value?: unknown; metricName?: string }[]) {
          if (out.length >= MAX_METRIC_ROWS) break;
          out.push([`${v.metricName ?? it.name}${labelText(v.labels)}`, String(v.value)]);
        }
      } else flattenMetrics(item, `${prefix}[${i}]`, out);
    }
  } else if (m !== null && typeof m === 'object') {
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) flattenMetrics(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (m !== undefined) out.push([prefix || 'value', String(m)]);
  return out;
}

/** `{days, maxBytes}` (0: no limit) in words; any other shape as JSON. */
function fmtRetention(r: unknown): string {
  if (typeof r === 'string') return r;
  const o = r as { days?: unknown; maxBytes?: unknown } | null;
  if (o && typeof o === 'object' && typeof o.days === 'number' && typeof o.maxBytes === 'number') {
    return `${o.days > 0 ? `${o.days} days` : 'no age limit'}, ${o.maxBytes > 0 ? fmtBytes(o.maxBytes) : 'no size limit'}`;
  }
  return JSON.stringify(r);
}

function fmtUptime(s: number | undefined): string {
  if (s === undefined) return '–';
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : `${m}m ${Math.floor(s % 60)}s`;
}

export function StatusPage() {
  const [st, setSt] = useState<Status | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [filter, setFilter] = useState('');
  useEffect(() => {
    let stop = false;
    const load = () => api<Status>('/api/status').then((s) => { if (!stop) { setSt(s); setError(null); } }).catch((e) => { if (!stop) setError(e); });
    load();
    const t = setInterval(load, REFRESH_MS);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, []);
  const partitions = st?.store?.partitions;
  const metricRows = st?.metrics ? flattenMetrics(st.metrics).filter(([k]) => k.includes(filter)) : [];
  return (
    <div class="page status">
      <h2>Status</h2>
      <ErrorBox error={error} />
      {st && (
        <>
          <div class="cards">
            <div class="card"><div class="label">ingest</div><div class="value">{fmtNum(st.ingestRate, 1)} msg/s</div></div>
            <div class="card"><div class="label">stored rows</div><div class="value">{fmtNum(st.store?.rows)}</div></div>
            <div class="card"><div class="label">store size</div><div class="value">{fmtBytes(st.store?.bytes)}</div></div>
            <div class="card"><div class="label">partitions</div><div class="value">{Array.isArray(partitions) ? partitions.length : fmtNum(partitions as number)}</div></div>
            <div class="card"><div class="label">uptime</div><div class="value">{fmtUptime(st.uptimeS)}</div></div>
            <div class="card"><div class="label">version</div><div class="value">{st.version ?? '–'}</div></div>
          </div>
          {st.store?.retention !== undefined && (
            <p class="retention">retention: {fmtRetention(st.store.retention)}</p>
          )}
          <h3>Metrics</h3>
          {st.metrics ? (
            <>
              <input type="search" placeholder="filter metrics" value={filter} aria-label="filter metrics" onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
              <table class="metrics">
                <thead><tr><th>metric</th><th>value</th></tr></thead>
                <tbody>{metricRows.map(([k, v], i) => <tr key={i}><td class="mname">{k}</td><td class="num">{v}</td></tr>)}</tbody>
              </table>
            </>
          ) : <p class="muted">No metrics registry in this process.</p>}
        </>
      )}
    </div>
  );
}

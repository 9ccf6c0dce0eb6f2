// Search: query box, time range (relative presets or absolute from/to), reported/received switch, the volume
// histogram (drag to zoom), facets and the results table with cursor paging and export links. Everything is
// in the URL: /search?q=…&from=…&to=…&time=…&cursor=…&limit=…
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, withQuery, type Facets, type Histogram as HistogramData, type SearchResult } from '../api';
import { ErrorBox } from '../components/errorbox';
import { Histogram } from '../components/histogram';
import { HitTable } from '../components/hits';
import { addTerm, fmtNum, isoUs, SEVERITIES, severityName, term } from '../format';
import { linkClick, navigate, withParams, type Loc } from '../router';

export const DEFAULT_FROM = '-1h';
const PRESETS = ['15m', '1h', '24h', '7d'];
const LIMITS = ['100', '500', '1000'];
const FACET_FIELDS = ['host', 'app', 'severity'];

export interface SearchState { q: string; from: string; to: string; time: 'reported' | 'received'; cursor: string; limit: string }

export function searchState(loc: Loc): SearchState {
  const p = loc.params;
  return {
    q: p.get('q') ?? '',
    from: p.get('from') ?? DEFAULT_FROM,
    to: p.get('to') ?? '',
    time: p.get('time') === 'received' ? 'received' : 'reported',
    cursor: p.get('cursor') ?? '',
    limit: p.get('limit') ?? '100',
  };
}

/** The API parameters of a state (the query defaults to `*`, everything; an open end is `now`, so the histogram
 * ends where the range does rather than where the server's day buckets end). */
function apiParams(s: SearchState): Record<string, string> {
  return { q: s.q.trim() === '' ? '*' : s.q, from: s.from, to: s.to || 'now', time: s.time };
}

export function useSlashFocus(ref: { current: HTMLInputElement | null }): void {
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
      e.preventDefault();
      ref.current?.focus();
      ref.current?.select();
    };
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  }, []);
}

function FacetList({ field, values, onAdd }: { field: string; values: { value: string | number; count: number }[]; onAdd: (t: string) => void }) {
  const isSev = field === 'severity';
  const label = (v: string | number) => (isSev && /^\d+$/.test(String(v)) ? severityName(Number(v)) : String(v));
  const sevNum = (v: string | number) => (/^\d+$/.test(String(v)) ? Number(v) : SEVERITIES.indexOf(String(v)));
  return (
    <section class="facet" data-facet={field}>
      <h3>{field}</h3>
      {values.length === 0 ? <p class="muted">none</p> : (
        <ul>
          {values.map((v) => (
            <li key={String(v.value)}>
              <button type="button" class="facet-value" onClick={() => onAdd(term(field, label(v.value)))} title={`Add ${field}:${label(v.value)}`}>
                <span class={isSev ? `sev sev-${sevNum(v.value)}` : 'fv'}>{label(v.value)}</span>
                <span class="count">{fmtNum(v.count)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function SearchPage({ loc }: { loc: Loc }) {
  const s = searchState(loc);
  const [qText, setQText] = useState(s.q);
  const [fromText, setFromText] = useState(s.from);
  const [toText, setToText] = useState(s.to);
  // The result with the state it answers: a page whose state moved on is not rendered at all (removing the old
  // table in the same render as the navigation costs one cheap layout; restyling 1,000 stale rows cost seconds).
  const [answer, setAnswer] = useState<{ page: string; result: SearchResult } | null>(null);
  const [hist, setHist] = useState<HistogramData | null>(null);
  const [facets, setFacets] = useState<Facets | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useSlashFocus(input);

  // The URL wins: back/forward or a clicked facet replaces what is in the boxes.
  useEffect(() => {
    setQText(s.q);
    setFromText(s.from);
    setToText(s.to);
  }, [s.q, s.from, s.to]);

  const base = apiParams(s);
  const key = JSON.stringify(base);
  const pageKey = `${key}|${s.cursor}|${s.limit}`;
  const result = answer?.page === pageKey ? answer.result : null;
  useEffect(() => {
    const ac = new AbortController();
    setLoading(true);
    setError(null);
    api<SearchResult>(withQuery('/api/search', { ...base, limit: s.limit, cursor: s.cursor }), { signal: ac.signal })
      .then((r) => { setAnswer({ page: pageKey, result: r }); setLoading(false); })
      .catch((e) => { if (!ac.signal.aborted) { setError(e); setAnswer(null); setLoading(false); } });
    return () => ac.abort();
  }, [key, s.cursor, s.limit]);

  useEffect(() => {
    const ac = new AbortController();
    setHist(null);
    setFacets(null);
    api<HistogramData>(withQuery('/api/histogram', { ...base, buckets: 60 }), { signal: ac.signal }).then(setHist).catch(() => undefined);
    api<Facets>(withQuery('/api/facets', { ...base, fields: FACET_FIELDS.join(','), size: 10 }), { signal: ac.signal }).then(setFacets).catch(() => undefined);
    return () => ac.abort();
  }, [key]);

  const go = (changes: Record<string, string | null>) => navigate(withParams({ path: '/search', params: loc.params }, { cursor: null, page: null, ...changes }));
  const submit = (e: Event) => {
    e.preventDefault();
    go({ q: qText, from: fromText, to: toText });
  };
  // Stable across renders (memoised rows keep their props); reads the current query through a ref.
  const qRef = useRef(s.q);
  qRef.current = s.q;
  const locRef = useRef(loc);
  locRef.current = loc;
  const add = useCallback((t: string) => navigate(withParams({ path: '/search', params: locRef.current.params }, { cursor: null, page: null, q: addTerm(qRef.current, t) })), []);
  const zoom = (fromUs: number, toUs: number) => go({ from: isoUs(fromUs), to: isoUs(toUs) });
  const page = Number(loc.params.get('page') ?? '1') || 1;
  const exportHref = (format: string) => withQuery('/api/export', { format, ...base, limit: 10000 });

  return (
    <div class="page search">
      <form class="querybar" onSubmit={submit} role="search">
        <input ref={input} class="q" name="q" type="search" value={qText} placeholder='host:web* app:sshd "failed password"   (press / to focus)'
          aria-label="query" spellcheck={false} autoComplete="off" onInput={(e) => setQText((e.target as HTMLInputElement).value)} />
        <button type="submit">Search</button>
      </form>
      <ErrorBox error={error} />
      <div class="rangebar">
        <span class="presets" role="group" aria-label="relative range">
          {PRESETS.map((p) => (
            <button type="button" key={p} class={s.from === `-${p}` && s.to === '' ? 'on' : ''} onClick={() => go({ from: `-${p}`, to: null })}>{p}</button>
          ))}
        </span>
        <form class="absolute" onSubmit={submit}>
          <label>from <input name="from" value={fromText} size={24} onInput={(e) => setFromText((e.target as HTMLInputElement).value)} /></label>
          <label>to <input name="to" value={toText} size={24} placeholder="now" onInput={(e) => setToText((e.target as HTMLInputElement).value)} /></label>
          <button type="submit">Apply</button>
        </form>
        <span class="timeswitch" role="group" aria-label="time field">
          {(['reported', 'received'] as const).map((t) => (
            <button type="button" key={t} class={s.time === t ? 'on' : ''} aria-pressed={s.time === t} onClick={() => go({ time: t === 'reported' ? null : t })}>{t}</button>
          ))}
        </span>
      </div>
      {hist && (
        <div class="histwrap">
          <div class="histhead"><span class="total">{fmtNum(hist.total)} messages</span><span class="muted"> · drag to zoom</span></div>
          <Histogram data={hist} onZoom={zoom} />
        </div>
      )}
      <div class="results-layout">
        <aside class="facets">
          {facets && FACET_FIELDS.map((f) => <FacetList key={f} field={f} values={facets.facets[f] ?? []} onAdd={add} />)}
        </aside>
        <section class="results">
          <div class="resulthead" aria-busy={loading}>
            {loading && <span class="muted loadingnote">loading…</span>}
            <span class="exports">
              export <a href={exportHref('csv')} download>CSV</a> · <a href={exportHref('ndjson')} download>NDJSON</a>
            </span>
            <label>rows <select value={s.limit} onChange={(e) => go({ limit: (e.target as HTMLSelectElement).value })}>
              {LIMITS.map((l) => <option key={l} value={l}>{l}</option>)}
            </select></label>
          </div>
          {result?.kind === 'hits' && (
            <>
              {result.hits.length === 0 ? <p class="empty">No messages match this search in this time range.</p>
                : <HitTable key={pageKey} hits={result.hits} onAdd={add} timeField={s.time} />}
              <nav class="pager">
                {s.cursor && <a href={withParams(loc, { cursor: null, page: null })} onClick={linkClick}>« newest</a>}
                <span class="muted">page {page}</span>
                {result.nextCursor && (
                  <a class="next" href={withParams(loc, { cursor: result.nextCursor, page: String(page + 1) })} onClick={linkClick}>older »</a>
                )}
              </nav>
            </>
          )}
          {result?.kind === 'aggregate' && (
            <table class="agg">
              <thead><tr>{result.columns.map((c) => <th key={c}>{c}</th>)}</tr></thead>
              <tbody>{result.rows.map((r, i) => <tr key={i}>{r.map((v, j) => <td key={j}>{v === null ? '' : String(v)}</td>)}</tr>)}</tbody>
            </table>
          )}
        </section>
      </div>
    </div>
  );
}

// Live tail: an EventSource on /api/tail?q=…, newest line on top. Lines are rendered in batches, at most
// every FLUSH_MS (each render restyles the table: per-line renders starved the page at a few hundred lines/s), and the DOM keeps only the last MAX_ROWS lines, so a fast stream cannot grow the page
// without bound. Pause keeps the stream open and holds lines back (also bounded); the server's `stats` event
// gives the matching rate and says when it samples.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, withQuery, type Hit } from '../api';
import { ErrorBox } from '../components/errorbox';
import { HitTable } from '../components/hits';
import { addTerm, fmtNum } from '../format';
import { navigate, withParams, type Loc } from '../router';
import { useSlashFocus } from './search';

export const MAX_ROWS = 1000;
const FLUSH_MS = 250;

interface TailStats { rate: number; sent: number; sampled: boolean; dropped: number }
interface Line { seq: number; hit: Hit }

export function TailPage({ loc }: { loc: Loc }) {
  const q = loc.params.get('q') ?? '';
  const [qText, setQText] = useState(q);
  const [lines, setLines] = useState<Line[]>([]);
  const [paused, setPaused] = useState(false);
  const [stats, setStats] = useState<TailStats | null>(null);
  const [conn, setConn] = useState<'connecting' | 'live' | 'reconnecting' | 'stopped'>('connecting');
  const [error, setError] = useState<unknown>(null);
  const [held, setHeld] = useState(0);
  const [shownRate, setShownRate] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  useSlashFocus(input);

  const buf = useRef<Line[]>([]);
  const pausedRef = useRef(false);
  const frame = useRef(0);
  const seq = useRef(0);
  const arrivals = useRef(0);

  const flush = () => {
    frame.current = 0;
    if (pausedRef.current || buf.current.length === 0) return;
    const add = buf.current.reverse();
    buf.current = [];
    setLines((prev) => (add.length >= MAX_ROWS ? add.slice(0, MAX_ROWS) : add.concat(prev.slice(0, MAX_ROWS - add.length))));
  };

  useEffect(() => setQText(q), [q]);

  useEffect(() => {
    let es: EventSource | null = null;
    let closed = false;
    setLines([]);
    setStats(null);
    setError(null);
    setConn('connecting');
    const query = q.trim() === '' ? '*' : q;
    const url = withQuery('/api/tail', { q: query });
    es = new EventSource(url);
    es.onopen = () => setConn('live');
    es.onerror = () => {
      if (es?.readyState !== EventSource.CLOSED) {
        setConn('reconnecting');
        return;
      }
      // Refused (400 for a query with pipes or a time range, 401…): EventSource cannot read the body, so ask
      // once more with fetch to show the API's message and caret.
      setConn('stopped');
      const ac = new AbortController();
      api(url, { signal: ac.signal }).catch((e) => { if (!closed && !ac.signal.aborted) setError(e); });
      setTimeout(() => ac.abort(), 2000);
    };
    es.addEventListener('msg', (e) => {
      let hit: Hit;
      try {
        hit = JSON.parse((e as MessageEvent<string>).data) as Hit;
      } catch {
        return;
      }
      arrivals.current++;
      buf.current.push({ seq: seq.current++, hit });
      if (buf.current.length > MAX_ROWS) buf.current.splice(0, buf.current.length - MAX_ROWS);
      if (pausedRef.current) setHeld(buf.current.length);
      else if (!frame.current) frame.current = window.setTimeout(() => requestAnimationFrame(flush), FLUSH_MS);
    });
    es.addEventListener('stats', (e) => {
      try {
        setStats(JSON.parse((e as MessageEvent<string>).data) as TailStats);
      } catch {
        /* ignore a malformed stats event */
      }
    });
    const rateTimer = setInterval(() => {
      setShownRate(arrivals.current);
      arrivals.current = 0;
    }, 1000);
    return () => {
      closed = true;
      es?.close();
      clearInterval(rateTimer);
      if (frame.current) clearTimeout(frame.current);
      frame.current = 0;
      buf.current = [];
    };
  }, [q]);

  const togglePause = () => {
    const next = !paused;
    pausedRef.current = next;
    setPaused(next);
    if (!next) {
      setHeld(0);
      flush();
    }
  };

  const submit = (e: Event) => {
    e.preventDefault();
    navigate(withParams(loc, { q: qText }));
  };
  const add = (t: string) => navigate(withParams(loc, { q: addTerm(q, t) }));

  return (
    <div class="page tail">
      <form class="querybar" onSubmit={submit} role="search">
        <input ref={input} class="q" name="q" type="search" value={qText} placeholder="filter (no pipes), e.g. app:sshd -severity:debug"
          aria-label="tail filter" spellcheck={false} autoComplete="off" onInput={(e) => setQText((e.target as HTMLInputElement).value)} />
        <button type="submit">Tail</button>
      </form>
      <ErrorBox error={error} />
      <div class="tailbar">
        <button type="button" class="pause" onClick={togglePause} aria-pressed={paused}>{paused ? '▶ Resume' : '❚❚ Pause'}</button>
        <span class={`conn conn-${conn}`}>{conn}</span>
        <span class="rate">{stats ? `${fmtNum(stats.rate, 1)} msg/s matching` : '–'} · {fmtNum(shownRate)} msg/s received here</span>
        {paused && held > 0 && <span class="held">{fmtNum(held)} new lines held</span>}
        <span class="muted">showing the last {fmtNum(lines.length)} (max {fmtNum(MAX_ROWS)})</span>
      </div>
      {stats?.sampled && (
        <div class="notice sampled" role="status">
          Sampled: the stream is faster than the console shows; {fmtNum(stats.dropped)} lines were skipped. Narrow the filter or use Search for every line.
        </div>
      )}
      {lines.length === 0 ? <p class="empty">Waiting for messages…</p>
        : <HitTable hits={lines.map((l) => l.hit)} onAdd={add} keyOf={(_h, i) => String(lines[i].seq)} />}
    </div>
  );
}

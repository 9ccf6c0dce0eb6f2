// Hosts: who sends, from where, since when, how much (per-minute sparkline), through which inputs, and how far
// their clocks are off (median/p95 skew; "skewed" past the server's threshold; "silent" when quiet too long).
// A host name opens a search of its messages by received time (a skewed clock would hide them by reported time).
import { useEffect, useState } from 'preact/hooks';
import { api, withQuery, type Hosts } from '../api';
import { ErrorBox } from '../components/errorbox';
import { Sparkline } from '../components/sparkline';
import { fmtAgo, fmtNum, fmtTimeUs, term } from '../format';
import { linkClick } from '../router';

const REFRESH_MS = 10_000;

function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  return Math.abs(ms) >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

export function HostsPage() {
  const [data, setData] = useState<Hosts | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let stop = false;
    const load = () => api<Hosts>('/api/hosts').then((d) => { if (!stop) { setData(d); setError(null); } }).catch((e) => { if (!stop) setError(e); });
    load();
    const t = setInterval(load, REFRESH_MS);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, []);
  const hosts = data ? [...data.hosts].sort((a, b) => a.host.localeCompare(b.host)) : [];
  return (
    <div class="page hosts">
      <h2>Hosts {data && <span class="muted">({hosts.length})</span>}</h2>
      <ErrorBox error={error} />
      {data && hosts.length === 0 && <p class="empty">No host has sent anything yet.</p>}
      {hosts.length > 0 && (
        <table class="hosttable">
          <thead>
            <tr>
              <th>host</th><th>IP</th><th>TLS peer</th><th>first seen</th><th>last seen</th><th>msgs/min (60 min)</th>
              <th>inputs</th><th title={`skewed past ${fmtMs(data?.skewThresholdMs)}`}>clock skew median / p95</th>
            </tr>
          </thead>
          <tbody>
            {hosts.map((h) => (
              <tr key={`${h.host}|${h.fromhostIp}`} data-host={h.host}>
                <td class="host">
                  <a href={withQuery('/search', { q: term('host', h.host), from: '-24h', time: 'received' })} onClick={linkClick}>{h.host}</a>
                  {h.silent && <span class="badge silent" title={`nothing for ${data?.silentAfterMin} min`}>silent</span>}
                </td>
                <td>{h.fromhostIp}</td>
                <td>{h.tlsPeer ?? <span class="muted">–</span>}</td>
                <td title={fmtTimeUs(h.firstSeenUs)}>{fmtAgo(h.firstSeenUs)}</td>
                <td title={fmtTimeUs(h.lastSeenUs)}>{fmtAgo(h.lastSeenUs)}</td>
                <td class="sparkcell"><Sparkline values={h.perMinute ?? []} /> <span class="muted">{fmtNum(h.perMinute?.[h.perMinute.length - 1] ?? 0)}</span></td>
                <td>{(h.inputs ?? []).join(', ')}</td>
                <td class="skew">
                  {fmtMs(h.skewMedianMs)} / {fmtMs(h.skewP95Ms)}
                  {h.skewed && <span class="badge skewed" title={`clock off by more than ${fmtMs(data?.skewThresholdMs)}`}>skewed</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

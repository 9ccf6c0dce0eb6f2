// Alerts: open or acknowledged (URL ?status=), one row per alert; a click opens the messages behind it
// (/api/alerts/:id) and Acknowledge posts /api/alerts/:id/ack with the CSRF header.
import { useEffect, useState } from 'preact/hooks';
import { api, withQuery, type Alert, type Hit } from '../api';
import { ErrorBox } from '../components/errorbox';
import { HitTable } from '../components/hits';
import { anyTimeToUs, fmtNum, fmtTimeUs } from '../format';
import { navigate, withParams, type Loc } from '../router';

const STATUSES = ['open', 'acknowledged', 'all'];

function AlertDetail({ id }: { id: string }) {
  const [messages, setMessages] = useState<Hit[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<{ alert: Alert; messages: Hit[] }>(`/api/alerts/${encodeURIComponent(id)}`).then((r) => setMessages(r.messages)).catch(setError);
  }, [id]);
  if (error) return <ErrorBox error={error} />;
  if (!messages) return <p class="muted">Loading messages…</p>;
  if (messages.length === 0) return <p class="empty">The messages behind this alert are no longer in the store.</p>;
  return <HitTable hits={messages} />;
}

function AlertRow({ alert, onAck }: { alert: Alert; onAck: (a: Alert) => Promise<void> }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const first = anyTimeToUs(alert.firstUs ?? alert.first);
  const last = anyTimeToUs(alert.lastUs ?? alert.last);
  return (
    <>
      <tr class={`alert${open ? ' open' : ''}`} data-id={alert.id} onClick={() => setOpen(!open)} aria-expanded={open}>
        <td title={alert.title}>{alert.rule}{alert.title && <div class="muted small">{alert.title}</div>}</td>
        <td class="key">{alert.key}</td>
        <td><span class={`level level-${alert.level ?? alert.severity ?? ''}`}>{alert.level ?? alert.severity ?? ''}</span></td>
        <td class="num">{fmtNum(alert.count)}</td>
        <td>{first === null ? '' : fmtTimeUs(first)}</td>
        <td>{last === null ? '' : fmtTimeUs(last)}</td>
        <td>
          {alert.status === 'open'
            ? <button type="button" class="ack" disabled={busy} onClick={(e) => {
              e.stopPropagation();
              setBusy(true);
              onAck(alert).finally(() => setBusy(false));
            }}>Acknowledge</button>
            : <span class="badge acked">{alert.status}</span>}
        </td>
      </tr>
      {open && (
        <tr class="detail">
          <td colSpan={7}>
            {alert.reason && <p class="reason">{alert.reason}</p>}
            <AlertDetail id={alert.id} />
          </td>
        </tr>
      )}
    </>
  );
}

export function AlertsPage({ loc }: { loc: Loc }) {
  const status = loc.params.get('status') ?? 'open';
  const rule = loc.params.get('rule') ?? '';
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    setError(null);
    api<{ alerts: Alert[] }>(withQuery('/api/alerts', { status: status === 'all' ? undefined : status, rule, limit: 1000 }))
      .then((r) => setAlerts(r.alerts)).catch(setError);
  }, [status, rule, tick]);
  const ack = async (a: Alert) => {
    try {
      await api(`/api/alerts/${encodeURIComponent(a.id)}/ack`, { method: 'POST', body: {} });
      setTick((t) => t + 1);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div class="page alerts">
      <h2>Alerts</h2>
      <div class="filterbar" role="group" aria-label="status">
        {STATUSES.map((s) => (
          <button type="button" key={s} class={status === s ? 'on' : ''} aria-pressed={status === s}
            onClick={() => navigate(withParams(loc, { status: s === 'open' ? null : s }))}>{s}</button>
        ))}
        {rule && <span class="chip">rule: {rule} <a href={withParams(loc, { rule: null })} onClick={(e) => { e.preventDefault(); navigate(withParams(loc, { rule: null })); }}>×</a></span>}
      </div>
      <ErrorBox error={error} />
      {alerts && alerts.length === 0 && <p class="empty">{status === 'open' ? 'No open alerts. All quiet.' : 'No alerts here.'}</p>}
      {alerts && alerts.length > 0 && (
        <table class="alerttable">
          <thead><tr><th>rule</th><th>key</th><th>level</th><th>count</th><th>first (UTC)</th><th>last (UTC)</th><th></th></tr></thead>
          <tbody>{alerts.map((a) => <AlertRow key={a.id} alert={a} onAck={ack} />)}</tbody>
        </table>
      )}
    </div>
  );
}

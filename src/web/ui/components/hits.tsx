// The results table shared by search, live tail and alert details: one row per hit (time, host, app,
// severity, message); a click expands it to every field, and a click on a field's value adds `field:value`
// to the query. Message text is attacker-controlled: it is only ever rendered as text nodes.
import { memo } from 'preact/compat';
import { useState } from 'preact/hooks';
import type { Hit } from '../api';
import { facilityName, fmtTimeUs, severityName, term } from '../format';

export type AddTerm = (t: string) => void;

interface FieldRow { label: string; value: string; field: string | null; queryValue?: string | number | boolean }

function fieldRows(h: Hit): FieldRow[] {
  const rows: FieldRow[] = [
    { label: 'id', value: h.id, field: null },
    { label: 'time reported', value: fmtTimeUs(h.tsReported), field: null },
    { label: 'time received', value: fmtTimeUs(h.tsReceived), field: null },
    { label: 'host', value: h.host, field: 'host' },
    { label: 'fromhost-ip', value: h.fromhostIp, field: 'fromhost-ip' },
    { label: 'app', value: h.app, field: 'app' },
    { label: 'procid', value: h.procid, field: 'procid' },
    { label: 'msgid', value: h.msgid, field: 'msgid' },
    { label: 'facility', value: `${facilityName(h.facility)} (${h.facility})`, field: 'facility', queryValue: facilityName(h.facility) },
    { label: 'severity', value: `${severityName(h.severity)} (${h.severity})`, field: 'severity', queryValue: severityName(h.severity) },
    { label: 'structured-data', value: h.structuredData, field: 'structured-data' },
    { label: 'msg', value: h.msg, field: 'msg' },
  ];
  for (const k of Object.keys(h.fields ?? {}).sort()) rows.push({ label: k, value: String(h.fields[k]), field: k, queryValue: h.fields[k] });
  if (h.raw !== null && h.raw !== undefined) rows.push({ label: 'raw', value: h.raw, field: null });
  return rows;
}

function HitDetail({ hit, onAdd }: { hit: Hit; onAdd?: AddTerm }) {
  return (
    <table class="fields">
      <tbody>
        {fieldRows(hit).map((r) => (
          <tr key={r.label} data-field={r.label}>
            <th scope="row">{r.label}</th>
            <td>
              {r.field && onAdd
                ? <button type="button" class="val" title={`Add ${r.field}:… to the query`}
                  onClick={() => onAdd(term(r.field!, r.queryValue ?? r.value))}>{r.value}</button>
                : <span class="val">{r.value}</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One hit; memoised, so a re-render of the page (props unchanged) does not touch its 1,000 rows. */
export const HitRow = memo(function HitRow({ hit, onAdd, timeField = 'reported' }: { hit: Hit; onAdd?: AddTerm; timeField?: 'reported' | 'received' }) {
  const [open, setOpen] = useState(false);
  const ts = fmtTimeUs(timeField === 'received' ? hit.tsReceived : hit.tsReported);
  return (
    <>
      <tr class={`hit${open ? ' open' : ''}`} data-id={hit.id} onClick={() => setOpen(!open)} tabIndex={0}
        onKeyDown={(e) => { if (e.key === 'Enter') setOpen(!open); }} aria-expanded={open}>
        <td class="time" title={ts}><span class="date">{ts.slice(0, 11)}</span>{ts.slice(11)}</td>
        <td class="host">{hit.host}</td>
        <td class="app">{hit.app}</td>
        <td class="sevcell"><span class={`sev sev-${hit.severity}`}>{severityName(hit.severity)}</span></td>
        <td class="msg">{hit.msg}</td>
      </tr>
      {open && (
        <tr class="detail">
          <td colSpan={5}><HitDetail hit={hit} onAdd={onAdd} /></td>
        </tr>
      )}
    </>
  );
});

export function HitTable({ hits, onAdd, timeField, keyOf }: { hits: Hit[]; onAdd?: AddTerm; timeField?: 'reported' | 'received'; keyOf?: (h: Hit, i: number) => string }) {
  return (
    <table class="hits">
      <thead>
        <tr><th class="time">time{timeField === 'received' ? ' (received)' : ''} UTC</th><th>host</th><th>app</th><th>severity</th><th>message</th></tr>
      </thead>
      <tbody>
        {hits.map((h, i) => <HitRow key={keyOf ? keyOf(h, i) : h.id} hit={h} onAdd={onAdd} timeField={timeField} />)}
      </tbody>
    </table>
  );
}

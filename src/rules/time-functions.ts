// format_time(), parse_time() and is_time(): Unix seconds to RFC 3164/3339 text and back, using the same
// timestamp scanners as the message parser (RFC 5424 §6.2.3, RFC 3164 §4.1.2).
import { MONTHS, SyslogTime, TimeSource } from '../time';
import { scanRfc3164, scanRfc3339 } from '../parse/timestamp';
import { convertsToNumber, toNumber, toStr, type Value } from './values';

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n));

/**
 * format_time(unix, fmt): "date-rfc3164" → "Mmm dd hh:mm:ss" (day space-padded), "date-rfc3339" →
 * "YYYY-MM-DDThh:mm:ssZ", both in UTC. Anything else returns the input text (rsyslog leaves its buffer
 * unset for an unknown format; we return the input as it does for a non-numeric time).
 */
export function formatTime(t: Value, fmt: string): string {
  const text = toStr(t);
  if (!convertsToNumber(t)) return text;
  const d = new Date(toNumber(t) * 1000);
  if (Number.isNaN(d.getTime())) return text;
  const hms = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  if (fmt === 'date-rfc3164') {
    const day = d.getUTCDate();
    return `${MONTHS[d.getUTCMonth()]} ${day < 10 ? ' ' + day : day} ${hms}`;
  }
  if (fmt === 'date-rfc3339') {
    return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${hms}Z`;
  }
  return text;
}

/** rsyslog estimateYear: a BSD timestamp's year from the current UTC year/month and its month. */
function estimateYear(cy: number, cm: number, im: number): number {
  const m = im + 12;
  if (m - cm === 1 && cm === 12 && m === 13) return cy + 1;
  if (m - cm > 13) return cy - 1;
  return cy;
}

function scan3339(s: string): SyslogTime | null {
  const b = Buffer.from(s, 'utf8');
  return scanRfc3339(b, { pos: 0, len: b.length });
}

function scan3164(s: string): SyslogTime | null {
  const b = Buffer.from(s, 'utf8');
  const t = scanRfc3164(b, { pos: 0, len: b.length }, false);
  if (!t) return null;
  const now = new Date();
  const year = t.year > 0 ? t.year : estimateYear(now.getUTCFullYear(), now.getUTCMonth() + 1, t.month);
  // the parsed fields carry no zone: rsyslog's syslogTime2time_t then treats them as UTC
  return new SyslogTime(year, t.month, t.day, t.hour, t.minute, t.second, 0, 0, 0, TimeSource.Rfc3164);
}

/** parse_time(str): Unix seconds, or null (rsyslog returns 0 and sets script_error) when unparsable. */
export function parseTime(s: string): number | null {
  const t = scan3339(s) ?? scan3164(s);
  return t === null ? null : Math.floor(t.toEpochMs() / 1000);
}

/**
 * is_time(str[, fmt]): RFC 3164, RFC 3339 or a Unix number. rsyslog 8.2x ignores an explicit format and
 * always answers 0; we honour "date-rfc3164", "date-rfc3339" and "date-unix" as documented.
 */
export function isTime(v: Value, fmt: string | null): boolean {
  const s = toStr(v);
  const unix = (): boolean => convertsToNumber(v);
  if (fmt === null) return scan3164(s) !== null || scan3339(s) !== null || unix();
  switch (fmt) {
    case 'date-rfc3164': return scan3164(s) !== null;
    case 'date-rfc3339': return scan3339(s) !== null;
    case 'date-unix': return unix();
    default: return false;
  }
}

// Field names and values of the query language: spellings → columns, extracted-field prefixes, and the value
// rules for severity/facility (RFC 5424 §6.2.1 names or numbers) and time bounds (RFC 3339 §5.6 or relative).
import { facilityFromName, severityFromName } from '../../message';
import type { ColumnName, FieldRef } from './ast';

/** Query spellings of the fixed columns (lower-case), rsyslog property names included. */
const COLUMN_ALIASES: Record<string, ColumnName> = {
  host: 'host', hostname: 'host', source: 'host',
  'fromhost-ip': 'fromhost-ip', fromhost_ip: 'fromhost-ip', fromhostip: 'fromhost-ip', ip: 'fromhost-ip',
  app: 'app', appname: 'app', 'app-name': 'app', programname: 'app', program: 'app',
  procid: 'procid', pid: 'procid',
  msgid: 'msgid',
  facility: 'facility', syslogfacility: 'facility', 'syslogfacility-text': 'facility',
  severity: 'severity', syslogseverity: 'severity', 'syslogseverity-text': 'severity', level: 'severity',
  msg: 'msg', message: 'msg',
  raw: 'raw', rawmsg: 'raw',
  'structured-data': 'structured-data', structured_data: 'structured-data',
};

/** Prefixes of extracted fields (src/parse/extract.ts). */
export const EXTRACTED_PREFIXES = ['json', 'cee', 'sd', 'kv', 'nginx', 'var', 'k8s', 'zeek', 'tls'] as const;
const EXTRACTED_PATH = /^(?:json|cee|sd|kv|nginx|var|k8s|zeek|tls)\.[^\s"'\\]{1,200}$/;

/** Resolve a field spelling; undefined when it is neither a column nor an extracted path. */
export function resolveField(name: string): FieldRef | undefined {
  const col = COLUMN_ALIASES[name.toLowerCase()];
  if (col !== undefined) return { kind: 'column', name: col };
  if (EXTRACTED_PATH.test(name)) return { kind: 'extracted', path: name };
  return undefined;
}

/** Severity 0..7 by number or name (emerg … debug, plus rsyslog's aliases error/warn/panic). */
export function severityValue(v: string): number | undefined {
  if (/^[0-7]$/.test(v)) return Number(v);
  return severityFromName(v);
}

/** Facility 0..23 by number or name (kern … local7). */
export function facilityValue(v: string): number | undefined {
  if (/^\d{1,2}$/.test(v) && Number(v) <= 23) return Number(v);
  return facilityFromName(v);
}

const UNIT_US: Record<string, number> = {
  s: 1_000_000, m: 60_000_000, h: 3_600_000_000, d: 86_400_000_000, w: 604_800_000_000,
};

/** A span such as "1m", "15s", "2h", "1d" in microseconds, or undefined. */
export function spanMicros(text: string): number | undefined {
  const m = /^(\d{1,6})([smhdw])$/.exec(text);
  if (m === null) return undefined;
  const us = Number(m[1]) * UNIT_US[m[2]!]!;
  return us > 0 ? us : undefined;
}

/** RFC 3339 §5.6 date-time, or a bare full-date (UTC midnight); a missing offset means UTC. */
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}:\d{2})?)?$/;

/**
 * A time bound in µs since the epoch: "now", "-15m" (relative to nowMs), an epoch number in seconds
 * (10 digits) or milliseconds (13 digits), or RFC 3339. Undefined when unrecognised.
 */
export function parseTimeValue(text: string, nowMs: number): number | undefined {
  if (text === 'now') return nowMs * 1000;
  const rel = /^-(\d{1,9}[smhdw])$/.exec(text);
  if (rel !== null) {
    const span = spanMicros(rel[1]!);
    return span === undefined ? undefined : nowMs * 1000 - span;
  }
  if (/^\d{10}$/.test(text)) return Number(text) * 1_000_000;
  if (/^\d{13}$/.test(text)) return Number(text) * 1000;
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const frac = m[7] ? Number(m[7].padEnd(6, '0').slice(0, 6)) : 0;
  let offsetMin = 0;
  const z = m[8];
  if (z !== undefined && z !== 'Z' && z !== 'z') {
    offsetMin = (Number(z.slice(1, 3)) * 60 + Number(z.slice(4, 6))) * (z[0] === '-' ? -1 : 1);
  }
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) - offsetMin * 60_000;
  return ms * 1000 + frac;
}

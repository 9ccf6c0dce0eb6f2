// Zeek logs, TSV (`#separator`, `#fields`, `#types`, `-` unset, `(empty)`) and JSON (one object per line):
// each record becomes one message with its fields under `$!zeek` (stored as zeek.<field>), `ts` as the
// reported time and `zeek.log` (http, conn, dns, ssl, …) from `#path`/`_path` or the file name.
import * as path from 'node:path';
import type { Line } from './lines';
import type { Decoded, LineDecoder, LineMeta } from './decode';
import { SyslogTime, TimeSource } from '../../time';
import { parseRfc3339 } from './container';

const NUMERIC_TYPES = new Set(['time', 'interval', 'double', 'count', 'int', 'port']);

/** "http.log", "http.2026-01-02-03-00-00.log", "conn.03:00:00-04:00:00.log.gz" → "http"/"conn". */
export function zeekLogName(file: string): string {
  const base = path.basename(file);
  const dot = base.indexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** Epoch seconds (with fraction) → SyslogTime in UTC, microsecond precision. */
export function epochSecondsToTime(sec: number): SyslogTime | null {
  if (!Number.isFinite(sec) || sec <= 0) return null;
  const ms = Math.floor(sec * 1000);
  const d = new Date(ms);
  const micros = Math.round(sec * 1e6) % 1_000_000;
  const t = new SyslogTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(),
    d.getUTCSeconds(), micros, 6, 0, TimeSource.Local);
  t.zulu = true;
  return t;
}

function unescapeSeparator(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

class ZeekDecoder implements LineDecoder {
  readonly needsHeader = true;
  readonly pendingOffset = undefined;
  private readonly fileLog: string;
  private sep = '\t';
  private setSep = ',';
  private empty = '(empty)';
  private unset = '-';
  private logName: string;
  private fields: string[] = [];
  private types: string[] = [];

  constructor(file: string) {
    this.fileLog = zeekLogName(file);
    this.logName = this.fileLog;
  }

  newFile(): void {
    this.fields = [];
    this.types = [];
    this.logName = this.fileLog;
  }

  decode(line: Line, out: Decoded[]): void {
    const t = line.text;
    if (t.length === 0) return;
    if (t.charCodeAt(0) === 0x23 /* # */) return this.header(t);
    if (t.charCodeAt(0) === 0x7b /* { */) return this.json(line, out);
    if (this.fields.length === 0) {
      out.push({ ...line, meta: null }); // no header seen: keep the line as it is
      return;
    }
    const vals = t.split(this.sep);
    const z: Record<string, unknown> = { log: this.logName };
    for (let i = 0; i < this.fields.length && i < vals.length; i++) {
      const v = vals[i];
      if (v === this.unset) continue;
      const name = this.fields[i];
      if (name === 'log') continue;
      if (v === this.empty) {
        z[name] = '';
        continue;
      }
      const type = this.types[i] ?? 'string';
      if (NUMERIC_TYPES.has(type)) {
        const n = Number(v);
        z[name] = Number.isFinite(n) ? n : v;
      } else if (type === 'bool') z[name] = v === 'T';
      else if (type.startsWith('set[') || type.startsWith('vector[')) z[name] = v.split(this.setSep).join(',');
      else z[name] = v;
    }
    out.push({ text: t, offset: line.offset, end: line.end, meta: meta(z) });
  }

  private header(t: string): void {
    const tab = t.indexOf('\t');
    const sp = t.indexOf(' ');
    if (t.startsWith('#separator')) {
      this.sep = unescapeSeparator(t.slice(sp + 1));
      return;
    }
    const cut = t.indexOf(this.sep);
    const key = cut > 0 ? t.slice(1, cut) : t.slice(1, tab > 0 ? tab : undefined);
    const rest = cut > 0 ? t.slice(cut + this.sep.length) : '';
    switch (key) {
      case 'set_separator': this.setSep = rest; break;
      case 'empty_field': this.empty = rest; break;
      case 'unset_field': this.unset = rest; break;
      case 'path': this.logName = rest; break;
      case 'fields': this.fields = rest.split(this.sep); break;
      case 'types': this.types = rest.split(this.sep); break;
      default: break; // #open, #close
    }
  }

  private json(line: Line, out: Decoded[]): void {
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line.text) as Record<string, unknown>;
    } catch {
      out.push({ ...line, meta: null });
      return;
    }
    const z: Record<string, unknown> = { log: typeof o._path === 'string' ? o._path : this.fileLog };
    for (const k of Object.keys(o)) if (k !== '_path' && k !== 'log') z[k] = o[k];
    out.push({ text: line.text, offset: line.offset, end: line.end, meta: meta(z) });
  }
}

function meta(z: Record<string, unknown>): LineMeta {
  const ts = z.ts;
  const time = typeof ts === 'number' ? epochSecondsToTime(ts) : typeof ts === 'string' ? parseRfc3339(ts) : null;
  return { vars: { zeek: z }, time, severity: null };
}

export function zeekDecoder(file: string): LineDecoder {
  return new ZeekDecoder(file);
}

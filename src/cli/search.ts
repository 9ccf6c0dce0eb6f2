// `logwarden search 'QUERY' [--from T] [--to T] [--limit N] [--cursor C] [--json] [--db DIR | --config FILE]`:
// query the SQLite store read-only (safe while `logwarden run` writes it). Human table by default, NDJSON
// with --json. Exit 0 on success, 1 on a query/store error, 2 on bad usage.
import { isAbsolute, join } from 'node:path';
import { getParam, type ConfigModel, type Statement } from '../config/model';
import { SEVERITY_NAMES, FACILITY_NAMES } from '../message';
import { formatRfc3339, SyslogTime, TimeSource } from '../time';
import { storeSpec } from '../actions/store';
import { DEFAULT_PAGE, MAX_PAGE, type Hit, type SearchResult } from '../store/backend';
import { QueryError } from '../store/query/errors';
import { parseTimeValue } from '../store/query/fields';
import { parseQuery } from '../store/query/parser';
import { SqliteStore } from '../store/sqlite';
import { has, last, parseArgs } from './args';

const USAGE = `usage: logwarden search 'QUERY' [--from TIME] [--to TIME] [--limit N] [--cursor C] [--json]
                        [--db STORE_DIR | --config FILE]
  TIME: -15m, -2h, -7d, now, or RFC 3339 (2025-01-15T07:00:00Z). Query syntax: docs/query-language.md
`;
const DEFAULT_DB = './data/store';

/** The store directory the first store action of a config writes (default <workDirectory>/store). */
export function storePathFromConfig(model: ConfigModel): string | undefined {
  const dataDir = String(getParam(model.globals, 'workdirectory')?.value ?? './data');
  const names = new Set([storeSpec.name, ...storeSpec.aliases]);
  const find = (list: Statement[]): string | undefined => {
    for (const s of list) {
      if (s.kind === 'action' && names.has(s.action.type.toLowerCase())) {
        const p = getParam(s.action.params, 'path')?.value;
        return p === undefined || p === '' ? join(dataDir, 'store') : String(p);
      }
      const inner = s.kind === 'filter' || s.kind === 'foreach' ? find(s.body)
        : s.kind === 'if' ? find(s.then) ?? (s.else ? find(s.else) : undefined) : undefined;
      if (inner !== undefined) return inner;
    }
    return undefined;
  };
  for (const rs of model.rulesets.values()) {
    const p = find(rs.statements);
    if (p !== undefined) return p;
  }
  return undefined;
}

function loadStorePath(configFile: string): string {
  // Loaded lazily: `search --db` must not pay for the config parser and component registry.
  const { loadConfig } = require('../config/load') as { loadConfig: (f: string, o: object) => ConfigModel };
  const { lookupComponent } = require('../runtime/registry') as { lookupComponent: unknown };
  const model = loadConfig(configFile, { lookupComponent });
  const path = storePathFromConfig(model);
  if (path === undefined) throw Object.assign(new Error(`${configFile}: no store action (action(type="store" …))`), { code: 'LW_ERR_USAGE' });
  return path;
}

function fmtTime(us: number): string {
  const t = SyslogTime.fromEpochMs(Math.floor(us / 1000), TimeSource.Local).toUtc();
  t.secfrac = ((us % 1_000_000) + 1_000_000) % 1_000_000;
  t.secfracPrecision = 6;
  return formatRfc3339(t);
}

function cell(column: string, v: string | number | null): string {
  if (v === null) return '-';
  if (column === 'severity' && typeof v === 'number') return SEVERITY_NAMES[v] ?? String(v);
  if (column === 'facility' && typeof v === 'number') return FACILITY_NAMES[v] ?? String(v);
  if (column === 'time' && typeof v === 'number') return fmtTime(v);
  return String(v);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.min(40, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  const line = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

function hitJson(h: Hit): object {
  return { ...h, time: fmtTime(h.tsReported), severity: SEVERITY_NAMES[h.severity] ?? h.severity, facility: FACILITY_NAMES[h.facility] ?? h.facility };
}

function print(result: SearchResult, json: boolean): void {
  if (result.kind === 'aggregate') {
    if (json) {
      for (const r of result.rows) {
        process.stdout.write(JSON.stringify(Object.fromEntries(result.columns.map((c, i) => [c, r[i] ?? null]))) + '\n');
      }
    } else {
      process.stdout.write(table(result.columns, result.rows.map((r) => r.map((v, i) => cell(result.columns[i]!, v ?? null)))));
    }
    return;
  }
  if (json) {
    for (const h of result.hits) process.stdout.write(JSON.stringify(hitJson(h)) + '\n');
    return;
  }
  const rows = result.hits.map((h) => [fmtTime(h.tsReported), h.host, h.app, cell('severity', h.severity), h.msg.replace(/[\r\n]/g, ' ')]);
  process.stdout.write(table(['time', 'host', 'app', 'severity', 'msg'], rows));
  if (result.nextCursor !== null) process.stderr.write(`more results: --cursor ${result.nextCursor}\n`);
}

export async function searchMain(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, ['from', 'to', 'limit', 'db', 'config', 'f', 'cursor']);
  } catch (e) {
    process.stderr.write(`logwarden search: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (has(args, 'help') || has(args, 'h') || args.positional.length !== 1) {
    process.stderr.write(USAGE);
    return has(args, 'help') ? 0 : 2;
  }
  const now = Date.now();
  const times: Record<'from' | 'to', number | null> = { from: null, to: null };
  for (const k of ['from', 'to'] as const) {
    const v = last(args, k);
    if (v === undefined) continue;
    const us = parseTimeValue(v, now);
    if (us === undefined) {
      process.stderr.write(`logwarden search: --${k} "${v}" is not a time (-15m, now, RFC 3339)\n`);
      return 2;
    }
    times[k] = us;
  }
  const limitText = last(args, 'limit');
  const limit = limitText === undefined ? DEFAULT_PAGE : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    process.stderr.write(`logwarden search: --limit must be 1..${MAX_PAGE}\n`);
    return 2;
  }
  let store: SqliteStore | null = null;
  try {
    const query = parseQuery(args.positional[0]!, { nowMs: now });
    const cfg = last(args, 'config') ?? last(args, 'f');
    const db = last(args, 'db') ?? (cfg !== undefined ? loadStorePath(cfg) : DEFAULT_DB);
    store = new SqliteStore({ path: isAbsolute(db) ? db : join(process.cwd(), db), readonly: true });
    const result = await store.search({ query, fromUs: times.from, toUs: times.to, limit, cursor: last(args, 'cursor') ?? null });
    print(result, has(args, 'json'));
    return 0;
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err instanceof QueryError) process.stderr.write(`logwarden search: [${err.code}] ${err.message}\n${err.caret()}\n`);
    else process.stderr.write(`logwarden search: ${err.code ? `[${err.code}] ` : ''}${err.message}\n`);
    return err.code === 'LW_ERR_USAGE' ? 2 : 1;
  } finally {
    if (store !== null) await store.close();
  }
}

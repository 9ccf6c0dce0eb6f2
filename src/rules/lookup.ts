// Lookup tables (rsyslog runtime/lookup.c): `lookup_table(name= file= reloadOnHUP=)` loads a JSON file
// { "version": 1, "nomatch": "…", "type": "string"|"array"|"sparseArray", "table": [{ "index": …, "value": … }] };
// `lookup("name", key)` returns the value for the key or nomatch ("" without one); `reload_lookup_table("name",
// "stub")` re-reads the file in the background, and when that fails uses the stub for every key if one is given,
// else keeps the table it has. Tables are built once per load into a form whose lookup is one Map.get, one array
// index or one binary search.
import { readFileSync, promises as fsp } from 'node:fs';
import { getParam, type ConfigModel, type SourceLoc } from '../config/model';
import { RuleError } from './errors';
import { jsoncStringify } from '../templates/jsonc';
import { jsonToInt, toInt, toStr, type Value } from './values';

export const LOOKUP_ERROR = 'LW_ERR_RULES_LOOKUP_TABLE';

/** One loaded table: the key as RainerScript hands it in, the value out. */
export interface LookupTable {
  readonly kind: 'string' | 'array' | 'sparseArray' | 'stub';
  lookup(key: Value): string;
}

/** json_object_get_string: strings as they are, other nodes as json-c prints them. */
function jsonString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return jsoncStringify(v, true);
}

/** json_object_get_int (int64 clamped to int32) then the (uint32_t) cast of rsyslog's array/sparseArray index. */
function jsonIndex(v: unknown): number {
  const n = jsonToInt(v);
  return (n > 2147483647 ? 2147483647 : n < -2147483648 ? -2147483648 : Number(n)) >>> 0;
}

/** var2Number of the key, cast to uint32_t as rsyslog's lookup_key_t.k_uint is. */
function uintKey(key: Value): number {
  const n = toInt(key);
  return typeof n === 'number' ? n >>> 0 : Number(BigInt.asUintN(32, n));
}

/** Parse and build a table from the file's text; throws Error with the reason (no location). */
export function buildLookupTable(text: string, name: string): { table: LookupTable; warnings: string[] } {
  const warnings: string[] = [];
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    throw new Error(`JSON parsing error: ${(err as Error).message}`);
  }
  const obj = root !== null && typeof root === 'object' && !Array.isArray(root) ? (root as Record<string, unknown>) : {};
  let version = 1;
  if (obj.version === undefined || obj.version === null) warnings.push(`lookup table "${name}" does not specify its version (1 is assumed)`);
  else version = jsonIndex(obj.version) | 0; // json_object_get_int
  if (version !== 1) throw new Error(`unsupported version ${version} (only 1 exists)`);
  const tab = obj.table;
  if (!Array.isArray(tab)) throw new Error('"table" must be an array of {"index": …, "value": …}');
  const type = obj.type === undefined || obj.type === null ? 'string' : jsonString(obj.type);
  const nomatch = obj.nomatch === undefined || obj.nomatch === null ? '' : jsonString(obj.nomatch);
  const rows = tab.map((r) => (r !== null && typeof r === 'object' && !Array.isArray(r) ? (r as Record<string, unknown>) : {}));
  rows.forEach((r, i) => {
    if (r.value === undefined || r.value === null) throw new Error(`record ${i + 1} of the ${type} table has no "value"`);
  });
  rows.forEach((r, i) => {
    if (r.index === undefined || r.index === null) throw new Error(`record ${i + 1} of the ${type} table has no "index"`);
  });
  switch (type) {
    case 'string': {
      const map = new Map<string, string>();
      // rsyslog sorts then binary-searches: with a duplicate index either row may win; the first is kept here
      for (const r of rows) {
        const k = jsonString(r.index);
        if (!map.has(k)) map.set(k, jsonString(r.value));
      }
      return { table: { kind: 'string', lookup: (key) => map.get(toStr(key)) ?? nomatch }, warnings };
    }
    case 'array': {
      const entries = rows.map((r) => ({ index: jsonIndex(r.index), value: jsonString(r.value) })).sort((a, b) => a.index - b.index);
      for (let i = 1; i < entries.length; i++) {
        if (entries[i].index !== entries[i - 1].index + 1) {
          throw new Error(`array table has non-contiguous members between index ${entries[i - 1].index} and ${entries[i].index} (use "sparseArray")`);
        }
      }
      const first = entries.length > 0 ? entries[0].index : 0;
      const values = entries.map((e) => e.value);
      return {
        table: { kind: 'array', lookup: (key) => { const k = uintKey(key); return k < first ? nomatch : values[k - first] ?? nomatch; } },
        warnings,
      };
    }
    case 'sparseArray': {
      const entries = rows.map((r) => ({ index: jsonIndex(r.index), value: jsonString(r.value) })).sort((a, b) => a.index - b.index);
      const idx = entries.map((e) => e.index);
      const values = entries.map((e) => e.value);
      return {
        table: {
          kind: 'sparseArray',
          lookup: (key) => {
            // the entry with the largest index <= key
            const k = uintKey(key);
            let lo = 0;
            let hi = idx.length;
            while (lo < hi) {
              const mid = (lo + hi) >>> 1;
              if (idx[mid] <= k) lo = mid + 1;
              else hi = mid;
            }
            return lo === 0 ? nomatch : values[lo - 1];
          },
        },
        warnings,
      };
    }
    default:
      throw new Error(`unsupported type "${type}" (string, array or sparseArray)`);
  }
}

function stubTable(value: string): LookupTable {
  return { kind: 'stub', lookup: () => value };
}

/** Warnings and errors of background reloads go here (the runtime's logger). */
export type LookupLog = (level: 'warn' | 'info', code: string, message: string, fields: Record<string, unknown>) => void;

/** A named table as the rules hold it: the current table is swapped whole on reload. */
export class LookupRef {
  private reloading = false;

  constructor(readonly name: string, readonly file: string, readonly reloadOnHUP: boolean, readonly loc: SourceLoc,
    public table: LookupTable, private readonly log: LookupLog | undefined) {}

  lookup(key: Value): string {
    return this.table.lookup(key);
  }

  /**
   * reload_lookup_table: read the file again without blocking message processing. A reload already under way
   * absorbs this request (rsyslog: the reloader's trylock fails and it logs). On failure the stub, if given,
   * becomes the table; else the old table stays.
   */
  reload(stub: string | null): Promise<void> {
    if (this.reloading) {
      this.log?.('warn', 'LW_WARN_LOOKUP_RELOAD', 'a reload of the lookup table is already under way; this request is dropped', { table: this.name });
      return Promise.resolve();
    }
    this.reloading = true;
    return fsp.readFile(this.file, 'utf8').then((text) => {
      const built = buildLookupTable(text, this.name);
      this.table = built.table;
      this.log?.('info', 'LW_INFO_LOOKUP_RELOADED', 'lookup table reloaded', { table: this.name, file: this.file });
    }).catch((err: unknown) => {
      const detail = (err as Error).message;
      if (stub !== null) {
        this.table = stubTable(stub);
        this.log?.('warn', 'LW_WARN_LOOKUP_RELOAD', 'lookup table could not be reloaded; every key now gives the stub value', { table: this.name, file: this.file, stub, detail });
      } else {
        this.log?.('warn', 'LW_WARN_LOOKUP_RELOAD', 'lookup table could not be reloaded; the previous table stays', { table: this.name, file: this.file, detail });
      }
    }).finally(() => {
      this.reloading = false;
    });
  }
}

/** The tables of one configuration, by name (rsyslog compares table names case-sensitively). */
export class LookupTables {
  private readonly refs = new Map<string, LookupRef>();

  constructor(private readonly log?: LookupLog) {}

  /**
   * Load every lookup_table() of the model. A table whose file is unreadable or invalid is a RuleError naming
   * the lookup_table() statement (rsyslog logs it and its lookups give ""; Logwarden refuses the config, in run
   * and check alike). `previous` (the configuration being replaced on SIGHUP) lends its table to a
   * reloadOnHUP="off" table of the same name and file, so that it is not re-read.
   */
  static load(model: ConfigModel, log?: LookupLog, previous?: LookupTables): LookupTables {
    const out = new LookupTables(log);
    for (const decl of model.lookupTables?.values() ?? []) {
      const name = String(getParam(decl.params, 'name')?.value ?? '');
      const file = String(getParam(decl.params, 'file')?.value ?? '');
      const hup = getParam(decl.params, 'reloadonhup')?.value;
      const reloadOnHUP = hup === undefined || /^(on|yes|1|true)$/i.test(String(hup));
      const old = previous?.refs.get(name);
      if (!reloadOnHUP && old !== undefined && old.file === file) {
        out.refs.set(name, new LookupRef(name, file, reloadOnHUP, decl.loc, old.table, log));
        continue;
      }
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new RuleError(LOOKUP_ERROR, `lookup table "${name}": file ${file} could not be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, decl.loc);
      }
      let built: ReturnType<typeof buildLookupTable>;
      try {
        built = buildLookupTable(text, name);
      } catch (err) {
        throw new RuleError(LOOKUP_ERROR, `lookup table "${name}" (${file}): ${(err as Error).message}`, decl.loc);
      }
      for (const w of built.warnings) log?.('warn', 'LW_WARN_LOOKUP_TABLE', w, { table: name, file, at: `${decl.loc.file}:${decl.loc.line}:${decl.loc.col}` });
      out.refs.set(name, new LookupRef(name, file, reloadOnHUP, decl.loc, built.table, log));
    }
    return out;
  }

  get(name: string): LookupRef | undefined {
    return this.refs.get(name);
  }

  names(): string[] {
    return [...this.refs.keys()];
  }
}

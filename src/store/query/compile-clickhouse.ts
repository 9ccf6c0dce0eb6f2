// Compile the query AST to ClickHouse SQL (18.16 dialect: no query parameters, no ilike, no hasToken), with
// every value escaped by ../clickhouse-sql.ts. Semantics follow the SQLite compiler; see docs/clickhouse.md.
import { aggColumns, aggregationOf, MAX_GROUPS, type AggPipe } from '../aggregate';
import { MAX_PAGE, StoreError, type AggValue, type CompiledQueryInput } from '../backend';
import { HIT_COLUMNS } from '../clickhouse-schema';
import { sqlInt, sqlNumber, sqlString } from '../clickhouse-sql';
import type { CmpOp, ColumnName, FieldRef, Pipe, QueryNode } from './ast';
import { fieldName } from './ast';
import { textCondition } from '../clickhouse-text';

/** Column of each fixed field; `numeric` columns compare as numbers, the rest as text. */
const COLUMNS: Record<ColumnName, { sql: string; numeric: boolean }> = {
  host: { sql: 'host', numeric: false },
  'fromhost-ip': { sql: 'fromhost_ip', numeric: false },
  app: { sql: 'app', numeric: false },
  procid: { sql: 'procid', numeric: false },
  msgid: { sql: 'msgid', numeric: false },
  facility: { sql: 'facility', numeric: true },
  severity: { sql: 'severity', numeric: true },
  msg: { sql: 'msg', numeric: false },
  raw: { sql: 'raw', numeric: false },
  'structured-data': { sql: 'structured_data', numeric: false },
};

const OPS: Record<CmpOp, string> = { eq: '=', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };

/** Kind codes of field_kinds (see clickhouse-schema.ts). */
const KIND_STRING = 0;
/** Plain decimal notation, optionally space-padded: the only text lw_num() reads as a number. */
const NUMERIC_TEXT_RE2 = '^\\s*-?[0-9]+(\\.[0-9]+)?\\s*$';
const TRIM_RE2 = '^\\s+|\\s+$';

export interface Paging {
  /** Largest id visible to this cursor chain. */
  snapshotId: number;
  /** Continue after this hit (from the previous page's cursor). */
  after: { ts: number; id: string } | null;
  defaultPage: number;
  maxPage: number;
}

export type ClickHouseCompiled =
  /** Hits: the SQL asks for pageSize + 1 rows so the caller knows whether another page follows. */
  | { kind: 'hits'; sql: string; pageSize: number; order: 'asc' | 'desc'; limited: boolean }
  | {
    kind: 'aggregate'; sql: string; pipe: AggPipe; columns: string[]; limit: number;
    /** One result row as [bucket?, ...group values, count], the partial-row shape AggMerger takes. */
    decodeRow: (r: Record<string, unknown>) => AggValue[];
  };

/** `field_values[indexOf(field_keys, path)]`: the text of an extracted field ('' when absent). */
function fieldText(path: string): string {
  return `field_values[indexOf(field_keys, ${sqlString(path)})]`;
}

function fieldKind(path: string): string {
  return `field_kinds[indexOf(field_keys, ${sqlString(path)})]`;
}

function fieldPresent(path: string): string {
  return `has(field_keys, ${sqlString(path)})`;
}

/** A glob (`*` any run, `?` one character) as an anchored RE2 pattern; (?s) lets `.` match newlines too. */
export function globToRe2(glob: string): string {
  let re = '(?s)^';
  for (const ch of glob) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += /[\\^$.|?*+()[\]{}]/.test(ch) ? '\\' + ch : ch;
  }
  return re + '$';
}

/** Only `raw` is Nullable: a NULL comparison counts as false, as SQLite's coalesce(…, 0) makes it. */
function notNull(name: ColumnName, cond: string): string {
  return name === 'raw' ? `ifNull(${cond}, 0)` : cond;
}

/** Fixed columns compare exactly (case-sensitive, bytewise like SQLite's BINARY collation). */
function columnTerm(name: ColumnName, op: CmpOp, value: string | number, wildcard: boolean): string {
  const col = COLUMNS[name];
  if (wildcard) {
    const m = notNull(name, `match(${col.sql}, ${sqlString(globToRe2(String(value)))})`);
    return op === 'ne' ? `NOT ${m}` : m;
  }
  const lit = col.numeric ? sqlNumber(Number(value)) : sqlString(String(value));
  return notNull(name, `${col.sql} ${OPS[op]} ${lit}`);
}

/** Query text that compiles to a number as well as a string (compile-sqlite.ts isNumericText). */
function isNumericText(s: string): boolean {
  return /^-?\d+(?:\.\d+)?$/.test(s) && s.length < 16;
}

/**
 * The numeric reading of an extracted value, or NULL: what the SQLite store's lw_num() gives for the JSON value
 * (numbers and booleans as themselves, text only when it is plain decimal notation).
 */
function fieldNumber(path: string): string {
  const kind = fieldKind(path);
  const text = fieldText(path);
  const trimmed = `replaceRegexpAll(${text}, ${sqlString(TRIM_RE2)}, '')`;
  return `if(${kind} != ${KIND_STRING} OR match(${text}, ${sqlString(NUMERIC_TEXT_RE2)}), toFloat64OrNull(${trimmed}), NULL)`;
}

/**
 * An extracted field, with SQLite's JSON value semantics (the stores must agree, see docs/clickhouse.md):
 * numbers and booleans (1/0) are numbers, a numeric query value matches both the number and the same text,
 * a number sorts before any text, and `!=` is NOT of `=`, so it also matches rows without the field.
 */
function extractedTerm(path: string, op: CmpOp, value: string | number, wildcard: boolean): string {
  const present = fieldPresent(path);
  const text = fieldText(path);
  const kind = fieldKind(path);
  if (wildcard) {
    const m = `(${present} AND match(${text}, ${sqlString(globToRe2(String(value)))}))`;
    return op === 'ne' ? `NOT ${m}` : m;
  }
  if (typeof value === 'number') return `ifNull(${present} AND ${fieldNumber(path)} ${OPS[op]} ${sqlNumber(value)}, 0)`;
  const isText = `${kind} = ${KIND_STRING}`;
  if (op === 'eq' || op === 'ne') {
    const asText = `(${isText} AND ${text} = ${sqlString(value)})`;
    const m = isNumericText(value)
      ? `(${present} AND (${asText} OR (NOT ${isText} AND toFloat64OrZero(${text}) = ${sqlNumber(Number(value))})))`
      : `(${present} AND ${asText})`;
    return op === 'ne' ? `NOT ${m}` : m;
  }
  const numberVsText = op === 'lt' || op === 'le' ? '1' : '0';
  return `(${present} AND if(${isText}, ${text} ${OPS[op]} ${sqlString(value)}, ${numberVsText}))`;
}

function existsTerm(f: FieldRef): string {
  if (f.kind === 'extracted') return fieldPresent(f.path);
  const col = COLUMNS[f.name];
  if (col.numeric) return '1';
  return notNull(f.name, `(${col.sql} != '' AND ${col.sql} != '-')`);
}

function cidrTerm(f: FieldRef, lo: string, hi: string): string {
  const range = (expr: string): string => `(${expr} != '' AND ${expr} >= ${sqlString(lo.toLowerCase())} AND ${expr} <= ${sqlString(hi.toLowerCase())})`;
  if (f.kind === 'column' && f.name === 'fromhost-ip') return range('fromhost_ip_hex');
  throw new StoreError('LW_ERR_QUERY_VALUE', `CIDR match is supported on fromhost-ip only, not ${fieldName(f)}`);
}

/** The WHERE expression of a filter node. */
export function compileWhere(n: QueryNode): string {
  switch (n.kind) {
    case 'text': return textCondition(n.value, n.prefix);
    case 'field':
      return n.field.kind === 'column'
        ? columnTerm(n.field.name, n.op, n.value, n.wildcard)
        : extractedTerm(n.field.path, n.op, n.value, n.wildcard);
    case 'exists': return existsTerm(n.field);
    case 'cidr': return cidrTerm(n.field, n.lo, n.hi);
    case 'received': return `ts_received_us ${RECEIVED_OP[n.op]} ${sqlInt(n.us)}`;
    case 'and': return `(${compileWhere(n.left)} AND ${compileWhere(n.right)})`;
    case 'or': return `(${compileWhere(n.left)} OR ${compileWhere(n.right)})`;
    case 'not': return `(NOT ${compileWhere(n.operand)})`;
  }
}

const RECEIVED_OP = { lt: '<', le: '<=', gt: '>', ge: '>=' } as const;

/** All filter conditions: the query's tree plus its and the caller's time bounds (intersected). */
function whereClause(input: CompiledQueryInput): string {
  const conds: string[] = [];
  const q = input.query;
  if (q.where) conds.push(compileWhere(q.where));
  const from = maxOf(q.fromUs, input.fromUs ?? null);
  const to = minOf(q.toUs, input.toUs ?? null);
  if (from !== null) conds.push(`ts_reported_us >= ${sqlInt(from)}`);
  if (to !== null) conds.push(`ts_reported_us < ${sqlInt(to)}`);
  return conds.length > 0 ? conds.join(' AND ') : '1';
}

function maxOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

function minOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

function findPipe<K extends Pipe['kind']>(pipes: Pipe[], kind: K): Extract<Pipe, { kind: K }> | undefined {
  return pipes.find((p) => p.kind === kind) as Extract<Pipe, { kind: K }> | undefined;
}

/** Compile a whole query for one request. `table` is the backquoted `db`.`table`. */
export function compileClickHouse(input: CompiledQueryInput, table: string, paging: Paging): ClickHouseCompiled {
  const where = whereClause(input);
  const pipes = input.query.pipes;
  const limit = findPipe(pipes, 'limit')?.n ?? null;
  const agg = aggregationOf(pipes);
  if (agg) return compileAggregate(agg, table, where, limit);
  const order = findPipe(pipes, 'sort')?.order ?? 'desc';
  let pageSize = Math.min(Math.max(1, Math.floor(input.limit ?? paging.defaultPage)), paging.maxPage);
  if (limit !== null) pageSize = Math.min(pageSize, limit);
  const conds = [where, `id <= ${sqlInt(paging.snapshotId)}`];
  if (paging.after) {
    const cmp = order === 'desc' ? '<' : '>';
    conds.push(`(ts_reported_us, id) ${cmp} (${sqlInt(paging.after.ts)}, ${sqlInt(Number(paging.after.id))})`);
  }
  const dir = order === 'desc' ? 'DESC' : 'ASC';
  const sql = `SELECT ${HIT_COLUMNS} FROM ${table} WHERE ${conds.join(' AND ')} ` +
    `ORDER BY ts_reported_us ${dir}, id ${dir} LIMIT ${sqlInt(pageSize + 1)}`;
  return { kind: 'hits', sql, pageSize, order, limited: limit !== null };
}

// ---- aggregations ----------------------------------------------------------------------------------------
// ClickHouse groups and counts; ordering, ties and the row limit are left to the shared AggMerger (as the SQLite
// store does), so both stores order equal counts identically.

/** A group key: the SQL select expressions it needs, and how to turn a result row back into its value. */
interface GroupKey {
  selects: string[];
  groupBy: string[];
  /** Condition that the key has a value (top N skips rows without one). */
  present: string;
  decode(r: Record<string, unknown>): AggValue;
}

function groupKey(f: FieldRef, i: number): GroupKey {
  const v = `g${i}`;
  if (f.kind === 'column') {
    const col = COLUMNS[f.name];
    const nullable = f.name === 'raw';
    return {
      selects: [`${col.sql} AS ${v}`], groupBy: [v], present: nullable ? 'raw IS NOT NULL' : '1',
      decode: col.numeric ? (r) => Number(r[v]) : (r) => (r[v] === null ? null : String(r[v])),
    };
  }
  // SQLite groups json_extract() values: numbers (and booleans, as 1/0) apart from text, absent as NULL.
  const n = `n${i}`;
  const p = `p${i}`;
  return {
    selects: [`${fieldPresent(f.path)} AS ${p}`, `${fieldKind(f.path)} != ${KIND_STRING} AS ${n}`, `${fieldText(f.path)} AS ${v}`],
    groupBy: [p, n, v],
    present: fieldPresent(f.path),
    decode: (r) => (Number(r[p]) === 0 ? null : Number(r[n]) === 1 ? Number(r[v]) : String(r[v])),
  };
}

function compileAggregate(p: AggPipe, table: string, where: string, limit: number | null): ClickHouseCompiled {
  const keys: GroupKey[] = [];
  const selects: string[] = [];
  const groupBy: string[] = [];
  let bucketed = false;
  if (p.kind === 'timechart') {
    const b = sqlInt(p.bucketUs);
    // Integer division truncates toward zero, as SQLite's does.
    selects.push(`intDiv(${p.on === 'received' ? 'ts_received_us' : 'ts_reported_us'}, ${b}) * ${b} AS bucket`);
    groupBy.push('bucket');
    bucketed = true;
  }
  const fields = p.kind === 'count' ? p.by : p.kind === 'top' ? [p.field] : p.by ? [p.by] : [];
  fields.forEach((f, i) => keys.push(groupKey(f, i)));
  for (const k of keys) { selects.push(...k.selects); groupBy.push(...k.groupBy); }
  const conds = [where];
  if (p.kind === 'top') conds.push(keys[0]!.present);
  const group = groupBy.length > 0 ? ` GROUP BY ${groupBy.join(', ')}` : '';
  // One row more than the merger accepts, so an oversized result is refused rather than silently cut.
  const sql = `SELECT ${[...selects, 'count() AS c'].join(', ')} FROM ${table} WHERE ${conds.join(' AND ')}${group} ` +
    `LIMIT ${sqlInt(MAX_GROUPS + 1)}`;
  return {
    kind: 'aggregate', sql, pipe: p, limit: limit ?? MAX_PAGE, columns: aggColumns(p),
    decodeRow: (r) => [...(bucketed ? [Number(r.bucket)] : []), ...keys.map((k) => k.decode(r)), Number(r.c)],
  };
}

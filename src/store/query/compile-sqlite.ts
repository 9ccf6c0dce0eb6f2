// Compile a query AST to an SQLite WHERE clause over one partition (tables `logs`, `logs_fts`). All user text
// travels as bound parameters; only fixed column names and operators are spliced into the SQL.
import type { CmpOp, ColumnName, FieldRef, QueryNode } from './ast';

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

const COLUMN_SQL: Record<ColumnName, string> = {
  host: 'host', 'fromhost-ip': 'fromhost_ip', app: 'app', procid: 'procid', msgid: 'msgid', facility: 'facility',
  // raw is a BLOB when rawmsg was not valid UTF-8 (GLOB never matches a BLOB): compared as its text.
  severity: 'severity', msg: 'msg', raw: 'CAST(raw AS TEXT)', 'structured-data': 'structured_data',
};

const OP_SQL: Record<CmpOp, string> = { eq: '=', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };

/**
 * Free-text membership. The rowid window (@wlo, @whi] lets a search walk the index newest-ids-first in slices
 * instead of materialising every match (see SqliteStore.windowedHits); callers bind -1 / MAX for no window.
 */
const FTS_IN = 'id IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ? AND rowid > @wlo AND rowid <= @whi)';

/**
 * For a newest-first walk that cuts its windows by free-text matches instead of ids: the `@wk` newest matches at
 * or below `@whi`, how many there are (fewer than `@wk`: none below them), the lowest, and all of them as a JSON
 * array for WINDOW_IDS. FTS5 reaches a rowid range (FTS_IN) by reading the term's doclists from one end: on a
 * 9.2M-row partition a 16,384-id window costs 80-110 ms wherever it lies, more than counting every match (62 ms);
 * the newest matches below an upper bound near the top cost ~1 ms (bench/README.md "store.sh").
 */
export const FTS_TOP_EDGE = 'SELECT count(*) AS c, min(rowid) AS m, json_group_array(rowid) AS ids FROM '
  + '(SELECT rowid FROM logs_fts WHERE logs_fts MATCH ? AND rowid <= @whi ORDER BY rowid DESC LIMIT @wk)';

/** The free-text conjunct of a walk by matches: the ids FTS_TOP_EDGE found for this window. */
const WINDOW_IDS = 'id IN (SELECT value FROM json_each(@wids))';

/**
 * A compiled filter. `byMatch`, when it has a top-level free-text conjunct: the filter with that conjunct replaced
 * by WINDOW_IDS, for a walk by matches, and `text`, the conjunct's FTS5 query.
 */
export interface CompiledWhere extends SqlFragment {
  byMatch: (SqlFragment & { text: string }) | null;
}

/** The WHERE fragment of "no filter". */
export const MATCH_ALL = '1';

/** True when the filter uses the full-text index anywhere. */
export function usesText(n: QueryNode | null): boolean {
  if (n === null) return false;
  if (n.kind === 'text') return true;
  if (n.kind === 'and' || n.kind === 'or') return usesText(n.left) || usesText(n.right);
  return n.kind === 'not' ? usesText(n.operand) : false;
}

/** Name of the SQL function (registered by the backend) that reads a JSON value as a number or NULL. */
export const NUM_FN = 'lw_num';

/** JSON path of a flat dotted key in the `fields` object: `$."json.params.username"` (keys never hold '"'). */
export function jsonPath(path: string): string {
  return `$."${path}"`;
}

/** SQL expression (and its parameters) that yields a field's value. */
export function fieldExpr(f: FieldRef): SqlFragment {
  if (f.kind === 'column') return { sql: COLUMN_SQL[f.name], params: [] };
  return { sql: 'json_extract(fields, ?)', params: [jsonPath(f.path)] };
}

/** The user's `*`/`?` stay wildcards; GLOB's other special character '[' is made literal. */
function toGlob(pattern: string): string {
  return pattern.replace(/\[/g, '[[]');
}

/** An FTS5 query string for one text node: every word is a quoted string (FTS5 §3.1 "strings"), so user text
 * cannot inject FTS operators; a quoted string of several tokens is a phrase. */
export function ftsExpression(n: Extract<QueryNode, { kind: 'text' }>): string {
  const quoted = `"${n.value.replace(/"/g, '""')}"`;
  return n.prefix ? `${quoted} *` : quoted;
}

/** Free text combined only with AND/OR (`pass* OR root`): one FTS5 query can answer it. */
function isTextTree(n: QueryNode): boolean {
  if (n.kind === 'text') return true;
  return (n.kind === 'and' || n.kind === 'or') && isTextTree(n.left) && isTextTree(n.right);
}

/** The FTS5 query of a text tree; each operand parenthesised (FTS5 §3.6), so the AST's grouping is kept. */
function ftsTree(n: QueryNode): string {
  if (n.kind === 'text') return ftsExpression(n);
  if (n.kind !== 'and' && n.kind !== 'or') throw new Error(`not free text: ${n.kind}`);
  return `(${ftsTree(n.left)}) ${n.kind === 'and' ? 'AND' : 'OR'} (${ftsTree(n.right)})`;
}

function isNumericText(s: string): boolean {
  return /^-?\d+(?:\.\d+)?$/.test(s) && s.length < 16;
}

function compileField(n: Extract<QueryNode, { kind: 'field' }>): SqlFragment {
  const e = fieldExpr(n.field);
  if (n.wildcard) {
    const sql = `coalesce(${e.sql} GLOB ?, 0)`;
    return { sql: n.op === 'ne' ? `NOT ${sql}` : sql, params: [...e.params, toGlob(String(n.value))] };
  }
  if (n.field.kind === 'column') {
    return { sql: `coalesce(${e.sql} ${OP_SQL[n.op]} ?, 0)`, params: [...e.params, n.value] };
  }
  if (typeof n.value === 'number') {
    return { sql: `coalesce(${NUM_FN}(${e.sql}) ${OP_SQL[n.op]} ?, 0)`, params: [...e.params, n.value] };
  }
  // JSON true/false read back from json_extract as 1/0: match them by JSON type instead.
  if ((n.op === 'eq' || n.op === 'ne') && (n.value === 'true' || n.value === 'false')) {
    const sql = `coalesce(json_type(fields, ?) = ? OR ${e.sql} = ?, 0)`;
    return { sql: n.op === 'ne' ? `NOT ${sql}` : sql, params: [e.params[0], n.value, ...e.params, n.value] };
  }
  // Extracted values keep their JSON type: "500" from key=value text and 500 from JSON both match `f:500`.
  if ((n.op === 'eq' || n.op === 'ne') && isNumericText(n.value)) {
    const sql = `coalesce(${e.sql} IN (?, ?), 0)`;
    return { sql: n.op === 'ne' ? `NOT ${sql}` : sql, params: [...e.params, n.value, Number(n.value)] };
  }
  if (n.op === 'ne') return { sql: `NOT coalesce(${e.sql} = ?, 0)`, params: [...e.params, n.value] };
  return { sql: `coalesce(${e.sql} ${OP_SQL[n.op]} ?, 0)`, params: [...e.params, n.value] };
}

function compileNode(n: QueryNode): SqlFragment {
  switch (n.kind) {
    case 'text':
      return { sql: FTS_IN, params: [ftsExpression(n)] };
    case 'field':
      return compileField(n);
    case 'exists': {
      if (n.field.kind === 'extracted') return { sql: 'json_type(fields, ?) IS NOT NULL', params: [jsonPath(n.field.path)] };
      const col = COLUMN_SQL[n.field.name];
      return { sql: `coalesce(${col} NOT IN ('-', ''), 0)`, params: [] };
    }
    case 'received':
      return { sql: `ts_received ${OP_SQL[n.op]} ?`, params: [n.us] };
    case 'cidr':
      return { sql: 'coalesce(ip_key BETWEEN ? AND ?, 0)', params: [Buffer.from(n.lo, 'hex'), Buffer.from(n.hi, 'hex')] };
    case 'not': {
      const inner = compileNode(n.operand);
      return { sql: `NOT (${inner.sql})`, params: inner.params };
    }
    case 'and':
    case 'or': {
      if (isTextTree(n)) return { sql: FTS_IN, params: [ftsTree(n)] }; // one index probe, not one per word
      const l = compileNode(n.left);
      const r = compileNode(n.right);
      return { sql: `(${l.sql}) ${n.kind === 'and' ? 'AND' : 'OR'} (${r.sql})`, params: [...l.params, ...r.params] };
    }
  }
}

/** Flatten the top-level AND chain. */
function conjuncts(n: QueryNode, out: QueryNode[]): QueryNode[] {
  if (n.kind === 'and') {
    conjuncts(n.left, out);
    conjuncts(n.right, out);
  } else out.push(n);
  return out;
}

/**
 * Compile a filter. Free-text terms of the top-level AND chain, and AND/OR combinations of free text only, are
 * merged into one FTS5 MATCH (one index probe instead of one per word); other text (under NOT, or beside a
 * field term under OR) gets its own MATCH subquery.
 */
export function compileWhere(where: QueryNode | null): CompiledWhere {
  if (where === null) return { sql: MATCH_ALL, params: [], byMatch: null };
  const parts = conjuncts(where, []);
  const texts = parts.filter(isTextTree);
  const rest = parts.filter((p) => !isTextTree(p));
  const sql: string[] = [];
  const params: unknown[] = [];
  const grouped = (t: QueryNode): string => (t.kind === 'text' ? ftsTree(t) : `(${ftsTree(t)})`);
  const text = texts.length === 0 ? null : texts.length === 1 ? ftsTree(texts[0]!) : texts.map(grouped).join(' AND ');
  if (text !== null) {
    sql.push(FTS_IN);
    params.push(text);
  }
  for (const p of rest) {
    const f = compileNode(p);
    sql.push(`(${f.sql})`);
    params.push(...f.params);
  }
  return {
    sql: sql.join(' AND '),
    params,
    byMatch: text === null ? null : { sql: [WINDOW_IDS, ...sql.slice(1)].join(' AND '), params: params.slice(1), text },
  };
}

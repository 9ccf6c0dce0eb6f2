// Safe SQL text for ClickHouse 18.16, which has no server-side query parameters (`{name:Type}` arrived in 19.x):
// every value that reaches a statement goes through one of these functions.
import { StoreError } from './backend';

/** Identifier rule for database/table names we accept from config: plain ASCII, never quoted by the user. */
const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * A ClickHouse string literal. Inside '…' the server treats only `\` and `'` specially (docs "Syntax → String
 * literals"); we escape both, and every C0 control byte and DEL as \xHH so the statement stays one printable
 * line whatever the input (NUL, CR/LF, ESC). Non-ASCII text passes as UTF-8.
 */
export function sqlString(value: string): string {
  let out = "'";
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x5c || c === 0x27 || c < 0x20 || c === 0x7f) {
      out += value.slice(start, i);
      out += c === 0x5c ? '\\\\' : c === 0x27 ? "\\'" : '\\x' + (c < 16 ? '0' : '') + c.toString(16);
      start = i + 1;
    }
  }
  return out + value.slice(start) + "'";
}

/** A numeric literal; refuses NaN/Infinity, which ClickHouse would read as identifiers or fail on. */
export function sqlNumber(value: number): string {
  if (!Number.isFinite(value)) throw new StoreError('LW_ERR_QUERY_VALUE', `not a finite number: ${value}`);
  return Number.isInteger(value) ? String(value) : value.toExponential();
}

/** An integer literal (time bounds, ids, limits); refuses fractions and unsafe integers. */
export function sqlInt(value: number): string {
  if (!Number.isSafeInteger(value)) throw new StoreError('LW_ERR_QUERY_VALUE', `not a safe integer: ${value}`);
  return String(value);
}

/** A database or table name from config, backquoted; throws for anything outside the plain ASCII rule. */
export function sqlIdent(name: string): string {
  if (!IDENT_RE.test(name)) {
    throw new StoreError('LW_ERR_CLICKHOUSE_NAME', `invalid ClickHouse identifier "${name}" (use letters, digits, _)`);
  }
  return '`' + name + '`';
}

/** True for a name sqlIdent accepts (config validation without throwing). */
export function isValidIdent(name: string): boolean {
  return IDENT_RE.test(name);
}

/**
 * A literal RE2 pattern matching `text` exactly: every RE2 metacharacter is backslash-escaped. The result still
 * has to go through sqlString before it reaches SQL.
 */
export function re2Escape(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

// RainerScript values and rsyslog's conversions between them (grammar/rainerscript.c var2Number/var2String):
// a value is a number (rsyslog 'N', int64), a string ('S') or a JSON node ('J', wrapped in JsonValue).
import { jsoncStringify } from '../templates/jsonc';

/** A JSON node from `$!`/`$.`/`$/` or parse_json: anything but a string (rsyslog hands JSON strings out as 'S'). */
export class JsonValue {
  constructor(readonly node: unknown) {}
}

export type Value = number | string | JsonValue;

/**
 * rsyslog str2num: optional '-', then decimal digits; the conversion "succeeds" only when the whole string
 * was digits. The empty string converts successfully to 0 (a quirk we keep: `"" == 0` is true).
 */
export function strToNum(s: string): { n: number; ok: boolean } {
  if (s.length === 0) return { n: 0, ok: true };
  let i = s.charCodeAt(0) === 0x2d ? 1 : 0;
  const neg = i === 1;
  let n = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    n = n * 10 + (c - 0x30);
  }
  return { n: neg ? -n : n, ok: i === s.length };
}

/** Number value of a string prefix, ignoring whether all of it was digits (rsyslog var2Number without bSuccess). */
export function strPrefixNum(s: string): number {
  return strToNum(s).n;
}

/** json-c json_object_get_int64: numbers truncate, booleans 0/1, strings parse as integers, containers 0. */
export function jsonToNum(node: unknown): number {
  if (typeof node === 'number') return Number.isFinite(node) ? Math.trunc(node) : 0;
  if (typeof node === 'boolean') return node ? 1 : 0;
  if (typeof node === 'string') {
    const m = /^\s*([+-]?\d+)/.exec(node);
    return m ? Number.parseInt(m[1], 10) : 0;
  }
  return 0;
}

/** rsyslog var2Number: whether the value is usable as a number, and the number. */
export function toNumber(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return strToNum(v).n;
  return jsonToNum(v.node);
}

/** True when var2Number would report success (strings: all digits or empty; numbers and JSON always). */
export function convertsToNumber(v: Value): boolean {
  return typeof v !== 'string' || strToNum(v).ok;
}

/** rsyslog var2String: numbers in decimal, JSON as json-c prints it (spaced), JSON null as "". */
export function toStr(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return jsonText(v.node);
}

/** The text of a JSON node as rsyslog renders it in expressions and properties. */
export function jsonText(node: unknown): string {
  if (node === null || node === undefined) return '';
  if (typeof node === 'string') return node;
  return jsoncStringify(node, true);
}

/** Truth value of a condition (cnfexprEvalBool): the number conversion, non-zero is true. */
export function truthy(v: Value): boolean {
  return toNumber(v) !== 0;
}

/** Wrap a JSON node as rsyslog's evalVar does: strings become 'S', null becomes "", the rest stays 'J'. */
export function fromJson(node: unknown): Value {
  if (node === undefined || node === null) return '';
  if (typeof node === 'string') return node;
  return new JsonValue(node);
}

/** The JSON node a value stores as (msgSetJSONFromVar): strings and numbers as themselves, JSON deep-copied. */
export function toJsonNode(v: Value): unknown {
  if (typeof v === 'string' || typeof v === 'number') return v;
  return deepCopy(v.node);
}

export function deepCopy(node: unknown): unknown {
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map(deepCopy);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(node as Record<string, unknown>)) out[k] = deepCopy(x);
  return out;
}

/** Byte-wise string order like es_strcmp (memcmp then length), on UTF-8. Negative, zero or positive. */
export function strCompare(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** int64 arithmetic result kept integral (C truncating division). */
export function intDiv(a: number, b: number): number {
  return b === 0 ? 0 : Math.trunc(a / b);
}

export function intMod(a: number, b: number): number {
  return b === 0 ? 0 : a % b;
}

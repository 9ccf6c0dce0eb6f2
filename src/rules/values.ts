// RainerScript values and rsyslog's conversions between them (grammar/rainerscript.c var2Number/var2String):
// a value is a number (rsyslog 'N', int64), a string ('S') or a JSON node ('J', wrapped in JsonValue).
import { jsoncStringify } from '../templates/jsonc';
import { intToNumber, norm, type Int } from './int64';
import { copyDouble, isDoubleNode, JsonNumber } from '../util/json-number';

/** A JSON node from `$!`/`$.`/`$/` or parse_json: anything but a string (rsyslog hands JSON strings out as 'S'). */
export class JsonValue {
  constructor(readonly node: unknown) {}
}

/** A number is an int64 (src/rules/int64.ts: a double while safe, a bigint beyond). */
export type Value = Int | string | JsonValue;

/**
 * rsyslog str2num: optional '-', then decimal digits, accumulated in an int64 that wraps around (so
 * "18446744073709551617" is 1); the conversion "succeeds" only when the whole string was digits. The empty
 * string converts successfully to 0 (a quirk we keep: `"" == 0` is true).
 */
export function strToNum(s: string): { n: Int; ok: boolean } {
  if (s.length === 0) return { n: 0, ok: true };
  let i = s.charCodeAt(0) === 0x2d ? 1 : 0;
  const neg = i === 1;
  const start = i;
  let n = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    n = n * 10 + (c - 0x30);
  }
  const ok = i === s.length;
  if (i - start <= 15) return { n: neg ? 0 - n : n, ok };
  const digits = BigInt(s.slice(start, i));
  return { n: norm(neg ? -digits : digits), ok };
}

/** Number value of a string prefix, ignoring whether all of it was digits (rsyslog var2Number without bSuccess). */
export function strPrefixNum(s: string): number {
  return intToNumber(strToNum(s).n);
}

/**
 * C's (int64_t) cast of a double as x86-64 does it (cvttsd2si): truncated toward zero; NaN and anything
 * outside the int64 range give INT64_MIN (observed with rsyslogd: `$!x + 1` for 1e400 is -9223372036854775807).
 */
function doubleToInt(d: number): Int {
  if (!(d >= -9223372036854775808 && d < 9223372036854775808)) return -9223372036854775808n;
  const t = Math.trunc(d) + 0; // no -0
  return Number.isSafeInteger(t) ? t : norm(BigInt(t));
}

/** json-c json_object_get_int64: integers as they are, doubles truncated (C cast), booleans 0/1, strings parsed (clamped), containers 0. */
export function jsonToInt(node: unknown): Int {
  if (typeof node === 'number') return Number.isSafeInteger(node) ? node : doubleToInt(node);
  if (node instanceof JsonNumber) return doubleToInt(node.value);
  if (typeof node === 'bigint') return norm(node);
  if (typeof node === 'boolean') return node ? 1 : 0;
  if (typeof node === 'string') {
    const m = /^\s*([+-]?\d+)/.exec(node);
    if (!m) return 0;
    const b = BigInt(m[1]);
    return b > 9223372036854775807n ? 9223372036854775807n : b < -9223372036854775808n ? -9223372036854775808n : norm(b);
  }
  return 0;
}

/** jsonToInt as a plain number. */
export function jsonToNum(node: unknown): number {
  return intToNumber(jsonToInt(node));
}

/** rsyslog var2Number as an int64. */
export function toInt(v: Value): Int {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (typeof v === 'string') return strToNum(v).n;
  return jsonToInt(v.node);
}

/** rsyslog var2Number as a plain number, for positions and counts (exact in the safe range). */
export function toNumber(v: Value): number {
  if (typeof v === 'number') return v;
  return intToNumber(toInt(v));
}

/** True when var2Number would report success (strings: all digits or empty; numbers and JSON always). */
export function convertsToNumber(v: Value): boolean {
  return typeof v !== 'string' || strToNum(v).ok;
}

/** rsyslog var2String: numbers in decimal, JSON as json-c prints it (spaced), JSON null as "". */
export function toStr(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return jsonText(v.node);
}

/**
 * The text of a JSON node as an expression sees it: rsyslog reads a variable as a copy (jsonDeepCopy), so a
 * double prints with %.17g, not as its source text (`cstr($!x)` of 0.1 is 0.10000000000000001).
 */
export function jsonText(node: unknown): string {
  if (node === null || node === undefined) return '';
  if (typeof node === 'string') return node;
  return jsoncStringify(node, true, true);
}

/** Truth value of a condition (cnfexprEvalBool): the number conversion, non-zero is true. */
export function truthy(v: Value): boolean {
  if (typeof v === 'number') return v !== 0;
  return typeof v === 'bigint' || toInt(v) !== 0; // a bigint Int is never 0
}

/** Wrap a JSON node as rsyslog's evalVar does: strings become 'S', null becomes "", the rest stays 'J'. */
export function fromJson(node: unknown): Value {
  if (node === undefined || node === null) return '';
  if (typeof node === 'string') return node;
  return new JsonValue(node);
}

/** The JSON node a value stores as (msgSetJSONFromVar): strings and numbers as themselves, JSON deep-copied. */
export function toJsonNode(v: Value): unknown {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') return v;
  return deepCopy(v.node);
}

/**
 * A copy of a JSON tree. By default rsyslog's jsonDeepCopy (`set`, `foreach`, MsgDup): a double keeps its value
 * but not its source text, printing with %.17g again (src/util/json-number.ts). `exact` keeps every node as
 * it is, for Logwarden's own snapshots that rsyslog does not make.
 */
export function deepCopy(node: unknown, exact = false): unknown {
  if (isDoubleNode(node)) return exact ? node : copyDouble(typeof node === 'number' ? node : node.value);
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map((x) => deepCopy(x, exact));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(node as Record<string, unknown>)) out[k] = deepCopy(x, exact);
  return out;
}

/** Byte-wise string order like es_strcmp (memcmp then length), on UTF-8. Negative, zero or positive. */
export function strCompare(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}


// get_property(container, key) with rsyslog 8.2302's results (grammar/rainerscript.c doFunc_get_property):
// - a container that is a string is returned as is; one that is neither JSON nor a string gives "";
// - an object: the member named key ("" gives the whole object; a missing member is an error), JSON null is "";
// - an array: the element at index key — rsyslog only accepts 0..7 (it compares the index to sizeof(size_t)),
//   anything else is an error; a missing element is "";
// - a JSON number, boolean or double container is that number (truncated), whatever the key.
// An error returns "" and sets script_error() to 1; success sets it to 0.
import { convertsToNumber, fromJson, JsonValue, jsonToInt, toInt, toStr, type Value } from './values';

/** rsyslog's bug-compatible upper bound for an array index (sizeof(size_t) on 64-bit). */
const ARRAY_INDEX_LIMIT = 8;

/** The property's value, or undefined for an error (the caller returns "" and sets script_error). */
export function getProperty(src: Value, key: Value): Value | undefined {
  if (typeof src === 'string') return src;
  if (!(src instanceof JsonValue)) return '';
  const node = src.node;
  if (Array.isArray(node)) {
    if (!convertsToNumber(key)) return undefined;
    const i = toInt(key);
    if (i < 0 || i >= ARRAY_INDEX_LIMIT) return undefined;
    return fromJson(node[Number(i)]);
  }
  if (node !== null && typeof node === 'object') {
    const k = toStr(key);
    if (k === '') return src;
    if (!Object.prototype.hasOwnProperty.call(node, k)) return undefined;
    return fromJson((node as Record<string, unknown>)[k]);
  }
  if (typeof node === 'string') return node;
  if (node === null || node === undefined) return '';
  return jsonToInt(node);
}

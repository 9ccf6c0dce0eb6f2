// rsyslog's JSON variables are case-insensitive (global variables.caseSensitive="off", the default: libfastjson
// compares object keys with strcasecmp). A key keeps the spelling it was first stored with; a later key that
// differs only in case addresses the same member ({"dup":1,"Dup":2} is {"dup":2}).
import { JsonNumber } from './json-number';

/** The own key of `obj` that `key` addresses: the exact key, else the first one equal ignoring ASCII case. */
export function findKey(obj: Record<string, unknown>, key: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(obj, key)) return key;
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return k;
  return undefined;
}

/** A parsed JSON value with the members of every object merged as libfastjson's parser does. */
export function foldKeys(node: unknown): unknown {
  if (node === null || typeof node !== 'object' || node instanceof JsonNumber) return node;
  if (Array.isArray(node)) return node.map(foldKeys);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) out[findKey(out, k) ?? k] = foldKeys(v);
  return out;
}

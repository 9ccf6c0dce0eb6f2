// JSON text the way rsyslog produces it: json-c's serialiser for `$!` trees, and rsyslog's own escaper for
// the `json` / `jsonf` property options. Both differ from JSON.stringify in small, visible ways.
import { JsonNumber, plainNumberText, sourcelessDoubleText } from '../util/json-number';

const HEX = '0123456789abcdef';
const HEX_UPPER = '0123456789ABCDEF';

/**
 * json-c string escaping (json_escape_str): `"` `\` `/` and the short escapes, other control characters as
 * lower-case `\u00xx`; everything else (including non-ASCII) verbatim. RFC 8259 §7 allows `\/`.
 */
export function jsoncEscape(s: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | null = null;
    switch (c) {
      case 0x08: rep = '\\b'; break;
      case 0x09: rep = '\\t'; break;
      case 0x0a: rep = '\\n'; break;
      case 0x0c: rep = '\\f'; break;
      case 0x0d: rep = '\\r'; break;
      case 0x22: rep = '\\"'; break;
      case 0x2f: rep = '\\/'; break;
      case 0x5c: rep = '\\\\'; break;
      default:
        if (c < 0x20) rep = '\\u00' + HEX[c >> 4] + HEX[c & 15];
    }
    if (rep !== null) {
      out += s.slice(start, i) + rep;
      start = i + 1;
    }
  }
  return start === 0 ? s : out + s.slice(start);
}

/**
 * Serialise a value as json-c does with JSON_C_TO_STRING_SPACED (`spaced`) or _PLAIN. A double prints its
 * source text (src/util/json-number.ts); `copied`: as the copy an expression reads (%.17g, no source text).
 */
export function jsoncStringify(v: unknown, spaced: boolean, copied = false): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string': return '"' + jsoncEscape(v) + '"';
    case 'number': return copied && !Number.isInteger(v) ? sourcelessDoubleText(v) : plainNumberText(v);
    case 'bigint': return v.toString();
    case 'boolean': return v ? 'true' : 'false';
    default: break;
  }
  if (v instanceof JsonNumber) return copied ? sourcelessDoubleText(v.value) : v.text;
  if (Array.isArray(v)) {
    if (v.length === 0) return spaced ? '[ ]' : '[]';
    const inner = v.map((x) => jsoncStringify(x, spaced, copied)).join(spaced ? ', ' : ',');
    return spaced ? `[ ${inner} ]` : `[${inner}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) return spaced ? '{ }' : '{}';
  const inner = entries.map(([k, x]) => `"${jsoncEscape(k)}":${spaced ? ' ' : ''}${jsoncStringify(x, spaced, copied)}`)
    .join(spaced ? ', ' : ',');
  return spaced ? `{ ${inner} }` : `{${inner}}`;
}

/** The text of a `$!…` value as a property: strings raw, numbers/bools as text, objects as spaced JSON. */
export function jsonValueText(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  if (v === null) return '';
  return jsoncStringify(v, true);
}

/**
 * rsyslog's escaper for the `json`/`jsonf` options (msg.c jsonAddVal): bytes 0x20, 0x21, 0x23-0x2e,
 * 0x30-0x5b and >= 0x5d pass; `"` `/` `\` and \b \f \n \r \t get short escapes; other control characters
 * become `\u00XX` with UPPER-case hex. With `escapeAll` false (jsonr) an existing escape pair is kept.
 */
export function rsJsonEscape(s: string, escapeAll = true): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x30 && c <= 0x5b) || (c >= 0x23 && c <= 0x2e) || c >= 0x5d || c === 0x20 || c === 0x21) continue;
    let rep: string;
    switch (c) {
      case 0x22: rep = '\\"'; break;
      case 0x2f: rep = '\\/'; break;
      case 0x5c: {
        const n = s[i + 1];
        if (!escapeAll && n !== undefined && '"/\\bfnrtu'.includes(n)) {
          out += s.slice(start, i) + '\\' + n;
          start = i + 2;
          i++;
          continue;
        }
        rep = '\\\\';
        break;
      }
      case 0x08: rep = '\\b'; break;
      case 0x0c: rep = '\\f'; break;
      case 0x0a: rep = '\\n'; break;
      case 0x0d: rep = '\\r'; break;
      case 0x09: rep = '\\t'; break;
      default: rep = '\\u00' + HEX_UPPER[c >> 4] + HEX_UPPER[c & 15];
    }
    out += s.slice(start, i) + rep;
    start = i + 1;
  }
  return start === 0 ? s : out + s.slice(start);
}

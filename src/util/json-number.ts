// A JSON double as libfastjson keeps it. Its tokener (json_tokener.c, number state) makes an integer
// (no '.', 'e' or 'E') an int64, saturated, printed with PRId64 — a plain number or bigint here — and
// a double from the number's whole text with json_object_new_double_s: the value is sscanf("%lf") of the
// text and the text itself is printed back verbatim (`2.0`, `2.5E-3`, `-0.0`, `1e400`, `00.5`, `1e`).
// A double without that source text (a copy: rsyslog's jsonDeepCopy makes json_object_new_double(value),
// which every read of a variable in an expression, `set`, `foreach` and MsgDup go through) prints with
// "%.17g", plus ".0" when it is integral (json_object_double_to_json_string).
//
// A parsed double stays a plain JS number when the tree printer (plainNumberText) would print it as its
// text anyway (`1.5`, `0.1`): most doubles cost nothing; only the others become a JsonNumber. Integer-
// valued plain numbers are int64 values and print without ".0".

/** A double whose printed text is not what its plain number would print. Immutable, shared by copies. */
export class JsonNumber {
  constructor(readonly text: string, readonly value: number) {}

  /** JSON.stringify of a tree: the number (the disk codec asks for the text, see treeToText). */
  toJSON(): unknown {
    return tagging ? { [TAG]: this.text } : this.value;
  }
}

/** How a plain JS number in a tree prints (json-c): an integer as int64, a double as its shortest text. */
export function plainNumberText(v: number): string {
  if (Number.isInteger(v)) return String(v);
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  const s = String(v);
  return s.includes('.') || s.includes('e') ? s : s + '.0';
}

/** A parsed double: the plain number when it prints as `text`, else a JsonNumber keeping the text. */
export function doubleNode(text: string, value: number): number | JsonNumber {
  return !Number.isInteger(value) && plainNumberText(value) === text ? value : new JsonNumber(text, value);
}

/** C's printf("%.17g"): 17 significant digits, trailing zeros dropped, exponent form below 1e-4 and from 1e17. */
function g17(v: number): string {
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const sign = v < 0 ? '-' : '';
  const [digits, x] = digits17(Math.abs(v));
  const trim = (s: string): string => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);
  if (x < -4 || x >= 17) {
    const ax = Math.abs(x);
    return `${sign}${trim(`${digits[0]}.${digits.slice(1)}`)}e${x < 0 ? '-' : '+'}${ax < 10 ? '0' : ''}${ax}`;
  }
  if (x < 0) return sign + trim(`0.${'0'.repeat(-x - 1)}${digits}`);
  return x === 16 ? sign + digits : sign + trim(`${digits.slice(0, x + 1)}.${digits.slice(x + 1)}`);
}

/**
 * The 17 significant digits of `a` (> 0) and the decimal exponent of the first, rounded as glibc's printf rounds:
 * to nearest, ties to even. JavaScript's toExponential rounds a tie up (-836221200394411.125 → …11.13 where
 * printf says …11.12), so a possible tie (the 18th digit a 5) is settled on the exact value.
 */
function digits17(a: number): [string, number] {
  const e = a.toExponential(16);
  const at = e.indexOf('e');
  const rounded: [string, number] = [e[0] + e.slice(2, at), Number(e.slice(at + 1))];
  const e18 = a.toExponential(17);
  if (e18[18] !== '5') return rounded; // not a tie: the exact rest after 17 digits is not 5000…
  const exact = exactDigits(a);
  const rest = exact.digits.slice(17);
  if (rest[0] !== '5' || !/^0*$/.test(rest.slice(1))) return rounded;
  const down = exact.digits.slice(0, 17);
  return (down.charCodeAt(16) - 48) % 2 === 0 ? [down, exact.x] : rounded;
}

/** Every significant digit of a finite double `a` > 0 (no trailing zeros cut), and the decimal exponent of the first. */
function exactDigits(a: number): { digits: string; x: number } {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, a);
  const hi = dv.getUint32(0);
  const lo = dv.getUint32(4);
  const bits = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e2: number;
  if (bits === 0) e2 = -1074; // subnormal
  else {
    m |= 1n << 52n;
    e2 = bits - 1075;
  }
  if (e2 >= 0) {
    const s = (m << BigInt(e2)).toString();
    return { digits: s, x: s.length - 1 };
  }
  const s = (m * 5n ** BigInt(-e2)).toString(); // a = m·5^-e2 · 10^e2
  return { digits: s, x: s.length - 1 + e2 };
}

/** json_object_double_to_json_string of a double without source text. */
export function sourcelessDoubleText(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  const s = g17(v);
  return Number.isInteger(v) ? s + '.0' : s; // modf(v) == 0: "%.17g.0", even after an exponent
}

/** A JSON double node as rsyslog's jsonDeepCopy leaves it: the value only, printed with %.17g. */
export function copyDouble(v: number): number | JsonNumber {
  return doubleNode(sourcelessDoubleText(v), v);
}

/** True for the nodes that are JSON doubles: non-integer plain numbers and JsonNumbers. */
export function isDoubleNode(node: unknown): node is number | JsonNumber {
  return node instanceof JsonNumber || (typeof node === 'number' && !Number.isInteger(node));
}

// The disk queue codec writes trees as JSON text. A JsonNumber, a bigint (int64 beyond 2^53) and a
// non-finite plain double have no exact JSON form, so each goes out as {"\u0000lwnum": "text"} and comes back
// from it: digits are a bigint, NaN/Infinity/-Infinity the number, anything else a JsonNumber.
const TAG = '\u0000lwnum';
const TAG_TEXT = '"\\u0000lwnum":';
let tagging = false;

function replacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return { [TAG]: v.toString() };
  if (typeof v === 'number' && !Number.isFinite(v)) return { [TAG]: plainNumberText(v) };
  return v;
}

function reviver(_k: string, v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const t = (v as Record<string, unknown>)[TAG];
  if (typeof t !== 'string' || Object.keys(v).length !== 1) return v;
  if (/^-?\d+$/.test(t)) return BigInt(t);
  if (t === 'NaN' || t === 'Infinity' || t === '-Infinity') return Number(t);
  return new JsonNumber(t, doubleValue(t));
}

/** A variable tree as JSON text that treeFromText turns back into the same tree. */
export function treeToText(tree: unknown): string {
  tagging = true;
  try {
    try {
      const s = JSON.stringify(tree);
      if (!s.includes('null')) return s; // fast path: no bigint (it throws) and no NaN/Infinity (null)
    } catch {
      // a bigint: the replacer below
    }
    return JSON.stringify(tree, replacer);
  } finally {
    tagging = false;
  }
}

/** The tree treeToText wrote (also plain JSON text, as older records hold). */
export function treeFromText(text: string): Record<string, unknown> {
  return (text.includes(TAG_TEXT) ? JSON.parse(text, reviver) : JSON.parse(text)) as Record<string, unknown>;
}

/** sscanf("%lf") of a double's text: the longest prefix strtod takes (`1e` is 1, `1e400` Infinity). */
export function doubleValue(text: string): number {
  const m = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text);
  return m === null ? Number.NaN : Number(m[0]);
}

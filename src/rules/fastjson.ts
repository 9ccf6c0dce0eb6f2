// The JSON reader of rsyslog's parse_json(): libfastjson 1.2304's fjson_tokener_parse_ex in its default
// (non-strict) mode, given the text without its terminating NUL (rainerscript.c doFunc_parse_json). Reproduced
// rules, each observed with rsyslogd 8.2302:
// - the first complete value is the result and whatever follows it is ignored (`'su root' failed` is the
//   string "su root", `1 foo` is 1) — but a value that reaches the end of the text is incomplete: a number,
//   true/false/null/NaN/Infinity need one more character after them (`123` alone fails, `123 ` is 123);
// - strings in 'single' or "double" quotes, escapes \" \\ \/ \b \f \n \r \t \uXXXX only (\' fails); a string
//   ends at its first \u0000 ("a\u0000b" is "a");
// - true/false/null/NaN/Infinity in any letter case; numbers with leading zeros; `+` anywhere in a number is
//   taken (sscanf stops there); integers beyond int64 saturate; trailing commas in objects and arrays;
//   /* … */ and // … comments wherever blanks may be (a `/` not starting one fails the parse);
// - nesting deeper than 32 levels fails; a top-level `null` counts as a failure (parse_json returns 1).
// A double keeps the text it was read from (src/util/json-number.ts: `1.50` prints as 1.50).
// mmjsonparse reads with the same tokener and wants the whole text to be one object (parseFastJsonObject).
import { doubleNode, doubleValue } from '../util/json-number';

const MAX_DEPTH = 32;
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

class Fail extends Error {}
const FAIL = new Fail();

/** C isspace in the C locale. */
function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
}

/**
 * What a libfastjson tokener keeps between parses: st_pos, the count of the last word (true, NaN, Infinity…)
 * or \uXXXX escape, never reset. `-Infinity` only parses while it is 0 (state_inf compares min(st_pos+1, 8)
 * letters of "Infinity" with what it has read): after any earlier word or escape in the same tokener it is an
 * error. parse_json() makes a new tokener per call; mmjsonparse keeps one per worker, across messages.
 */
export interface TokenerState {
  stPos: number;
}

class Reader {
  i = 0;

  constructor(private readonly s: string, private readonly tok: TokenerState) {}

  /** Skip blanks and comments. `top`: after the complete top-level value, where the end of text is fine. */
  eatws(top: boolean): void {
    const s = this.s;
    for (;;) {
      while (this.i < s.length && isSpace(s[this.i])) this.i++;
      if (this.i >= s.length) {
        if (top) return;
        throw FAIL;
      }
      if (s[this.i] !== '/') return;
      const next = s[this.i + 1];
      if (next === '*') {
        const end = s.indexOf('*/', this.i + 2);
        if (end < 0) throw FAIL;
        this.i = end + 2;
      } else if (next === '/') {
        const end = s.indexOf('\n', this.i + 2);
        if (end < 0) throw FAIL; // the comment runs into the end of the text: incomplete
        this.i = end + 1;
      } else throw FAIL;
    }
  }

  value(depth: number): unknown {
    const s = this.s;
    const c = s[this.i];
    switch (c) {
      case '{': return this.object(depth);
      case '[': return this.array(depth);
      case '"': case "'": this.i++; return this.string(c);
      case 't': case 'T': case 'f': case 'F': return this.word(['true', 'false'], [true, false]);
      case 'n': case 'N': return this.word(['null', 'nan'], [null, Number.NaN]);
      case 'i': case 'I': return this.word(['infinity'], [Number.POSITIVE_INFINITY]);
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return this.number();
        throw FAIL;
    }
  }

  /** A literal, case-insensitive, that needs one more character after it (any: it is looked at next). */
  private word(words: string[], values: unknown[]): unknown {
    const s = this.s;
    for (let w = 0; w < words.length; w++) {
      const word = words[w];
      const got = s.slice(this.i, this.i + word.length).toLowerCase();
      if (got === word) {
        if (this.i + word.length >= s.length) throw FAIL;
        this.i += word.length;
        this.tok.stPos = word.length;
        return values[w];
      }
      // a proper prefix running into the end of the text is incomplete; a mismatch is an error: both fail
    }
    throw FAIL;
  }

  private number(): unknown {
    const s = this.s;
    const start = this.i;
    let isDouble = false;
    let isExponent = false;
    let plain = true; // digits only, after an optional leading '-'
    let minusAt = 1;
    let len = 0;
    for (; this.i < s.length; this.i++) {
      const c = s.charCodeAt(this.i);
      if (c >= 0x30 && c <= 0x39) { len++; continue; }
      len++;
      if (c === 0x2e /* . */) {
        if (isDouble) throw FAIL;
        isDouble = true;
      } else if (c === 0x65 || c === 0x45 /* e E */) {
        if (isExponent) throw FAIL;
        isExponent = true;
        isDouble = true;
        minusAt = len + 1;
      } else if (c === 0x2d /* - */) {
        if (len !== minusAt) throw FAIL;
        if (len === 1) continue;
      } else if (c !== 0x2b /* + */) {
        len--;
        break;
      }
      plain = false;
    }
    if (this.i >= s.length) throw FAIL; // the number may go on: incomplete
    const text = s.slice(start, this.i);
    if (text === '-' && (s[this.i] === 'i' || s[this.i] === 'I')) {
      if (this.tok.stPos !== 0) throw FAIL; // see TokenerState
      return this.word(['infinity'], [Number.NEGATIVE_INFINITY]);
    }
    if (!isDouble) {
      if (plain && len <= 15 && text !== '-') return Number(text) + 0; // at most 15 digits: exact; "-0" is 0
      const m = /^[+-]?\d+/.exec(text); // sscanf("%" SCNd64): sign and digits, the rest ignored
      if (!m) throw FAIL;
      const b = BigInt(m[0]);
      if (b > INT64_MAX) return INT64_MAX;
      if (b < INT64_MIN) return INT64_MIN;
      return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
    }
    let v = Number(text); // the whole text is a number: what strtod reads of it
    if (Number.isNaN(v)) {
      if (!/^[+-]?\.?\d/.test(text)) throw FAIL; // sscanf("%lf") converts nothing
      v = doubleValue(text);
    }
    return doubleNode(text, v);
  }

  /** After the opening quote: up to the same quote. */
  private string(quote: string): string {
    const s = this.s;
    const q = quote.charCodeAt(0);
    let out = '';
    for (;;) {
      let k = this.i;
      let c = 0;
      while (k < s.length && (c = s.charCodeAt(k)) !== q && c !== 0x5c) k++; // up to the quote or a backslash
      if (k >= s.length) throw FAIL;
      out += s.slice(this.i, k);
      this.i = k + 1;
      if (c === q) {
        const nul = out.indexOf('\0'); // a \u0000 ends the string: rsyslog sees the C string before it
        return nul < 0 ? out : out.slice(0, nul);
      }
      if (this.i >= s.length) throw FAIL;
      const e = s[this.i++];
      switch (e) {
        case '"': case '\\': case '/': out += e; break;
        case 'b': out += '\b'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'f': out += '\f'; break;
        case 'u': out += this.unicode(); break;
        default: throw FAIL;
      }
    }
  }

  private hex4(): number {
    const s = this.s;
    let v = 0;
    for (let k = 0; k < 4; k++) {
      if (this.i >= s.length) throw FAIL;
      const d = Number.parseInt(s[this.i], 16);
      if (Number.isNaN(d)) throw FAIL;
      v = v * 16 + d;
      this.i++;
    }
    this.tok.stPos = 4;
    return v;
  }

  /** After `\u`: one code, a surrogate pair, or U+FFFD for a lone surrogate (as libfastjson). */
  private unicode(): string {
    let code = this.hex4();
    let out = '';
    for (;;) {
      if (code >= 0xd800 && code <= 0xdbff) {
        if (this.s[this.i] === '\\' && this.s[this.i + 1] === 'u' && this.i + 1 < this.s.length) {
          this.i += 2;
          const low = this.hex4();
          if (low >= 0xdc00 && low <= 0xdfff) return out + String.fromCodePoint(0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00));
          out += '\ufffd';
          code = low;
          continue;
        }
        return out + '\ufffd';
      }
      if (code >= 0xdc00 && code <= 0xdfff) return out + '\ufffd';
      return out + String.fromCharCode(code);
    }
  }

  private child(depth: number): unknown {
    if (depth >= MAX_DEPTH - 1) throw FAIL;
    return this.value(depth + 1);
  }

  private object(depth: number): Record<string, unknown> {
    const s = this.s;
    const out: Record<string, unknown> = {};
    this.i++;
    this.eatws(false);
    for (;;) {
      const c = s[this.i];
      if (c === '}') {
        this.i++;
        return out;
      }
      if (c !== '"' && c !== "'") throw FAIL;
      this.i++;
      const key = this.string(c);
      this.eatws(false);
      if (s[this.i] !== ':') throw FAIL;
      this.i++;
      this.eatws(false);
      const v = this.child(depth);
      if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
      this.eatws(false);
      if (s[this.i] === '}') {
        this.i++;
        return out;
      }
      if (s[this.i] !== ',') throw FAIL;
      this.i++;
      this.eatws(false);
    }
  }

  private array(depth: number): unknown[] {
    const s = this.s;
    const out: unknown[] = [];
    this.i++;
    this.eatws(false);
    if (s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.child(depth));
      this.eatws(false);
      if (s[this.i] === ']') {
        this.i++;
        return out;
      }
      if (s[this.i] !== ',') throw FAIL;
      this.i++;
      this.eatws(false);
      if (s[this.i] === ']') {
        this.i++;
        return out;
      }
    }
  }
}

/**
 * Parse `text` as parse_json() does. Returns the value, or undefined when libfastjson gives no object (a parse
 * error, an incomplete text, or the literal null).
 */
export function parseFastJson(text: string): unknown {
  return read(text, false, { stPos: 0 });
}

/**
 * mmjsonparse (processJSON): the text must be one object with nothing but blanks and comments after it
 * (the tokener's char_offset reaches the end); null when it is not.
 */
export function parseFastJsonObject(text: string, tok: TokenerState): Record<string, unknown> | null {
  const v = read(text, true, tok);
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function read(text: string, whole: boolean, tok: TokenerState): unknown {
  const nul = text.indexOf('\0');
  const s = nul < 0 ? text : text.slice(0, nul); // var2CString: the C string ends at a NUL
  const r = new Reader(s, tok);
  try {
    r.eatws(false);
    const v = r.value(0);
    r.eatws(true);
    if (whole && r.i < s.length) return undefined;
    return v === null ? undefined : v;
  } catch (err) {
    if (err instanceof Fail) return undefined;
    throw err;
  }
}

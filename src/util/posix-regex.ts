// POSIX regular expressions (IEEE 1003.1 §9, as glibc regcomp reads them, GNU extensions included) translated
// once into JavaScript RegExp source. rsyslog compiles filters without REG_NEWLINE: `.` and `[^x]` match a
// newline and `^`/`$` anchor only at the ends of the value, which is JS with the `s` flag and without `m`.
// Shared by the rules (=~ filters, re_match) and the template property replacer (`R` fields); it depends on
// neither, so each caller names its own error code.
import type { SourceLoc } from '../config/model';

/** Error code when the caller does not name its own. */
export const DEFAULT_REGEX_ERROR = 'LW_ERR_REGEX';

/** A pattern glibc would reject or JS cannot express; `reason` is the message without the place prefix. */
export class PosixRegexError extends Error {
  readonly code: string;
  readonly loc: SourceLoc | undefined;
  readonly reason: string;

  constructor(code: string, reason: string, loc?: SourceLoc) {
    super(loc ? `${loc.file}:${loc.line}:${loc.col}: ${reason}` : reason);
    this.name = 'PosixRegexError';
    this.code = code;
    this.loc = loc;
    this.reason = reason;
  }
}

export type PosixFlavor = 'bre' | 'ere';

/** POSIX character classes (§9.3.5) in the C/POSIX locale, as JS bracket-expression fragments. */
const CLASSES: ReadonlyMap<string, string> = new Map([
  ['alpha', 'a-zA-Z'], ['digit', '0-9'], ['alnum', '0-9a-zA-Z'], ['upper', 'A-Z'], ['lower', 'a-z'],
  ['space', ' \\t\\n\\r\\f\\v'], ['blank', ' \\t'], ['punct', '!-\\/:-@\\[-`{-~'], ['print', ' -~'],
  ['graph', '!-~'], ['cntrl', '\\x00-\\x1f\\x7f'], ['xdigit', '0-9A-Fa-f'],
]);

/** GNU escapes glibc accepts in both flavours, mapped to JS. */
const GNU_ESCAPES: ReadonlyMap<string, string> = new Map([
  ['w', '[0-9A-Za-z_]'], ['W', '[^0-9A-Za-z_]'], ['s', '[ \\t\\n\\r\\f\\v]'], ['S', '[^ \\t\\n\\r\\f\\v]'],
  ['b', '\\b'], ['B', '\\B'], ['<', '\\b(?=[0-9A-Za-z_])'], ['>', '\\b(?<=[0-9A-Za-z_])'], ['`', '^'], ["'", '$'],
]);

const JS_SPECIAL = '\\^$.|?*+()[]{}/';

function lit(c: string): string {
  return JS_SPECIAL.includes(c) ? '\\' + c : c;
}

/** Where errors go and which code they carry; one per translation. */
interface Ctx {
  loc?: SourceLoc;
  code: string;
}

function fail(pattern: string, why: string, ctx: Ctx): never {
  throw new PosixRegexError(ctx.code, `cannot use POSIX regex /${pattern}/: ${why}`, ctx.loc);
}

/** Escape one character for use inside a JS bracket expression. */
function bracketLit(c: string): string {
  return c === '\\' || c === ']' || c === '[' || c === '^' || c === '-' ? '\\' + c : c;
}

/** Translate a bracket expression starting at `[`; returns JS text and the index after `]` (§9.3.5). */
function translateBracket(p: string, start: number, loc: Ctx): { js: string; next: number } {
  let i = start + 1;
  let out = '[';
  if (p[i] === '^') { out += '^'; i++; }
  let first = true;
  for (;;) {
    if (i >= p.length) fail(p, 'unterminated bracket expression', loc);
    const c = p[i];
    if (c === ']' && !first) return { js: out + ']', next: i + 1 };
    first = false;
    if (c === '[' && (p[i + 1] === ':' || p[i + 1] === '.' || p[i + 1] === '=')) {
      const kind = p[i + 1];
      const end = p.indexOf(kind + ']', i + 2);
      if (end < 0) fail(p, `unterminated [${kind} in bracket expression`, loc);
      const name = p.slice(i + 2, end);
      if (kind === ':') {
        const cls = CLASSES.get(name);
        if (cls === undefined) fail(p, `unknown character class [:${name}:]`, loc);
        out += cls;
      } else if (name.length === 1) {
        out += bracketLit(name); // a one-character collating element or equivalence class is that character
      } else {
        fail(p, `collating element [${kind}${name}${kind}] is not supported`, loc);
      }
      i = end + 2;
      continue;
    }
    // a range a-z; '-' first or last is literal; backslash is literal inside brackets in POSIX
    if (p[i + 1] === '-' && p[i + 2] !== undefined && p[i + 2] !== ']') {
      const hi = p[i + 2];
      if (hi === '[') fail(p, 'range ending in a bracket class is not supported', loc);
      if (hi.charCodeAt(0) < c.charCodeAt(0)) fail(p, `invalid range end ${c}-${hi}`, loc);
      out += bracketLit(c) + '-' + bracketLit(hi);
      i += 3;
      continue;
    }
    out += bracketLit(c);
    i++;
  }
}

/** Parse an interval body "m", "m," or "m,n" (§9.3.6 / §9.4.6) into a JS quantifier. */
function interval(body: string, p: string, loc: Ctx): string {
  const m = /^(\d+)(,(\d*))?$/.exec(body);
  if (!m) fail(p, `invalid interval {${body}}`, loc);
  const lo = Number(m[1]);
  if (m[3] !== undefined && m[3] !== '' && Number(m[3]) < lo) fail(p, `invalid interval {${body}}`, loc);
  if (lo > 255 || (m[3] !== undefined && m[3] !== '' && Number(m[3]) > 255)) fail(p, 'interval bound above RE_DUP_MAX (255)', loc);
  return `{${body}}`;
}

/**
 * Translate a POSIX regex to JS RegExp source. Throws PosixRegexError (`code`, default LW_ERR_REGEX) for what
 * glibc would reject or what has no JS equivalent (multi-character collating elements).
 */
export function translatePosix(pattern: string, flavor: PosixFlavor, where?: SourceLoc, code = DEFAULT_REGEX_ERROR): string {
  const loc: Ctx = { loc: where, code };
  const ere = flavor === 'ere';
  let out = '';
  let i = 0;
  let depth = 0;
  let groups = 0;
  // whether a quantifier here would have nothing to repeat (start of RE, after a group open or alternation)
  let atStart = true;
  while (i < pattern.length) {
    const c = pattern[i];
    const wasStart = atStart;
    atStart = false;
    if (c === '\\') {
      const d = pattern[i + 1];
      if (d === undefined) fail(pattern, 'trailing backslash', loc);
      i += 2;
      if (!ere && d === '(') { out += '('; depth++; groups++; atStart = true; continue; }
      if (!ere && d === ')') { if (depth === 0) fail(pattern, 'unmatched \\)', loc); out += ')'; depth--; continue; }
      if (!ere && d === '{') {
        const end = pattern.indexOf('\\}', i);
        if (end < 0) fail(pattern, 'unterminated \\{', loc);
        if (wasStart) fail(pattern, 'interval with nothing to repeat', loc);
        out += interval(pattern.slice(i, end), pattern, loc);
        i = end + 2;
        continue;
      }
      if (!ere && (d === '+' || d === '?')) { if (!wasStart) { out += d; continue; } out += '\\' + d; continue; }
      if (!ere && d === '|') { out += '|'; atStart = true; continue; }
      if (d >= '1' && d <= '9') {
        if (Number(d) > groups) fail(pattern, `back-reference \\${d} to a group that does not exist`, loc);
        out += '\\' + d;
        continue;
      }
      const gnu = GNU_ESCAPES.get(d);
      if (gnu !== undefined) { out += gnu; continue; }
      out += lit(d); // any other escaped character stands for itself
      continue;
    }
    i++;
    switch (c) {
      case '[': {
        const b = translateBracket(pattern, i - 1, loc);
        out += b.js;
        i = b.next;
        break;
      }
      case '.': out += '.'; break;
      case '*':
        if (wasStart) { if (ere) fail(pattern, '"*" with nothing to repeat', loc); out += '\\*'; } else out += '*';
        break;
      case '^':
        // BRE: an anchor only first in the RE or a group/alternative (GNU); elsewhere literal (§9.3.8)
        out += ere || wasStart ? '^' : '\\^';
        if (ere || wasStart) atStart = true;
        break;
      case '$': {
        const n = pattern[i];
        const atEnd = n === undefined || (!ere && pattern.startsWith('\\)', i)) || (!ere && pattern.startsWith('\\|', i));
        out += ere || atEnd ? '$' : '\\$';
        break;
      }
      case '+': case '?':
        if (!ere) { out += '\\' + c; break; }
        if (wasStart) fail(pattern, `"${c}" with nothing to repeat`, loc);
        out += c;
        break;
      case '{': {
        if (!ere) { out += '\\{'; break; }
        const end = pattern.indexOf('}', i);
        if (end < 0) fail(pattern, 'unterminated {', loc);
        if (wasStart) fail(pattern, 'interval with nothing to repeat', loc);
        out += interval(pattern.slice(i, end), pattern, loc);
        i = end + 1;
        break;
      }
      case '(':
        if (!ere) { out += '\\('; break; }
        out += '('; depth++; groups++; atStart = true;
        break;
      case ')':
        if (!ere) { out += '\\)'; break; }
        if (depth === 0) fail(pattern, 'unmatched )', loc);
        out += ')'; depth--;
        break;
      case '|':
        if (!ere) { out += '\\|'; break; }
        out += '|'; atStart = true;
        break;
      default:
        out += lit(c);
    }
  }
  if (depth !== 0) fail(pattern, ere ? 'unmatched (' : 'unmatched \\(', loc);
  return out;
}

export interface PosixCompileOptions {
  ignoreCase?: boolean;
  /** Config place put in front of error messages. */
  loc?: SourceLoc;
  /** Stable error code for the caller's domain (LW_ERR_RULES_REGEX, LW_ERR_TEMPLATE_REGEX); default LW_ERR_REGEX. */
  errorCode?: string;
}

/** Compile a POSIX regex into a JS RegExp (search semantics: a match anywhere in the value). */
export function compilePosix(pattern: string, flavor: PosixFlavor, opts: PosixCompileOptions = {}): RegExp {
  const code = opts.errorCode ?? DEFAULT_REGEX_ERROR;
  const source = translatePosix(pattern, flavor, opts.loc, code);
  try {
    return new RegExp(source, opts.ignoreCase ? 'si' : 's');
  } catch (e) {
    return fail(pattern, (e as Error).message, { loc: opts.loc, code });
  }
}

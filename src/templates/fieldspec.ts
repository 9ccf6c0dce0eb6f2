// Parser for the body of one `%name:fromChar:toChar:options:fieldname%` field of a string template,
// following rsyslog's template.c do_Parameter grammar (regex `R,ERE,sub,nomatch,match:re--end`, `F,44`).
import type { SourceLoc } from '../config/model';
import { compilePosix, PosixRegexError } from '../util/posix-regex';
import { DATE_FORMATS, DateFormat } from './dates';
import { lookupProperty, PropertyInfo } from './properties';
import { defaultOptions, FieldOptions, NoMatchMode, TemplateError, TO_END } from './replacer';

export interface ParsedField {
  prop: PropertyInfo;
  opts: FieldOptions;
  /** Index just after the closing '%'. */
  next: number;
}

export type WarnFn = (code: string, message: string, loc: SourceLoc) => void;

const TEMPLATE_REGEX_ERROR = 'LW_ERR_TEMPLATE_REGEX';
const DEFAULT_FIELD_DELIM = 9; // HT, rsyslog's default for `F`
const REGEX_END = '--end';
const NOMATCH_WORDS: readonly NoMatchMode[] = ['DFLT', 'BLANK', 'FIELD', 'ZERO'];

function isStop(c: string | undefined): boolean {
  return c === undefined || c === '%' || c === ':';
}

function readInt(s: string, i: number): { value: number; next: number } {
  let j = i;
  while (j < s.length && s[j]! >= '0' && s[j]! <= '9') j++;
  return { value: j === i ? 0 : Number(s.slice(i, j)), next: j };
}

/** Apply one option word (already lower-cased) as rsyslog doOptions does; unknown words are reported. */
export function applyOptionWord(o: FieldOptions, word: string, loc: SourceLoc, warn: WarnFn): void {
  if (word.startsWith('date-') && DATE_FORMATS.has(word.slice(5))) { o.dateFormat = word.slice(5) as DateFormat; return; }
  switch (word) {
    case 'date-utc': o.dateUtc = true; return;
    case 'lowercase': o.caseConv = 'lower'; return;
    case 'uppercase': o.caseConv = 'upper'; return;
    case 'sp-if-no-1st-sp': o.spIfNo1stSp = true; return;
    case 'compressspace': o.compressSpace = true; return;
    case 'escape-cc': o.controlChars = 'escape'; return;
    case 'drop-cc': o.controlChars = 'drop'; return;
    case 'space-cc': o.controlChars = 'space'; return;
    case 'drop-last-lf': o.dropLastLf = true; return;
    case 'secpath-drop': o.secpath = 'drop'; return;
    case 'secpath-replace': o.secpath = 'replace'; return;
    case 'pos-end-relative': o.posEndRelative = true; return;
    case 'fixed-width': o.fixedWidth = true; return;
    case 'mandatory-field': return;
    case 'csv': case 'json': case 'jsonf': case 'jsonr': case 'jsonfr':
      if (o.format !== 'none') {
        warn('LW_WARN_TEMPLATE_FORMAT', `only one of json, jsonf, jsonr, jsonfr, csv may be given; '${word}' ignored`, loc);
      } else o.format = word;
      return;
    case '': return;
    default:
      warn('LW_WARN_TEMPLATE_OPTION', `unknown property replacer option '${word}' ignored`, loc);
  }
}

/** Make a regex for the replacer (regcomp without REG_NEWLINE), turning a bad pattern into a TemplateError at `loc`. */
export function compileFieldRegex(src: string, ere: boolean, loc: SourceLoc): RegExp {
  try {
    return compilePosix(src, ere ? 'ere' : 'bre', { errorCode: TEMPLATE_REGEX_ERROR });
  } catch (e) {
    if (e instanceof PosixRegexError) throw new TemplateError(e.code, e.reason, loc);
    throw e;
  }
}

/** Parse the regex head after 'R' (`,ERE,1,BLANK,0`); returns index at the ':' before the pattern. */
function parseRegexHead(s: string, i: number, loc: SourceLoc): { ere: boolean; sub: number; mode: NoMatchMode; match: number; next: number } {
  let ere = false;
  let sub = 0;
  let match = 0;
  let mode: NoMatchMode = 'DFLT';
  let p = i;
  const word = (w: string): boolean => s.startsWith(w, p) && (s[p + w.length] === ',' || s[p + w.length] === ':');
  if (s[p] === ',') {
    p++;
    if (word('BRE')) p += 3;
    else if (word('ERE')) { ere = true; p += 3; }
    else throw new TemplateError('LW_ERR_TEMPLATE_REGEX', `invalid regular expression type at '${s.slice(p, p + 10)}'`, loc);
  }
  if (s[p] === ',') {
    p++;
    if (/[0-9]/.test(s[p] ?? '')) sub = Number(s[p++]);
  }
  if (s[p] === ',') {
    p++;
    const w = NOMATCH_WORDS.find((x) => word(x));
    if (w) { mode = w; p += w.length; } else if (s[p] !== ',') {
      throw new TemplateError('LW_ERR_TEMPLATE_REGEX', `invalid regex no-match mode at '${s.slice(p, p + 10)}'`, loc);
    }
  }
  if (s[p] === ',') {
    p++;
    if (/[0-9]/.test(s[p] ?? '')) match = Number(s[p++]);
  }
  if (s[p] !== ':') throw new TemplateError('LW_ERR_TEMPLATE_REGEX', `invalid character after "R" in property '${s.slice(i - 1, i + 20)}'`, loc);
  return { ere, sub, mode, match, next: p };
}

/**
 * Parse a field starting just after its opening '%' at index `i` of template text `s`.
 * Throws TemplateError for an unknown property or bad regex; warns (as rsyslog logs) for ignorable slips.
 */
export function parseField(s: string, i: number, loc: SourceLoc, warn: WarnFn): ParsedField {
  let p = i;
  while (!isStop(s[p])) p++;
  const name = s.slice(i, p);
  const prop = lookupProperty(name);
  if (!prop) throw new TemplateError('LW_ERR_TEMPLATE_PROPERTY', `unknown property '${name}'`, loc);
  const o = defaultOptions(prop.defaultOutname);
  let regexHead: ReturnType<typeof parseRegexHead> | null = null;
  let hasFields = false;
  if (s[p] === ':') {
    p++;
    if (s[p] === 'R') {
      regexHead = parseRegexHead(s, p + 1, loc);
      p = regexHead.next;
    } else if (s[p] === 'F') {
      p++;
      hasFields = true;
      o.fieldDelim = DEFAULT_FIELD_DELIM;
      if (s[p] === ',') {
        p++;
        const d = readInt(s, p);
        if (d.next === p || d.value > 255) {
          warn('LW_WARN_TEMPLATE_FIELD', `invalid field delimiter in '${name}', using 9 (HT)`, loc);
        } else o.fieldDelim = d.value;
        p = d.next;
        if (s[p] === ',') { const f = readInt(s, p + 1); o.fromPos = f.value; p = f.next; }
      } else if (s[p] !== ':') {
        warn('LW_WARN_TEMPLATE_FIELD', `invalid character after "F" in property '${name}'`, loc);
      }
    } else {
      const f = readInt(s, p);
      o.fromPos = f.value;
      p = f.next;
      while (!isStop(s[p])) p++;
    }
  }
  if (s[p] === ':') {
    p++;
    if (regexHead) {
      const end = s.indexOf(REGEX_END, p);
      if (end < 0) throw new TemplateError('LW_ERR_TEMPLATE_REGEX', `regular expression in '${name}' lacks its "--end"`, loc);
      o.regex = compileFieldRegex(s.slice(p, end), regexHead.ere, loc);
      o.regexSubmatch = regexHead.sub;
      o.regexMatch = regexHead.match;
      o.noMatch = regexHead.mode;
      p = end + REGEX_END.length;
    } else if (s[p] === '$') {
      o.toPos = TO_END;
      p++;
    } else if (hasFields) {
      const f = readInt(s, p);
      o.fieldNr = f.value;
      p = f.next;
      if (s[p] === ',') { const t = readInt(s, p + 1); o.toPos = t.value; p = t.next; }
    } else {
      const t = readInt(s, p);
      o.toPos = t.value;
      p = t.next;
    }
    while (!isStop(s[p])) p++;
  }
  if (s[p] === ':') {
    p++;
    while (!isStop(s[p])) {
      let j = p;
      while (!isStop(s[j]) && s[j] !== ',') j++;
      applyOptionWord(o, s.slice(p, j).toLowerCase(), loc, warn);
      p = s[j] === ',' ? j + 1 : j;
    }
  }
  normalisePositions(o);
  if (s[p] === ':') {
    p++;
    const j = p;
    while (!isStop(s[p])) p++;
    o.outname = s.slice(j, p);
  }
  if (s[p] === '%') p++;
  else throw new TemplateError('LW_ERR_TEMPLATE_SYNTAX', `property '${name}' is not closed by '%'`, loc);
  return { prop, opts: o, next: p };
}

/** rsyslog swaps from/to so that from <= to (or the reverse for pos-end-relative). */
export function normalisePositions(o: FieldOptions): void {
  const swap = o.posEndRelative ? o.toPos > o.fromPos : o.toPos < o.fromPos;
  if (swap) {
    const t = o.toPos;
    o.toPos = o.fromPos;
    o.fromPos = t;
  }
}

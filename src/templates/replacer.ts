// The property replacer: options of one `%name:from:to:options%` field (or one list-template property()),
// decided at config load, applied per message in rsyslog's order (msg.c MsgGetProp).
import type { SourceLoc } from '../config/model';
import type { Message } from '../message';
import type { SyslogTime } from '../time';
import { DateFormat, formatDate, toUtcMicros } from './dates';
import { rsJsonEscape } from './jsonc';
import { decodeRaw, encodeRaw, isAscii } from '../util/raw-text';
import type { PropertyInfo } from './properties';

/** A template error with its place in the configuration. */
export class TemplateError extends Error {
  readonly code: string;
  readonly loc: SourceLoc;
  constructor(code: string, message: string, loc: SourceLoc) {
    super(`${loc.file}:${loc.line}:${loc.col}: ${message}`);
    this.code = code;
    this.loc = loc;
  }
}

export type NoMatchMode = 'DFLT' | 'BLANK' | 'FIELD' | 'ZERO';
export type OutFormat = 'none' | 'csv' | 'json' | 'jsonf' | 'jsonr' | 'jsonfr';
export type DataType = 'string' | 'number' | 'bool' | 'auto';

/** Everything the replacer can do to one property value. Defaults mean "leave it alone". */
export interface FieldOptions {
  fromPos: number;
  toPos: number;
  posEndRelative: boolean;
  fixedWidth: boolean;
  /** Field extraction (`F,44`): delimiter char code, or -1 when unused. */
  fieldDelim: number;
  fieldNr: number;
  regex: RegExp | null;
  regexSubmatch: number;
  regexMatch: number;
  noMatch: NoMatchMode;
  dateFormat: DateFormat;
  dateUtc: boolean;
  caseConv: 'none' | 'lower' | 'upper';
  controlChars: 'none' | 'escape' | 'drop' | 'space';
  secpath: 'none' | 'drop' | 'replace';
  spIfNo1stSp: boolean;
  dropLastLf: boolean;
  compressSpace: boolean;
  format: OutFormat;
  outname: string;
  dataType: DataType;
  onEmpty: 'keep' | 'skip' | 'null';
  omitIfZero: boolean;
}

/** Stand-in for rsyslog's "no to-position" (`$` as toChar). */
export const TO_END = 9999999;

export function defaultOptions(outname: string): FieldOptions {
  return {
    fromPos: 0, toPos: 0, posEndRelative: false, fixedWidth: false, fieldDelim: -1, fieldNr: 0, regex: null,
    regexSubmatch: 0, regexMatch: 0, noMatch: 'DFLT', dateFormat: 'default', dateUtc: false, caseConv: 'none',
    controlChars: 'none', secpath: 'none', spIfNo1stSp: false, dropLastLf: false, compressSpace: false,
    format: 'none', outname, dataType: 'string', onEmpty: 'keep', omitIfZero: false,
  };
}

/** True when the options change nothing, so the plain getter can be used (rsyslog bComplexProcessing). */
export function isSimple(o: FieldOptions): boolean {
  return o.fromPos === 0 && o.toPos === 0 && o.fieldDelim < 0 && o.regex === null && o.caseConv === 'none' &&
    o.controlChars === 'none' && o.secpath === 'none' && !o.spIfNo1stSp && !o.dropLastLf && !o.compressSpace &&
    o.format === 'none' && o.dateFormat === 'default' && !o.dateUtc;
}

const isCntrl = (c: number): boolean => c < 0x20 || c === 0x7f;

/** Field `nr` (1-based) of `s` split at `delim`, or null if there are fewer fields (msg.c field loop). */
function extractField(s: string, delim: string, nr: number): string | null {
  let cur = 1;
  let pos = 0;
  while (pos < s.length && cur < nr) {
    const d = s.indexOf(delim, pos);
    if (d < 0) { pos = s.length; break; }
    pos = d + 1;
    cur++;
  }
  if (cur !== nr) return null;
  const end = s.indexOf(delim, pos);
  return s.slice(pos, end < 0 ? s.length : end);
}

/** rsyslog's regex step: skip `regexMatch` matches (restarting after each), then take the submatch. */
function extractRegex(s: string, o: FieldOptions): string {
  const re = o.regex!;
  let offs = 0;
  for (let tries = 0; ; tries++) {
    const m = re.exec(s.slice(offs));
    if (m === null) return noMatch(s, o.noMatch);
    if (tries === o.regexMatch) {
      const sub = m[o.regexSubmatch];
      if (sub === undefined) return noMatch(s, o.noMatch);
      return sub;
    }
    offs += m.index + m[0].length;
  }
}

function noMatch(whole: string, mode: NoMatchMode): string {
  switch (mode) {
    case 'DFLT': return '**NO MATCH**';
    case 'ZERO': return '0';
    case 'BLANK': return '';
    case 'FIELD': return whole;
  }
}

/**
 * Byte positions (as rsyslog: of the received UTF-8), 1-based and inclusive; `fixedWidth` pads with spaces
 * past the end. Non-ASCII values are cut as bytes: a cut inside a character keeps its bytes (escaped).
 */
function substring(s: string, o: FieldOptions): string {
  if (isAscii(s)) return substringUnits(s, o);
  return decodeRaw(Buffer.from(substringUnits(encodeRaw(s).toString('latin1'), o), 'latin1'));
}

/** The cut on code units (= bytes for ASCII or a latin1 view of the bytes). */
function substringUnits(s: string, o: FieldOptions): string {
  const len = s.length;
  let from = o.fromPos;
  let to = o.toPos;
  if (o.posEndRelative) {
    from = len < from ? 0 : len - from;
    to = len < to ? 0 : len - to;
  } else {
    if (from > 0) from--;
    if (to > 0) to--;
    else if (to < 0) to = Math.max(0, len - 1 + to);
  }
  if (from >= len) return '';
  if (from === 0 && to >= len && !o.fixedWidth) return s;
  if (to >= len && !o.fixedWidth) to = len - 1;
  const want = to - from + 1;
  if (want <= 0) return '';
  const part = s.slice(from, from + want);
  return part.length < want ? part + ' '.repeat(want - part.length) : part;
}

function controlChars(s: string, mode: FieldOptions['controlChars']): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isCntrl(c)) { out += s[i]; continue; }
    if (mode === 'space') out += ' ';
    else if (mode === 'escape') out += '#' + String(c).padStart(3, '0');
  }
  return out;
}

/** secpath-drop / secpath-replace: no '/', and never "", "." or ".." as a path component (msg.c). */
function securePath(s: string, mode: 'drop' | 'replace'): string {
  const r = mode === 'drop' ? s.split('/').join('') : s.split('/').join('_');
  if (r === '') return '_';
  if (r === '.') return '_';
  if (r === '..') return '_.';
  return r;
}

function compressSpace(s: string): string {
  return s.indexOf('  ') < 0 ? s : s.replace(/ {2,}/g, ' ');
}

function jsonField(s: string, o: FieldOptions, escapeAll: boolean): string {
  if (s.length === 0 && o.onEmpty === 'skip') return '';
  let body: string;
  if (s.length === 0 && o.onEmpty === 'null') body = 'null';
  else {
    switch (o.dataType) {
      case 'auto': body = s.length > 0 && /^[0-9]+$/.test(s) ? rsJsonEscape(s, escapeAll) : `"${rsJsonEscape(s, escapeAll)}"`; break;
      case 'string': body = `"${rsJsonEscape(s, escapeAll)}"`; break;
      case 'number': {
        const t = s.trim();
        if (o.omitIfZero && t === '0') return '';
        body = t.length === 0 ? '0' : rsJsonEscape(t, escapeAll);
        break;
      }
      case 'bool': body = s === '0' ? 'false' : 'true'; break;
    }
  }
  return `"${o.outname}":${body}`;
}

/** The unmodified value, honouring date options for time properties. */
export function baseValue(p: PropertyInfo, o: FieldOptions, m: Message): string {
  if (p.kind === 'time') {
    let t: SyslogTime = p.time!(m);
    if (o.dateUtc) t = toUtcMicros(t);
    return formatDate(t, o.dateFormat);
  }
  return p.get(m);
}

/** Apply the replacer options to a value, in rsyslog's order. */
export function applyOptions(value: string, o: FieldOptions): string {
  let s = value;
  if (o.fieldDelim >= 0) {
    const f = extractField(s, String.fromCharCode(o.fieldDelim), o.fieldNr);
    if (f === null) return '**FIELD NOT FOUND**';
    s = f;
  } else if (o.regex !== null) {
    s = extractRegex(s, o);
  }
  if (o.fromPos !== 0 || o.toPos !== 0) s = substring(s, o);
  if (s.length > 0 && o.spIfNo1stSp) s = s[0] === ' ' ? '' : ' ';
  if (s.length > 0) {
    // C tolower/toupper in the C locale: ASCII letters only.
    if (o.caseConv === 'lower') s = s.replace(/[A-Z]+/g, (x) => x.toLowerCase());
    else if (o.caseConv === 'upper') s = s.replace(/[a-z]+/g, (x) => x.toUpperCase());
    if (o.controlChars !== 'none') s = controlChars(s, o.controlChars);
  }
  if (o.secpath !== 'none') s = securePath(s, o.secpath);
  if (o.dropLastLf && o.controlChars !== 'escape' && s.endsWith('\n')) s = s.slice(0, -1);
  if (o.compressSpace) s = compressSpace(s);
  switch (o.format) {
    case 'csv': return '"' + s.replace(/"/g, '""') + '"';
    case 'json': return rsJsonEscape(s, true);
    case 'jsonr': return rsJsonEscape(s, false);
    case 'jsonf': return jsonField(s, o, true);
    case 'jsonfr': return jsonField(s, o, false);
    case 'none': return s;
  }
}

// Compiles a TemplateDecl (string, list, subtree) into a CompiledTemplate: an array of constant and field
// parts built once at config load; render() only concatenates.
import { getParam, Param, Params, SourceLoc, TemplateDecl, TemplateItem } from '../config/model';
import type { Message } from '../message';
import type { CompiledTemplate } from '../runtime/context';
import { DATE_FORMATS, DateFormat } from './dates';
import { applyOptionWord, compileFieldRegex, normalisePositions, parseField, WarnFn } from './fieldspec';
import { jsoncEscape } from './jsonc';
import { escapeByteChar } from '../util/raw-text';
import { lookupProperty, PropertyInfo } from './properties';
import { applyOptions, baseValue, defaultOptions, FieldOptions, isSimple, NoMatchMode, TemplateError } from './replacer';

/** Template-wide escaping of field values (template.c optFormatEscape). */
export type TemplateEscape = 'none' | 'sql' | 'stdsql' | 'json' | 'jsonf';

export type Part = string | FieldPart;

export interface FieldPart {
  readonly prop: PropertyInfo;
  readonly opts: FieldOptions;
  readonly simple: boolean;
}

export interface CompileOptions {
  /** Text came from a legacy `$template` line: constants use its escapes (\n \r \\ \% \DDD). */
  legacy?: boolean;
  /** Receives the notices rsyslog would log for ignorable mistakes (unknown option word …). */
  warn?: WarnFn;
}

const noWarn: WarnFn = () => undefined;

/** One byte of a constant: rsyslog writes 0x80..0xFF as that single byte, so it is kept as an escaped byte. */
function byteChar(b: number): string {
  return b < 0x80 ? String.fromCharCode(b) : escapeByteChar(b);
}

/** Legacy constant escapes (template.c do_Constant): \n \r \\ \% and decimal \DDD; any other char as itself. */
function legacyEscape(s: string, i: number): { text: string; next: number } {
  const c = s[i + 1];
  if (c === undefined) return { text: '', next: i + 1 };
  if (c === 'n') return { text: '\n', next: i + 2 };
  if (c === 'r') return { text: '\r', next: i + 2 };
  if (c >= '0' && c <= '9') {
    let j = i + 1;
    let v = 0;
    while (j < s.length && s[j]! >= '0' && s[j]! <= '9') v = v * 10 + Number(s[j++]);
    return { text: byteChar(v & 0xff), next: j };
  }
  return { text: c, next: i + 2 };
}

/** Split string-template text into parts. */
export function parseStringTemplate(s: string, loc: SourceLoc, opts: CompileOptions = {}): Part[] {
  const warn = opts.warn ?? noWarn;
  const parts: Part[] = [];
  let constant = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '%') {
      if (constant) { parts.push(constant); constant = ''; }
      const f = parseField(s, i + 1, loc, warn);
      parts.push({ prop: f.prop, opts: f.opts, simple: isSimple(f.opts) });
      i = f.next;
    } else if (c === '\\' && opts.legacy) {
      const e = legacyEscape(s, i);
      constant += e.text;
      i = e.next;
    } else {
      constant += c;
      i++;
    }
  }
  if (constant) parts.push(constant);
  return parts;
}

/** C-style escapes libestr's es_unescapeStr applies to list constant values. */
export function unescapeC(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };
  return s.replace(/\\(x[0-9A-Fa-f]{2}|[0-7]{3}|.)/g, (_m, e: string) => {
    if (e.length === 3 && e[0] === 'x') return byteChar(parseInt(e.slice(1), 16));
    if (e.length === 3) return byteChar(parseInt(e, 8) & 0xff);
    return simple[e] ?? e;
  });
}

const str = (p: Param | undefined): string | undefined => (p === undefined ? undefined : String(p.value));
const bool = (p: Param | undefined): boolean =>
  p !== undefined && (p.value === true || /^(on|yes|true|1)$/i.test(String(p.value)));
const int = (p: Param | undefined, loc: SourceLoc): number | undefined => {
  if (p === undefined) return undefined;
  const n = typeof p.value === 'number' ? p.value : Number(String(p.value).trim());
  if (!Number.isInteger(n)) throw new TemplateError('LW_ERR_TEMPLATE_PARAM', `parameter '${p.name}' needs an integer, got '${String(p.value)}'`, p.loc ?? loc);
  return n;
};

function oneOf<T extends string>(p: Param | undefined, allowed: readonly T[], loc: SourceLoc): T | undefined {
  if (p === undefined) return undefined;
  const v = String(p.value).toLowerCase();
  const hit = allowed.find((a) => a.toLowerCase() === v);
  if (hit === undefined) {
    throw new TemplateError('LW_ERR_TEMPLATE_PARAM', `parameter '${p.name}' must be one of ${allowed.join(', ')}; got '${String(p.value)}'`, p.loc ?? loc);
  }
  return hit;
}

/** A list-template property() item with its parameters (template.c createPropertyTpe). */
function propertyPart(item: Extract<TemplateItem, { kind: 'property' }>, warn: WarnFn): FieldPart {
  const ps = item.params;
  const loc = item.loc;
  const prop = lookupProperty(item.name);
  if (!prop) throw new TemplateError('LW_ERR_TEMPLATE_PROPERTY', `unknown property '${item.name}'`, loc);
  const o = defaultOptions(str(getParam(ps, 'outname')) ?? prop.defaultOutname);
  const df = getParam(ps, 'dateformat');
  if (df) {
    const v = String(df.value).toLowerCase();
    if (!DATE_FORMATS.has(v)) throw new TemplateError('LW_ERR_TEMPLATE_PARAM', `invalid dateformat '${String(df.value)}'`, df.loc);
    o.dateFormat = v as DateFormat;
  }
  o.dateUtc = bool(getParam(ps, 'date.inutc'));
  o.compressSpace = bool(getParam(ps, 'compressspace'));
  o.caseConv = oneOf(getParam(ps, 'caseconversion'), ['lower', 'upper'] as const, loc) ?? 'none';
  o.controlChars = oneOf(getParam(ps, 'controlcharacters'), ['escape', 'space', 'drop'] as const, loc) ?? 'none';
  o.secpath = oneOf(getParam(ps, 'securepath'), ['drop', 'replace'] as const, loc) ?? 'none';
  o.format = oneOf(getParam(ps, 'format'), ['csv', 'json', 'jsonf', 'jsonr', 'jsonfr'] as const, loc) ?? 'none';
  o.fromPos = int(getParam(ps, 'position.from'), loc) ?? 0;
  o.toPos = int(getParam(ps, 'position.to'), loc) ?? 0;
  o.posEndRelative = bool(getParam(ps, 'position.relativetoend'));
  o.fixedWidth = bool(getParam(ps, 'fixedwidth'));
  o.dropLastLf = bool(getParam(ps, 'droplastlf'));
  o.spIfNo1stSp = bool(getParam(ps, 'spifno1stsp'));
  o.omitIfZero = bool(getParam(ps, 'omitifzero'));
  o.dataType = oneOf(getParam(ps, 'datatype'), ['string', 'number', 'bool', 'auto'] as const, loc) ?? 'string';
  o.onEmpty = oneOf(getParam(ps, 'onempty'), ['keep', 'skip', 'null'] as const, loc) ?? 'keep';
  const fieldNr = int(getParam(ps, 'field.number'), loc);
  if (fieldNr !== undefined) {
    o.fieldNr = fieldNr;
    o.fieldDelim = int(getParam(ps, 'field.delimiter'), loc) ?? 9;
  }
  const re = str(getParam(ps, 'regex.expression'));
  if (re !== undefined) {
    const type = oneOf(getParam(ps, 'regex.type'), ['BRE', 'ERE'] as const, loc) ?? 'BRE';
    o.regex = compileFieldRegex(re, type === 'ERE', getParam(ps, 'regex.expression')!.loc ?? loc);
    o.noMatch = oneOf(getParam(ps, 'regex.nomatchmode'), ['DFLT', 'BLANK', 'FIELD', 'ZERO'] as const, loc) as NoMatchMode ?? 'DFLT';
    o.regexMatch = int(getParam(ps, 'regex.match'), loc) ?? 0;
    o.regexSubmatch = int(getParam(ps, 'regex.submatch'), loc) ?? 0;
  }
  normalisePositions(o);
  void warn;
  return { prop, opts: o, simple: isSimple(o) };
}

/** A list-template constant(): C escapes; format="jsonf" makes `"outname": "value"` as json-c prints it. */
function constantPart(item: Extract<TemplateItem, { kind: 'constant' }>): string {
  const value = unescapeC(item.value);
  const format = str(getParam(item.params, 'format'));
  if (format === undefined) return value;
  if (format !== 'jsonf') throw new TemplateError('LW_ERR_TEMPLATE_PARAM', `invalid format '${format}' for constant`, item.loc);
  const outname = str(getParam(item.params, 'outname'));
  if (outname === undefined) throw new TemplateError('LW_ERR_TEMPLATE_PARAM', 'constant with format="jsonf" needs outname', item.loc);
  return `"${jsoncEscape(outname)}": "${jsoncEscape(value)}"`;
}

/** Which template-wide escape the options ask for; more than one is an error as in rsyslog. */
function templateEscape(options: Params, loc: SourceLoc): TemplateEscape {
  const on = (k: string): boolean => bool(getParam(options, k)) || bool(getParam(options, 'option.' + k));
  const chosen = (['sql', 'stdsql', 'json', 'jsonf'] as const).filter(on);
  if (chosen.length > 1) {
    throw new TemplateError('LW_ERR_TEMPLATE_OPTIONS', `template has incompatible options ${chosen.join(', ')}`, loc);
  }
  if (chosen.includes('stdsql')) return 'stdsql';
  return chosen[0] ?? 'none';
}

function escapeValue(v: string, esc: TemplateEscape): string {
  switch (esc) {
    case 'sql': return v.replace(/[\\']/g, (c) => (c === "'" ? "\\'" : '\\\\'));
    case 'stdsql': return v.replace(/'/g, "''");
    case 'json': return v.replace(/["\\]/g, (c) => '\\' + c);
    default: return v;
  }
}

function fieldValue(f: FieldPart, m: Message): string {
  if (f.simple) return f.prop.get(m);
  return applyOptions(baseValue(f.prop, f.opts, m), f.opts);
}

/** A template made of parts; `jsonf` wraps non-empty parts in `{…}\n` joined by ", " (template.c tplToString). */
export class PartsTemplate implements CompiledTemplate {
  readonly name: string;
  readonly parts: readonly Part[];
  private readonly esc: TemplateEscape;

  constructor(name: string, parts: Part[], esc: TemplateEscape) {
    this.name = name;
    this.parts = parts;
    this.esc = esc;
  }

  render(m: Message): string {
    const parts = this.parts;
    if (this.esc === 'jsonf') return this.renderJsonf(m);
    let out = '';
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (typeof p === 'string') out += p;
      else out += this.esc === 'none' ? fieldValue(p, m) : escapeValue(fieldValue(p, m), this.esc);
    }
    return out;
  }

  private renderJsonf(m: Message): string {
    let out = '{';
    let needComma = false;
    for (const p of this.parts) {
      const v = typeof p === 'string' ? p : fieldValue(p, m);
      if (v.length === 0) continue;
      if (needComma) out += ', ';
      out += v;
      needComma = true;
    }
    return this.parts.length > 0 ? out + '}\n' : out;
  }
}

/** `type="subtree"`: the JSON subtree as spaced JSON text. */
class SubtreeTemplate implements CompiledTemplate {
  readonly name: string;
  private readonly prop: PropertyInfo;
  constructor(name: string, prop: PropertyInfo) {
    this.name = name;
    this.prop = prop;
  }
  render(m: Message): string {
    return this.prop.get(m);
  }
}

/** Compile a template declaration; errors are TemplateError with `code` LW_ERR_TEMPLATE_* and the SourceLoc. */
export function compileTemplate(decl: TemplateDecl, opts: CompileOptions = {}): CompiledTemplate {
  const warn = opts.warn ?? noWarn;
  const legacy = opts.legacy ?? bool(getParam(decl.options, 'legacy'));
  switch (decl.type) {
    case 'string': {
      if (decl.string === undefined) throw new TemplateError('LW_ERR_TEMPLATE_PARAM', `template '${decl.name}' needs string=`, decl.loc);
      const parts = parseStringTemplate(decl.string, decl.loc, { legacy, warn });
      return new PartsTemplate(decl.name, parts, templateEscape(decl.options, decl.loc));
    }
    case 'list': {
      const parts: Part[] = (decl.items ?? []).map((it) => (it.kind === 'constant' ? constantPart(it) : propertyPart(it, warn)));
      return new PartsTemplate(decl.name, parts, templateEscape(decl.options, decl.loc));
    }
    case 'subtree': {
      const name = decl.subtree ?? '';
      const prop = /^\$[!.\/]/.test(name) ? lookupProperty(name) : null;
      if (!prop || prop.kind !== 'json') {
        throw new TemplateError('LW_ERR_TEMPLATE_PARAM', `subtree '${name}' must be a $! or $. variable`, decl.loc);
      }
      return new SubtreeTemplate(decl.name, prop);
    }
    case 'plugin':
      throw new TemplateError('LW_ERR_TEMPLATE_PLUGIN', `template '${decl.name}': strgen plugin '${decl.plugin ?? ''}' is not supported`, decl.loc);
  }
}

/** Apply an option word list ("date-rfc3339,lowercase") to fresh options; used by filters that format values. */
export function optionsFromWords(words: string, outname: string, loc: SourceLoc, warn: WarnFn = noWarn): FieldOptions {
  const o = defaultOptions(outname);
  for (const w of words.split(',')) applyOptionWord(o, w.trim().toLowerCase(), loc, warn);
  return o;
}

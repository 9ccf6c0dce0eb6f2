// Legacy (sysklogd-style) syntax: `facility.priority` selectors, `:prop, op, "v"` filters, and legacy actions.
import type { ActionDecl, Filter, Params, SelectorTerm, SourceLoc } from './model';
import { E, W, didYouMean, type Reporter } from './diagnostics';
import { FACILITIES, PROPERTIES, SEVERITIES, KNOWN_RSYSLOG_MODULES } from './known';

/** rsyslog's lexer rule for a selector (grammar/lexer.l PRIFILT): no blanks anywhere inside it. */
export const PRIFILT_RE = /[*a-z][*a-z]*[0-7]*[.,][,!=;.*a-z0-7]+/iy;
/** `:property, op, "value"` head: property name (optionally `$`-prefixed) followed by a comma. */
const PROPFILT_HEAD_RE = /:(\$?[a-z][a-z0-9\-]*)[ \t]*,/iy;
export const PROP_OPS = ['contains', 'isequal', 'startswith', 'regex', 'ereregex', 'isempty'];
const MAX_PORT = 65535;

/** Where a piece of legacy text sits: its file, line and the column of its first character. */
export interface TextAt {
  text: string;
  loc: SourceLoc;
}

function at(base: SourceLoc, offset: number): SourceLoc {
  return { file: base.file, line: base.line, col: base.col + offset };
}

function param(params: Params, name: string, value: string | string[], loc: SourceLoc): void {
  params.set(name.toLowerCase(), { name, value, loc });
}

/**
 * Decode a selector as rsyslog's DecodePRIFilter does: `;` separates terms; a `,` after the priority starts a
 * new term; `!` negates, `=` selects one severity; `none` and `*` ignore `=`.
 */
export function parseSelector(src: TextAt, rep: Reporter): Filter | null {
  const terms: SelectorTerm[] = [];
  let ok = true;
  const pieces = splitTerms(src.text);
  for (const { text, offset } of pieces) {
    const term = parseTerm(text, at(src.loc, offset), rep);
    if (term) terms.push(term);
    else ok = false;
  }
  return ok ? { kind: 'selector', terms, loc: src.loc } : null;
}

/** Split on `;`, and on a `,` that follows a `.priority` (rsyslog skips `,` and `;` alike after it). */
function splitTerms(text: string): Array<{ text: string; offset: number }> {
  const out: Array<{ text: string; offset: number }> = [];
  let start = 0;
  let seenDot = false;
  for (let i = 0; i <= text.length; i++) {
    const ch = text[i];
    if (ch === '.') seenDot = true;
    if (i === text.length || ch === ';' || (ch === ',' && seenDot)) {
      out.push({ text: text.slice(start, i), offset: start });
      start = i + 1;
      seenDot = false;
    }
  }
  return out;
}

function parseTerm(text: string, loc: SourceLoc, rep: Reporter): SelectorTerm | null {
  const dot = text.indexOf('.');
  if (dot === -1) {
    rep.error(E.BAD_SELECTOR, `selector term \`${text}\` has no \`.priority\``, loc, {
      length: text.length || 1,
      hint: 'each term is facility.priority; to exclude two priorities write `cron.!info;cron.!debug`',
    });
    return null;
  }
  const facilities = parseFacilities(text.slice(0, dot), loc, rep);
  const sev = parsePriority(text.slice(dot + 1), at(loc, dot + 1), rep);
  if (facilities === null || sev === null) return null;
  return { facilities, op: sev.op, severity: sev.severity, loc };
}

function parseFacilities(list: string, loc: SourceLoc, rep: Reporter): number[] | '*' | null {
  const out: number[] = [];
  let all = false;
  let offset = 0;
  for (const name of list.split(',')) {
    const lower = name.toLowerCase();
    const num = /^[0-9]+$/.test(name) ? Number(name) : undefined;
    if (name === '*') all = true;
    else if (FACILITIES.has(lower)) out.push(FACILITIES.get(lower)!);
    else if (num !== undefined && num <= 23) out.push(num);
    else {
      rep.error(E.BAD_FACILITY, `unknown facility name \`${name}\``, at(loc, offset), {
        length: name.length || 1, hint: didYouMean(lower, FACILITIES.keys()) ?? 'use kern, user, mail, … local7 or *',
      });
      return null;
    }
    offset += name.length + 1;
  }
  return all ? '*' : out;
}

function parsePriority(text: string, loc: SourceLoc, rep: Reporter): { op: SelectorTerm['op']; severity: number } | null {
  let i = 0;
  const negate = text[i] === '!';
  if (negate) i++;
  const single = text[i] === '=';
  if (single) i++;
  const name = text.slice(i).toLowerCase();
  if (name === '*') return negate ? { op: 'none', severity: 7 } : { op: 'ge', severity: 7 };
  if (name === 'none') return negate ? { op: 'ge', severity: 7 } : { op: 'none', severity: 7 };
  let sev = SEVERITIES.get(name);
  if (sev === undefined && /^[0-7]$/.test(name)) sev = Number(name);
  if (sev === undefined) {
    rep.error(E.BAD_SEVERITY, `unknown priority name \`${text.slice(i)}\``, at(loc, i), {
      length: name.length || 1,
      hint: didYouMean(name, [...SEVERITIES.keys(), 'none']) ?? 'use emerg, alert, crit, err, warning, notice, info, debug, none or *',
    });
    return null;
  }
  if (single) return { op: negate ? 'ne' : 'eq', severity: sev };
  return { op: negate ? 'lt' : 'ge', severity: sev };
}

/** Parse `:prop, [!]op, "value"` at the start of `src`; returns the filter and how many chars it used. */
export function parsePropertyFilter(src: TextAt, rep: Reporter): { filter: Filter; used: number } | null {
  const t = src.text;
  PROPFILT_HEAD_RE.lastIndex = 0;
  const head = PROPFILT_HEAD_RE.exec(t);
  if (!head) {
    rep.error(E.SYNTAX, 'malformed property filter', src.loc, {
      length: t.length, hint: 'write `:property, [!]operation, "value"`, e.g. `:msg, contains, "error"`',
    });
    return null;
  }
  const property = head[1].toLowerCase();
  if (!PROPERTIES.has(property)) {
    rep.error(E.BAD_PROPERTY, `invalid property \`${head[1]}\``, at(src.loc, 1), {
      length: head[1].length, hint: didYouMean(property, PROPERTIES),
    });
    return null;
  }
  const rest = /[ \t]*(!?)([a-z_]+)[ \t]*,[ \t]*"/iy;
  rest.lastIndex = head[0].length;
  const m = rest.exec(t);
  if (!m) {
    rep.error(E.SYNTAX, 'property filter needs `, operation, "value"`', at(src.loc, head[0].length), {
      length: 1, hint: 'the value must be a double-quoted string, even for isempty: `:msg, isempty, ""`',
    });
    return null;
  }
  const op = m[2].toLowerCase();
  const opCol = rest.lastIndex - m[0].length + m[0].indexOf(m[2]);
  if (!PROP_OPS.includes(op)) {
    rep.error(E.BAD_COMPARE, `invalid compare operation \`${m[2]}\``, at(src.loc, opCol), {
      length: m[2].length,
      hint: didYouMean(op, PROP_OPS) ?? `use one of ${PROP_OPS.join(', ')} (case-insensitive variants exist only in RainerScript: contains_i)`,
    });
    return null;
  }
  const value = readLegacyQuoted(t, rest.lastIndex);
  if (value === null) {
    rep.error(E.UNTERMINATED, 'unterminated string in property filter', at(src.loc, rest.lastIndex - 1), { length: 1 });
    return null;
  }
  const filter: Filter = { kind: 'property', property, op, negate: m[1] === '!', value: value.value, loc: src.loc };
  return { filter, used: value.end };
}

/** A legacy quoted value: `\"` and `\\` are escapes, any other backslash stays (regexes keep theirs). */
function readLegacyQuoted(t: string, from: number): { value: string; end: number } | null {
  let out = '';
  for (let i = from; i < t.length; i++) {
    const ch = t[i];
    if (ch === '"') return { value: out, end: i + 1 };
    if (ch === '\\' && (t[i + 1] === '"' || t[i + 1] === '\\')) out += t[++i];
    else out += ch;
  }
  return null;
}

/** Sticky and one-shot settings that $-directives contribute to the next legacy action. */
export interface LegacyActionContext {
  /** Parameters for a given action type from $-directives (file modes, stream driver, default template). */
  defaults(type: string): Params;
}

/** Lower a legacy action (`/file`, `-/file`, `?dyn`, `@host`, `@@host`, `|pipe`, `~`, `*`, users, `:omX:`). */
export function parseLegacyAction(src: TextAt, ctx: LegacyActionContext, rep: Reporter): ActionDecl | null {
  const t = src.text;
  const p = new LegacyActionParser(t, src.loc, rep);
  return p.parse(ctx);
}

class LegacyActionParser {
  i = 0;
  readonly params: Params = new Map();

  constructor(private readonly t: string, private readonly base: SourceLoc, private readonly rep: Reporter) {}

  private loc(i = this.i): SourceLoc {
    return at(this.base, i);
  }

  private fail(code: string, message: string, i: number, length: number, hint?: string): null {
    this.rep.error(code, message, this.loc(i), { length, hint });
    return null;
  }

  parse(ctx: LegacyActionContext): ActionDecl | null {
    const t = this.t;
    const ch = t[0];
    let type: string | null;
    if (t.startsWith(':')) type = this.moduleForm();
    else if (ch === '~') type = this.simple('omdiscard', 1);
    else if (ch === '@') type = this.forward();
    else type = this.fileOrUsers(0);
    if (type === null) return null;
    if (!this.tail(type)) return null;
    const params: Params = new Map(ctx.defaults(type));
    for (const [k, v] of this.params) params.set(k, v);
    return { type, params, loc: this.base };
  }

  private simple(type: string, len: number): string {
    this.i = len;
    return type;
  }

  /** `:omfile:/path`, `:omusrmsg:root,user`; other modules have no legacy form in Logwarden. */
  private moduleForm(): string | null {
    const m = /^:([a-z0-9_]+):/i.exec(this.t);
    if (!m) return this.fail(E.BAD_ACTION, 'malformed `:module:` action', 0, this.t.length);
    const mod = m[1].toLowerCase();
    this.i = m[0].length;
    if (mod === 'omfile' || mod === 'omusrmsg') return this.fileOrUsers(this.i, mod);
    if (mod === 'omfwd' || mod === 'omdiscard') {
      return this.fail(E.BAD_ACTION, `\`:${mod}:\` has no legacy parameter form`, 0, m[0].length,
        `use action(type="${mod}" …)`);
    }
    if (KNOWN_RSYSLOG_MODULES.has(mod)) {
      return this.fail(E.UNSUPPORTED_MODULE, `legacy action \`:${mod}:\` is not supported by Logwarden yet`, 1,
        mod.length, `use action(type="${mod}" …) if the module is available`);
    }
    return this.fail(E.UNKNOWN_MODULE, `unknown module \`${mod}\` in legacy action`, 1, mod.length);
  }

  private fileOrUsers(from: number, forced?: string): string | null {
    const t = this.t;
    let i = from;
    const ch = t[i];
    if (ch === '-' && t[i + 1] === '/') i++; // `-/file`: "don't sync", the default in rsyslog v8.
    const c2 = t[i];
    if (c2 === '/' || c2 === '?') {
      if (forced === 'omusrmsg') return this.fail(E.BAD_ACTION, 'omusrmsg expects user names', i, 1);
      const end = this.wordEnd(i + 1);
      const value = t.slice(i + (c2 === '?' ? 1 : 0), end);
      if (c2 === '?' && value === '') return this.fail(E.BAD_ACTION, '`?` needs a template name', i, 1);
      param(this.params, c2 === '?' ? 'dynaFile' : 'file', value, this.loc(i));
      this.i = end;
      return 'omfile';
    }
    if (c2 === '|' && forced === undefined) {
      const end = this.wordEnd(i + 1);
      if (end === i + 1) return this.fail(E.BAD_ACTION, '`|` needs a pipe path', i, 1);
      param(this.params, 'pipe', t.slice(i + 1, end), this.loc(i));
      this.i = end;
      return 'ompipe';
    }
    if (forced === 'omfile') return this.fail(E.BAD_ACTION, 'omfile expects `/path` or `?template`', i, 1);
    return this.users(i, forced === 'omusrmsg');
  }

  /** `*`, `root`, `root,gildong` (omusrmsg). rsyslog warns about the form without `:omusrmsg:`. */
  private users(from: number, explicit: boolean): string | null {
    const t = this.t;
    const m = /^(\*|[a-z0-9_][a-z0-9_\-+]*(?:,[a-z0-9_][a-z0-9_\-+]*)*)/i.exec(t.slice(from));
    if (!m) {
      const ch = t[from] ?? '';
      if (ch === '^' || ch === '>') {
        return this.fail(E.UNSUPPORTED_MODULE, `legacy action \`${ch}\` (${ch === '^' ? 'omprog' : 'ommysql'}) is not supported by Logwarden`,
          from, 1);
      }
      return this.fail(E.BAD_ACTION, `unrecognised action \`${t.slice(from)}\``, from, Math.max(1, t.length - from),
        'an action is /file, -/file, ?template, @host, @@host, |pipe, ~, stop, :omusrmsg:users or action(type=…)');
    }
    const after = t.slice(from + m[0].length);
    if (/^,[ \t]+\S/.test(after)) {
      return this.fail(E.BAD_ACTION, 'blank inside a user list', from + m[0].length + 1, 1,
        `write the list without blanks: \`:omusrmsg:${m[0]}${after.replace(/[ \t]+/g, '')}\``);
    }
    if (!explicit) {
      this.rep.warn(W.LEGACY_USERLIST, `legacy user-list action \`${m[0]}\``, this.loc(from), {
        length: m[0].length, hint: `write \`:omusrmsg:${m[0]}\`; rsyslog warns about this form too`,
      });
    }
    param(this.params, 'users', m[0], this.loc(from));
    this.i = from + m[0].length;
    return 'omusrmsg';
  }

  /** `@host`, `@@host:port`, `@[v6]:port`, `@(z9,o)host` — rsyslog omfwd's legacy syntax. */
  private forward(): string | null {
    const t = this.t;
    let i = 1;
    const tcp = t[1] === '@';
    if (tcp) i++;
    param(this.params, 'protocol', tcp ? 'tcp' : 'udp', this.loc(0));
    if (t[i] === '(') {
      const close = t.indexOf(')', i);
      if (close === -1) return this.fail(E.BAD_ACTION, 'missing `)` after forwarding options', i, 1);
      if (!this.forwardOptions(t.slice(i + 1, close), i + 1, tcp)) return null;
      i = close + 1;
      while (t[i] === ' ' || t[i] === '\t') i++;
    }
    let host: string;
    if (t[i] === '[') {
      const close = t.indexOf(']', i);
      if (close === -1) return this.fail(E.BAD_ACTION, 'missing `]` after IPv6 address', i, 1);
      host = t.slice(i + 1, close);
      i = close + 1;
    } else {
      const end = this.wordEnd(i, ':');
      host = t.slice(i, end);
      i = end;
    }
    if (host === '') return this.fail(E.BAD_ACTION, 'missing host name after `@`', i, 1, 'write @host or @@host:port');
    param(this.params, 'target', host, this.loc(tcp ? 2 : 1));
    if (t[i] === ':') {
      const end = this.wordEnd(i + 1);
      const port = t.slice(i + 1, end);
      const n = /^[0-9]+$/.test(port) ? Number(port) : NaN;
      if (!(n >= 1 && n <= MAX_PORT)) {
        return this.fail(E.BAD_PORT, `invalid port \`${port}\``, i + 1, port.length || 1, 'a port is a number from 1 to 65535');
      }
      param(this.params, 'port', port, this.loc(i + 1));
      i = end;
    }
    this.i = i;
    return 'omfwd';
  }

  private forwardOptions(opts: string, offset: number, tcp: boolean): boolean {
    let pos = offset;
    for (const o of opts.split(',')) {
      const opt = o.trim().toLowerCase();
      if (/^z[0-9]$/.test(opt)) param(this.params, 'ziplevel', opt.slice(1), this.loc(pos));
      else if (opt === 'o' && tcp) param(this.params, 'TCP_Framing', 'octet-counted', this.loc(pos));
      else {
        this.fail(E.BAD_ACTION, `unknown forwarding option \`${o}\``, pos, o.length || 1,
          'options are z0…z9 (compression) and o (octet-counted framing, TCP only)');
        return false;
      }
      pos += o.length + 1;
    }
    return true;
  }

  /** End of a word: blank, `;`, `#` (or an extra stop character). */
  private wordEnd(from: number, extra = ''): number {
    let i = from;
    while (i < this.t.length && !' \t;'.includes(this.t[i]) && !extra.includes(this.t[i])) i++;
    return i;
  }

  /** `;Template` then nothing but blanks or a `#` comment. */
  private tail(type: string): boolean {
    const t = this.t;
    let i = this.i;
    while (t[i] === ' ' || t[i] === '\t') i++;
    if (t[i] === ';') {
      const start = i + 1;
      i = start;
      while (t[i] === ' ' || t[i] === '\t') i++;
      const nameStart = i;
      while (i < t.length && !' \t#'.includes(t[i])) i++;
      const name = t.slice(nameStart, i);
      if (name === '') {
        this.fail(E.BAD_ACTION, 'missing template name after `;`', start - 1, 1);
        return false;
      }
      if (type !== 'omdiscard') param(this.params, 'template', name, this.loc(nameStart));
      while (t[i] === ' ' || t[i] === '\t') i++;
    }
    if (i < t.length && t[i] !== '#') {
      this.fail(E.BAD_ACTION, "invalid character in selector line - ';template' expected", i, t.length - i,
        'one action per line: put further actions on `&` lines; no blanks inside selectors or addresses');
      return false;
    }
    return true;
  }
}

// Legacy (sysklogd-style) syntax: `facility.priority` selectors, `:prop, op, "v"` filters, and legacy actions.
import type { ActionDecl, Filter, Params, SourceLoc } from './model';
import { E, W, didYouMean, type Reporter } from './diagnostics';
import { PROPERTIES, KNOWN_RSYSLOG_MODULES } from './known';
import { at, type TextAt } from './selector-line';

export { PRIFILT_RE, parseSelector, type TextAt } from './selector-line';

/** `:property, op, "value"` head: property name (optionally `$`-prefixed) followed by a comma. */
const PROPFILT_HEAD_RE = /:(\$?[a-z][a-z0-9\-]*)[ \t]*,/iy;
export const PROP_OPS = ['contains', 'isequal', 'startswith', 'regex', 'ereregex', 'isempty'];
const MAX_PORT = 65535;
/** A user list: `*` or names joined by commas; blanks after a comma are tolerated (seed 003 `root, gildong`). */
const USER_LIST_RE = /^(\*|[a-z0-9_][a-z0-9_\-+]*(?:,[ \t]*[a-z0-9_][a-z0-9_\-+]*)*)/i;

function param(params: Params, name: string, value: string | string[], loc: SourceLoc): void {
  params.set(name.toLowerCase(), { name, value, loc });
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
  if (value.dropped !== -1 && (op === 'regex' || op === 'ereregex')) {
    const bs = t.slice(value.dropped, value.dropped + 2);
    rep.warn(W.PROPFILT_ESCAPE, `\`${bs}\` in a property-filter value is read as \`${bs[1]}\`: the backslash is dropped (rsyslog does the same)`,
      at(src.loc, value.dropped), { length: 2, hint: `write \`\\${bs}\` to give the regex \`${bs}\`` });
  }
  const filter: Filter = { kind: 'property', property, op, negate: m[1] === '!', value: value.value, loc: src.loc };
  return { filter, used: value.end };
}

/**
 * A legacy quoted value as rsyslog's parsQuotedCStr reads it: a backslash takes the next character literally,
 * whatever it is (`\"` → `"`, `\\` → `\`, `\.` → `.`). `dropped` is the first backslash before a character
 * other than `"` or `\` (-1 when none): a regex written with single backslashes loses them.
 */
function readLegacyQuoted(t: string, from: number): { value: string; end: number; dropped: number } | null {
  let out = '';
  let dropped = -1;
  for (let i = from; i < t.length; i++) {
    const ch = t[i];
    if (ch === '"') return { value: out, end: i + 1, dropped };
    if (ch === '\\') {
      if (i + 1 >= t.length) break;
      if (dropped === -1 && t[i + 1] !== '"' && t[i + 1] !== '\\') dropped = i;
      out += t[++i];
    } else out += ch;
  }
  return null;
}

/** Sticky and one-shot settings that $-directives contribute to the next legacy action. */
export interface LegacyActionContext {
  /** Parameters for a given action type from $-directives (file modes, stream driver, default template). */
  defaults(type: string): Params;
  /** A `$outchannel` defined earlier, by name (case-insensitive). */
  outchannel?(name: string): { file: string; maxSize: string | undefined; command: string | undefined } | undefined;
}

/** Lower a legacy action (`/file`, `-/file`, `?dyn`, `@host`, `@@host`, `|pipe`, `~`, `*`, users, `:omX:`). */
export function parseLegacyAction(src: TextAt, ctx: LegacyActionContext, rep: Reporter): ActionDecl | null {
  const t = src.text;
  const p = new LegacyActionParser(t, src.loc, rep);
  return p.parse(ctx);
}

class LegacyActionParser {
  i = 0;
  /** `:omfile:$name`: the outchannel named, resolved in parse(). */
  private channel: { name: string; at: number } | null = null;
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
    if (type === 'omfile' && this.channel !== null) type = this.resolveChannel(ctx);
    if (type === null) return null;
    if (!this.tail(type)) return null;
    const params: Params = new Map(ctx.defaults(type));
    for (const [k, v] of this.params) params.set(k, v);
    return { type, params, loc: this.base, legacy: true };
  }

  /**
   * `:omfile:$channel`: writes to the outchannel's file. Its size limit and rotation command are not applied
   * (Logwarden does not rotate by size): a warning says so rather than ignoring them silently.
   */
  private resolveChannel(ctx: LegacyActionContext): string | null {
    const ch = this.channel!;
    const oc = ctx.outchannel?.(ch.name);
    if (oc === undefined) {
      return this.fail(E.BAD_ACTION, `outchannel \`${ch.name}\` is not defined`, ch.at, ch.name.length + 1,
        'define it before use: `$outchannel name,/path/file,max-size,command`');
    }
    param(this.params, 'file', oc.file, this.loc(ch.at));
    if (oc.maxSize !== undefined && oc.maxSize !== '0') {
      this.rep.warn(W.OUTCHANNEL_LIMIT, `outchannel \`${ch.name}\`: the size limit ${oc.maxSize}`
        + `${oc.command ? ` and the command \`${oc.command}\`` : ''} are not applied; Logwarden writes ${oc.file} without limit`,
      this.loc(ch.at), { length: ch.name.length + 1, hint: 'rotate with logrotate (Logwarden reopens files on SIGHUP), or use a dynaFile template with a date' });
    }
    return 'omfile';
  }

  private simple(type: string, len: number): string {
    this.i = len;
    return type;
  }

  /** `:omfile:/path`, `:omusrmsg:root,user`, `:omrelp:host:port`; other modules have no legacy form in Logwarden. */
  private moduleForm(): string | null {
    const m = /^:([a-z0-9_]+):/i.exec(this.t);
    if (!m) return this.fail(E.BAD_ACTION, 'malformed `:module:` action', 0, this.t.length);
    const mod = m[1].toLowerCase();
    this.i = m[0].length;
    if (mod === 'omfile' && this.t[this.i] === '$') {
      const end = this.wordEnd(this.i + 1);
      this.channel = { name: this.t.slice(this.i + 1, end), at: this.i };
      this.i = end;
      return 'omfile';
    }
    if (mod === 'omfile' || mod === 'omusrmsg') return this.fileOrUsers(this.i, mod);
    if (mod === 'omrelp') return this.relp(this.i);
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
    if (ch === '-' && (t[i + 1] === '/' || t[i + 1] === '?')) i++; // `-/file`, `-?tpl`: "don't sync", the v8 default
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

  /**
   * `*`, `root`, `root,gildong` (omusrmsg). rsyslog warns about the form without `:omusrmsg:`. A blank after a
   * comma (`root, gildong`) stays inside the list: rsyslog would end the action at the blank and make `gildong`
   * a second action with no filter at all, which nobody writing that line means.
   */
  private users(from: number, explicit: boolean): string | null {
    const t = this.t;
    const m = USER_LIST_RE.exec(t.slice(from));
    if (!m) {
      const ch = t[from] ?? '';
      if (ch === '^' || ch === '>') {
        return this.fail(E.UNSUPPORTED_MODULE, `legacy action \`${ch}\` (${ch === '^' ? 'omprog' : 'ommysql'}) is not supported by Logwarden`,
          from, 1);
      }
      return this.fail(E.BAD_ACTION, `unrecognised action \`${t.slice(from)}\``, from, Math.max(1, t.length - from),
        'an action is /file, -/file, ?template, @host, @@host, |pipe, ~, stop, :omusrmsg:users or action(type=…)');
    }
    const written = m[0];
    const users = written.replace(/[ \t]+/g, '');
    const blank = written.search(/[ \t]/);
    if (blank !== -1) {
      const second = written.slice(written.lastIndexOf(',') + 1).trim();
      this.rep.warn(W.USER_LIST_BLANK, `blank inside the user list \`${written}\`: rsyslog ends the action at the blank `
        + `and runs \`${second}\` as a second action for every message, unfiltered; read as one action for users ${users}`,
      this.loc(from + blank), { length: 1, hint: `write \`:omusrmsg:${users}\` (no blanks), which rsyslog reads the same way` });
    }
    if (!explicit) {
      this.rep.warn(W.LEGACY_USERLIST, `legacy user-list action \`${users}\``, this.loc(from), {
        length: written.length, hint: `write \`:omusrmsg:${users}\`; rsyslog warns about this form too`,
      });
    }
    param(this.params, 'users', users, this.loc(from));
    this.i = from + written.length;
    return 'omusrmsg';
  }

  /** `@host`, `@@host:port`, `@[v6]:port`, `@(z9,o)host` — rsyslog omfwd's legacy syntax. */
  private forward(): string | null {
    const t = this.t;
    let i = 1;
    const tcp = t[1] === '@';
    if (tcp) i++;
    let blank = -1;
    param(this.params, 'protocol', tcp ? 'tcp' : 'udp', this.loc(0));
    if (t[i] === '(') {
      const close = t.indexOf(')', i);
      if (close === -1) return this.fail(E.BAD_ACTION, 'missing `)` after forwarding options', i, 1);
      if (!this.forwardOptions(t.slice(i + 1, close), i + 1, tcp)) return null;
      i = close + 1;
      if (t[i] === ' ' || t[i] === '\t') blank = i;
      while (t[i] === ' ' || t[i] === '\t') i++;
    }
    const h = this.hostAt(i);
    if (h === null) return null;
    const host = h.host;
    i = h.end;
    if (host === '') return this.fail(E.BAD_ACTION, 'missing host name after `@`', i, 1, 'write @host or @@host:port');
    if (blank !== -1) this.blankAfterOptions(blank, host);
    param(this.params, 'target', host, this.loc(tcp ? 2 : 1));
    const end = this.portAt(i);
    if (end === null) return null;
    this.i = end;
    return 'omfwd';
  }

  /** `:omrelp:host:port`, `:omrelp:[v6]:port` (rsyslog omrelp's legacy selector action). */
  private relp(from: number): string | null {
    const h = this.hostAt(from);
    if (h === null) return null;
    if (h.host === '') return this.fail(E.BAD_ACTION, 'missing host name after `:omrelp:`', h.end, 1, 'write :omrelp:host:port');
    param(this.params, 'target', h.host, this.loc(from));
    const end = this.portAt(h.end);
    if (end === null) return null;
    this.i = end;
    return 'omrelp';
  }

  /** A host at i: `[v6]` or a name up to `:`; null (reported) for an unclosed `[`. */
  private hostAt(i: number): { host: string; end: number } | null {
    const t = this.t;
    if (t[i] === '[') {
      const close = t.indexOf(']', i);
      if (close === -1) return this.fail(E.BAD_ACTION, 'missing `]` after IPv6 address', i, 1);
      return { host: t.slice(i + 1, close), end: close + 1 };
    }
    const end = this.wordEnd(i, ':');
    return { host: t.slice(i, end), end };
  }

  /** An optional `:port` at i, stored as the port parameter; returns where it ends, null (reported) if invalid. */
  private portAt(i: number): number | null {
    const t = this.t;
    if (t[i] !== ':') return i;
    const end = this.wordEnd(i + 1);
    const port = t.slice(i + 1, end);
    const n = /^[0-9]+$/.test(port) ? Number(port) : NaN;
    if (!(n >= 1 && n <= MAX_PORT)) {
      return this.fail(E.BAD_PORT, `invalid port \`${port}\``, i + 1, port.length || 1, 'a port is a number from 1 to 65535');
    }
    param(this.params, 'port', port, this.loc(i + 1));
    return end;
  }

  /** `@(z9) host`: omfwd keeps the blank as part of the host name (` host`), which never resolves. */
  private blankAfterOptions(i: number, host: string): void {
    const t = this.t;
    const portable = t.slice(0, i) + t.slice(i).replace(/^[ \t]+/, '').replace(/[ \t]+(#.*)?$/, '');
    this.rep.warn(W.FORWARD_BLANK, `blank between \`${t.slice(0, i)}\` and the host: rsyslog keeps the blank in the host `
      + `name (\` ${host}\`), which then does not resolve; read as host \`${host}\``, this.loc(i), {
      length: 1, hint: `write \`${portable}\` (no blank after the option group)`,
    });
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

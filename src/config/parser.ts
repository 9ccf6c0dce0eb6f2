// Statement parser for one file: RainerScript objects and control flow mixed with legacy lines, as rsyslog allows.
import { DEFAULT_RULESET, type ConfigModel, type Expr, type Params, type SourceLoc, type Statement } from './model';
import { Cursor } from './cursor';
import { E, W, didYouMean, type Reporter } from './diagnostics';
import { ExprParser } from './expr';
import { parseLegacyAction, parsePropertyFilter } from './legacy';
import { readSelectorLine, reportLeadingNumber, splitJoinedTemplate } from './selector-line';
import type { LegacyState } from './directives';
import { parseParams, parseTemplateItems } from './objects';
import { lowerObject } from './lower';

/** What the parser needs from the loader: shared model and state, file access and includes. */
export interface Session {
  model: ConfigModel;
  rep: Reporter;
  legacy: LegacyState;
  /** Name of the ruleset that top-level statements go to (`$RuleSet`). */
  currentRuleset: string;
  /** Rulesets declared with ruleset(), to report duplicates. */
  declaredRulesets: Set<string>;
  readFile(path: string): string | null;
  /** Parse an included file or text; `target` null means top level. */
  include(spec: { file?: string; text?: string; optional: boolean }, loc: SourceLoc, length: number, target: Statement[] | null): void;
}

const KEYWORDS = ['if', 'set', 'reset', 'unset', 'foreach', 'call', 'call_indirect', 'stop', 'continue', 'ruleset', 'action', 'global',
  'module', 'input', 'template', 'main_queue', 'parser', 'lookup_table', 'timezone', 'include', 'dyn_stats',
  'percentile_stats', 'ratelimit', 'reload_lookup_table'];
/** Characters that open a legacy action (rsyslog lexer LEGACY_ACTION). */
const LEGACY_ACTION_START = /[\/\-?|@~*:^>.]/;
export class Parser {
  private readonly c: Cursor;
  private readonly expr: ExprParser;
  /** Offset of a statement that a joined `$template` line carried; it counts as a line start. */
  private joinedAt = -1;

  constructor(file: string, text: string, private readonly s: Session) {
    this.c = new Cursor(file, text, s.rep);
    this.expr = new ExprParser(this.c, (p) => s.readFile(p));
  }

  /** Parse the whole file; `target` null sends top-level statements to the current ruleset. */
  parseFile(target: Statement[] | null): void {
    this.statements(target, null);
  }

  private list(target: Statement[] | null): Statement[] {
    return target ?? this.s.model.rulesets.get(this.s.currentRuleset)!.statements;
  }

  /** Statements until `}` (when `open` is set) or end of file. */
  private statements(target: Statement[] | null, open: SourceLoc | null): void {
    const c = this.c;
    for (;;) {
      c.skipWs();
      if (c.eof()) {
        if (open) c.rep.error(E.UNBALANCED, 'unbalanced braces: this `{` is never closed', open, { length: 1, hint: 'add the missing `}`' });
        return;
      }
      if (c.peek() === '}') {
        c.pos++;
        if (open) return;
        c.rep.error(E.UNBALANCED, 'unbalanced braces: `}` without a matching `{`', c.loc(c.pos - 1), { length: 1 });
        continue;
      }
      const before = c.pos;
      this.statement(target, false);
      if (c.pos === before) c.pos++; // never loop on the same character
    }
  }

  /** One statement. In action position a bare word is a legacy user list and `&` may follow. */
  private statement(target: Statement[] | null, actionPos: boolean): void {
    const c = this.c;
    const start = c.pos;
    const loc = c.loc();
    const ch = c.peek();
    if (ch === '$' && /[A-Za-z]/.test(c.peek(1))) {
      c.pos++;
      const at = c.pos;
      const directive = this.splitJoinedTemplate(c.restOfLine(), at);
      this.s.legacy.apply(directive, loc, this.directiveHost(target));
      return;
    }
    if (ch === '&') {
      c.rep.error(E.SYNTAX, '`&` continues an action, but there is no action before it', loc, { length: 1 });
      c.skipToEol();
      return;
    }
    if (ch === ':' && !/^:[a-z0-9_]+:/i.test(c.text.slice(c.pos, c.pos + 40))) return this.propertyFilter(target, loc);
    if (/[*a-z]/i.test(ch) && this.selectorAhead(target)) return;
    if (!actionPos && /[0-9]/.test(ch) && this.leadingNumber()) return;
    if (/[A-Za-z_]/.test(ch)) {
      const word = c.readName()!;
      const kw = word.toLowerCase();
      if (KEYWORDS.includes(kw) && this.keyword(kw, word, target, loc, actionPos)) return;
      c.pos = start;
      if (!actionPos) {
        c.rep.error(E.SYNTAX, `unknown statement \`${word}\``, loc, {
          length: word.length, hint: didYouMean(kw, KEYWORDS) ?? 'a statement is a selector line, a $-directive, an object like action(…) or if/set/call',
        });
        c.skipToEol();
        return;
      }
    }
    if (LEGACY_ACTION_START.test(ch) || /[A-Za-z0-9_]/.test(ch)) return this.legacyAction(target, loc);
    c.rep.error(E.SYNTAX, `unexpected \`${ch}\``, loc, { length: 1 });
    c.skipToEol();
  }

  /** At a selector (rsyslog PRIFILT at the start of a line)? Parses it with its actions if so. */
  private selectorAhead(target: Statement[] | null): boolean {
    const c = this.c;
    if (!c.atLineStart() && c.pos !== this.joinedAt) return false;
    const loc = c.loc();
    const r = readSelectorLine(this.lineAhead(), 0, loc, c.rep);
    if (r === null) return false;
    c.pos += r.end;
    this.filterBody(r.filter, loc, r.end, target);
    return true;
  }

  /** The text from the cursor to the end of its line (without a trailing CR). */
  private lineAhead(): string {
    const c = this.c;
    const eol = c.text.indexOf('\n', c.pos);
    return c.text.slice(c.pos, eol === -1 ? undefined : eol).replace(/\r$/, '');
  }

  /** `19 authpriv.* /dev/tty2` at a line start: report it (see leadingNumber) and skip the line. */
  private leadingNumber(): boolean {
    const c = this.c;
    if (!c.atLineStart() || !reportLeadingNumber(this.lineAhead(), c.loc(), c.rep)) return false;
    c.skipToEol();
    return true;
  }

  /** A `$template` line with a second statement joined on: apply the template, then parse the rest. */
  private splitJoinedTemplate(directive: string, start: number): string {
    const split = splitJoinedTemplate(directive, (i) => this.c.loc(start + i), this.c.rep);
    if (split === null) return directive;
    this.c.pos = start + split.restAt;
    this.joinedAt = this.c.pos;
    return split.head;
  }

  private propertyFilter(target: Statement[] | null, loc: SourceLoc): void {
    const c = this.c;
    const line = c.text.slice(c.pos, c.text.indexOf('\n', c.pos) === -1 ? undefined : c.text.indexOf('\n', c.pos));
    const r = parsePropertyFilter({ text: line, loc }, c.rep);
    if (!r) {
      c.skipToEol();
      return;
    }
    c.pos += r.used;
    this.filterBody(r.filter, loc, r.used, target);
  }

  private filterBody(filter: import('./model').Filter | null, loc: SourceLoc, len: number, target: Statement[] | null = null): void {
    const body: Statement[] = [];
    if (!this.block(body, loc, len, 'selector')) return;
    if (filter) this.list(target).push({ kind: 'filter', filter, body, loc });
  }

  /** A `{ … }` block or a single statement (with `&` continuations). False when there was none. */
  private block(into: Statement[], ownerLoc: SourceLoc, ownerLen: number, owner: string): boolean {
    const c = this.c;
    c.skipWs();
    if (c.eof() || c.peek() === '}') {
      c.rep.error(E.MISSING_ACTION, `${owner} without an action`, ownerLoc, {
        length: ownerLen, hint: 'add an action after it, e.g. `/var/log/messages` or action(type="omfile" …)',
      });
      return false;
    }
    if (c.peek() === '{') {
      const open = c.loc();
      c.pos++;
      this.statements(into, open);
      return true;
    }
    this.statement(into, true);
    return true;
  }

  /** After an action-like statement: `& action` lines continue the same filter. */
  private continuations(into: Statement[]): void {
    const c = this.c;
    for (;;) {
      const save = c.pos;
      c.skipWs();
      if (c.peek() === '$' && this.directivesBeforeAmpersand(into)) continue;
      if (c.peek() !== '&') {
        c.pos = save;
        return;
      }
      c.pos++;
      c.skipWs();
      const before = into.length;
      this.statement(into, true);
      if (into.length === before) return;
    }
  }

  /**
   * `$Directive` lines between an action and its `&` lines, as in rsyslog's failover recipe
   * (`$ActionExecOnlyWhenPreviousIsSuspended on` then `& @@backup`): when an `&` follows them, apply them and
   * stay in the action list. False (cursor unchanged) when no `&` follows.
   */
  private directivesBeforeAmpersand(into: Statement[]): boolean {
    const c = this.c;
    const start = c.pos;
    const lines: Array<{ at: number; loc: SourceLoc }> = [];
    while (c.peek() === '$' && /[A-Za-z]/.test(c.peek(1)) && c.atLineStart()) {
      lines.push({ at: c.pos, loc: c.loc() });
      c.skipToEol();
      c.skipWs();
    }
    const ampersand = c.peek() === '&';
    c.pos = start;
    if (!ampersand || lines.length === 0) return false;
    for (const l of lines) {
      c.pos = l.at + 1;
      this.s.legacy.apply(c.restOfLine(), l.loc, this.directiveHost(into));
    }
    return true;
  }

  private legacyAction(target: Statement[] | null, loc: SourceLoc): void {
    const c = this.c;
    const text = c.restOfLine();
    const action = parseLegacyAction({ text, loc }, this.s.legacy, c.rep);
    if (action) this.moduleTemplateFirst(action);
    const into = this.list(target);
    if (action) into.push({ kind: 'action', action, loc });
    this.continuations(into);
  }

  /**
   * A legacy omfile/omfwd action without `;template` takes module(load=… template=…), when one was loaded
   * before it, over $ActionFileDefaultTemplate / $ActionForwardDefaultTemplate (rsyslog getDfltTpl; rsyslogd
   * warns "default template was already set via legacy directive" and uses the module's).
   */
  private moduleTemplateFirst(action: import('./model').ActionDecl): void {
    const type = action.type;
    if (type !== 'omfile' && type !== 'omfwd') return;
    const sticky = this.s.legacy.defaultTemplate(type);
    if (sticky === undefined || action.params.get('template') !== sticky) return;
    if (this.s.model.modules.some((m) => m.load === type && m.params.has('template'))) action.params.delete('template');
  }

  /** Keyword statements; returns false when the word is not followed by what the keyword needs. */
  private keyword(kw: string, word: string, target: Statement[] | null, loc: SourceLoc, actionPos: boolean): boolean {
    const c = this.c;
    switch (kw) {
      case 'if': return this.ifStatement(target, loc), true;
      case 'stop':
        this.list(target).push({ kind: 'stop', loc });
        this.continuations(this.list(target));
        return true;
      case 'continue': return true;
      case 'set': return this.setStatement(target, loc, false), true;
      case 'reset': return this.setStatement(target, loc, true), true;
      case 'unset': return this.unsetStatement(target, loc), true;
      case 'foreach': return this.foreachStatement(target, loc), true;
      case 'call': return this.callStatement(target, loc), true;
      case 'call_indirect': {
        const expr = this.expr.parse();
        this.semicolon('call_indirect');
        if (!this.expr.failed) this.list(target).push({ kind: 'call_indirect', expr, loc });
        return true;
      }
    }
    c.skipWs();
    if (c.peek() !== '(') {
      if (actionPos) return false;
      c.rep.error(E.SYNTAX, `expected \`(\` after \`${word}\``, c.loc(), { length: 1, hint: `write ${kw}(…)` });
      c.skipToEol();
      return true;
    }
    c.pos++;
    if (kw === 'reload_lookup_table') return this.reloadLookupTable(target, loc), true;
    const p = parseParams(c, (f) => this.s.readFile(f), kw);
    if (kw === 'ruleset') return this.rulesetStatement(p.params, p.ok, loc, target), true;
    if (kw === 'template') {
      c.skipWs();
      const items = c.peek() === '{' ? parseTemplateItems(c, (f) => this.s.readFile(f)) : undefined;
      if (p.ok && items !== null) lowerObject(this.s, 'template', p.params, loc, items);
      return true;
    }
    if (kw === 'include') return this.includeStatement(p.params, loc, target), true;
    if (!p.ok) return true;
    const action = lowerObject(this.s, kw, p.params, loc);
    if (action) {
      this.list(target).push({ kind: 'action', action, loc });
      this.continuations(this.list(target));
    }
    return true;
  }

  private ifStatement(target: Statement[] | null, loc: SourceLoc): void {
    const c = this.c;
    const cond = this.expr.parse();
    if (this.expr.failed) return c.skipToEol();
    c.skipWs();
    if (!c.atWord('then')) {
      c.rep.error(E.SYNTAX, '`if` without `then`', c.loc(), {
        length: 1, hint: 'write `if <condition> then <action>`',
      });
      return c.skipToEol();
    }
    const thenLoc = c.loc();
    c.pos += 4;
    const then: Statement[] = [];
    if (!this.block(then, thenLoc, 4, '`then`')) return;
    const save = c.pos;
    c.skipWs();
    let elseList: Statement[] | null = null;
    if (c.atWord('else')) {
      const elseLoc = c.loc();
      c.pos += 4;
      elseList = [];
      if (!this.block(elseList, elseLoc, 4, '`else`')) return;
    } else c.pos = save;
    this.list(target).push({ kind: 'if', cond, then, else: elseList, loc });
  }

  private variable(what: string): string | null {
    const c = this.c;
    c.skipWs();
    const loc = c.loc();
    const v = c.readVar();
    if (v === null || !/^\$[!./]/.test(v)) {
      c.rep.error(E.SYNTAX, `${what} needs a variable like $!name, $.name or $/name`, loc, { length: v?.length ?? 1 });
      c.skipToEol();
      return null;
    }
    return v;
  }

  private semicolon(what: string): void {
    const c = this.c;
    const end = c.pos;
    c.skipWs();
    if (c.peek() === ';') c.pos++;
    else c.rep.error(E.SYNTAX, `missing \`;\` after ${what}`, c.loc(end), { length: 1, hint: 'RainerScript ends set/unset/call_indirect with `;`' });
  }

  /** `set $x = e;` merges into an existing object (rsyslog msgAddJSON); `reset` replaces whatever is there. */
  private setStatement(target: Statement[] | null, loc: SourceLoc, reset: boolean): void {
    const c = this.c;
    const what = reset ? 'reset' : 'set';
    const variable = this.variable(what);
    if (variable === null) return;
    c.skipWs();
    if (c.peek() !== '=') {
      c.rep.error(E.SYNTAX, `expected \`=\` in ${what}`, c.loc(), { length: 1 });
      return c.skipToEol();
    }
    c.pos++;
    const expr = this.expr.parse();
    if (this.expr.failed) return c.skipToEol();
    this.semicolon(what);
    this.list(target).push(reset ? { kind: 'set', variable, expr, loc, reset } : { kind: 'set', variable, expr, loc });
  }

  private unsetStatement(target: Statement[] | null, loc: SourceLoc): void {
    const variable = this.variable('unset');
    if (variable === null) return;
    this.semicolon('unset');
    this.list(target).push({ kind: 'unset', variable, loc });
  }

  private foreachStatement(target: Statement[] | null, loc: SourceLoc): void {
    const c = this.c;
    c.skipWs();
    if (c.peek() !== '(') {
      c.rep.error(E.SYNTAX, 'expected `(` after foreach', c.loc(), { length: 1, hint: 'foreach ($.i in $!list) do { … }' });
      return c.skipToEol();
    }
    c.pos++;
    const variable = this.variable('foreach');
    if (variable === null) return;
    c.skipWs();
    if (!c.atWord('in')) {
      c.rep.error(E.SYNTAX, 'expected `in` in foreach', c.loc(), { length: 1 });
      return c.skipToEol();
    }
    c.pos += 2;
    const iterable: Expr = this.expr.parse();
    if (this.expr.failed) return c.skipToEol();
    c.skipWs();
    if (c.peek() === ')') c.pos++;
    c.skipWs();
    if (!c.atWord('do')) {
      c.rep.error(E.SYNTAX, 'expected `do` in foreach', c.loc(), { length: 1 });
      return c.skipToEol();
    }
    const doLoc = c.loc();
    c.pos += 2;
    const body: Statement[] = [];
    if (this.block(body, doLoc, 2, '`do`')) this.list(target).push({ kind: 'foreach', variable, iterable, body, loc });
  }

  /** `reload_lookup_table("name"[, "stub value"])` (after the `(`): constant strings only, as rsyslog's grammar. */
  private reloadLookupTable(target: Statement[] | null, loc: SourceLoc): void {
    const c = this.c;
    const args: string[] = [];
    for (;;) {
      c.skipWs();
      if (c.peek() !== '"' && c.peek() !== "'") {
        c.rep.error(E.SYNTAX, 'reload_lookup_table() takes the table name and an optional stub value, as quoted strings', c.loc(), {
          length: 1, hint: 'write reload_lookup_table("table", "value if the reload fails")',
        });
        return c.skipToEol();
      }
      const v = c.readQuoted();
      if (v === null) return c.skipToEol();
      args.push(v);
      c.skipWs();
      if (c.peek() === ',' && args.length < 2) { c.pos++; continue; }
      if (c.peek() === ')') { c.pos++; break; }
      c.rep.error(E.SYNTAX, 'expected `)` after the arguments of reload_lookup_table()', c.loc(), { length: 1 });
      return c.skipToEol();
    }
    this.list(target).push({ kind: 'reload_lookup_table', table: args[0], stub: args[1] ?? null, loc });
    this.continuations(this.list(target));
  }

  private callStatement(target: Statement[] | null, loc: SourceLoc): void {
    const c = this.c;
    c.skipBlanks();
    const nameLoc = c.loc();
    const name = /^[A-Za-z0-9_\-.]+/.exec(c.text.slice(c.pos))?.[0];
    if (!name) {
      c.rep.error(E.SYNTAX, '`call` needs a ruleset name', nameLoc, { length: 1 });
      return;
    }
    c.pos += name.length;
    this.list(target).push({ kind: 'call', ruleset: name, loc: nameLoc });
    this.continuations(this.list(target));
  }

  private rulesetStatement(params: Params, ok: boolean, loc: SourceLoc, target: Statement[] | null): void {
    const c = this.c;
    const name = params.get('name');
    c.skipWs();
    if (c.peek() !== '{') {
      c.rep.error(E.SYNTAX, 'ruleset() must be followed by `{ … }`', c.loc(), { length: 1 });
      return;
    }
    const open = c.loc();
    c.pos++;
    if (target !== null) c.rep.error(E.SYNTAX, 'ruleset() is only allowed at the top level', loc, { length: 7 });
    const body: Statement[] = [];
    this.statements(body, open);
    if (!ok) return;
    if (typeof name?.value !== 'string' || name.value === '') {
      c.rep.error(E.MISSING_PARAM, 'ruleset() needs name="…"', loc, { length: 7 });
      return;
    }
    const n = name.value;
    if (this.s.declaredRulesets.has(n)) {
      c.rep.error(E.DUPLICATE_RULESET, `ruleset \`${n}\` specified more than once`, name.loc, { length: 4 });
      return;
    }
    this.s.declaredRulesets.add(n);
    const rest: Params = new Map([...params].filter(([k]) => k !== 'name'));
    const existing = this.s.model.rulesets.get(n);
    if (existing) {
      existing.statements.push(...body);
      for (const [k, v] of rest) existing.params.set(k, v);
    } else this.s.model.rulesets.set(n, { name: n, params: rest, statements: body, loc });
  }

  private includeStatement(params: Params, loc: SourceLoc, target: Statement[] | null): void {
    const file = params.get('file')?.value;
    const text = params.get('text')?.value;
    const mode = String(params.get('mode')?.value ?? 'abort-if-missing').toLowerCase();
    if (!['abort-if-missing', 'required', 'optional'].includes(mode)) {
      this.c.rep.error(E.BAD_VALUE, `include mode \`${mode}\` is not one of abort-if-missing, required, optional`,
        params.get('mode')!.loc, { length: 4 });
    }
    if ((typeof file === 'string') === (typeof text === 'string')) {
      this.c.rep.error(E.MISSING_PARAM, 'include() needs exactly one of file="…" or text="…"', loc, { length: 7 });
      return;
    }
    const spec = typeof file === 'string' ? { file, optional: mode === 'optional' } : { text: text as string, optional: false };
    this.s.include(spec, params.get(typeof file === 'string' ? 'file' : 'text')!.loc, 4, target);
  }

  private directiveHost(target: Statement[] | null) {
    const s = this.s;
    return {
      model: s.model,
      rep: s.rep,
      loadModule: (name: string, loc: SourceLoc) => {
        const load = name.replace(/^builtin:/i, '').replace(/\.so$/, '').replace(/^.*\//, '').toLowerCase();
        s.model.modules.push({ load, params: new Map(), loc });
      },
      legacyTemplate: (args: string, loc: SourceLoc, argCol: number) => lowerObject(s, '$template', new Map(), loc, undefined, { args, argCol }),
      include: (path: string, loc: SourceLoc, argCol: number) =>
        s.include({ file: path, optional: /[*?[]/.test(path) }, { ...loc, col: argCol }, path.length, target),
      switchRuleset: (name: string) => {
        if (!s.model.rulesets.has(name)) s.model.rulesets.set(name, { name, params: new Map(), statements: [], loc: this.c.loc() });
        s.currentRuleset = name;
      },
    };
  }
}

export { DEFAULT_RULESET, W };

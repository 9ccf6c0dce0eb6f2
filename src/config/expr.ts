// RainerScript expressions with rsyslog's precedence (grammar/grammar.y): and/or (equal, left to right), comparisons,
// & + -, * / %, then unary not and minus.
import type { BinaryOp, Expr, SourceLoc } from './model';
import type { Cursor } from './cursor';
import { E, W, didYouMean } from './diagnostics';
import { FUNCTIONS, PROPERTIES } from './known';

/** Comparison operators, longest first so `<=` wins over `<`. */
const CMP_SYMBOLS: BinaryOp[] = ['==', '!=', '<>', '<=', '>=', '<', '>'];
const CMP_WORDS: BinaryOp[] = ['contains_i', 'contains', 'startswith_i', 'startswith'];
/** Words that end an expression in statement position. */
const STOP_WORDS = ['then', 'do'];
/** Functions Logwarden has that rsyslogd 8.2302 does not ("function 'toupper' not found": later versions add them). */
const NOT_IN_RSYSLOG_8_2302 = new Set(['toupper', 'cbool']);

/**
 * Offset in `raw` (a double-quoted string as written, quotes included) of the first `$` outside an escape
 * pair, or -1. rsyslog's lexer (grammar/lexer.l) refuses such a string in an expression: "$-sign in double
 * quotes must be escaped"; `"\$"` and 'single quotes' are fine, `"\\$"` is not.
 */
export function unescapedDollar(raw: string): number {
  for (let i = 1; i < raw.length - 1; i++) {
    if (raw[i] === '\\') i++;
    else if (raw[i] === '$') return i;
  }
  return -1;
}

export class ExprParser {
  /** Set when a syntax error made the expression unusable. */
  failed = false;
  /** Nodes written inside `( )`: a parenthesized `(not $x) == 1` is deliberate and not warned about. */
  private readonly parenthesized = new WeakSet<Expr>();

  constructor(private readonly c: Cursor, private readonly readFile: (p: string) => string | null) {}

  parse(): Expr {
    this.failed = false;
    return this.parseOr();
  }

  private err(message: string, at: number, length = 1, hint?: string): Expr {
    if (!this.failed) this.c.rep.error(E.SYNTAX, message, this.c.loc(at), { length, hint });
    this.failed = true;
    return { kind: 'string', value: '', loc: this.c.loc(at) };
  }

  private word(w: string): boolean {
    const save = this.c.pos;
    this.c.skipWs();
    if (!this.c.atWord(w)) {
      this.c.pos = save;
      return false;
    }
    this.c.pos += w.length;
    return true;
  }

  /**
   * `and` and `or` have EQUAL precedence in rsyslog and associate left to right (grammar/grammar.y:
   * `%left AND OR`), so `A or B and C` is `(A or B) and C`. A chain mixing both without parentheses is
   * parsed that way and warned about, since it rarely is what was meant.
   */
  private parseOr(): Expr {
    let left = this.parseCmp();
    const ops = new Set<string>();
    let first: SourceLoc | null = null;
    for (let loc = this.here(); ; loc = this.here()) {
      const op = this.word('or') ? 'or' : this.word('and') ? 'and' : null;
      if (op === null) break;
      first ??= loc;
      ops.add(op);
      left = { kind: 'binary', op, left, right: this.parseCmp(), loc };
    }
    if (ops.size === 2 && first && !this.failed) {
      this.c.rep.warn(W.AND_OR_PRECEDENCE, '`and` and `or` have equal precedence in rsyslog and are applied left to right; '
        + 'this condition is probably not what was meant', first, {
        length: 3, hint: 'add explicit parentheses, e.g. `A or (B and C)` or `(A or B) and C`',
      });
    }
    return left;
  }

  /** Comparisons associate left to right (`%left CMP_EQ …`): `a == b == c` is `(a == b) == c`. */
  private parseCmp(): Expr {
    let left = this.parseAdd();
    for (;;) {
      const save = this.c.pos;
      this.c.skipWs();
      const loc = this.c.loc();
      let op: BinaryOp | undefined = CMP_SYMBOLS.find((s) => this.c.startsWith(s));
      if (op) this.c.pos += op.length;
      else {
        op = CMP_WORDS.find((s) => this.c.atWord(s));
        if (op) this.c.pos += op.length;
      }
      if (!op) {
        this.c.pos = save;
        return left;
      }
      if (left.kind === 'not' && !this.parenthesized.has(left) && !this.failed) {
        this.c.rep.warn(W.NOT_PRECEDENCE, `\`not\` binds tighter than \`${op}\` in rsyslog: this compares the negated `
          + 'value, which is probably not what was meant', left.loc, {
          length: 3, hint: 'write `not (… ' + op + ' …)`, e.g. `not ($msg contains "x")`',
        });
      }
      left = { kind: 'binary', op, left, right: this.parseAdd(), loc };
    }
  }

  private parseAdd(): Expr {
    let left = this.parseMul();
    for (;;) {
      const save = this.c.pos;
      this.c.skipWs();
      const ch = this.c.peek();
      if (ch !== '+' && ch !== '-' && ch !== '&') {
        this.c.pos = save;
        return left;
      }
      const loc = this.c.loc();
      this.c.pos++;
      left = { kind: 'binary', op: ch, left, right: this.parseMul(), loc };
    }
  }

  private parseMul(): Expr {
    let left = this.parseUnary();
    for (;;) {
      const save = this.c.pos;
      this.c.skipWs();
      const ch = this.c.peek();
      if ((ch !== '*' && ch !== '/' && ch !== '%') || this.c.startsWith('/*')) {
        this.c.pos = save;
        return left;
      }
      const loc = this.c.loc();
      this.c.pos++;
      left = { kind: 'binary', op: ch, left, right: this.parseUnary(), loc };
    }
  }

  /** `not` and unary `-` bind tightest (`%nonassoc UMINUS NOT`): `not $msg contains "x"` is `(not $msg) contains "x"`. */
  private parseUnary(): Expr {
    const notLoc = this.here();
    if (this.word('not')) return { kind: 'not', operand: this.parseUnary(), loc: notLoc };
    this.c.skipWs();
    if (this.c.peek() === '-') {
      const loc = this.c.loc();
      this.c.pos++;
      return { kind: 'neg', operand: this.parseUnary(), loc };
    }
    return this.parsePrimary();
  }

  /** Location of the next token, without consuming the blanks before it. */
  private here(): SourceLoc {
    const save = this.c.pos;
    this.c.skipWs();
    const loc = this.c.loc();
    this.c.pos = save;
    return loc;
  }

  private parsePrimary(): Expr {
    const c = this.c;
    c.skipWs();
    const start = c.pos;
    const loc = c.loc();
    const ch = c.peek();
    if (ch === '(') {
      c.pos++;
      const inner = this.parseOr();
      c.skipWs();
      if (c.peek() !== ')') return this.err('expected `)` to close `(`', start, 1, 'add the missing `)`');
      c.pos++;
      this.parenthesized.add(inner);
      return inner;
    }
    if (ch === '"' || ch === "'") {
      const v = c.readQuoted();
      if (v === null) this.failed = true;
      else if (ch === '"') {
        const at = unescapedDollar(c.text.slice(start, c.pos));
        if (at >= 0) {
          c.rep.warn(W.RSYSLOG_REFUSES, 'rsyslogd 8.2302 refuses this config: "$-sign in double quotes must be escaped" '
            + '(a `$` in a double-quoted expression string); Logwarden takes it as text', c.loc(start + at), {
            length: 1, hint: 'write `\\$`, or use \'single quotes\'',
          });
        }
      }
      return { kind: 'string', value: v ?? '', loc };
    }
    if (ch === '`') {
      const v = c.readBacktick(this.readFile);
      return { kind: 'string', value: v ?? '', loc };
    }
    if (ch === '[') return this.parseArray(loc);
    if (ch === '$') return this.parseVar(loc);
    if (/[0-9]/.test(ch)) {
      const n = c.readNumber();
      if (n === null) return this.err('malformed number', start, 1);
      return { kind: 'number', value: n, loc };
    }
    const name = c.readName();
    if (name === null || STOP_WORDS.includes(name.toLowerCase())) {
      c.pos = start;
      const shown = ch === '' ? 'end of file' : ch === '\n' ? 'end of line' : `\`${ch}\``;
      return this.err(`expected an expression, found ${shown}`, start, 1);
    }
    return this.parseCall(name, loc, start);
  }

  private parseArray(loc: SourceLoc): Expr {
    const c = this.c;
    const start = c.pos;
    c.pos++;
    const items: Expr[] = [];
    c.skipWs();
    if (c.peek() === ']') {
      c.pos++;
      return { kind: 'array', items, loc };
    }
    for (;;) {
      items.push(this.parseOr());
      c.skipWs();
      if (c.peek() === ',') c.pos++;
      else if (c.peek() === ']') {
        c.pos++;
        return { kind: 'array', items, loc };
      } else return this.err('expected `,` or `]` in array', start, 1, 'close the array with `]`');
      if (this.failed) return { kind: 'array', items, loc };
    }
  }

  private parseVar(loc: SourceLoc): Expr {
    const c = this.c;
    const start = c.pos;
    const raw = c.readVar() ?? '$';
    const prefix = raw.slice(0, 2);
    if (prefix === '$!' || prefix === '$.' || prefix === '$/') return { kind: 'var', name: raw, loc };
    const prop = raw.startsWith('$$') ? raw.slice(1).toLowerCase() : raw.slice(1).toLowerCase();
    if (!PROPERTIES.has(prop)) {
      c.rep.error(E.BAD_PROPERTY, `invalid property \`${raw}\``, loc, {
        length: c.pos - start, hint: didYouMean(prop, PROPERTIES) ?? 'see the rsyslog property list in docs/config.md',
      });
      this.failed = true;
    }
    return { kind: 'var', name: '$' + prop, loc };
  }

  private parseCall(name: string, loc: SourceLoc, start: number): Expr {
    const c = this.c;
    const fn = name.toLowerCase();
    c.skipWs();
    if (c.peek() !== '(') {
      return this.err(`unexpected word \`${name}\` in expression`, start, name.length,
        'strings must be quoted; variables start with `$`');
    }
    c.pos++;
    if (NOT_IN_RSYSLOG_8_2302.has(fn)) {
      c.rep.warn(W.RSYSLOG_REFUSES, `rsyslogd 8.2302 refuses this config: "function '${name}' not found" `
        + '(later rsyslog versions have it); Logwarden runs it', loc, { length: name.length });
    }
    const args: Expr[] = [];
    c.skipWs();
    if (c.peek() === ')') c.pos++;
    else {
      for (;;) {
        args.push(this.parseOr());
        if (this.failed) break;
        c.skipWs();
        if (c.peek() === ',') c.pos++;
        else if (c.peek() === ')') {
          c.pos++;
          break;
        } else return this.err(`expected \`,\` or \`)\` in call of ${name}()`, c.pos, 1);
      }
    }
    const arity = FUNCTIONS.get(fn);
    if (arity === undefined) {
      c.rep.error(E.UNKNOWN_FUNCTION, `unknown function \`${name}()\``, loc, {
        length: name.length, hint: didYouMean(fn, FUNCTIONS.keys()),
      });
    } else if (args.length < arity[0] || args.length > arity[1]) {
      const want = arity[0] === arity[1] ? `${arity[0]}` : `${arity[0]} to ${arity[1]}`;
      c.rep.error(E.BAD_VALUE, `function ${fn}() takes ${want} argument(s), got ${args.length}`, loc, {
        length: name.length,
      });
    }
    return { kind: 'call', fn, args, loc };
  }
}

// RainerScript expressions: precedence climbing over or/and/not, comparisons, & + -, * / %, unary minus.
import type { BinaryOp, Expr, SourceLoc } from './model';
import type { Cursor } from './cursor';
import { E, didYouMean } from './diagnostics';
import { FUNCTIONS, PROPERTIES } from './known';

/** Comparison operators, longest first so `<=` wins over `<`. */
const CMP_SYMBOLS: BinaryOp[] = ['==', '!=', '<>', '<=', '>=', '<', '>'];
const CMP_WORDS: BinaryOp[] = ['contains_i', 'contains', 'startswith_i', 'startswith'];
/** Words that end an expression in statement position. */
const STOP_WORDS = ['then', 'do'];

export class ExprParser {
  /** Set when a syntax error made the expression unusable. */
  failed = false;

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

  private parseOr(): Expr {
    let left = this.parseAnd();
    for (let loc = this.here(); this.word('or'); loc = this.here()) {
      left = { kind: 'binary', op: 'or', left, right: this.parseAnd(), loc };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    for (let loc = this.here(); this.word('and'); loc = this.here()) {
      left = { kind: 'binary', op: 'and', left, right: this.parseNot(), loc };
    }
    return left;
  }

  private parseNot(): Expr {
    const loc = this.here();
    if (this.word('not')) return { kind: 'not', operand: this.parseNot(), loc };
    return this.parseCmp();
  }

  private parseCmp(): Expr {
    const left = this.parseAdd();
    const save = this.c.pos;
    this.c.skipWs();
    const loc = this.c.loc();
    const sym = CMP_SYMBOLS.find((s) => this.c.startsWith(s));
    if (sym) {
      this.c.pos += sym.length;
      return { kind: 'binary', op: sym, left, right: this.parseAdd(), loc };
    }
    const w = CMP_WORDS.find((s) => this.c.atWord(s));
    if (w) {
      this.c.pos += w.length;
      return { kind: 'binary', op: w, left, right: this.parseAdd(), loc };
    }
    this.c.pos = save;
    return left;
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

  private parseUnary(): Expr {
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
      return inner;
    }
    if (ch === '"' || ch === "'") {
      const v = c.readQuoted();
      if (v === null) this.failed = true;
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

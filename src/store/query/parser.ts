// Query parser: recursive descent over the lexer's tokens into the AST of ./ast.ts. Precedence NOT > AND > OR,
// juxtaposition is AND, time terms (-15m, from:, to:) are hoisted out of the top-level AND chain, and pipes
// (| count by …, | top, | timechart, | sort, | limit) follow the filter. Grammar: docs/query-language.md.
import { parseCidr } from '../ip';
import type { CmpOp, FieldRef, Pipe, Query, QueryNode } from './ast';
import { QueryError } from './errors';
import { facilityValue, parseTimeValue, resolveField, severityValue, spanMicros } from './fields';
import { RELATIVE_TIME, tokenize, type Token } from './lexer';

export interface ParseOptions {
  /** Reference time for relative ranges (default Date.now()). */
  nowMs?: number;
}

/** Time terms live in the parse tree only until they are hoisted into Query.fromUs/toUs. */
type TimeNode = { kind: 'time'; bound: 'from' | 'to'; us: number; pos: number };
type PNode = QueryNode | TimeNode | null; // null: matches everything (`*`)

const OPS: Array<[string, CmpOp]> = [['>=', 'ge'], ['<=', 'le'], ['!=', 'ne'], ['>', 'gt'], ['<', 'lt'], ['=', 'eq']];
const MAX_TOP = 1000;
const MAX_LIMIT = 1_000_000;
const MAX_DEPTH = 64;
/**
 * Search terms per query. SQLite refuses an expression deeper than 1000 (SQLITE_MAX_EXPR_DEPTH) and an OR chain
 * of n terms compiles to depth n: 1,600 terms used to fail in the store (HTTP 500); they now fail here, with a column.
 */
export const MAX_TERMS = 500;
const FIELD_TERM = /^([A-Za-z_][\w.\-@!$]*):(.*)$/s;
/** `json.log_type=login_manager`: a field written with '=' instead of ':' (searched as free text, it finds nothing). */
const EQUALS_TERM = /^([A-Za-z_][\w.\-@$]*?)(!=|>=|<=|==|=|>|<)(.+)$/s;

class Parser {
  private i = 0;
  private depth = 0;
  private terms = 0;
  private readonly toks: Token[];

  constructor(private readonly src: string, private readonly nowMs: number) {
    this.toks = tokenize(src);
  }

  private peek(): Token {
    return this.toks[this.i]!;
  }

  private next(): Token {
    return this.toks[this.i++]!;
  }

  private fail(code: 'LW_ERR_QUERY_SYNTAX' | 'LW_ERR_QUERY_FIELD' | 'LW_ERR_QUERY_VALUE' | 'LW_ERR_QUERY_TIME', what: string, pos: number): never {
    throw new QueryError(code, what, pos, this.src);
  }

  parse(): Query {
    let tree: PNode = null;
    const t = this.peek();
    if (t.t !== 'eof' && t.t !== 'pipe') tree = this.parseOr();
    const pipes: Pipe[] = [];
    while (this.peek().t === 'pipe') {
      this.next();
      pipes.push(this.parsePipe(pipes));
    }
    const end = this.peek();
    if (end.t !== 'eof') this.fail('LW_ERR_QUERY_SYNTAX', end.t === 'rp' ? "unexpected ')'" : `unexpected '${end.text}'`, end.pos);
    const q: Query = { where: null, fromUs: null, toUs: null, pipes, text: this.src };
    q.where = this.hoist(tree, q);
    return q;
  }

  private parseOr(): PNode {
    let left = this.parseAnd();
    while (this.peek().t === 'or') {
      const op = this.next();
      const right = this.parseAnd();
      left = left === null || right === null ? null : { kind: 'or', left: left as QueryNode, right: right as QueryNode, pos: op.pos };
    }
    return left;
  }

  private startsTerm(t: Token): boolean {
    return t.t === 'word' || t.t === 'string' || t.t === 'lp' || t.t === 'not';
  }

  private parseAnd(): PNode {
    let left = this.parseNot();
    for (;;) {
      const t = this.peek();
      if (t.t === 'and') this.next();
      else if (!this.startsTerm(t)) return left;
      const right = this.parseNot();
      if (left === null) left = right;
      else if (right !== null) left = { kind: 'and', left: left as QueryNode, right: right as QueryNode, pos: left.pos };
    }
  }

  private parseNot(): PNode {
    const t = this.peek();
    if (t.t !== 'not') return this.parsePrimary();
    this.next();
    if (++this.depth > MAX_DEPTH) this.fail('LW_ERR_QUERY_SYNTAX', 'query nested too deeply', t.pos);
    const operand = this.parseNot();
    this.depth--;
    if (operand === null) this.fail('LW_ERR_QUERY_SYNTAX', "NOT * matches nothing", t.pos);
    return { kind: 'not', operand: operand as QueryNode, pos: t.pos };
  }

  private parsePrimary(): PNode {
    const t = this.next();
    if ((t.t === 'string' || t.t === 'word') && ++this.terms > MAX_TERMS) {
      this.fail('LW_ERR_QUERY_SYNTAX', `more than ${MAX_TERMS} search terms; narrow the query or use a field with a CIDR or range`, t.pos);
    }
    switch (t.t) {
      case 'lp': {
        if (++this.depth > MAX_DEPTH) this.fail('LW_ERR_QUERY_SYNTAX', 'query nested too deeply', t.pos);
        const inner = this.parseOr();
        this.depth--;
        const close = this.next();
        if (close.t !== 'rp') this.fail('LW_ERR_QUERY_SYNTAX', "expected ')'", close.pos);
        return inner;
      }
      case 'string':
        if (t.text.trim() === '') this.fail('LW_ERR_QUERY_SYNTAX', 'empty phrase', t.pos);
        return { kind: 'text', value: t.text, phrase: true, prefix: false, pos: t.pos };
      case 'word':
        return this.parseWord(t);
      case 'eof':
        return this.fail('LW_ERR_QUERY_SYNTAX', 'expected a search term', t.pos);
      default:
        return this.fail('LW_ERR_QUERY_SYNTAX', `expected a search term, found '${t.text}'`, t.pos);
    }
  }

  private parseWord(t: Token): PNode {
    if (RELATIVE_TIME.test(t.text)) return this.timeNode('from', t.text, t.pos);
    const m = FIELD_TERM.exec(t.text);
    if (m === null) {
      const eq = EQUALS_TERM.exec(t.text);
      if (eq !== null && t.quotedValue === undefined && (resolveField(eq[1]!) !== undefined || eq[1]!.toLowerCase() === 'received')) {
        const op = eq[2] === '=' || eq[2] === '==' ? '' : eq[2];
        this.fail('LW_ERR_QUERY_SYNTAX', `a field takes ':' (use ${eq[1]}:${op}${eq[3]}; quote the text to search it as free text)`, t.pos + eq[1]!.length);
      }
      return this.freeText(t);
    }
    return this.fieldTerm(m[1]!, m[2]!, t);
  }

  private freeText(t: Token): PNode {
    const w = t.text;
    if (w === '*') return null;
    const star = w.indexOf('*');
    if (star >= 0 && star !== w.length - 1) this.fail('LW_ERR_QUERY_SYNTAX', "free-text '*' is only allowed at the end of a word", t.pos + star);
    return { kind: 'text', value: star >= 0 ? w.slice(0, -1) : w, phrase: false, prefix: star >= 0, pos: t.pos };
  }

  private fieldTerm(name: string, rest: string, t: Token): PNode {
    let valuePos = t.pos + name.length + 1;
    let op: CmpOp = 'eq';
    for (const [sym, o] of OPS) {
      if (rest.startsWith(sym)) {
        op = o;
        rest = rest.slice(sym.length);
        valuePos += sym.length;
        break;
      }
    }
    const quoted = t.quotedValue !== undefined;
    const value = quoted ? t.quotedValue! : rest;
    if (quoted && rest !== '') this.fail('LW_ERR_QUERY_SYNTAX', "expected '\"' right after the operator", valuePos);
    if (!quoted && value === '') this.fail('LW_ERR_QUERY_SYNTAX', `expected a value after '${name}:'`, valuePos);
    const lname = name.toLowerCase();
    if (lname === 'from' || lname === 'to') {
      if (op !== 'eq') this.fail('LW_ERR_QUERY_TIME', `${lname}: takes a time, not a comparison`, valuePos);
      return this.timeNode(lname, value, valuePos);
    }
    if (lname === 'received') return this.receivedNode(op, value, quoted, valuePos, t.pos);
    const field = resolveField(name);
    if (field === undefined) {
      this.fail('LW_ERR_QUERY_FIELD', `unknown field '${name}' (fields: host, received, app, severity, facility, msgid, procid, fromhost-ip, msg, json.*, sd.*, kv.*, nginx.*, cee.*, var.*, k8s.*, zeek.*; quote free text containing ':')`, t.pos);
    }
    return this.fieldNode(field, op, value, quoted, t.pos, valuePos);
  }

  private fieldNode(field: FieldRef, op: CmpOp, value: string, quoted: boolean, pos: number, valuePos: number): QueryNode {
    const wild = !quoted && /[*?]/.test(value);
    if (!quoted && value === '*' && op === 'eq') return { kind: 'exists', field, pos };
    if (wild && op !== 'eq' && op !== 'ne') this.fail('LW_ERR_QUERY_VALUE', 'wildcards only work with ":" or ":!="', valuePos);
    if (field.kind === 'column' && (field.name === 'severity' || field.name === 'facility')) {
      const n = field.name === 'severity' ? severityValue(value) : facilityValue(value);
      if (n === undefined || wild) this.fail('LW_ERR_QUERY_VALUE', `'${value}' is not a ${field.name} name or number`, valuePos);
      return { kind: 'field', field, op, value: n, wildcard: false, pos };
    }
    if (field.kind === 'column' && field.name === 'fromhost-ip' && !wild && value.includes('/')) {
      const r = parseCidr(value);
      if (r === null) this.fail('LW_ERR_QUERY_VALUE', `'${value}' is not a CIDR range`, valuePos);
      if (op !== 'eq' && op !== 'ne') this.fail('LW_ERR_QUERY_VALUE', 'a CIDR range takes ":" or ":!="', valuePos);
      const node: QueryNode = { kind: 'cidr', field, cidr: r.cidr, lo: r.lo.toString('hex'), hi: r.hi.toString('hex'), pos };
      return op === 'ne' ? { kind: 'not', operand: node, pos } : node;
    }
    const numeric = op !== 'eq' && op !== 'ne' && field.kind === 'extracted' && /^-?\d+(?:\.\d+)?$/.test(value);
    return { kind: 'field', field, op, value: numeric ? Number(value) : value, wildcard: wild, pos };
  }

  /** `received:>=-5m`: a filter on tsReceived; a bare `received:T` means `>= T`. */
  private receivedNode(op: CmpOp, value: string, quoted: boolean, valuePos: number, pos: number): QueryNode {
    if (op === 'ne' || (quoted && value === '')) this.fail('LW_ERR_QUERY_TIME', 'received: takes <, <=, >, >= or a time (received:>=-5m)', valuePos);
    const us = parseTimeValue(value, this.nowMs);
    if (us === undefined) this.fail('LW_ERR_QUERY_TIME', `'${value}' is not a time (use -15m, now, or RFC 3339)`, valuePos);
    return { kind: 'received', op: op === 'eq' ? 'ge' : op, us, pos };
  }

  private timeNode(bound: 'from' | 'to', text: string, pos: number): TimeNode {
    const us = parseTimeValue(text, this.nowMs);
    if (us === undefined) this.fail('LW_ERR_QUERY_TIME', `'${text}' is not a time (use -15m, now, or RFC 3339)`, pos);
    return { kind: 'time', bound, us, pos };
  }

  /** Move time terms of the top-level AND chain into q; a time term anywhere else is an error. */
  private hoist(n: PNode, q: Query): QueryNode | null {
    if (n === null) return null;
    if (n.kind === 'time') {
      if (n.bound === 'from') q.fromUs = q.fromUs === null ? n.us : Math.max(q.fromUs, n.us);
      else q.toUs = q.toUs === null ? n.us : Math.min(q.toUs, n.us);
      return null;
    }
    if (n.kind === 'and') {
      const l = this.hoist(n.left, q);
      const r = this.hoist(n.right, q);
      return l === null ? r : r === null ? l : { kind: 'and', left: l, right: r, pos: n.pos };
    }
    this.rejectNestedTime(n);
    return n;
  }

  private rejectNestedTime(n: QueryNode | TimeNode): void {
    if (n.kind === 'time') this.fail('LW_ERR_QUERY_TIME', 'a time range cannot be inside OR/NOT', n.pos);
    if (n.kind === 'and' || n.kind === 'or') {
      this.rejectNestedTime(n.left);
      this.rejectNestedTime(n.right);
    } else if (n.kind === 'not') this.rejectNestedTime(n.operand);
  }

  private pipeWord(what: string): Token {
    const t = this.next();
    if (t.t !== 'word') this.fail('LW_ERR_QUERY_SYNTAX', `expected ${what}`, t.pos);
    return t;
  }

  private pipeField(t: Token): FieldRef {
    const f = resolveField(t.text);
    if (f === undefined) this.fail('LW_ERR_QUERY_FIELD', `unknown field '${t.text}'`, t.pos);
    return f;
  }

  private fieldList(): FieldRef[] {
    const out: FieldRef[] = [];
    for (;;) {
      const t = this.pipeWord('a field name');
      let pos = t.pos;
      for (const part of t.text.split(',')) {
        if (part !== '') out.push(this.pipeField({ t: 'word', text: part, pos }));
        pos += part.length + 1;
      }
      if (!t.text.endsWith(',')) {
        const n = this.peek();
        if (n.t === 'word' && n.text.startsWith(',')) continue;
        return out;
      }
    }
  }

  private positiveInt(t: Token, max: number): number {
    if (!/^\d{1,9}$/.test(t.text) || Number(t.text) < 1 || Number(t.text) > max) {
      this.fail('LW_ERR_QUERY_VALUE', `expected a number from 1 to ${max}`, t.pos);
    }
    return Number(t.text);
  }

  private parsePipe(before: Pipe[]): Pipe {
    const t = this.pipeWord("a pipe command (count, top, timechart, sort, limit)");
    const cmd = t.text.toLowerCase();
    const aggregated = before.some((p) => p.kind === 'count' || p.kind === 'top' || p.kind === 'timechart');
    if (aggregated && cmd !== 'limit') this.fail('LW_ERR_QUERY_SYNTAX', `'${cmd}' cannot follow an aggregation`, t.pos);
    const byWord = (): boolean => this.peek().t === 'word' && this.peek().text.toLowerCase() === 'by' && (this.next(), true);
    switch (cmd) {
      case 'count':
        return { kind: 'count', by: byWord() ? this.fieldList() : [], pos: t.pos };
      case 'top': {
        let n = 10;
        if (/^\d+$/.test(this.peek().text)) n = this.positiveInt(this.next(), MAX_TOP);
        return { kind: 'top', n, field: this.pipeField(this.pipeWord('a field name')), pos: t.pos };
      }
      case 'timechart': {
        const s = this.pipeWord('a bucket span such as 1m');
        const bucketUs = spanMicros(s.text);
        if (bucketUs === undefined) this.fail('LW_ERR_QUERY_VALUE', `'${s.text}' is not a span (1s, 5m, 1h, 1d)`, s.pos);
        const by = byWord() ? this.pipeField(this.pipeWord('a field name')) : null;
        return { kind: 'timechart', bucketUs, by, pos: t.pos };
      }
      case 'sort': {
        const o = this.pipeWord("'asc' or 'desc'");
        const order = o.text.toLowerCase();
        if (order !== 'asc' && order !== 'desc') this.fail('LW_ERR_QUERY_SYNTAX', "expected 'asc' or 'desc'", o.pos);
        return { kind: 'sort', order, pos: t.pos };
      }
      case 'limit':
        return { kind: 'limit', n: this.positiveInt(this.pipeWord('a number'), MAX_LIMIT), pos: t.pos };
      default:
        return this.fail('LW_ERR_QUERY_SYNTAX', `unknown pipe command '${t.text}' (count, top, timechart, sort, limit)`, t.pos);
    }
  }
}

/** Parse query text; throws QueryError (code, col, caret()) on bad input. */
export function parseQuery(text: string, opts: ParseOptions = {}): Query {
  return new Parser(text, opts.nowMs ?? Date.now()).parse();
}

// In-memory evaluation of the store's query language (src/store/query/) over one event: the same AST the
// SQLite and ClickHouse backends compile, with the same semantics (see docs/query-language.md), so a rule's
// `query:` matches exactly what `logwarden search` would find. Compiled once per rule into a closure tree.
import { ipToKey } from '../store/ip';
import type { CmpOp, Query, QueryNode } from '../store/query/ast';
import { tokensOf, valueGetter, type DetectEvent } from './event';

export type Predicate = (ev: DetectEvent) => boolean;

const TRUE: Predicate = () => true;

/** Compile a parsed query's filter. Time bounds and pipes have no meaning for a stream and are refused. */
export function compileQuery(q: Query): Predicate {
  if (q.fromUs !== null || q.toUs !== null) throw new Error('time bounds (-15m, from:, to:) have no meaning in a rule; use window:');
  if (q.pipes.length > 0) throw new Error('pipes (| count …) are not allowed in a rule query; use kind: threshold');
  return q.where === null ? TRUE : compileNode(q.where);
}

/**
 * The app names a query requires (`app:sshd …`, `(app:a …) OR (app:b …)`), or null when it can match any app.
 * The engine indexes rules by it, so a message only meets the rules that can match its app.
 */
export function appsOf(n: QueryNode | null): string[] | null {
  if (n === null) return null;
  switch (n.kind) {
    case 'field':
      return n.field.kind === 'column' && n.field.name === 'app' && n.op === 'eq' && !n.wildcard ? [String(n.value)] : null;
    case 'and':
      return appsOf(n.left) ?? appsOf(n.right);
    case 'or': {
      const l = appsOf(n.left);
      const r = appsOf(n.right);
      return l === null || r === null ? null : [...new Set([...l, ...r])];
    }
    default:
      return null;
  }
}

/**
 * The extracted-field path a query cannot match without (`nginx.status:>=500`, `json.a:x OR json.b:y`), or null.
 * The engine asks EventRow.mayHave(path) once for all the rules that need the same prefix, so a message without
 * a JSON payload or an nginx line skips those rules without evaluating them. A negation needs nothing.
 */
export function needsOf(n: QueryNode | null): string | null {
  if (n === null) return null;
  switch (n.kind) {
    case 'field':
      return n.field.kind === 'extracted' && n.op !== 'ne' ? prefixOf(n.field.path) : null;
    case 'exists':
    case 'cidr':
      return n.field.kind === 'extracted' ? prefixOf(n.field.path) : null;
    case 'and':
      return needsOf(n.left) ?? needsOf(n.right);
    case 'or': {
      const l = needsOf(n.left);
      return l !== null && l === needsOf(n.right) ? l : null;
    }
    default:
      return null;
  }
}

/**
 * Literals (regex sources, matched with flags 'iu') of which msg must contain at least one for the query to match;
 * null when no such set is known (the query can match without free text). A free-text term contributes the
 * literal its predicate tests first (textLiteral); an empty list means the query never matches. The engine
 * tests the union of these sets over all the rules a message is shown in one regex, and skips the rules whose
 * set is known absent: a message is scanned once for all the free text of its app's rules, not once per term.
 */
export function literalsOf(n: QueryNode | null): string[] | null {
  if (n === null) return null;
  switch (n.kind) {
    case 'text': {
      const lit = textLiteral(n.value);
      return lit === null ? [] : [lit];
    }
    case 'and': {
      const l = literalsOf(n.left);
      const r = literalsOf(n.right);
      if (l === null || r === null) return l ?? r;
      return r.length < l.length ? r : l;
    }
    case 'or': {
      const l = literalsOf(n.left);
      const r = literalsOf(n.right);
      return l === null || r === null ? null : [...new Set([...l, ...r])];
    }
    default:
      return null;
  }
}

function prefixOf(path: string): string {
  const dot = path.indexOf('.');
  return dot < 0 ? path : path.slice(0, dot + 1);
}

export function globToRegExp(glob: string, flags = ''): RegExp {
  const re = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${re}$`, flags);
}

function cmp(a: number | string, op: CmpOp, b: number | string): boolean {
  switch (op) {
    case 'eq': return a === b;
    case 'ne': return a !== b;
    case 'lt': return a < b;
    case 'le': return a <= b;
    case 'gt': return a > b;
    case 'ge': return a >= b;
  }
}

function isNumericText(s: string): boolean {
  return /^-?\d+(?:\.\d+)?$/.test(s) && s.length < 16;
}

/**
 * Free text as the FTS5 unicode61 tokenizer sees it: case-folded runs of letters and digits. A word or phrase
 * matches when its tokens appear adjacent and whole (the last one only as a prefix for `word*`). Compiled to
 * one regex with letter/digit boundaries, after a cheap substring test of the longest token.
 */
const WORD_CHAR = '[\\p{L}\\p{N}]';
/**
 * Text predicates by their tokens: rules that search the same words (three sshd rules look for "failed
 * password") share one predicate, and it remembers its answer for the last event, so a message is scanned for
 * a phrase once, not once per rule. Bounded: cleared when it grows past TEXT_CACHE_MAX phrases.
 */
const textCache = new Map<string, Predicate>();
const TEXT_CACHE_MAX = 4096;

function escapeToken(w: string): string {
  return w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The longest token of a free-text term as a regex source (flags 'iu'): a necessary condition of the term's
 * full regex (same flags), tested on msg as it is, without lower-casing the whole message first. Null: no token.
 */
export function textLiteral(value: string): string | null {
  const want = tokensOf(value);
  if (want.length === 0) return null;
  return escapeToken(want.reduce((a, b) => (b.length > a.length ? b : a)));
}

function compileText(n: Extract<QueryNode, { kind: 'text' }>): Predicate {
  const want = tokensOf(n.value);
  const lit = textLiteral(n.value);
  if (lit === null) return () => false;
  const id = `${n.prefix ? '*' : '='}${want.join(' ')}`;
  const known = textCache.get(id);
  if (known !== undefined) return known;
  const re = new RegExp(`(?<!${WORD_CHAR})${want.map(escapeToken).join(`(?:(?!${WORD_CHAR})[\\s\\S])+`)}${n.prefix ? '' : `(?!${WORD_CHAR})`}`, 'iu');
  const pre = new RegExp(lit, 'iu');
  let lastSerial = -1;
  let lastHit = false;
  const p: Predicate = (ev) => {
    const serial = ev.row.serial as number | undefined; // undefined: a hand-made row (bench, tests): no memo
    if (serial !== lastSerial || serial === undefined) {
      const text = ev.row.msg;
      lastHit = pre.test(text) && re.test(text);
      lastSerial = serial ?? -1;
    }
    return lastHit;
  };
  if (textCache.size >= TEXT_CACHE_MAX) textCache.clear();
  textCache.set(id, p);
  return p;
}

function compileField(n: Extract<QueryNode, { kind: 'field' }>): Predicate {
  const f = n.field;
  const get = valueGetter(f);
  const op = n.op;
  if (n.wildcard && n.value === '*') {
    // `field:*`: present (with any value, the empty one included, as the glob would match it)
    const present: Predicate = (ev) => get(ev) !== undefined;
    return op === 'ne' ? (ev) => !present(ev) : present;
  }
  if (n.wildcard) {
    const re = globToRegExp(String(n.value));
    const hit: Predicate = (ev) => {
      const v = get(ev);
      return v !== undefined && re.test(String(v));
    };
    return op === 'ne' ? (ev) => !hit(ev) : hit;
  }
  const want = n.value;
  if (f.kind === 'column') {
    return (ev) => {
      const v = get(ev);
      if (v === undefined) return false;
      return cmp(typeof want === 'number' ? Number(v) : String(v), op, want);
    };
  }
  if (typeof want === 'number') {
    return (ev) => {
      const v = get(ev);
      if (v === undefined || typeof v === 'boolean') return false;
      const num = typeof v === 'number' ? v : isNumericText(v) ? Number(v) : NaN;
      return !Number.isNaN(num) && cmp(num, op, want);
    };
  }
  const eqNum = (op === 'eq' || op === 'ne') && isNumericText(want) ? Number(want) : undefined;
  const eq = (v: unknown): boolean => v === want || (eqNum !== undefined && v === eqNum) || (typeof v === 'boolean' && String(v) === want);
  if (op === 'eq') return (ev) => eq(get(ev));
  if (op === 'ne') return (ev) => !eq(get(ev));
  return (ev) => {
    const v = get(ev);
    return typeof v === 'string' && cmp(v, op, want);
  };
}

function compileNode(n: QueryNode): Predicate {
  switch (n.kind) {
    case 'text':
      return compileText(n);
    case 'field':
      return compileField(n);
    case 'exists': {
      const get = valueGetter(n.field);
      return (ev) => {
        const v = get(ev);
        if (v === undefined) return false;
        return n.field.kind === 'extracted' ? v !== '' : v !== '-' && v !== '';
      };
    }
    case 'cidr': {
      const get = valueGetter(n.field);
      const lo = Buffer.from(n.lo, 'hex');
      const hi = Buffer.from(n.hi, 'hex');
      return (ev) => {
        const v = get(ev);
        const k = v === undefined ? null : ipToKey(String(v));
        return k !== null && Buffer.compare(k, lo) >= 0 && Buffer.compare(k, hi) <= 0;
      };
    }
    case 'received': {
      const { op, us } = n;
      return (ev) => cmp(ev.msg.timegenerated.toEpochMicros(), op, us);
    }
    case 'not': {
      const inner = compileNode(n.operand);
      return (ev) => !inner(ev);
    }
    case 'and': {
      const l = compileNode(n.left);
      const r = compileNode(n.right);
      return (ev) => l(ev) && r(ev);
    }
    case 'or': {
      const l = compileNode(n.left);
      const r = compileNode(n.right);
      return (ev) => l(ev) || r(ev);
    }
  }
}

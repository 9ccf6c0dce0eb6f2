// Sigma condition expressions (sigma-specification, "Condition"): identifiers (with * wildcards), and, or,
// not, parentheses, `1 of X*`, `all of X*`, `1 of them`, `all of them`; and the legacy aggregation tail
// `| count([field]) [by field] > N`. Precedence: not > and > or. Unsupported parts come back as reasons.

export type Cond =
  | { kind: 'id'; name: string }
  | { kind: 'of'; quantifier: 'one' | 'all'; pattern: string }
  | { kind: 'and' | 'or'; left: Cond; right: Cond }
  | { kind: 'not'; operand: Cond };

export interface Aggregation {
  field: string | null;
  by: string | null;
  op: '>' | '>=';
  n: number;
}

export class ConditionError extends Error {}

const TOKEN = /\s*(\(|\)|[A-Za-z0-9_*.\-]+)/y;

function tokenize(text: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    TOKEN.lastIndex = pos;
    m = TOKEN.exec(text);
    if (m === null) throw new ConditionError(`unexpected "${text.slice(pos).trim()[0]}" in condition at col ${pos + 1}`);
    out.push(m[1]!);
    pos = TOKEN.lastIndex;
  }
  return out;
}

export function parseCondition(text: string): { cond: Cond; agg: Aggregation | null } {
  const bar = text.indexOf('|');
  const expr = bar < 0 ? text : text.slice(0, bar);
  const agg = bar < 0 ? null : parseAggregation(text.slice(bar + 1));
  const toks = tokenize(expr);
  let i = 0;
  const peek = (): string | undefined => toks[i];
  const lower = (): string | undefined => toks[i]?.toLowerCase();
  const parseOr = (): Cond => {
    let left = parseAnd();
    while (lower() === 'or') {
      i++;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): Cond => {
    let left = parseNot();
    while (lower() === 'and') {
      i++;
      left = { kind: 'and', left, right: parseNot() };
    }
    return left;
  };
  const parseNot = (): Cond => {
    if (lower() === 'not') {
      i++;
      return { kind: 'not', operand: parseNot() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): Cond => {
    const t = peek();
    if (t === undefined) throw new ConditionError('condition ends where an identifier was expected');
    if (t === '(') {
      i++;
      const inner = parseOr();
      if (peek() !== ')') throw new ConditionError("missing ')' in condition");
      i++;
      return inner;
    }
    const tl = t.toLowerCase();
    if ((tl === '1' || tl === 'all' || tl === 'any') && toks[i + 1]?.toLowerCase() === 'of') {
      i += 2;
      const target = peek();
      if (target === undefined || target === '(' || target === ')') throw new ConditionError(`"${t} of" needs a name pattern or "them"`);
      i++;
      return { kind: 'of', quantifier: tl === 'all' ? 'all' : 'one', pattern: target };
    }
    if (/^\d+$/.test(tl) && toks[i + 1]?.toLowerCase() === 'of') throw new ConditionError(`"${t} of" is not supported (only "1 of" and "all of")`);
    if (tl === 'near') throw new ConditionError('"near" (temporal proximity) is not supported');
    if (['and', 'or', 'not', ')'].includes(tl)) throw new ConditionError(`unexpected "${t}" in condition`);
    i++;
    return { kind: 'id', name: t };
  };
  const cond = parseOr();
  if (i < toks.length) throw new ConditionError(`unexpected "${toks[i]}" in condition`);
  return { cond, agg };
}

function parseAggregation(text: string): Aggregation {
  const t = text.trim();
  if (/^near\b/i.test(t)) throw new ConditionError('"near" aggregations are not supported');
  const fn = /^(\w+)\s*\(/.exec(t)?.[1]?.toLowerCase();
  if (fn !== undefined && fn !== 'count') throw new ConditionError(`aggregation ${fn}() is not supported (only count())`);
  const m = /^count\(\s*([\w.\-]*)\s*\)\s*(?:by\s+([\w.\-]+)\s*)?(>=|>|<=|<|==|=)\s*(\d+)$/i.exec(t);
  if (m === null) {
    if (/^count\(.*\)\s*by\s+[\w.\-]+\s*,/i.test(t)) throw new ConditionError('count() by several fields is not supported');
    throw new ConditionError(`aggregation "${t}" is not understood (expected: count([field]) [by field] > N)`);
  }
  const op = m[3]!;
  if (op !== '>' && op !== '>=') throw new ConditionError(`aggregation comparison "${op}" is not supported (only > and >=: a stream can say when a count is reached, not when it stays low)`);
  return { field: m[1] || null, by: m[2] ?? null, op, n: Number(m[4]) };
}

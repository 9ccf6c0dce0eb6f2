// RainerScript expressions compiled once into closures with rsyslog's typing rules (grammar/rainerscript.c
// cnfexprEval): comparisons pick numeric or string order from the operand types, `and`/`or` short-circuit.
import type { BinaryOp, Expr, SourceLoc } from '../config/model';
import type { Message } from '../message';
import { compileProperty } from '../templates/properties';
import { RuleError } from './errors';
import { compileFunction, type ExprContext } from './functions';
import { prifiltFromComparison } from './prifilt';
import {
  convertsToNumber, fromJson, JsonValue, strCompare, strToNum, toInt, toStr, truthy, type Value,
} from './values';
import { add, div, mod, mul, neg, saturate, sub } from './int64';
import { getVar, parseVarRef } from './vars';

export type CompiledExpr = (msg: Message) => Value;
export type { ExprContext };

/** Compile an expression; unknown properties and functions are compile errors with their place. */
export function compileExpr(e: Expr, ctx: ExprContext): CompiledExpr {
  switch (e.kind) {
    case 'string': { const v = e.value; return () => v; }
    case 'number': { const v = saturate(e.value); return () => v; }
    // an array used as a value is its first element (cnfexprEval case 'A')
    case 'array': {
      if (e.items.length === 0) throw new RuleError('LW_ERR_RULES_ARRAY', 'empty array', e.loc);
      return compileExpr(e.items[0], ctx);
    }
    case 'var': return compileVar(e.name, e.loc, ctx);
    case 'not': { const f = compileExpr(e.operand, ctx); return (m) => (truthy(f(m)) ? 0 : 1); }
    case 'neg': { const f = compileExpr(e.operand, ctx); return (m) => neg(toInt(f(m))); }
    case 'call': return compileFunction(e.fn, e.args, e.loc, ctx, compileExpr);
    case 'binary': return compileBinary(e.op, e.left, e.right, e.loc, ctx);
    default: throw new RuleError('LW_ERR_RULES_EXPR', `unknown expression kind "${(e as { kind: string }).kind}"`, (e as { loc?: SourceLoc }).loc);
  }
}

/** `$msg`, `$!a!b`, `$.x`, `$/g`, `$$now`: JSON variables keep their type; properties are strings. */
export function compileVar(name: string, loc: SourceLoc, ctx: ExprContext): CompiledExpr {
  const ref = parseVarRef(name, loc);
  if (ref) {
    const g = ctx.globals;
    return (m) => fromJson(getVar(m, ref, g));
  }
  const prop = name.startsWith('$') ? name.slice(1) : name;
  const get = compileProperty(prop);
  if (!get) throw new RuleError('LW_ERR_RULES_PROPERTY', `unknown property "${name}"`, loc);
  return get;
}

/** A constant array on the right of a comparison: the string list, for "any of" semantics. */
function constArray(e: Expr): string[] | null {
  if (e.kind !== 'array') return null;
  return e.items.map((i) => (i.kind === 'string' ? i.value : i.kind === 'number' ? String(i.value) : ''));
}

function compileBinary(op: BinaryOp, left: Expr, right: Expr, loc: SourceLoc, ctx: ExprContext): CompiledExpr {
  // rsyslog's optimizer swaps a constant array to the right of ==/!= (cnfexprOptimize)
  if ((op === '==' || op === '!=' || op === '<>') && left.kind === 'array' && right.kind !== 'array') {
    [left, right] = [right, left];
  }
  const pri = prifiltFromComparison(op, left, right);
  if (pri) return pri;
  const l = compileExpr(left, ctx);
  const arr = constArray(right);
  switch (op) {
    case 'or': { const r = compileExpr(right, ctx); return (m) => (truthy(l(m)) || truthy(r(m)) ? 1 : 0); }
    case 'and': { const r = compileExpr(right, ctx); return (m) => (truthy(l(m)) && truthy(r(m)) ? 1 : 0); }
    case '==': case '!=': case '<>': {
      const ne = op !== '==';
      if (arr) { const set = new Set(arr); return (m) => ((set.has(toStr(l(m))) !== ne) ? 1 : 0); }
      const r = compileExpr(right, ctx);
      const rightIsLiteralString = right.kind === 'string';
      return (m) => (equals(l(m), r(m), rightIsLiteralString) !== ne ? 1 : 0);
    }
    case '<': case '<=': case '>': case '>=': {
      const r = compileExpr(right, ctx);
      const test = ORDER_TESTS[op];
      return (m) => (test(order(l(m), r(m))) ? 1 : 0);
    }
    case 'contains': case 'contains_i': case 'startswith': case 'startswith_i': case 'endswith': {
      const test = STRING_TESTS[op];
      if (arr) {
        const list = op.endsWith('_i') ? arr.map((s) => s.toLowerCase()) : arr;
        return (m) => { const s = toStr(l(m)); for (const x of list) if (test(s, x)) return 1; return 0; };
      }
      const r = compileExpr(right, ctx);
      return (m) => (test(toStr(l(m)), toStr(r(m))) ? 1 : 0);
    }
    case '&': {
      const r = arr ? (() => arr[0]) : compileExpr(right, ctx);
      return (m) => toStr(l(m)) + toStr(r(m));
    }
    // int64 arithmetic that wraps around as rsyslog's C does; / and % by zero give 0 (COMP_NUM_BINOP_DIV)
    case '+': { const r = compileExpr(right, ctx); return (m) => add(toInt(l(m)), toInt(r(m))); }
    case '-': { const r = compileExpr(right, ctx); return (m) => sub(toInt(l(m)), toInt(r(m))); }
    case '*': { const r = compileExpr(right, ctx); return (m) => mul(toInt(l(m)), toInt(r(m))); }
    case '/': { const r = compileExpr(right, ctx); return (m) => { const a = toInt(l(m)); return div(a, toInt(r(m))); }; }
    case '%': { const r = compileExpr(right, ctx); return (m) => { const a = toInt(l(m)); return mod(a, toInt(r(m))); }; }
    default: throw new RuleError('LW_ERR_RULES_OPERATOR', `unknown operator "${String(op)}"`, loc);
  }
}

/**
 * `==` as rsyslog evaluates it (CMP_EQ): a string left side compares as a string against a string right side;
 * otherwise numbers are compared when the string side is all digits, strings when it is not.
 */
export function equals(a: Value, b: Value, rightIsLiteralString = false): boolean {
  if (typeof a === 'number' || typeof a === 'bigint') {
    if (typeof b === 'string') {
      const c = strToNum(b);
      return c.ok ? a === c.n : strCompare(b, toStr(a)) === 0;
    }
    return a === toInt(b);
  }
  const ls = toStr(a); // 'S' as is, 'J' via its text
  if (rightIsLiteralString || typeof b === 'string') return ls === b;
  const c = typeof a === 'string' ? strToNum(a) : { n: toInt(a), ok: true };
  return c.ok ? c.n === toInt(b) : ls === toStr(b);
}

/**
 * Order for < <= > >= (eval_strcmp_like): numeric when both sides convert to numbers, else byte order.
 * rsyslog stores the int64 difference in an int, which misorders numbers 2^31 apart; we compare exactly.
 */
export function order(a: Value, b: Value): number {
  if (convertsToNumber(a) && convertsToNumber(b)) {
    const x = toInt(a);
    const y = toInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return strCompare(toStr(a), toStr(b));
}

const ORDER_TESTS: Record<'<' | '<=' | '>' | '>=', (c: number) => boolean> = {
  '<': (c) => c < 0, '<=': (c) => c <= 0, '>': (c) => c > 0, '>=': (c) => c >= 0,
};

/** Byte-wise ASCII case folding, as es_strncasecmp / es_strCaseContains do. */
const asciiLower = (s: string): string => s.replace(/[A-Z]+/g, (x) => x.toLowerCase());

const STRING_TESTS: Record<'contains' | 'contains_i' | 'startswith' | 'startswith_i' | 'endswith', (s: string, x: string) => boolean> = {
  contains: (s, x) => s.includes(x),
  contains_i: (s, x) => asciiLower(s).includes(asciiLower(x)),
  startswith: (s, x) => s.startsWith(x),
  startswith_i: (s, x) => asciiLower(s).startsWith(asciiLower(x)),
  endswith: (s, x) => s.endsWith(x),
};

/** Evaluate a compiled condition as rsyslog's cnfexprEvalBool does. */
export function asCondition(f: CompiledExpr): (m: Message) => boolean {
  return (m) => truthy(f(m));
}

export { JsonValue };

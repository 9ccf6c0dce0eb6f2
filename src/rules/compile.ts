// Rulesets compiled once into closures: statement order, if/else, filters, set/unset/foreach, call,
// call_indirect and stop, with rsyslog's flow rules (runtime/ruleset.c scriptExec): `stop` — and an omdiscard
// action (legacy `~`) — ends the message's processing everywhere, including in the rulesets that called it.
import { DEFAULT_RULESET, getParam, type ActionDecl, type ConfigModel, type RulesetDecl, type Statement } from '../config/model';
import type { Message } from '../message';
import { RuleError } from './errors';
import { asCondition, compileExpr, type ExprContext } from './expr';
import { compilePropertyFilter } from './property-filter';
import { buildMask, maskIsAll } from './selector';
import { deepCopy, JsonValue, toJsonNode, toStr } from './values';
import { getVar, parseVarRef, setVar, unsetVar } from './vars';

export { RuleError } from './errors';

export interface ActionBinder {
  /** Called once per action statement at compile time; the returned function enqueues one message. */
  action(decl: ActionDecl, rulesetName: string): (msg: Message) => void;
}

export interface CompiledRulesets {
  /** Run a message through a ruleset (unknown names run the default ruleset, as rsyslog does for unbound input). */
  run(rulesetName: string, msg: Message): void;
  has(name: string): boolean;
  names(): string[];
}

/** rsyslog's RULESET_CALL_DEPTH_MAX: deeper calls are ignored (and logged there) to stop runaway recursion. */
export const CALL_DEPTH_MAX = 1024;

/** A compiled statement: returns true when processing of the message must stop (stop / discard). */
type Exec = (msg: Message) => boolean;

interface Ruleset {
  name: string;
  /** A ruleset with its own queue runs called messages on a copy, so its `stop` does not reach the caller. */
  queued: boolean;
  body: Exec;
}

export interface CompileOptions {
  /** NOT rsyslog: a lone negated selector (`mail.!=info`) starts from all severities; see MaskOptions. */
  negationFromAll?: boolean;
}

interface Compiler {
  opts: CompileOptions;
  ctx: ExprContext;
  bind: ActionBinder;
  rulesets: Map<string, Ruleset>;
  depth: { n: number };
}

const STOP_TYPES = new Set(['omdiscard', 'discard']);

/** Compile every ruleset of the model. Throws RuleError (with file:line:col) on the first invalid construct. */
export function compileRulesets(model: ConfigModel, bind: ActionBinder, opts: CompileOptions = {}): CompiledRulesets {
  const c: Compiler = {
    opts,
    ctx: { globals: { root: null }, state: { scriptErrno: 0, prevSuspended: 0 } },
    bind,
    rulesets: new Map(),
    depth: { n: 0 },
  };
  // declare first so `call` can refer to rulesets defined later in the file
  const decls = [...model.rulesets.values()];
  if (!model.rulesets.has(DEFAULT_RULESET)) decls.unshift({ name: DEFAULT_RULESET, params: new Map(), statements: [], loc: { file: model.files[0] ?? '<config>', line: 1, col: 1 } });
  for (const d of decls) c.rulesets.set(d.name, { name: d.name, queued: hasOwnQueue(d), body: () => false });
  for (const d of decls) c.rulesets.get(d.name)!.body = seq(d.statements, d.name, c);
  const dflt = c.rulesets.get(DEFAULT_RULESET)!;
  return {
    run(name, msg) {
      const rs = c.rulesets.get(name) ?? dflt;
      c.depth.n = 0;
      rs.body(msg);
    },
    has: (name) => c.rulesets.has(name),
    names: () => [...c.rulesets.keys()],
  };
}

/** `ruleset(queue.type=...)` other than Direct gives the ruleset its own queue (rsyslog rulesetHasQueue). */
function hasOwnQueue(d: RulesetDecl): boolean {
  const t = getParam(d.params, 'queue.type');
  return t !== undefined && String(t.value).toLowerCase() !== 'direct';
}

/** A statement list: runs in order, stops at the first statement asking to stop. */
function seq(list: Statement[], rs: string, c: Compiler): Exec {
  const execs = list.map((s) => stmt(s, rs, c));
  if (execs.length === 0) return () => false;
  if (execs.length === 1) return execs[0];
  return (m) => {
    for (let i = 0; i < execs.length; i++) if (execs[i](m)) return true;
    return false;
  };
}

function stmt(s: Statement, rs: string, c: Compiler): Exec {
  switch (s.kind) {
    case 'action': {
      if (STOP_TYPES.has(s.action.type.toLowerCase())) return () => true; // rsyslog rewrites omdiscard to STOP
      const enqueue = c.bind.action(s.action, rs);
      return (m) => { enqueue(m); return false; };
    }
    case 'stop': return () => true;
    case 'filter': return filterStmt(s, rs, c);
    case 'if': {
      const cond = asCondition(compileExpr(s.cond, c.ctx));
      const then = seq(s.then, rs, c);
      const other = s.else ? seq(s.else, rs, c) : null;
      return other ? (m) => (cond(m) ? then(m) : other(m)) : (m) => (cond(m) ? then(m) : false);
    }
    case 'call': {
      const target = c.rulesets.get(s.ruleset);
      if (!target) throw new RuleError('LW_ERR_RULES_UNKNOWN_RULESET', `call: ruleset "${s.ruleset}" is not defined`, s.loc);
      return (m) => callRuleset(target, m, c);
    }
    case 'call_indirect': {
      const name = compileExpr(s.expr, c.ctx);
      return (m) => {
        const target = c.rulesets.get(toStr(name(m)));
        return target ? callRuleset(target, m, c) : false; // rsyslog: unknown ruleset is a NOP (logged)
      };
    }
    case 'set': {
      const ref = parseVarRef(s.variable, s.loc);
      if (!ref) throw new RuleError('LW_ERR_RULES_VARIABLE', `set: "${s.variable}" is not a $!, $. or $/ variable`, s.loc);
      const val = compileExpr(s.expr, c.ctx);
      const g = c.ctx.globals;
      return (m) => { setVar(m, ref, toJsonNode(val(m)), g); return false; };
    }
    case 'unset': {
      const ref = parseVarRef(s.variable, s.loc);
      if (!ref) throw new RuleError('LW_ERR_RULES_VARIABLE', `unset: "${s.variable}" is not a $!, $. or $/ variable`, s.loc);
      const g = c.ctx.globals;
      return (m) => { unsetVar(m, ref, g); return false; };
    }
    case 'foreach': return foreachStmt(s, rs, c);
    default:
      throw new RuleError('LW_ERR_RULES_STATEMENT', `unknown statement "${(s as { kind: string }).kind}"`, (s as Statement).loc);
  }
}

function filterStmt(s: Extract<Statement, { kind: 'filter' }>, rs: string, c: Compiler): Exec {
  const body = seq(s.body, rs, c);
  const f = s.filter;
  switch (f.kind) {
    case 'selector': {
      const mask = buildMask(f.terms, { negationFromAll: c.opts.negationFromAll === true });
      if (maskIsAll(mask)) return body; // rsyslog removes an always-true PRI filter
      return (m) => {
        const b = mask[m.facility];
        return b !== undefined && ((b >> m.severity) & 1) === 1 ? body(m) : false;
      };
    }
    case 'property': {
      const test = compilePropertyFilter(f, c.ctx.globals);
      return (m) => (test(m) ? body(m) : false);
    }
    case 'expr': {
      const cond = asCondition(compileExpr(f.expr, c.ctx));
      return (m) => (cond(m) ? body(m) : false);
    }
    default:
      throw new RuleError('LW_ERR_RULES_FILTER', `unknown filter kind "${(f as { kind: string }).kind}"`, s.loc);
  }
}

/** Synchronous call: a stop inside ends the caller too. A queued ruleset gets a copy and cannot stop the caller. */
function callRuleset(target: Ruleset, m: Message, c: Compiler): boolean {
  if (c.depth.n >= CALL_DEPTH_MAX) return false;
  c.depth.n++;
  try {
    if (target.queued) {
      target.body(copyMessage(m));
      return false;
    }
    return target.body(m);
  } finally {
    c.depth.n--;
  }
}

/** rsyslog MsgDup for a call into a queued ruleset: same fields, own variable trees. */
function copyMessage(m: Message): Message {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(m) as object) as Message, m);
  copy.json = m.json === null ? null : (deepCopy(m.json) as Record<string, unknown>);
  copy.local = m.local === null ? null : (deepCopy(m.local) as Record<string, unknown>);
  return copy;
}

/** foreach over a JSON array (elements) or object ({"key","value"} pairs); the loop variable is unset after. */
function foreachStmt(s: Extract<Statement, { kind: 'foreach' }>, rs: string, c: Compiler): Exec {
  const ref = parseVarRef(s.variable, s.loc);
  if (!ref) throw new RuleError('LW_ERR_RULES_VARIABLE', `foreach: "${s.variable}" is not a $!, $. or $/ variable`, s.loc);
  const iter = compileExpr(s.iterable, c.ctx);
  const body = seq(s.body, rs, c);
  const g = c.ctx.globals;
  return (m) => {
    const v = iter(m);
    if (!(v instanceof JsonValue)) return false; // only JSON containers are iterated
    const node = v.node;
    const items: unknown[] = Array.isArray(node)
      ? node.slice()
      : node !== null && typeof node === 'object'
        ? Object.entries(node as Record<string, unknown>).map(([key, value]) => ({ key, value }))
        : [];
    if (items.length === 0) return false;
    for (const it of items) {
      unsetVar(m, ref, g); // the loop variable is replaced, never merged
      setVar(m, ref, deepCopy(it), g);
      if (body(m)) return true;
    }
    unsetVar(m, ref, g);
    return false;
  };
}

export { getVar };

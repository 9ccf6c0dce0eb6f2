// Rulesets compiled once into closures: statement order, if/else, filters, set/unset/foreach, call,
// call_indirect and stop, with rsyslog's flow rules (runtime/ruleset.c scriptExec): `stop` — and an omdiscard
// action (legacy `~`) — ends the message's processing everywhere, including in the rulesets that called it.
import { DEFAULT_RULESET, getParam, parserChain, rulesetParsers, type ActionDecl, type ConfigModel, type RulesetDecl, type Statement } from '../config/model';
import { globalVarsAt, parseSucceeded, type Message } from '../message';
import { RuleError } from './errors';
import { asCondition, compileExpr, type ExprContext } from './expr';
import { compilePropertyFilter } from './property-filter';
import { buildMask, maskIsAll } from './selector';
import { deepCopy, JsonValue, toJsonNode, toStr } from './values';
import { JsonNumber } from '../util/json-number';
import { getVar, parseVarRef, setVar, unsetVar } from './vars';
import { findModifier } from './modifiers';
import { LOOKUP_ERROR, LookupTables, type LookupLog } from './lookup';
import { compileExecGate, execGateOptions } from './exec-gate';

export { RuleError } from './errors';

/**
 * What the binder returns for one action: a function that enqueues one message, optionally with
 * `isSuspended()` — true while the action is suspended (its queue is retrying after a failure). The rules use it
 * for `action.execOnlyWhenPreviousIsSuspended` (rsyslog's failover recipe: `& @@backup` after
 * `$ActionExecOnlyWhenPreviousIsSuspended on`). Without the hook the previous action counts as never suspended,
 * so a failover action never runs.
 */
export type BoundAction = ((msg: Message) => void) & { isSuspended?: () => boolean };

export interface ActionBinder {
  /** Called once per action statement at compile time; the returned function enqueues one message. */
  action(decl: ActionDecl, rulesetName: string): BoundAction;
}

export interface CompiledRulesets {
  /** Run a message through a ruleset (unknown names run the default ruleset, as rsyslog does for unbound input). */
  run(rulesetName: string, msg: Message): void;
  has(name: string): boolean;
  names(): string[];
  /** The lookup tables the rules use (loaded at compile time). */
  lookups: LookupTables;
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
  /** Compiled templates by lower-case name, for exec_template(). */
  templates?: ExprContext['templates'];
  /** Where background lookup-table reloads report (reload_lookup_table); none: silent. */
  lookupLog?: LookupLog;
  /** The tables of the configuration being replaced: a reloadOnHUP="off" table keeps its contents. */
  previousLookups?: LookupTables;
}

interface Compiler {
  model: ConfigModel;
  /** Per ruleset: may running it write a variable (set/unset/reset/foreach/mmjsonparse)? Filled lazily. */
  writes: Map<string, boolean>;
  /** Some ruleset is called (call/call_indirect) and some statement writes variables. */
  calledAndWrites: boolean;
  /** Some modifier edits fields other than variables (msg): an action before one hands its queue a copy. */
  changesFields: boolean;
  /** Some statement writes a `$/` global: each action then gets the globals as they are when it runs. */
  writesGlobals: boolean;
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
    model,
    writes: new Map(),
    calledAndWrites: false,
    changesFields: false,
    writesGlobals: false,
    opts,
    ctx: { globals: { root: null }, state: { scriptErrno: 0, prevSuspended: 0 }, templates: opts.templates, lookups: LookupTables.load(model, opts.lookupLog, opts.previousLookups), dynStats: model.dynStats },
    bind,
    rulesets: new Map(),
    depth: { n: 0 },
  };
  // declare first so `call` can refer to rulesets defined later in the file
  const decls = [...model.rulesets.values()];
  if (!model.rulesets.has(DEFAULT_RULESET)) decls.unshift({ name: DEFAULT_RULESET, params: new Map(), statements: [], loc: { file: model.files[0] ?? '<config>', line: 1, col: 1 } });
  for (const d of decls) c.rulesets.set(d.name, { name: d.name, queued: hasOwnQueue(d), body: () => false });
  c.changesFields = decls.some((d) => d.statements.some((st) => changesFields(st)));
  c.writesGlobals = decls.some((d) => d.statements.some((st) => writesGlobal(st)));
  c.calledAndWrites = decls.some((d) => d.statements.some((st) => hasCall(st))) && decls.some((d) => rulesetWrites(d.name, c));
  // a called ruleset's caller may write after the call: its actions then hand the queue a snapshot too
  for (const d of decls) c.rulesets.get(d.name)!.body = onlyRfc5424(d, seq(d.statements, d.name, c, c.calledAndWrites), model);
  const dflt = c.rulesets.get(DEFAULT_RULESET)!;
  return {
    run(name, msg) {
      const rs = c.rulesets.get(name) ?? dflt;
      c.depth.n = 0;
      rs.body(msg);
    },
    has: (name) => c.rulesets.has(name),
    names: () => [...c.rulesets.keys()],
    lookups: c.ctx.lookups!,
  };
}

/**
 * `ruleset(parser=["rsyslog.rfc5424"])`: a frame the RFC 5424 parser cannot take is discarded (rsyslog logs "could
 * not be processed by any parser, message is being discarded"). Inputs bound to such a ruleset parse as usual;
 * the message's protocol version tells which parser took it. Rulesets without `parser=` pay nothing.
 */
function onlyRfc5424(d: RulesetDecl, body: Exec, model: ConfigModel): Exec {
  const names = rulesetParsers(getParam(d.params, 'parser')?.value);
  const chain = names === null ? null : parserChain(names, model.parsers);
  if (chain === null || !chain.rfc5424 || chain.rfc3164 !== null) return body;
  return (m) => (m.protocolVersion === '1' ? body(m) : true);
}

/** `ruleset(queue.type=...)` other than Direct gives the ruleset its own queue (rsyslog rulesetHasQueue). */
function hasOwnQueue(d: RulesetDecl): boolean {
  const t = getParam(d.params, 'queue.type');
  return t !== undefined && String(t.value).toLowerCase() !== 'direct';
}

/**
 * A statement list: runs in order, stops at the first statement asking to stop. `after` says whether a
 * statement that runs after this list (in an enclosing list, a caller, or the next loop iteration) may write
 * a variable; an action followed by such a write hands its queue a snapshot of the message.
 */
function seq(list: Statement[], rs: string, c: Compiler, after = false): Exec {
  const execs: Exec[] = [];
  let prev: BoundAction | null = null;
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    const later = after || list.slice(i + 1).some((x) => writesVars(x, c));
    if (s.kind === 'action') {
      const next = list[i + 1];
      const failoverNext = next !== undefined && next.kind === 'action' && isFailover(next);
      const r = actionStmt(s, rs, c, prev, later, failoverNext);
      execs.push(r.exec);
      if (r.bound) prev = r.bound;
    } else execs.push(stmt(s, rs, c, later));
  }
  if (execs.length === 0) return () => false;
  if (execs.length === 1) return execs[0];
  return (m) => {
    for (let i = 0; i < execs.length; i++) if (execs[i](m)) return true;
    return false;
  };
}

/** Does running `s` possibly write a `$!`/`$.`/`$/` variable? */
function writesVars(s: Statement, c: Compiler): boolean {
  switch (s.kind) {
    case 'set': case 'unset': case 'foreach': return true;
    case 'action': return findModifier(s.action.type) !== undefined;
    case 'filter': return s.body.some((x) => writesVars(x, c));
    case 'if': return s.then.some((x) => writesVars(x, c)) || (s.else ?? []).some((x) => writesVars(x, c));
    case 'call': return rulesetWrites(s.ruleset, c);
    case 'call_indirect': return [...c.model.rulesets.keys()].some((n) => rulesetWrites(n, c));
    default: return false;
  }
}

function rulesetWrites(name: string, c: Compiler): boolean {
  const known = c.writes.get(name);
  if (known !== undefined) return known;
  c.writes.set(name, false); // recursion guard: a cycle adds nothing
  const rs = c.model.rulesets.get(name);
  const w = rs !== undefined && rs.statements.some((x) => writesVars(x, c));
  c.writes.set(name, w);
  return w;
}

function changesFields(s: Statement): boolean {
  switch (s.kind) {
    case 'action': return findModifier(s.action.type)?.changesFields === true;
    case 'filter': case 'foreach': return s.body.some(changesFields);
    case 'if': return s.then.some(changesFields) || (s.else ?? []).some(changesFields);
    default: return false;
  }
}

function writesGlobal(s: Statement): boolean {
  switch (s.kind) {
    case 'set': case 'unset': return s.variable.startsWith('$/');
    case 'foreach': return s.variable.startsWith('$/') || s.body.some(writesGlobal);
    case 'filter': return s.body.some(writesGlobal);
    case 'if': return s.then.some(writesGlobal) || (s.else ?? []).some(writesGlobal);
    default: return false;
  }
}

function hasCall(s: Statement): boolean {
  switch (s.kind) {
    case 'call': case 'call_indirect': return true;
    case 'filter': return s.body.some(hasCall);
    case 'if': return s.then.some(hasCall) || (s.else ?? []).some(hasCall);
    case 'foreach': return s.body.some(hasCall);
    default: return false;
  }
}

const isOn = (v: unknown): boolean => /^(on|yes|1|true)$/i.test(String(v));

/**
 * An action statement. rsyslog renders an action's template when the action runs in the ruleset; Logwarden's
 * queue renders later, so when a later statement may change the message's variables the queue gets a
 * snapshot (own `$!`/`$.` trees). Configs that never write variables pay nothing.
 */
function isFailover(s: Extract<Statement, { kind: 'action' }>): boolean {
  const p = getParam(s.action.params, 'action.execOnlyWhenPreviousIsSuspended');
  return p !== undefined && isOn(p.value);
}

/**
 * `failoverNext`: the next statement is this action's failover (`& … ` with execOnlyWhenPreviousIsSuspended):
 * while this action is suspended its messages go to the failover instead of waiting in this action's queue,
 * as rsyslog's failover recipe does; once it recovers they come here again.
 */
function actionStmt(s: Extract<Statement, { kind: 'action' }>, rs: string, c: Compiler, prev: BoundAction | null, later: boolean,
  failoverNext = false): { exec: Exec; bound: BoundAction | null } {
  const type = s.action.type.toLowerCase();
  if (STOP_TYPES.has(type)) return { exec: () => true, bound: null }; // rsyslog rewrites omdiscard to STOP
  // execOnlyEveryNthTime / execOnlyOnceEveryInterval are checked before the failover test, as in rsyslog
  const gate = compileExecGate(execGateOptions(s.action));
  const modifier = findModifier(type);
  if (modifier) {
    const run = modifier.compile(s.action, c.ctx.globals);
    if (gate) return { exec: (m) => { if (gate()) run(m); return false; }, bound: null };
    return { exec: (m) => { run(m); return false; }, bound: null };
  }
  const bound = c.bind.action(s.action, rs);
  const g = c.ctx.globals;
  const enqueue: (m: Message) => void = c.writesGlobals
    ? (m) => { const copy = copyMessage(m, true); globalVarsAt.set(copy, g.root === null ? null : deepCopy(g.root, true) as Record<string, unknown>); bound(copy); }
    : later
      ? c.changesFields
        ? (m) => bound(copyMessage(m, true)) // a later modifier edits msg in place
        : (m) => bound(m.json === null && m.local === null ? m : copyMessage(m, true))
      : bound;
  const self = failoverNext && bound.isSuspended ? bound.isSuspended : null;
  const run: (m: Message) => void = self ? (m) => { if (!self()) enqueue(m); } : enqueue;
  if (isFailover(s)) {
    // no previous action: rsyslog treats it as "not suspended"
    const p = prev;
    if (gate) return { exec: (m) => { if (gate() && p?.isSuspended?.() === true) run(m); return false; }, bound };
    return { exec: (m) => { if (p?.isSuspended?.() === true) run(m); return false; }, bound };
  }
  if (gate) return { exec: (m) => { if (gate()) run(m); return false; }, bound };
  return { exec: (m) => { run(m); return false; }, bound };
}

function stmt(s: Statement, rs: string, c: Compiler, after = false): Exec {
  switch (s.kind) {
    case 'action': return actionStmt(s, rs, c, null, after).exec;
    case 'stop': return () => true;
    case 'filter': return filterStmt(s, rs, c, after);
    case 'if': {
      const cond = asCondition(compileExpr(s.cond, c.ctx));
      const then = seq(s.then, rs, c, after);
      const other = s.else ? seq(s.else, rs, c, after) : null;
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
      if (s.reset === true) return (m) => { const v = toJsonNode(val(m)); unsetVar(m, ref, g); setVar(m, ref, v, g); return false; };
      return (m) => { setVar(m, ref, toJsonNode(val(m)), g); return false; };
    }
    case 'unset': {
      const ref = parseVarRef(s.variable, s.loc);
      if (!ref) throw new RuleError('LW_ERR_RULES_VARIABLE', `unset: "${s.variable}" is not a $!, $. or $/ variable`, s.loc);
      const g = c.ctx.globals;
      return (m) => { unsetVar(m, ref, g); return false; };
    }
    case 'foreach': return foreachStmt(s, rs, c);
    case 'reload_lookup_table': {
      const ref = c.ctx.lookups?.get(s.table);
      if (ref === undefined) throw new RuleError(LOOKUP_ERROR, `reload_lookup_table(): no lookup table "${s.table}" is defined`, s.loc);
      const stub = s.stub;
      return () => { void ref.reload(stub); return false; };
    }
    default:
      throw new RuleError('LW_ERR_RULES_STATEMENT', `unknown statement "${(s as { kind: string }).kind}"`, (s as Statement).loc);
  }
}

function filterStmt(s: Extract<Statement, { kind: 'filter' }>, rs: string, c: Compiler, after: boolean): Exec {
  const body = seq(s.body, rs, c, after);
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

/**
 * rsyslog MsgDup for a call into a queued ruleset: same fields, own variable trees (doubles lose their source
 * text, as jsonDeepCopy does). `exact`: Logwarden's snapshot of a message for an action, a copy rsyslog does not make.
 */
function copyMessage(m: Message, exact = false): Message {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(m) as object) as Message, m);
  copy.json = m.json === null ? null : (deepCopy(m.json, exact) as Record<string, unknown>);
  copy.local = m.local === null ? null : (deepCopy(m.local, exact) as Record<string, unknown>);
  if (parseSucceeded.has(m)) parseSucceeded.add(copy);
  return copy;
}

/** foreach over a JSON array (elements) or object ({"key","value"} pairs); the loop variable is unset after. */
function foreachStmt(s: Extract<Statement, { kind: 'foreach' }>, rs: string, c: Compiler): Exec {
  const ref = parseVarRef(s.variable, s.loc);
  if (!ref) throw new RuleError('LW_ERR_RULES_VARIABLE', `foreach: "${s.variable}" is not a $!, $. or $/ variable`, s.loc);
  const iter = compileExpr(s.iterable, c.ctx);
  const body = seq(s.body, rs, c, true); // the next iteration rewrites the loop variable
  const g = c.ctx.globals;
  return (m) => {
    const v = iter(m);
    if (!(v instanceof JsonValue)) return false; // only JSON containers are iterated
    const node = v.node;
    const items: unknown[] = Array.isArray(node)
      ? node.slice()
      : node !== null && typeof node === 'object' && !(node instanceof JsonNumber)
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

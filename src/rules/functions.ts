// The RainerScript function library with rsyslog's results, including its odd corners (field() not found text,
// replace() with an empty needle, division-free int2hex…). Constant arguments (regexes, masks) compile once here.
import type { Expr, SourceLoc } from '../config/model';
import type { Message } from '../message';
import { LOOKUP_ERROR, type LookupTables } from './lookup';
import { parseFastJson } from './fastjson';
import { RuleError, RULES_REGEX_ERROR } from './errors';
import { compilePosix } from '../util/posix-regex';
import { isAscii, rawByteLength, sliceBytes } from '../util/raw-text';
import { decodeSelector } from './selector-text';
import { buildMask, maskMatches } from './selector';
import { formatTime, isTime, parseTime } from './time-functions';
import {
  convertsToNumber, fromJson, JsonValue, strToNum, toInt, toNumber, toStr, type Value,
} from './values';
import { getVar, parseVarRef, setVar, type GlobalVars } from './vars';
import { foldKeys } from '../util/json-keys';
import { getProperty } from './get-property';
import { hashModValue, hashValue } from './fmhash';

/** Per-configuration evaluation state shared by every compiled expression. */
export interface ExprContext {
  globals: GlobalVars;
  /** script_error(): set by parse_json, parse_time, is_time (rsyslog keeps it per worker thread). */
  state: { scriptErrno: number; prevSuspended: number };
  /** Compiled templates by lower-case name (built-ins included), for exec_template(). */
  templates?: ReadonlyMap<string, { render(m: Message): string }>;
  /** The configuration's lookup tables (lookup()); absent: no table is defined. */
  lookups?: LookupTables;
  /** dyn_stats() bucket names (dyn_inc()); absent: none is defined. */
  dynStats?: ReadonlySet<string>;
}

type Compiled = (m: Message) => Value;
type CompileExprFn = (e: Expr, ctx: ExprContext) => Compiled;

interface FnSpec {
  min: number;
  max: number;
  build(args: Expr[], c: Compiled[], loc: SourceLoc, ctx: ExprContext): Compiled;
}

/** rsyslog script errno values (RS_SCRIPT_EOK / RS_SCRIPT_EINVAL). */
export const SCRIPT_EOK = 0;
export const SCRIPT_EINVAL = 1;

const FIELD_NOT_FOUND = '***FIELD NOT FOUND***';
const MAX_IPV4 = 4294967295;

function constString(e: Expr, what: string, loc: SourceLoc): string {
  if (e.kind !== 'string') throw new RuleError('LW_ERR_RULES_CONST_ARG', `${what} must be a constant string`, e.loc ?? loc);
  return e.value;
}

/** field(): the n-th (1-based) field split by one byte (number argument) or by a string. */
export function extractField(s: string, delim: string, n: number): string {
  if (n < 1) return FIELD_NOT_FOUND;
  if (delim.length === 0) return ''; // rsyslogd 8.2302: an empty delimiter string gives "" for every field
  let start = 0;
  for (let cur = 1; cur < n; cur++) {
    const i = s.indexOf(delim, start);
    if (i < 0) return FIELD_NOT_FOUND;
    start = i + delim.length;
  }
  const end = s.indexOf(delim, start);
  return end < 0 ? s.slice(start) : s.slice(start, end);
}

/**
 * replace(): left-to-right, non-overlapping. An empty needle matches before every byte and at the end, as
 * rsyslogd 8.2302 does: replace("abc", "", "X") is "XaXbXcX" (a multibyte character is cut into its bytes).
 */
export function replaceAll(s: string, find: string, rep: string): string {
  if (find.length !== 0) return s.split(find).join(rep);
  if (s.length === 0) return rep;
  if (isAscii(s)) return rep + s.split('').join(rep) + rep;
  const n = rawByteLength(s);
  let out = rep;
  for (let i = 0; i < n; i++) out += sliceBytes(s, i, i + 1) + rep;
  return out;
}

/** substring(str, start, len): negative len counts back from the end, as rsyslog 8.2x does. */
export function substring(s: string, startNum: number, lenNum: number): string {
  // rsyslog counts bytes (of the received UTF-8): cutting inside a character keeps its bytes.
  const n = isAscii(s) ? s.length : rawByteLength(s);
  const start = startNum < 0 ? 0 : startNum;
  if (start >= n) return '';
  let len = lenNum < 0 ? Math.max(0, n + lenNum) : lenNum;
  if (len > n - start) len = n - start;
  return n === s.length ? s.substr(start, len) : sliceBytes(s, start, start + len);
}

/**
 * ipv42num(): dotted quad to number, -1 for anything malformed; leading/trailing spaces allowed. Octets over 255
 * are not refused: the sum wraps at 2^32 as in rsyslogd 8.2302 ("256.1.1.1" is 65793).
 */
export function ipv4ToNum(s: string): number {
  const m = /^ *(\d+)\.(\d+)\.(\d+)\.(\d+) *$/.exec(s);
  if (!m) return -1;
  const octet = (x: string): bigint => BigInt(x);
  return Number((((octet(m[1]) * 256n + octet(m[2])) * 256n + octet(m[3])) * 256n + octet(m[4])) % 4294967296n);
}

export function numToIpv4(v: Value): string {
  if (!convertsToNumber(v)) return '-1';
  const n = toNumber(v);
  if (n < 0 || n > MAX_IPV4) return '-1';
  return `${Math.floor(n / 16777216) % 256}.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

/** int2hex(): lower-case two's complement hex like printf("%llx"), "NAN" when not a number. */
export function int2hex(v: Value): string {
  if (!convertsToNumber(v)) return 'NAN';
  const n = toNumber(v);
  return (n < 0 ? BigInt.asUintN(64, BigInt(n)) : BigInt(n)).toString(16);
}

const rtrimSpaces = (s: string): string => s.replace(/ +$/, '');

/** re_extract(): the submatch of the n-th (0-based) match, or the default when there is none. */
function reExtract(re: RegExp, s: string, matchnbr: number, sub: number): string | null {
  if (sub < 0 || sub >= 50) return null;
  let off = 0;
  for (let tries = 0; ; tries++) {
    const m = re.exec(s.slice(off));
    if (!m) return null;
    if (tries === matchnbr) return m[sub] ?? null;
    const end = m.index + m[0].length;
    if (end === 0) { if (off >= s.length) return null; off++; } else off += end;
  }
}

/** cbool(): "", "0", "no", "off", "false" (trimmed, case-insensitive) are false. */
function textBool(s: string): number {
  const t = s.trim().toLowerCase();
  return t === '' || t === '0' || t === 'no' || t === 'off' || t === 'false' ? 0 : 1;
}

function parseJsonInto(msg: Message, text: string, container: string, g: GlobalVars): number {
  const parsed = parseFastJson(text);
  if (parsed === undefined) return SCRIPT_EINVAL;
  const node = foldKeys(parsed);
  const ref = parseVarRef(container.startsWith('$') ? container : '$' + container);
  if (!ref) return SCRIPT_EINVAL;
  setVar(msg, ref, node, g);
  return SCRIPT_EOK;
}

const one = (f: (v: Value) => Value): FnSpec => ({ min: 1, max: 1, build: (_a, c) => { const a = c[0]; return (m) => f(a(m)); } });

const FUNCTIONS: Record<string, FnSpec> = {
  strlen: one((v) => rawByteLength(toStr(v))),
  tolower: one((v) => toStr(v).replace(/[A-Z]+/g, (x) => x.toLowerCase())),
  toupper: one((v) => toStr(v).replace(/[a-z]+/g, (x) => x.toUpperCase())),
  cstr: one((v) => toStr(v)),
  cnum: one((v) => toInt(v)),
  cbool: one((v) => (typeof v === 'number' ? (v !== 0 ? 1 : 0) : typeof v === 'bigint' ? 1 : textBool(toStr(v)))),
  ltrim: one((v) => toStr(v).replace(/^ +/, '')),
  rtrim: one((v) => rtrimSpaces(toStr(v))),
  getenv: one((v) => process.env[toStr(v)] ?? ''),
  int2hex: one(int2hex),
  ipv42num: one((v) => ipv4ToNum(toStr(v))),
  ip42num: one((v) => ipv4ToNum(toStr(v))), // rsyslog's own spelling (rainerscript.c); ipv42num is the documented one
  num2ipv4: one(numToIpv4),
  random: one((v) => {
    if (!convertsToNumber(v)) return 0;
    const max = Math.abs(toNumber(v));
    return max === 0 ? 0 : Math.floor(Math.random() * Math.min(max, 2 ** 31));
  }),
  field: { min: 3, max: 3, build: (_a, c) => {
    const [s, d, n] = c;
    return (m) => {
      const dv = d(m);
      const delim = typeof dv === 'string' ? dv : String.fromCharCode(toNumber(dv) & 0xff);
      return extractField(toStr(s(m)), delim, toNumber(n(m)));
    };
  } },
  substring: { min: 3, max: 3, build: (_a, c) => { const [s, st, l] = c; return (m) => substring(toStr(s(m)), toNumber(st(m)), toNumber(l(m))); } },
  replace: { min: 3, max: 3, build: (_a, c) => { const [s, f, r] = c; return (m) => replaceAll(toStr(s(m)), toStr(f(m)), toStr(r(m))); } },
  wrap: { min: 2, max: 3, build: (_a, c) => {
    const [s, w, esc] = c;
    return (m) => {
      const wrapper = toStr(w(m));
      const body = esc ? replaceAll(toStr(s(m)), wrapper, toStr(esc(m))) : toStr(s(m));
      return wrapper + body + wrapper;
    };
  } },
  re_match: { min: 2, max: 2, build: (a, c, loc) => reMatch(a, c, loc, false) },
  re_match_i: { min: 2, max: 2, build: (a, c, loc) => reMatch(a, c, loc, true) },
  re_extract: { min: 5, max: 5, build: (a, c, loc) => reExtractFn(a, c, loc, false) },
  re_extract_i: { min: 5, max: 5, build: (a, c, loc) => reExtractFn(a, c, loc, true) },
  exists: { min: 1, max: 1, build: (a, _c, loc, ctx) => {
    const ref = a[0].kind === 'var' ? parseVarRef(a[0].name, loc) : null;
    if (!ref) throw new RuleError('LW_ERR_RULES_CONST_ARG', 'exists() needs a $!, $. or $/ variable', a[0].loc ?? loc);
    const g = ctx.globals;
    return (m) => (getVar(m, ref, g) !== undefined ? 1 : 0);
  } },
  get_property: { min: 2, max: 2, build: (a, c, _loc, ctx) => {
    const st = ctx.state;
    if (a[0].kind === 'string') return () => { st.scriptErrno = SCRIPT_EINVAL; return ''; }; // rsyslog ignores a literal
    const [src, key] = c;
    return (m) => { const r = getProperty(src(m), key(m)); st.scriptErrno = r === undefined ? SCRIPT_EINVAL : SCRIPT_EOK; return r ?? ''; };
  } },
  hash32: { min: 1, max: 2, build: (_a, c) => { const [s, seed] = c; return (m) => hashValue(32, s(m), seed?.(m)); } },
  hash64: { min: 1, max: 2, build: (_a, c) => { const [s, seed] = c; return (m) => hashValue(64, s(m), seed?.(m)); } },
  hash32mod: { min: 2, max: 3, build: (_a, c) => { const [s, mod, seed] = c; return (m) => hashModValue(32, s(m), mod(m), seed?.(m)); } },
  hash64mod: { min: 2, max: 3, build: (_a, c) => { const [s, mod, seed] = c; return (m) => hashModValue(64, s(m), mod(m), seed?.(m)); } },
  dyn_inc: { min: 2, max: 2, build: (a, _c, loc, ctx) => {
    // rsyslog resolves the bucket at load (initFunc_dyn_stats); without impstats (GatherStats off) it counts
    // nothing and returns 0 — Logwarden keeps no dyn_stats counters, so it always returns 0
    const name = constString(a[0], 'the dyn_inc() bucket name', loc);
    if (ctx.dynStats?.has(name) !== true) throw new RuleError('LW_ERR_RULES_DYN_STATS', `dyn_inc(): no dyn_stats bucket "${name}" is defined`, a[0].loc ?? loc);
    return () => 0;
  } },
  prifilt: { min: 1, max: 1, build: (a, _c, loc) => {
    const text = constString(a[0], 'prifilt() argument', loc);
    const d = decodeSelector(text, a[0].loc ?? loc);
    if (d.error) throw new RuleError('LW_ERR_RULES_SELECTOR', `prifilt("${text}"): ${d.error}`, a[0].loc ?? loc);
    const mask = buildMask(d.terms);
    return (m) => (maskMatches(mask, m.facility, m.severity) ? 1 : 0);
  } },
  parse_json: { min: 2, max: 2, build: (_a, c, _loc, ctx) => {
    const [t, cont] = c;
    const g = ctx.globals;
    const st = ctx.state;
    return (m) => { st.scriptErrno = parseJsonInto(m, toStr(t(m)), toStr(cont(m)), g); return st.scriptErrno; };
  } },
  format_time: { min: 2, max: 2, build: (_a, c) => { const [t, f] = c; return (m) => formatTime(t(m), toStr(f(m))); } },
  parse_time: { min: 1, max: 1, build: (_a, c, _loc, ctx) => {
    const st = ctx.state;
    return (m) => { const r = parseTime(toStr(c[0](m))); st.scriptErrno = r === null ? SCRIPT_EINVAL : SCRIPT_EOK; return r ?? 0; };
  } },
  is_time: { min: 1, max: 2, build: (_a, c, _loc, ctx) => {
    const st = ctx.state;
    const [s, f] = c;
    return (m) => { const ok = isTime(s(m), f ? toStr(f(m)) : null); st.scriptErrno = ok ? SCRIPT_EOK : SCRIPT_EINVAL; return ok ? 1 : 0; };
  } },
  exec_template: { min: 1, max: 1, build: (a, _c, loc, ctx) => {
    // rsyslog resolves the template when the config is loaded (rainerscript.c, initFunc_exec_template)
    const name = constString(a[0], 'exec_template() argument', loc);
    const tpl = ctx.templates?.get(name.toLowerCase());
    if (!tpl) throw new RuleError('LW_ERR_CONFIG_UNKNOWN_TEMPLATE', `exec_template(): template "${name}" not found`, a[0].loc ?? loc);
    return (m) => tpl.render(m);
  } },
  script_error: { min: 0, max: 0, build: (_a, _c, _l, ctx) => { const st = ctx.state; return () => st.scriptErrno; } },
  previous_action_suspended: { min: 0, max: 0, build: (_a, _c, _l, ctx) => { const st = ctx.state; return () => st.prevSuspended; } },
};

function reMatch(a: Expr[], c: Compiled[], loc: SourceLoc, icase: boolean): Compiled {
  const re = compilePosix(constString(a[1], 'regular expression', loc), 'ere', { ignoreCase: icase, loc: a[1].loc ?? loc, errorCode: RULES_REGEX_ERROR });
  const s = c[0];
  return (m) => (re.test(toStr(s(m))) ? 1 : 0);
}

function reExtractFn(a: Expr[], c: Compiled[], loc: SourceLoc, icase: boolean): Compiled {
  const re = compilePosix(constString(a[1], 'regular expression', loc), 'ere', { ignoreCase: icase, loc: a[1].loc ?? loc, errorCode: RULES_REGEX_ERROR });
  const [s, , n, sub, dflt] = c;
  return (m) => reExtract(re, toStr(s(m)), toNumber(n(m)), toNumber(sub(m))) ?? toStr(dflt(m));
}

/** Names this library knows (for `logwarden check` and error hints). */
export function functionNames(): string[] {
  return [...Object.keys(FUNCTIONS), 'lookup'].sort();
}

/** `lookup("table", key)`: the table is resolved at load (rsyslog: "lookup table … not found" is a config error). */
function lookupCall(args: Expr[], loc: SourceLoc, ctx: ExprContext, compileExpr: CompileExprFn): Compiled {
  if (args.length !== 2) throw new RuleError('LW_ERR_RULES_ARITY', `lookup() takes 2 argument(s), got ${args.length}`, loc);
  const name = constString(args[0], 'the lookup table name', loc);
  const ref = ctx.lookups?.get(name);
  if (ref === undefined) {
    throw new RuleError(LOOKUP_ERROR, `lookup(): no lookup table "${name}" is defined`, args[0].loc ?? loc);
  }
  const key = compileExpr(args[1], ctx);
  return (m) => ref.lookup(key(m));
}

/** Compile a call; arity and constant arguments are checked here, at load. */
export function compileFunction(name: string, args: Expr[], loc: SourceLoc, ctx: ExprContext, compileExpr: CompileExprFn): Compiled {
  const fn = name.toLowerCase();
  if (fn === 'lookup') return lookupCall(args, loc, ctx, compileExpr);
  const spec = FUNCTIONS[fn];
  if (!spec) throw new RuleError('LW_ERR_RULES_UNKNOWN_FUNCTION', `unknown function "${name}"`, loc);
  if (args.length < spec.min || args.length > spec.max) {
    const want = spec.min === spec.max ? String(spec.min) : `${spec.min}..${spec.max}`;
    throw new RuleError('LW_ERR_RULES_ARITY', `${fn}() takes ${want} argument(s), got ${args.length}`, loc);
  }
  const compiled = fn === 'exists' ? [] : args.map((a) => compileExpr(a, ctx));
  return spec.build(args, compiled, loc, ctx);
}

export { fromJson, JsonValue, strToNum };

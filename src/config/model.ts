// The typed configuration model: what the rsyslog.conf parser produces and the runtime instantiates.
// Both the legacy syntax ($-directives, selector lines) and RainerScript lower to this one model.

/** A place in a config file, 1-based line and column. */
export interface SourceLoc {
  file: string;
  line: number;
  col: number;
}

export type ParamValue = string | number | boolean | string[];

/** One parameter as written: `name` keeps the user's spelling, lookups go by lower-case key. */
export interface Param {
  name: string;
  value: ParamValue;
  loc: SourceLoc;
}

/** Parameters of one object, keyed by lower-cased name (rsyslog parameter names are case-insensitive). */
export type Params = Map<string, Param>;

/** `module(load="imtcp" …)` or `$ModLoad imtcp`. `load` is normalised ("builtin:omfile" → "omfile"). */
export interface ModuleDecl {
  load: string;
  params: Params;
  loc: SourceLoc;
}

/** `input(type="imtcp" port="514" …)`, or what `$InputTCPServerRun 514` / `$UDPServerRun 514` lower to. */
export interface InputDecl {
  type: string;
  params: Params;
  loc: SourceLoc;
}

export type TemplateItem =
  | { kind: 'constant'; value: string; params: Params; loc: SourceLoc }
  | { kind: 'property'; name: string; params: Params; loc: SourceLoc };

/**
 * `template(name=… type="string" string="…")`, `type="list"` with constant()/property() items,
 * `type="subtree"`, or `$template name,"…"[,option]`. `options` holds sql/stdsql/json/jsonf/casesensitive.
 */
export interface TemplateDecl {
  name: string;
  type: 'string' | 'list' | 'subtree' | 'plugin';
  string?: string;
  items?: TemplateItem[];
  subtree?: string;
  plugin?: string;
  options: Params;
  loc: SourceLoc;
}

/**
 * One action. `type` is the normalised module name: omfile, omfwd, omusrmsg, ompipe, omdiscard, store,
 * clickhouse, omrelp… Legacy actions lower to the same form (`/var/log/x` → omfile file=…, `@@h:p` → omfwd
 * protocol=tcp, `?tpl` → omfile dynaFile=tpl, `:omusrmsg:root` → omusrmsg users=…). Queue parameters
 * (`queue.*`, and `$ActionQueue*` in effect at the line) stay in `params`.
 */
export interface ActionDecl {
  type: string;
  params: Params;
  loc: SourceLoc;
  /** A legacy selector-line action (`/file`, `@host`…): rsyslog configures it from $-directives, not module(load=…) parameters. */
  legacy?: true;
}

/** Legacy selector `facility.priority`: one element of a `;`-joined list. */
export interface SelectorTerm {
  /** Facility numbers, or '*' for all. */
  facilities: number[] | '*';
  /** Comparison against the message severity, rsyslog semantics (RFC 3164 §4.1.1 numbering). */
  op: 'ge' | 'eq' | 'none' | 'ne' | 'lt';
  /** Severity number (ignored for 'none'); `*` is op 'ge' with severity 7. */
  severity: number;
  loc: SourceLoc;
}

export type Expr =
  | { kind: 'string'; value: string; loc: SourceLoc }
  | { kind: 'number'; value: number; loc: SourceLoc }
  | { kind: 'array'; items: Expr[]; loc: SourceLoc }
  /** `$msg`, `$!foo!bar`, `$.x`, `$/g`, `$$now`. `name` keeps the prefix ("$!foo!bar"). */
  | { kind: 'var'; name: string; loc: SourceLoc }
  | { kind: 'not'; operand: Expr; loc: SourceLoc }
  | { kind: 'neg'; operand: Expr; loc: SourceLoc }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; loc: SourceLoc }
  | { kind: 'call'; fn: string; args: Expr[]; loc: SourceLoc };

export type BinaryOp =
  | 'or' | 'and'
  | '==' | '!=' | '<>' | '<' | '<=' | '>' | '>='
  | 'contains' | 'contains_i' | 'startswith' | 'startswith_i' | 'endswith'
  | '+' | '-' | '*' | '/' | '%' | '&';

export type Filter =
  | { kind: 'selector'; terms: SelectorTerm[]; loc: SourceLoc }
  /** `:property, [!]op, "value"` — op is contains|isequal|startswith|regex|ereregex|isempty (lower-case). */
  | { kind: 'property'; property: string; op: string; negate: boolean; value: string; loc: SourceLoc }
  | { kind: 'expr'; expr: Expr; loc: SourceLoc };

export type Statement =
  /** A selector or property filter with its actions (a legacy line plus its `&` continuations). */
  | { kind: 'filter'; filter: Filter; body: Statement[]; loc: SourceLoc }
  | { kind: 'if'; cond: Expr; then: Statement[]; else: Statement[] | null; loc: SourceLoc }
  | { kind: 'action'; action: ActionDecl; loc: SourceLoc }
  | { kind: 'stop'; loc: SourceLoc }
  | { kind: 'call'; ruleset: string; loc: SourceLoc }
  | { kind: 'call_indirect'; expr: Expr; loc: SourceLoc }
  /** `reset` (true) replaces the value; `set` merges an object into an existing object (rsyslog). */
  | { kind: 'set'; variable: string; expr: Expr; loc: SourceLoc; reset?: boolean }
  | { kind: 'unset'; variable: string; loc: SourceLoc }
  | { kind: 'foreach'; variable: string; iterable: Expr; body: Statement[]; loc: SourceLoc }
  /** `reload_lookup_table("table", "stub value")`: the stub is used when the reload fails (null: keep the old table). */
  | { kind: 'reload_lookup_table'; table: string; stub: string | null; loc: SourceLoc };

export interface RulesetDecl {
  name: string;
  params: Params;
  statements: Statement[];
  loc: SourceLoc;
}

/** rsyslog's name for the ruleset that unbound inputs and top-level statements use. */
export const DEFAULT_RULESET = 'RSYSLOG_DefaultRuleset';

export type Severity = 'error' | 'warning' | 'notice';

/** A diagnostic with its place; `code` is a stable LW_ERR_ or LW_WARN_ identifier. */
export interface Diagnostic {
  severity: Severity;
  code: string;
  message: string;
  loc: SourceLoc;
  /** The offending source line, for the caret display. */
  sourceLine?: string;
  /** Length of the offending word, for the caret display. */
  length?: number;
  hint?: string;
}

export interface ConfigModel {
  /** Every file read, main file first (includes followed in order). */
  files: string[];
  /** `global(...)` and the global `$`-directives, merged; later settings win. */
  globals: Params;
  modules: ModuleDecl[];
  inputs: InputDecl[];
  templates: Map<string, TemplateDecl>;
  /** Always contains DEFAULT_RULESET. Insertion order is declaration order. */
  rulesets: Map<string, RulesetDecl>;
  /** `main_queue(...)` parameters. */
  mainQueue: Params;
  diagnostics: Diagnostic[];
  /** `lookup_table(name= file= reloadOnHUP=)` by name (src/rules/lookup.ts loads them). */
  lookupTables?: Map<string, LookupTableDecl>;
  /** `dyn_stats(name=…)` bucket names, for dyn_inc() (the counters themselves are not kept). */
  dynStats?: Set<string>;
  /** `parser(name= type="pmrfc3164" …)` by lower-cased name, for `ruleset(parser=[…])`. */
  parsers?: Map<string, ParserDecl>;
}

export interface ParserDecl {
  name: string;
  /** Lower-cased module: pmrfc3164 or pmrfc5424. */
  type: string;
  params: Params;
  loc: SourceLoc;
}

/** The pmrfc3164 parameters of rsyslog 8.2302 (tools/pmrfc3164.c parserpdescr), all binary, default off. */
export const PMRFC3164_PARAMS: readonly string[] = ['detect.YearAfterTimestamp', 'permit.squareBracketsInHostname',
  'permit.slashesInHostname', 'permit.AtSignsInHostname', 'force.tagEndingByColon', 'remove.msgFirstSpace'];

/**
 * What a ruleset's parser chain does: a frame goes to the first parser that takes it. rfc5424 parsers take
 * only `<PRI>1 ` frames; an rfc3164 parser takes every frame, so parsers after it are never reached. `rfc3164`
 * is the first such parser (its parameters; empty for rsyslog.rfc3164), null when the chain has none (frames
 * that are not RFC 5424 are then discarded). Null for an empty chain.
 */
export function parserChain(chain: string[], parsers: Map<string, ParserDecl> | undefined):
  { rfc5424: boolean; rfc3164: Params | null; pre: ParserDecl[] } | null {
  let rfc5424 = false;
  let known = false;
  const pre: ParserDecl[] = [];
  for (const name of chain) {
    const decl = parsers?.get(name);
    const type = name === 'rsyslog.rfc5424' ? 'pmrfc5424' : name === 'rsyslog.rfc3164' ? 'pmrfc3164' : EXTRA_PARSERS.get(name) ?? decl?.type;
    if (type === 'pmrfc5424') {
      rfc5424 = true;
      known = true;
    } else if (type === 'pmrfc3164') return { rfc5424, rfc3164: decl?.params ?? new Map(), pre };
    else if (type !== undefined && [...EXTRA_PARSERS.values()].includes(type)) {
      known = true;
      pre.push(decl ?? { name, type, params: new Map(), loc: { file: '', line: 0, col: 0 } });
    }
  }
  return known ? { rfc5424, rfc3164: null, pre } : null;
}

/**
 * rsyslog's other parser modules Logwarden runs (src/parse/pm.ts), by their built-in parser name. In a chain they
 * run before RFC 5424 and RFC 3164 (where rsyslog's configs list them).
 */
export const EXTRA_PARSERS: ReadonlyMap<string, string> = new Map([
  ['rsyslog.lastline', 'pmlastmsg'], ['rsyslog.aixforwardedfrom', 'pmaixforwardedfrom'], ['rsyslog.snare', 'pmsnare'], ['rsyslog.ciscoios', 'pmciscoios'],
]);

export interface LookupTableDecl {
  name: string;
  params: Params;
  loc: SourceLoc;
}

/** Read a parameter by (case-insensitive) name. */
export function getParam(params: Params, name: string): Param | undefined {
  return params.get(name.toLowerCase());
}

/** The lower-cased parser names of a ruleset's `parser=` value, or null when it has none. */
export function rulesetParsers(v: unknown): string[] | null {
  if (v === undefined || v === null) return null;
  return (Array.isArray(v) ? v.map(String) : String(v).split(',')).map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
}

/** The parsers `ruleset(parser=[…])` may name that Logwarden implements (rsyslog's default chain). */
export const KNOWN_PARSERS: readonly string[] = ['rsyslog.rfc5424', 'rsyslog.rfc3164', ...EXTRA_PARSERS.keys()];

// Rule files: YAML (native rules, or Sigma rules recognised by their `detection:` key), validated with
// file:line:col diagnostics in the style of src/config/diagnostics.ts. Nothing is half-loaded: a caller gets
// every diagnostic and uses the rules only when there is no error.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Diagnostic, SourceLoc } from '../config/model';
import { didYouMean, Reporter } from '../config/diagnostics';
import { QueryError } from '../store/query/errors';
import { parseQuery } from '../store/query/parser';
import { getterFor, type Getter } from './event';
import { appsOf, compileQuery, literalsOf, needsOf, type Predicate } from './query-eval';
import {
  DEFAULT_MAX_KEYS, DEFAULT_SUPPRESS_MS, LEVELS, parseDuration, RULE_KINDS,
  type CompiledRule, type Extractor, type Level, type RuleKind, type SequenceStep,
} from './rule';
import { compileSigma } from './sigma/compile';
import { entry, parseYamlFile, type MapEntry, type TNode } from './yaml-tree';

export const RULE_ERRORS = {
  SYNTAX: 'LW_ERR_RULE_SYNTAX',
  INVALID: 'LW_ERR_RULE_INVALID',
  QUERY: 'LW_ERR_RULE_QUERY',
  DUPLICATE: 'LW_ERR_RULE_DUPLICATE',
  IO: 'LW_ERR_RULE_IO',
  SIGMA_UNSUPPORTED: 'LW_ERR_SIGMA_UNSUPPORTED',
  IGNORED: 'LW_WARN_RULE_IGNORED',
} as const;

export interface RuleSet {
  rules: CompiledRule[];
  diagnostics: Diagnostic[];
  files: string[];
}

/** Keys every native rule may have; the rest depend on the kind. */
const COMMON_KEYS = ['id', 'title', 'level', 'kind', 'description', 'query', 'regex', 'extract', 'group_by', 'suppress', 'max_keys', 'tags', 'enabled'];
const KIND_KEYS: Record<RuleKind, string[]> = {
  match: [],
  threshold: ['count', 'window', 'distinct'],
  sequence: ['steps', 'within'],
  absence: ['after', 'grace'],
  new_value: ['field'],
  clock_skew: ['max_skew'],
};

/** Expand a list of files and globs (`dir/*.yml`, a directory = its *.yml/*.yaml). */
export function expandRulePaths(specs: string[], base = process.cwd()): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  for (const raw of specs) {
    const spec = resolve(base, raw);
    if (spec.includes('*')) {
      const dir = dirname(spec);
      const re = new RegExp(`^${basename(spec).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
      let names: string[] = [];
      try { names = readdirSync(dir).sort(); } catch { missing.push(raw); continue; }
      for (const n of names) if (re.test(n)) files.push(join(dir, n));
      continue;
    }
    let st;
    try { st = statSync(spec); } catch { missing.push(raw); continue; }
    if (st.isDirectory()) {
      for (const n of readdirSync(spec).sort()) if (/\.ya?ml$/.test(n)) files.push(join(spec, n));
    } else files.push(spec);
  }
  return { files, missing };
}

/** Load and validate rule files (paths or globs). */
export function loadRuleFiles(specs: string[], base?: string): RuleSet {
  const rep = new Reporter();
  const { files, missing } = expandRulePaths(specs, base);
  for (const m of missing) rep.error(RULE_ERRORS.IO, `no rule file matches "${m}"`, { file: m, line: 1, col: 1 });
  const rules: CompiledRule[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (err) {
      rep.error(RULE_ERRORS.IO, `cannot read rule file: ${(err as Error).message}`, { file: f, line: 1, col: 1 });
      continue;
    }
    rules.push(...loadRuleText(f, text, rep));
  }
  checkDuplicates(rules, rep);
  return { rules, diagnostics: rep.diagnostics, files };
}

/** Validate the rules of one file's text into `rep`; returns the rules that compiled. */
export function loadRuleText(file: string, text: string, rep: Reporter): CompiledRule[] {
  rep.addSource(file, text);
  const { docs, problems } = parseYamlFile(file, text);
  for (const p of problems) rep.error(RULE_ERRORS.SYNTAX, `YAML: ${p.message}`, p.loc);
  const out: CompiledRule[] = [];
  for (const doc of docs) {
    const root = doc.root;
    if (root === null) continue;
    if (root.kind === 'map' && entry(root, 'detection') !== undefined) {
      const r = compileSigma(root, file, rep);
      if (r !== null) out.push(r);
      continue;
    }
    const list = root.kind === 'map' && entry(root, 'rules') !== undefined ? entry(root, 'rules')!.value : root;
    const items = list.kind === 'seq' ? list.items : [list];
    for (const item of items) {
      const r = compileNative(item, rep);
      if (r !== null) out.push(r);
    }
  }
  return out;
}

export function checkDuplicates(rules: CompiledRule[], rep: Reporter): void {
  const seen = new Map<string, SourceLoc>();
  for (const r of rules) {
    const first = seen.get(r.id);
    if (first !== undefined) rep.error(RULE_ERRORS.DUPLICATE, `rule id "${r.id}" is already defined at ${first.file}:${first.line}:${first.col}`, r.loc);
    else seen.set(r.id, r.loc);
  }
}

/** Reads typed values out of one rule map, reporting problems at their position. */
class Fields {
  ok = true;
  /** Apps required by the last query compiled (see appsOf). */
  lastApps: string[] | null = null;
  /** Extracted-field prefix required by the last query compiled (see needsOf). */
  lastNeeds: string | null = null;
  /** Free-text literals required by the last query compiled (see literalsOf). */
  lastLiterals: string[] | null = null;
  constructor(readonly node: Extract<TNode, { kind: 'map' }>, readonly rep: Reporter) {}

  bad(msg: string, loc: SourceLoc, hint?: string): void {
    this.ok = false;
    this.rep.error(RULE_ERRORS.INVALID, msg, loc, hint === undefined ? {} : { hint });
  }

  get(key: string): MapEntry | undefined {
    return entry(this.node, key);
  }

  str(key: string, required = false): string | undefined {
    const e = this.get(key);
    if (e === undefined) {
      if (required) this.bad(`missing "${key}"`, this.node.loc);
      return undefined;
    }
    if (e.value.kind !== 'scalar' || e.value.value === null || typeof e.value.value === 'boolean') {
      this.bad(`"${key}" must be text`, e.value.loc);
      return undefined;
    }
    return String(e.value.value);
  }

  int(key: string, min: number, dflt: number): number {
    const e = this.get(key);
    if (e === undefined) return dflt;
    const v = e.value.kind === 'scalar' ? Number(e.value.value) : NaN;
    if (!Number.isInteger(v) || v < min) {
      this.bad(`"${key}" must be an integer ≥ ${min}`, e.value.loc);
      return dflt;
    }
    return v;
  }

  duration(key: string, required: boolean, dflt: number): number {
    const e = this.get(key);
    if (e === undefined) {
      if (required) this.bad(`missing "${key}" (a duration such as 5m)`, this.node.loc);
      return dflt;
    }
    const v = e.value.kind === 'scalar' ? parseDuration(e.value.value) : undefined;
    if (v === undefined || v <= 0) {
      this.bad(`"${key}" must be a duration such as 30s, 5m, 1h, 2d`, e.value.loc);
      return dflt;
    }
    return v;
  }

  query(node: TNode | undefined, where: string): Predicate {
    this.lastApps = null;
    this.lastNeeds = null;
    this.lastLiterals = null;
    if (node === undefined) return () => true;
    if (node.kind !== 'scalar' || typeof node.value !== 'string') {
      this.bad(`${where} must be a query string (docs/query-language.md)`, node.loc);
      return () => false;
    }
    try {
      const q = parseQuery(node.value);
      this.lastApps = appsOf(q.where);
      this.lastNeeds = needsOf(q.where);
      const match = compileQuery(q);
      this.lastLiterals = literalsOf(q.where);
      return match;
    } catch (err) {
      this.ok = false;
      const col = err instanceof QueryError ? err.col - 1 : 0;
      // Quoted scalars start one column before their text.
      const off = node.quoted ? 1 : 0;
      this.rep.error(RULE_ERRORS.QUERY, `${where}: ${(err as Error).message}`, { ...node.loc, col: node.loc.col + off + col });
      return () => false;
    }
  }
}

function compileNative(node: TNode, rep: Reporter): CompiledRule | null {
  if (node.kind !== 'map') {
    rep.error(RULE_ERRORS.INVALID, 'a rule must be a map (id:, kind:, query:, …)', node.loc);
    return null;
  }
  const f = new Fields(node, rep);
  const id = f.str('id', true) ?? '';
  if (id !== '' && !/^[A-Za-z0-9][\w.\-]{0,127}$/.test(id)) f.bad(`rule id "${id}" must be letters, digits, '.', '-', '_'`, f.get('id')!.value.loc);
  const kindText = f.str('kind') ?? 'match';
  const kind = RULE_KINDS.find((k) => k === kindText);
  if (kind === undefined) {
    f.bad(`unknown rule kind "${kindText}"`, f.get('kind')!.value.loc, didYouMean(kindText, RULE_KINDS) ?? `kinds: ${RULE_KINDS.join(', ')}`);
    return null;
  }
  const allowed = [...COMMON_KEYS, ...KIND_KEYS[kind]];
  for (const e of node.entries) {
    if (!allowed.includes(e.key)) {
      const other = RULE_KINDS.find((k) => KIND_KEYS[k].includes(e.key));
      f.bad(`unknown key "${e.key}" for a ${kind} rule`, e.keyLoc,
        other !== undefined ? `"${e.key}" belongs to kind: ${other}` : didYouMean(e.key, allowed));
    }
  }
  const levelText = f.str('level') ?? 'medium';
  const level = LEVELS.find((l) => l === levelText) as Level | undefined;
  if (level === undefined) f.bad(`unknown level "${levelText}"`, f.get('level')!.value.loc, `levels: ${LEVELS.join(', ')}`);
  const enabled = f.get('enabled');
  if (enabled !== undefined && enabled.value.kind === 'scalar' && enabled.value.value === false) return null;

  const extract = extractors(f);
  const localNames = new Set(extract.map((x) => x.name));
  const getter = (name: string, loc: SourceLoc): Getter => {
    const g = getterFor(name, localNames);
    if (g === undefined) {
      f.bad(`unknown field "${name}"`, loc, 'a search field (host, app, fromhost-ip, json.*, kv.*, nginx.*, sd.*, …) or a name under extract:');
      return () => undefined;
    }
    return g;
  };
  const groupBy: string[] = [];
  const groupGetters: Getter[] = [];
  const gb = f.get('group_by');
  if (gb !== undefined) {
    const items = gb.value.kind === 'seq' ? gb.value.items : [gb.value];
    for (const it of items) {
      if (it.kind !== 'scalar' || typeof it.value !== 'string') { f.bad('group_by takes field names', it.loc); continue; }
      groupBy.push(it.value);
      groupGetters.push(getter(it.value, it.loc));
    }
  } else if (kind === 'absence' || kind === 'clock_skew') {
    groupBy.push('host');
    groupGetters.push(getter('host', node.loc));
  }

  const rule: CompiledRule = {
    id, kind, level: level ?? 'medium', format: 'native',
    title: f.str('title') ?? id,
    description: f.str('description') ?? '',
    loc: f.get('id')?.value.loc ?? node.loc,
    match: withRegex(f.query(f.get('query')?.value, 'query'), regexFilters(f)),
    apps: f.lastApps,
    needs: f.lastNeeds,
    textGuard: f.lastLiterals,
    extract, groupBy, groupGetters,
    suppressMs: f.duration('suppress', false, DEFAULT_SUPPRESS_MS),
    maxKeys: f.int('max_keys', 1, DEFAULT_MAX_KEYS),
  };
  switch (kind) {
    case 'match':
      break;
    case 'threshold': {
      const d = f.str('distinct');
      rule.threshold = {
        count: f.int('count', 1, 5),
        windowMs: f.duration('window', true, 60_000),
        distinct: d === undefined ? null : getter(d, f.get('distinct')!.value.loc),
        distinctName: d ?? null,
      };
      if (f.get('count') === undefined) f.bad('missing "count" (how many matches fire the rule)', node.loc);
      break;
    }
    case 'sequence': {
      const seq = steps(f);
      rule.sequence = { steps: seq.steps, withinMs: f.duration('within', true, 60_000) };
      rule.apps = seq.apps;
      rule.needs = null;
      rule.textGuard = seq.literals;
      if (f.get('query') !== undefined) f.bad('a sequence rule has no top-level query; give each step a query', f.get('query')!.keyLoc);
      break;
    }
    case 'absence': {
      const after = f.duration('after', true, 15 * 60_000);
      rule.absence = { afterMs: after, graceMs: f.duration('grace', false, after) };
      break;
    }
    case 'new_value': {
      const name = f.str('field', true);
      rule.newValue = { field: name === undefined ? () => undefined : getter(name, f.get('field')!.value.loc), fieldName: name ?? '' };
      break;
    }
    case 'clock_skew':
      rule.clockSkew = { maxMs: f.duration('max_skew', true, 5 * 60_000) };
      break;
  }
  return f.ok ? rule : null;
}

function extractors(f: Fields): Extractor[] {
  const e = f.get('extract');
  if (e === undefined) return [];
  if (e.value.kind !== 'map') {
    f.bad('extract: maps a field name to a regex with one capture group', e.value.loc);
    return [];
  }
  const out: Extractor[] = [];
  for (const x of e.value.entries) {
    if (!/^[A-Za-z_]\w{0,63}$/.test(x.key)) { f.bad(`extract name "${x.key}" must be a plain word`, x.keyLoc); continue; }
    if (x.value.kind !== 'scalar' || typeof x.value.value !== 'string') { f.bad('an extract pattern must be a regex string', x.value.loc); continue; }
    try {
      out.push({ name: x.key, re: new RegExp(x.value.value) });
    } catch (err) {
      f.bad(`bad regex: ${(err as Error).message}`, x.value.loc);
    }
  }
  return out;
}

/**
 * The two steps of a sequence, its apps and its free-text literals: the union of the steps' (null when a step
 * can match any app, or without free text).
 */
function steps(f: Fields): { steps: SequenceStep[]; apps: string[] | null; literals: string[] | null } {
  let apps: string[] | null = [];
  let literals: string[] | null = [];
  const e = f.get('steps');
  if (e === undefined || e.value.kind !== 'seq' || e.value.items.length !== 2) {
    f.bad('a sequence rule needs steps: a list of two steps (A then B), each with a query', e?.value.loc ?? f.node.loc);
    return { steps: [], apps: null, literals: null };
  }
  const list = e.value.items.map((it, i) => {
    if (it.kind !== 'map') {
      f.bad('a step is a map with query: (and optionally count:)', it.loc);
      return { match: () => false, count: 1 };
    }
    for (const x of it.entries) if (x.key !== 'query' && x.key !== 'count') f.bad(`unknown step key "${x.key}"`, x.keyLoc, 'query, count');
    const sub = new Fields(it, f.rep);
    const count = sub.int('count', 1, 1);
    if (i === 1 && count !== 1) sub.bad('only the first step may have a count', sub.get('count')!.value.loc);
    const q = entry(it, 'query');
    if (q === undefined) sub.bad('a step needs a query', it.loc);
    const match = sub.query(q?.value, `steps[${i}].query`);
    apps = apps === null || sub.lastApps === null ? null : [...new Set([...apps, ...sub.lastApps])];
    literals = literals === null || q === undefined || sub.lastLiterals === null ? null : [...new Set([...literals, ...sub.lastLiterals])];
    if (!sub.ok) f.ok = false;
    return { match, count };
  });
  return { steps: list, apps, literals };
}

/** `regex:` entries, each `{fields: [...], pattern: '…'}`: every entry must match one of its fields. */
interface RegexFilter {
  getters: Getter[];
  re: RegExp;
}

/** A pattern may start with (?i) for case-insensitive matching (JavaScript has no inline flags). */
export function compilePattern(p: string): RegExp {
  return p.startsWith('(?i)') ? new RegExp(p.slice(4), 'i') : new RegExp(p);
}

function regexFilters(f: Fields): RegexFilter[] {
  const e = f.get('regex');
  if (e === undefined) return [];
  const items = e.value.kind === 'seq' ? e.value.items : [e.value];
  const out: RegexFilter[] = [];
  for (const it of items) {
    const fields = entry(it, 'fields');
    const pattern = entry(it, 'pattern');
    if (it.kind !== 'map' || fields === undefined || pattern === undefined || pattern.value.kind !== 'scalar') {
      f.bad('a regex entry is {fields: [field, …], pattern: \'regex\'}', it.loc);
      continue;
    }
    const names = fields.value.kind === 'seq' ? fields.value.items : [fields.value];
    const getters: Getter[] = [];
    for (const n of names) {
      const g = n.kind === 'scalar' && typeof n.value === 'string' ? getterFor(n.value, new Set()) : undefined;
      if (g === undefined) f.bad(`unknown field ${JSON.stringify(n.kind === 'scalar' ? n.value : '?')}`, n.loc);
      else getters.push(g);
    }
    try {
      out.push({ getters, re: compilePattern(String(pattern.value.value)) });
    } catch (err) {
      f.bad(`bad regex: ${(err as Error).message}`, pattern.value.loc);
    }
  }
  return out;
}

function decoded(s: string): string | null {
  if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return null;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/** AND the query with the regex filters; a field matches as is or URL-decoded. */
function withRegex(q: Predicate, filters: RegexFilter[]): Predicate {
  if (filters.length === 0) return q;
  return (ev) => {
    if (!q(ev)) return false;
    for (const flt of filters) {
      let hit = false;
      for (const g of flt.getters) {
        const v = g(ev, null);
        if (v === undefined) continue;
        const s = String(v);
        const d = decoded(s);
        if (flt.re.test(s) || (d !== null && flt.re.test(d))) { hit = true; break; }
      }
      if (!hit) return false;
    }
    return true;
  };
}

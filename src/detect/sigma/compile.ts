// Sigma rule → CompiledRule. Detection maps and lists become predicates over the event (field map in
// ./fieldmap.ts); the condition combines them; `| count() by X > N` with `timeframe` becomes a threshold.
// Anything Logwarden cannot evaluate exactly is refused with LW_ERR_SIGMA_UNSUPPORTED and the reason.
import type { SourceLoc } from '../../config/model';
import type { Reporter } from '../../config/diagnostics';
import { ipToKey, parseCidr } from '../../store/ip';
import type { DetectEvent } from '../event';
import { DEFAULT_MAX_KEYS, DEFAULT_SUPPRESS_MS, parseDuration, type CompiledRule, type Level } from '../rule';
import { entry, plain, type TNode } from '../yaml-tree';
import { ConditionError, parseCondition, type Cond } from './condition';
import { keywordText, mapField, mapLogsource, type LogsourceKind, type SigmaGetter } from './fieldmap';

type Pred = (ev: DetectEvent) => boolean;

const UNSUPPORTED = 'LW_ERR_SIGMA_UNSUPPORTED';
const INVALID = 'LW_ERR_RULE_INVALID';
const IGNORED = 'LW_WARN_RULE_IGNORED';

const REFUSED_MODIFIERS: Record<string, string> = {
  windash: 'windash expands Windows command-line dashes; it has no meaning for syslog and is refused',
  base64: 'base64 matching is not supported',
  base64offset: 'base64offset matching is not supported',
  utf16: 'utf16 encodings are not supported',
  utf16le: 'utf16le encoding is not supported',
  utf16be: 'utf16be encoding is not supported',
  wide: 'wide (utf16le) encoding is not supported',
  expand: 'expand (placeholders) is not supported',
  fieldref: 'fieldref (comparing two fields) is not supported',
};
const KNOWN_MODIFIERS = new Set(['contains', 'startswith', 'endswith', 'all', 're', 'i', 'm', 's', 'cidr', 'cased', 'exists', 'gt', 'gte', 'lt', 'lte']);

const LEVEL_MAP: Record<string, Level> = { informational: 'info', low: 'low', medium: 'medium', high: 'high', critical: 'critical' };

class Refused extends Error {
  constructor(message: string, readonly loc: SourceLoc, readonly code: string = UNSUPPORTED) {
    super(message);
  }
}

/** Sigma string with * and ? wildcards (\* \? \\ escapes) → regex source. */
function wildcardSource(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length && '*?\\'.includes(s[i + 1]!)) {
      out += s[i + 1]!.replace(/[*?\\]/, '\\$&');
      i++;
    } else if (c === '*') out += '[\\s\\S]*';
    else if (c === '?') out += '[\\s\\S]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return out;
}

type ValueTest = (v: string | number | boolean | undefined) => boolean;

function valueTest(mods: string[], raw: unknown, loc: SourceLoc): ValueTest {
  const has = (m: string): boolean => mods.includes(m);
  if (has('exists')) {
    const want = raw === true || raw === 'true';
    return (v) => (v !== undefined && v !== '') === want;
  }
  if (raw === null || raw === undefined || raw === '') {
    if (has('contains') || has('startswith') || has('endswith') || has('re')) throw new Refused('an empty value with a string modifier matches nothing sensible', loc);
    return (v) => v === undefined || v === '';
  }
  if (has('re')) {
    const flags = (has('i') ? 'i' : '') + (has('m') ? 'm' : '') + (has('s') ? 's' : '');
    let re: RegExp;
    try {
      re = new RegExp(String(raw), flags);
    } catch (err) {
      throw new Refused(`regex does not compile in JavaScript: ${(err as Error).message}`, loc);
    }
    return (v) => v !== undefined && re.test(String(v));
  }
  if (has('cidr')) {
    const r = parseCidr(String(raw));
    if (r === null) throw new Refused(`"${String(raw)}" is not a CIDR range`, loc, INVALID);
    return (v) => {
      const k = v === undefined ? null : ipToKey(String(v));
      return k !== null && Buffer.compare(k, r.lo) >= 0 && Buffer.compare(k, r.hi) <= 0;
    };
  }
  for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
    if (!has(op)) continue;
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new Refused(`|${op} needs a number`, loc, INVALID);
    return (v) => {
      const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (Number.isNaN(x)) return false;
      return op === 'gt' ? x > n : op === 'gte' ? x >= n : op === 'lt' ? x < n : x <= n;
    };
  }
  if (typeof raw === 'number' || typeof raw === 'boolean') {
    if (!has('contains') && !has('startswith') && !has('endswith')) {
      const s = String(raw);
      return (v) => v !== undefined && String(v) === s;
    }
  }
  let src = wildcardSource(String(raw));
  if (has('contains')) src = `[\\s\\S]*${src}[\\s\\S]*`;
  else if (has('startswith')) src = `${src}[\\s\\S]*`;
  else if (has('endswith')) src = `[\\s\\S]*${src}`;
  const re = new RegExp(`^${src}$`, has('cased') ? '' : 'i');
  return (v) => v !== undefined && re.test(String(v));
}

function fieldPredicate(key: string, keyLoc: SourceLoc, value: TNode, kind: LogsourceKind): Pred {
  const [name, ...given] = key.split('|');
  // A keyword list written as a map ('|all': [...]) matches anywhere in the message, like plain keywords.
  const mods = name === '' && !given.some((m) => ['contains', 'startswith', 'endswith', 're'].includes(m)) ? ['contains', ...given] : given;
  for (const m of given) {
    const why = REFUSED_MODIFIERS[m];
    if (why !== undefined) throw new Refused(`modifier |${m}: ${why}`, keyLoc);
    if (!KNOWN_MODIFIERS.has(m)) throw new Refused(`modifier |${m} is not supported`, keyLoc);
  }
  const getter: SigmaGetter | string = name === '' ? (ev) => keywordText(ev) : mapField(name!, kind);
  if (typeof getter === 'string') throw new Refused(getter, keyLoc);
  const values = value.kind === 'seq' ? value.items : [value];
  const tests = values.map((v) => {
    if (v.kind !== 'scalar') throw new Refused('a field value must be a scalar or a list of scalars', v.loc, INVALID);
    return valueTest(mods, v.value, v.loc);
  });
  if (tests.length === 0) throw new Refused('an empty value list matches nothing', value.loc, INVALID);
  const all = mods.includes('all');
  return (ev) => {
    const v = getter(ev);
    return all ? tests.every((t) => t(v)) : tests.some((t) => t(v));
  };
}

function keywordPredicate(items: TNode[]): Pred {
  const tests = items.map((it) => {
    if (it.kind !== 'scalar' || it.value === null) throw new Refused('a keyword must be a string', it.loc, INVALID);
    const re = new RegExp(`^[\\s\\S]*${wildcardSource(String(it.value))}[\\s\\S]*$`, 'i');
    return (ev: DetectEvent) => re.test(keywordText(ev));
  });
  return (ev) => tests.some((t) => t(ev));
}

function mapPredicate(n: Extract<TNode, { kind: 'map' }>, kind: LogsourceKind): Pred {
  if (n.entries.length === 0) throw new Refused('an empty selection matches everything; refused', n.loc, INVALID);
  const parts = n.entries.map((e) => fieldPredicate(e.key, e.keyLoc, e.value, kind));
  return (ev) => parts.every((p) => p(ev));
}

function searchPredicate(n: TNode, kind: LogsourceKind): Pred {
  if (n.kind === 'map') return mapPredicate(n, kind);
  if (n.kind === 'seq') {
    if (n.items.length === 0) throw new Refused('an empty search list matches nothing', n.loc, INVALID);
    if (n.items.every((i) => i.kind === 'map')) {
      const alts = n.items.map((i) => mapPredicate(i as Extract<TNode, { kind: 'map' }>, kind));
      return (ev) => alts.some((p) => p(ev));
    }
    if (n.items.every((i) => i.kind === 'scalar')) return keywordPredicate(n.items);
    throw new Refused('a search list mixes maps and keywords', n.loc);
  }
  return keywordPredicate([n]);
}

function globRe(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

function compileCond(c: Cond, searches: Map<string, Pred>, loc: SourceLoc): Pred {
  switch (c.kind) {
    case 'id': {
      if (c.name.includes('*')) throw new Refused(`a wildcard identifier "${c.name}" needs "1 of" or "all of"`, loc, INVALID);
      const p = searches.get(c.name);
      if (p === undefined) throw new Refused(`condition names "${c.name}", which is not a search identifier of the detection`, loc, INVALID);
      return p;
    }
    case 'of': {
      const names = c.pattern.toLowerCase() === 'them'
        ? [...searches.keys()].filter((k) => !k.startsWith('_'))
        : [...searches.keys()].filter((k) => globRe(c.pattern).test(k));
      if (names.length === 0) throw new Refused(`"${c.pattern}" matches no search identifier`, loc, INVALID);
      const ps = names.map((k) => searches.get(k)!);
      return c.quantifier === 'all' ? (ev) => ps.every((p) => p(ev)) : (ev) => ps.some((p) => p(ev));
    }
    case 'not': {
      const p = compileCond(c.operand, searches, loc);
      return (ev) => !p(ev);
    }
    case 'and': {
      const l = compileCond(c.left, searches, loc);
      const r = compileCond(c.right, searches, loc);
      return (ev) => l(ev) && r(ev);
    }
    case 'or': {
      const l = compileCond(c.left, searches, loc);
      const r = compileCond(c.right, searches, loc);
      return (ev) => l(ev) || r(ev);
    }
  }
}

function str(root: TNode, key: string): string | undefined {
  const e = entry(root, key);
  return e !== undefined && e.value.kind === 'scalar' && e.value.value !== null ? String(e.value.value) : undefined;
}

/** Compile one Sigma rule document; reports and returns null when it is refused or invalid. */
export function compileSigma(root: TNode, _file: string, rep: Reporter): CompiledRule | null {
  try {
    return compile(root, rep);
  } catch (err) {
    if (err instanceof Refused) {
      rep.error(err.code, `Sigma rule "${str(root, 'title') ?? '?'}" refused: ${err.message}`, err.loc);
      return null;
    }
    throw err;
  }
}

function compile(root: TNode, rep: Reporter): CompiledRule {
  if (root.kind !== 'map') throw new Refused('a Sigma rule is a map', root.loc, INVALID);
  const corr = entry(root, 'correlation');
  if (corr !== undefined) throw new Refused('Sigma correlation rules are not supported (write a native threshold or sequence rule)', corr.keyLoc);
  const title = str(root, 'title');
  if (title === undefined) throw new Refused('missing "title"', root.loc, INVALID);
  const lsEntry = entry(root, 'logsource');
  if (lsEntry === undefined || lsEntry.value.kind !== 'map') throw new Refused('missing "logsource" map', root.loc, INVALID);
  const ls = mapLogsource(plain(lsEntry.value) as Record<string, unknown>);
  if (typeof ls === 'string') throw new Refused(ls, lsEntry.value.loc);
  const det = entry(root, 'detection')!;
  if (det.value.kind !== 'map') throw new Refused('"detection" must be a map', det.value.loc, INVALID);

  const searches = new Map<string, Pred>();
  let condNode: TNode | undefined;
  let timeframe: TNode | undefined;
  for (const e of det.value.entries) {
    if (e.key === 'condition') condNode = e.value;
    else if (e.key === 'timeframe') timeframe = e.value;
    else searches.set(e.key, searchPredicate(e.value, ls.kind));
  }
  if (condNode === undefined) throw new Refused('detection has no "condition"', det.keyLoc, INVALID);
  const condTexts = condNode.kind === 'seq' ? condNode.items : [condNode];
  const alternatives: Pred[] = [];
  let agg: ReturnType<typeof parseCondition>['agg'] = null;
  for (const ct of condTexts) {
    if (ct.kind !== 'scalar' || typeof ct.value !== 'string') throw new Refused('a condition is a string', ct.loc, INVALID);
    let parsed;
    try {
      parsed = parseCondition(ct.value);
    } catch (err) {
      if (err instanceof ConditionError) throw new Refused(err.message, ct.loc);
      throw err;
    }
    if (parsed.agg !== null) {
      if (condTexts.length > 1) throw new Refused('an aggregation in a list of conditions is not supported', ct.loc);
      agg = parsed.agg;
    }
    alternatives.push(compileCond(parsed.cond, searches, ct.loc));
  }
  const base = ls.base;
  const m: Pred = alternatives.length === 1 ? alternatives[0]! : (ev) => alternatives.some((p) => p(ev));
  const levelText = (str(root, 'level') ?? 'medium').toLowerCase();
  const level = LEVEL_MAP[levelText];
  if (level === undefined) throw new Refused(`unknown level "${levelText}"`, entry(root, 'level')!.value.loc, INVALID);
  const idText = str(root, 'id');
  const id = idText !== undefined && /^[A-Za-z0-9][\w.\-]{0,127}$/.test(idText)
    ? idText : `sigma-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 100)}`;
  const rule: CompiledRule = {
    id, title, level, kind: 'match', format: 'sigma',
    description: str(root, 'description') ?? '',
    loc: entry(root, 'title')!.value.loc,
    match: (ev) => base(ev) && m(ev),
    apps: ls.apps ?? null,
    extract: [],
    groupBy: ['host'],
    groupGetters: [(ev) => ev.row.host],
    suppressMs: DEFAULT_SUPPRESS_MS,
    maxKeys: DEFAULT_MAX_KEYS,
  };
  if (agg !== null) {
    if (timeframe === undefined) throw new Refused('an aggregation needs detection.timeframe', condNode.loc);
    const windowMs = timeframe.kind === 'scalar' ? parseDuration(timeframe.value) : undefined;
    if (windowMs === undefined || windowMs <= 0) throw new Refused('timeframe must be a duration such as 30s, 5m, 1h, 1d', timeframe.loc, INVALID);
    const by = agg.by === null ? null : mapField(agg.by, ls.kind);
    if (typeof by === 'string') throw new Refused(by, condNode.loc);
    const distinct = agg.field === null ? null : mapField(agg.field, ls.kind);
    if (typeof distinct === 'string') throw new Refused(distinct, condNode.loc);
    rule.kind = 'threshold';
    rule.groupBy = agg.by === null ? [] : [agg.by];
    rule.groupGetters = by === null ? [] : [(ev) => by(ev)];
    rule.threshold = {
      count: agg.op === '>' ? agg.n + 1 : agg.n,
      windowMs,
      distinct: distinct === null ? null : (ev) => distinct(ev),
      distinctName: agg.field,
    };
  } else if (timeframe !== undefined) {
    rep.warn(IGNORED, 'timeframe without an aggregation has no effect', timeframe.loc);
  }
  return rule;
}

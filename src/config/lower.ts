// Lowers parsed objects (global, module, input, action, template, main_queue, …) into the typed model.
import { EXTRA_PARSERS, PMRFC3164_PARAMS, type ActionDecl, type Params, type SourceLoc, type TemplateDecl, type TemplateItem } from './model';
import { E, W, didYouMean } from './diagnostics';
import type { Session } from './parser';
import { GLOBAL_PARAMS, QUEUE_PARAMS } from './params';

const TEMPLATE_TYPES = ['string', 'list', 'subtree', 'plugin'] as const;
const TEMPLATE_OPTIONS = ['sql', 'stdsql', 'json', 'jsonf', 'casesensitive'];
const TEMPLATE_PARAMS = ['name', 'type', 'string', 'subtree', 'plugin', ...TEMPLATE_OPTIONS.map((o) => `option.${o}`)];
/** Objects Logwarden parses and checks but does not act on yet. */
const IGNORED_OBJECTS = new Map([
  ['timezone', 'timezone() definitions are not used by Logwarden yet'],
  ['dyn_stats', 'the buckets\' counters are not kept or reported; dyn_inc() returns 0, as rsyslog does without impstats'],
  ['percentile_stats', 'percentile statistics are not implemented'],
  ['ratelimit', 'named rate limits are not implemented'],
]);

/** Normalise a module name: `builtin:omfile` → `omfile`, lower case. */
export function moduleName(name: string): string {
  return name.replace(/^builtin:/i, '').toLowerCase();
}

function without(params: Params, key: string): Params {
  return new Map([...params].filter(([k]) => k !== key));
}

function required(s: Session, params: Params, key: string, obj: string, loc: SourceLoc): string | null {
  const v = params.get(key)?.value;
  if (typeof v === 'string' && v !== '') return v;
  s.rep.error(E.MISSING_PARAM, `${obj}() needs ${key}="…"`, loc, { length: obj.length });
  return null;
}

function checkNames(s: Session, params: Params, known: readonly string[], obj: string): void {
  const lower = known.map((k) => k.toLowerCase());
  for (const [key, p] of params) {
    if (lower.includes(key)) continue;
    s.rep.error(E.UNKNOWN_PARAM, `parameter \`${p.name}\` not known in ${obj}()`, p.loc, {
      length: p.name.length, hint: didYouMean(key, known) ?? `${obj}() takes ${known.slice(0, 8).join(', ')}…`,
    });
  }
}

/**
 * Lower one object. Returns the ActionDecl for action(); everything else goes into the model directly.
 * `legacy` carries the text of a `$template name,"…",opt` line.
 */
export function lowerObject(s: Session, kind: string, params: Params, loc: SourceLoc, items?: TemplateItem[],
  legacy?: { args: string; argCol: number }): ActionDecl | null {
  const m = s.model;
  switch (kind) {
    case 'global':
      checkNames(s, params, GLOBAL_PARAMS, 'global');
      for (const [k, v] of params) m.globals.set(k, v);
      return null;
    case 'main_queue':
      checkNames(s, params, QUEUE_PARAMS, 'main_queue');
      for (const [k, v] of params) m.mainQueue.set(k, v);
      return null;
    case 'module': {
      const load = required(s, params, 'load', 'module', loc);
      if (load !== null) m.modules.push({ load: moduleName(load), params: without(params, 'load'), loc });
      return null;
    }
    case 'input': {
      const type = required(s, params, 'type', 'input', loc);
      if (type !== null) m.inputs.push({ type: moduleName(type), params: without(params, 'type'), loc });
      return null;
    }
    case 'action': {
      const type = required(s, params, 'type', 'action', loc);
      if (type === null) return null;
      const decl: ActionDecl = { type: moduleName(type), params: without(params, 'type'), loc };
      applyDefaultTemplate(s, decl);
      return decl;
    }
    case 'template':
      templateObject(s, params, loc, items);
      return null;
    case '$template':
      if (legacy) legacyTemplate(s, legacy.args, loc, legacy.argCol);
      return null;
    case 'lookup_table':
      lookupTableObject(s, params, loc);
      return null;
    case 'parser':
      parserObject(s, params, loc);
      return null;
    case 'dyn_stats': {
      const name = params.get('name');
      if (name !== undefined) (m.dynStats ??= new Set()).add(String(name.value));
      break; // still noticed as ignored below
    }
  }
  const why = IGNORED_OBJECTS.get(kind);
  if (why !== undefined) s.rep.notice(W.IGNORED, `${kind}() is accepted but ignored: ${why}`, loc, { length: kind.length });
  return null;
}

/** `parser(name= type= …)`: a named pmrfc3164 (with its options) or pmrfc5424 for `ruleset(parser=[…])`. */
function parserObject(s: Session, params: Params, loc: SourceLoc): void {
  const typeParam = params.get('type');
  const type = typeParam === undefined ? null : moduleName(String(typeParam.value));
  checkNames(s, params, ['name', 'type', ...(type === 'pmrfc3164' ? PMRFC3164_PARAMS : type === 'pmciscoios' ? ['present.origin', 'present.xr'] : [])], type === null ? 'parser' : `parser type ${type}`);
  const name = required(s, params, 'name', 'parser', loc);
  if (required(s, params, 'type', 'parser', loc) === null || type === null || name === null) return;
  if (type !== 'pmrfc3164' && type !== 'pmrfc5424' && ![...EXTRA_PARSERS.values()].includes(type)) {
    s.rep.warn(W.PARSER_UNAVAILABLE, `parser type \`${type}\` is not available in Logwarden; rulesets naming \`${name}\` use the other parsers of their chain`,
      typeParam!.loc, { length: typeParam!.name.length, hint: `Logwarden implements pmrfc3164, pmrfc5424 and ${[...new Set(EXTRA_PARSERS.values())].join(', ')}` });
    return;
  }
  for (const opt of PMRFC3164_PARAMS) {
    const p = params.get(opt.toLowerCase());
    if (p !== undefined && !/^(on|off|yes|no|true|false|1|0)$/i.test(String(p.value))) {
      s.rep.error(E.BAD_VALUE, `${p.name}="${String(p.value)}" must be on or off`, p.loc, { length: p.name.length });
    }
  }
  const parsers = (s.model.parsers ??= new Map());
  const key = name.toLowerCase();
  if (parsers.has(key) || key === 'rsyslog.rfc5424' || key === 'rsyslog.rfc3164') {
    s.rep.error(E.BAD_VALUE, `parser \`${name}\` is defined twice`, loc, { length: 'parser'.length });
    return;
  }
  parsers.set(key, { name, type, params: without(params, 'type'), loc });
}

/** `lookup_table(name= file= reloadOnHUP=)`: the file is read when the rules are compiled (run and check alike). */
function lookupTableObject(s: Session, params: Params, loc: SourceLoc): void {
  checkNames(s, params, ['name', 'file', 'reloadOnHUP'], 'lookup_table');
  const name = required(s, params, 'name', 'lookup_table', loc);
  const file = required(s, params, 'file', 'lookup_table', loc);
  const hup = params.get('reloadonhup');
  if (hup !== undefined && !/^(on|off|yes|no|true|false|1|0)$/i.test(String(hup.value))) {
    s.rep.error(E.BAD_VALUE, `reloadOnHUP="${String(hup.value)}" must be on or off`, hup.loc, { length: hup.name.length });
  }
  if (name === null || file === null) return;
  const tables = (s.model.lookupTables ??= new Map());
  if (tables.has(name)) {
    s.rep.error(E.BAD_VALUE, `lookup table \`${name}\` is defined twice`, loc, { length: 'lookup_table'.length });
    return;
  }
  tables.set(name, { name, params, loc });
}

/** omfile/omfwd action() without template=: the legacy default template, unless the module sets one (rsyslog getDfltTpl). */
function applyDefaultTemplate(s: Session, decl: ActionDecl): void {
  const type = decl.type === 'omfile' || decl.type === 'omfwd' ? decl.type : null;
  if (type === null || decl.params.has('template')) return;
  const dflt = s.legacy.defaultTemplate(type);
  if (dflt === undefined) return;
  if (s.model.modules.some((m) => m.load === type && m.params.has('template'))) return;
  decl.params.set('template', dflt);
}

function addTemplate(s: Session, t: TemplateDecl, nameLoc: SourceLoc): void {
  if (s.model.templates.has(t.name)) {
    s.rep.error(E.DUPLICATE_TEMPLATE, `template \`${t.name}\` is defined twice`, nameLoc, { length: t.name.length });
    return;
  }
  s.model.templates.set(t.name, t);
}

function templateObject(s: Session, params: Params, loc: SourceLoc, items?: TemplateItem[]): void {
  checkNames(s, params, TEMPLATE_PARAMS, 'template');
  const name = required(s, params, 'name', 'template', loc);
  const typeParam = params.get('type');
  const type = String(typeParam?.value ?? '').toLowerCase();
  if (!(TEMPLATE_TYPES as readonly string[]).includes(type)) {
    s.rep.error(typeParam ? E.BAD_VALUE : E.MISSING_PARAM, typeParam ? `template type \`${type}\` is not one of ${TEMPLATE_TYPES.join(', ')}`
      : 'template() needs type="string|list|subtree|plugin"', typeParam?.loc ?? loc, { length: typeParam ? 4 : 8 });
    return;
  }
  if (name === null) return;
  const options: Params = new Map();
  for (const [k, v] of params) if (k.startsWith('option.')) options.set(k.slice(7), { ...v, name: v.name.slice(7) });
  const t: TemplateDecl = { name, type: type as TemplateDecl['type'], options, loc };
  if (type === 'list') {
    if (items === undefined) s.rep.error(E.SYNTAX, 'a list template needs a `{ … }` body', loc, { length: 8 });
    t.items = items ?? [];
  } else if (items !== undefined) {
    s.rep.error(E.SYNTAX, `a ${type} template takes no \`{ … }\` body`, loc, { length: 8 });
    return;
  } else {
    const key = type as 'string' | 'subtree' | 'plugin';
    const v = required(s, params, key, 'template', loc);
    if (v === null) return;
    t[key] = v;
  }
  addTemplate(s, t, params.get('name')!.loc);
}

/** `$template name,"text"[,option…]`: the text is kept raw; template escapes are the template compiler's job. */
function legacyTemplate(s: Session, args: string, loc: SourceLoc, argCol: number): void {
  const at = (i: number): SourceLoc => ({ ...loc, col: argCol + i });
  const comma = args.indexOf(',');
  const name = (comma === -1 ? args : args.slice(0, comma)).trim();
  if (comma === -1 || name === '') {
    s.rep.error(E.SYNTAX, '`$template` needs `name,"text"`', at(0), { length: Math.max(1, args.length) });
    return;
  }
  let i = comma + 1;
  while (args[i] === ' ' || args[i] === '\t') i++;
  if (args[i] !== '"') {
    s.rep.error(E.SYNTAX, 'template text must be in double quotes', at(i), { length: 1, hint: `$template ${name},"%msg%\\n"` });
    return;
  }
  const open = i;
  for (i++; i < args.length && args[i] !== '"'; i++) if (args[i] === '\\') i++;
  if (i >= args.length) {
    s.rep.error(E.UNTERMINATED, 'unterminated template text: missing closing "', at(open), { length: 1 });
    return;
  }
  const text = args.slice(open + 1, i);
  // `legacy` tells the template compiler to apply template.c's $template escapes (\n \r \\ \% \DDD).
  const options: Params = new Map([['legacy', { name: 'legacy', value: true, loc }]]);
  let pos = i + 1;
  for (const raw of args.slice(i + 1).split(',').slice(1)) {
    pos += raw.length + 1;
    const opt = raw.trim().toLowerCase();
    if (TEMPLATE_OPTIONS.includes(opt)) options.set(opt, { name: opt, value: true, loc: at(pos - raw.length) });
    else {
      s.rep.warn(W.TEMPLATE_OPTION, `unknown template option \`${raw.trim()}\` ignored`, at(pos - raw.length), {
        length: raw.length || 1, hint: didYouMean(opt, TEMPLATE_OPTIONS) ?? `options are ${TEMPLATE_OPTIONS.join(', ')}`,
      });
    }
  }
  addTemplate(s, { name, type: 'string', string: text, options, loc }, at(args.indexOf(name)));
}

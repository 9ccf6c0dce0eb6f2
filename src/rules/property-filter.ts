// Legacy property filters `:property, [!]op, "value"` (rsyslog ruleset.c evalPROPFILT): the property is
// compared as rendered text; regex is POSIX BRE, ereregex POSIX ERE, both searched anywhere in the value.
import type { Filter } from '../config/model';
import type { Message } from '../message';
import { compileProperty } from '../templates/properties';
import { RuleError, RULES_REGEX_ERROR } from './errors';
import { compilePosix } from '../util/posix-regex';
import { jsonValueText } from '../templates/jsonc';
import { getVar, parseVarRef, type GlobalVars } from './vars';

type PropertyFilter = Extract<Filter, { kind: 'property' }>;

/** The property as text: JSON variables via their rendered value, others via the template property table. */
function propertyText(f: PropertyFilter, globals: GlobalVars): (m: Message) => string {
  const ref = parseVarRef(f.property, f.loc);
  if (ref) return (m) => jsonValueText(getVar(m, ref, globals)); // as a template prints it: a double's source text
  const get = compileProperty(f.property);
  if (!get) throw new RuleError('LW_ERR_RULES_PROPERTY', `unknown property "${f.property}" in property filter`, f.loc);
  return get;
}

/** Compile a property filter to a predicate. */
export function compilePropertyFilter(f: PropertyFilter, globals: GlobalVars): (m: Message) => boolean {
  const get = propertyText(f, globals);
  const v = f.value;
  let test: (s: string) => boolean;
  switch (f.op.toLowerCase()) {
    case 'contains': test = (s) => s.includes(v); break;
    case 'isequal': test = (s) => s === v; break;
    case 'startswith': test = (s) => s.startsWith(v); break;
    case 'endswith': test = (s) => s.endsWith(v); break;
    case 'isempty': test = (s) => s.length === 0; break;
    case 'regex': { const re = compilePosix(v, 'bre', { loc: f.loc, errorCode: RULES_REGEX_ERROR }); test = (s) => re.test(s); break; }
    case 'ereregex': { const re = compilePosix(v, 'ere', { loc: f.loc, errorCode: RULES_REGEX_ERROR }); test = (s) => re.test(s); break; }
    default:
      throw new RuleError('LW_ERR_RULES_PROPFILTER_OP', `unknown property filter operation "${f.op}"`, f.loc);
  }
  return f.negate ? (m) => !test(get(m)) : (m) => test(get(m));
}

// mmsequence (rsyslog contrib/mmsequence, 8.2302): puts a number in a variable ($!mmsequence by default).
// mode "instance": a counter per action, from..to-1 by step, wrapping to `from` (the first message gets `from`);
// "key": one counter per key text shared by all actions; "random": from + rand % (to - from).
import type { ComponentSpec } from '../../components';
import { getParam, type ActionDecl } from '../../config/model';
import type { Message } from '../../message';
import { RuleError } from '../errors';
import { parseVarRef, setVar, type GlobalVars } from '../vars';

export const mmsequenceSpec: ComponentSpec = {
  name: 'mmsequence',
  aliases: [],
  kind: 'action',
  moduleParams: [],
  params: [
    { name: 'mode', type: 'word', default: 'instance', values: ['instance', 'key', 'random'], doc: 'instance: a counter per action; key: a counter per key shared by all actions; random: a random number.' },
    { name: 'from', type: 'int', default: 0, doc: 'Lowest value.' },
    { name: 'to', type: 'int', default: 2147483647, doc: 'Upper bound (not reached: the counter wraps to from before it).' },
    { name: 'step', type: 'int', default: 1, doc: 'Increment.' },
    { name: 'key', type: 'string', default: '', doc: 'Counter name in key mode (the text itself, as rsyslog 8.2302 uses it).' },
    { name: 'var', type: 'string', default: '$!mmsequence', doc: 'Variable the value is written to.' },
    { name: 'name', type: 'string', doc: 'Action name.' },
  ],
};

/** Key-mode counters, shared by every mmsequence action of the process (rsyslog's global hash table). */
const keyCounters = new Map<string, number>();

export function compileMmsequence(decl: ActionDecl, globals: GlobalVars): (m: Message) => void {
  const p = (n: string): string | undefined => { const v = getParam(decl.params, n); return v === undefined ? undefined : String(v.value); };
  const mode = (p('mode') ?? 'instance').toLowerCase();
  const from = Number(p('from') ?? 0);
  const to = Number(p('to') ?? 2147483647);
  const step = Number(p('step') ?? 1);
  const key = p('key') ?? '';
  const varParam = getParam(decl.params, 'var');
  const name = p('var') ?? '$!mmsequence';
  const ref = parseVarRef(name, varParam?.loc ?? decl.loc);
  if (!ref || ref.path.length === 0) throw new RuleError('LW_ERR_RULES_MODIFIER', `mmsequence: var "${name}" is not a $!, $. or $/ variable name`, varParam?.loc ?? decl.loc);
  const put = (m: Message, v: number): void => { setVar(m, ref, v, globals); };
  if (mode === 'random') {
    return (m) => put(m, from + (Math.floor(Math.random() * 2147483647) % (to - from)));
  }
  if (mode === 'key') {
    return (m) => {
      const cur = keyCounters.get(key) ?? to;
      const next = cur >= to - step || cur < from ? from : cur + step;
      keyCounters.set(key, next);
      put(m, next);
    };
  }
  let value = to;
  return (m) => {
    value = value >= to - step ? from : value + step;
    put(m, value);
  };
}

// mmfields (rsyslog plugins/mmfields, 8.2302): splits MSG at a separator character into $!f1, $!f2, … (or under
// jsonRoot). Empty fields count ("a,,b" gives f2 ""), a trailing separator starts no new field, and an empty
// MSG adds an empty object.
import type { ComponentSpec } from '../../components';
import { getParam, type ActionDecl } from '../../config/model';
import type { Message } from '../../message';
import { RuleError } from '../errors';
import { parseVarRef, setVar, type GlobalVars } from '../vars';

export const mmfieldsSpec: ComponentSpec = {
  name: 'mmfields',
  aliases: [],
  kind: 'action',
  moduleParams: [],
  params: [
    { name: 'separator', type: 'string', default: ',', doc: 'Field separator (its first character).' },
    { name: 'jsonRoot', type: 'string', default: '!', doc: 'Variable the f1…fN fields are added to ("!", "!csv", ".x").' },
    { name: 'name', type: 'string', doc: 'Action name.' },
  ],
};

/** The fields of `text` as rsyslog's extractField loop cuts them. */
export function splitFields(text: string, sep: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  let n = 1;
  while (i < text.length) {
    let j = text.indexOf(sep, i);
    if (j < 0) j = text.length;
    out[`f${n++}`] = text.slice(i, j);
    i = j < text.length ? j + 1 : j;
  }
  return out;
}

export function compileMmfields(decl: ActionDecl, globals: GlobalVars): (m: Message) => void {
  const sepParam = getParam(decl.params, 'separator');
  const sep = sepParam === undefined ? ',' : String(sepParam.value).charAt(0);
  const rootParam = getParam(decl.params, 'jsonroot');
  const rootText = rootParam === undefined ? '!' : String(rootParam.value);
  const root = parseVarRef(`$${rootText}`, rootParam?.loc ?? decl.loc);
  if (!root || sep === '') throw new RuleError('LW_ERR_RULES_MODIFIER', sep === '' ? 'mmfields: separator is empty' : `mmfields: jsonRoot "${rootText}" is not a !, . or / variable`, rootParam?.loc ?? decl.loc);
  return (m) => { setVar(m, root, splitFields(m.msg, sep), globals); };
}

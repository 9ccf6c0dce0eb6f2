// mmpstrucdata (rsyslog plugins/mmpstrucdata, 8.2302): parses RFC 5424 STRUCTURED-DATA into
// $!rfc5424-sd!<sd-id>!<param> (under jsonRoot). SD-IDs and PARAM-NAMEs are cut at 32 characters and lowered
// unless sd_name.lowercase="off"; in values \" \\ \] lose their backslash, other escapes keep it. Any syntax
// error drops the whole result; a message without structured data ("-") is left alone.
import type { ComponentSpec } from '../../components';
import { getParam, type ActionDecl } from '../../config/model';
import { NILVALUE, type Message } from '../../message';
import { RuleError } from '../errors';
import { parseVarRef, setVar, type GlobalVars } from '../vars';

export const mmpstrucdataSpec: ComponentSpec = {
  name: 'mmpstrucdata',
  aliases: [],
  kind: 'action',
  moduleParams: [],
  params: [
    { name: 'jsonRoot', type: 'string', default: '!', doc: 'Variable the rfc5424-sd object is added to ("$!", "$!sd", "$.x"; the "$" may be left out).' },
    { name: 'sd_name.lowercase', type: 'binary', default: true, doc: 'Lower-case SD-IDs and PARAM-NAMEs.' },
    { name: 'name', type: 'string', doc: 'Action name.' },
  ],
};

const lower = (s: string): string => s.replace(/[A-Z]+/g, (x) => x.toLowerCase());

/** The parsed structured data, or null on a syntax error (rsyslog then adds nothing). */
export function parseStructuredData(sd: string, lowercase: boolean): Record<string, Record<string, string>> | null {
  const out: Record<string, Record<string, string>> = {};
  const n = sd.length;
  let i = 0;
  const name = (): string => {
    const from = i;
    while (i < n && i - from < 32) {
      const c = sd[i];
      if (c === '=' || c === '"' || c === ']' || c === ' ') break;
      i++;
    }
    const s = sd.slice(from, i);
    return lowercase ? lower(s) : s;
  };
  while (i < n) {
    if (sd[i] !== '[') return null;
    i++;
    const id = name();
    const params: Record<string, string> = {};
    while (i < n) {
      if (sd[i] === ']') break;
      if (sd[i] !== ' ') return null;
      i++;
      while (i < n && sd[i] === ' ') i++;
      const key = name();
      if (sd[i] !== '=') return null;
      i++;
      if (sd[i] !== '"') return null;
      i++;
      let val = '';
      while (i < n && sd[i] !== '"') {
        if (sd[i] === '\\') {
          if (++i === n) val += '\\';
          else {
            const c = sd[i];
            val += c === '"' || c === '\\' || c === ']' ? c : `\\${c}`;
            i++;
          }
        } else val += sd[i++];
      }
      if (sd[i] !== '"') return null;
      i++;
      params[key] = val;
    }
    if (sd[i] !== ']') return null;
    i++;
    out[id] = params;
  }
  return out;
}

export function compileMmpstrucdata(decl: ActionDecl, globals: GlobalVars): (m: Message) => void {
  const rootParam = getParam(decl.params, 'jsonroot');
  let rootText = rootParam === undefined ? '!' : String(rootParam.value);
  if (rootText.startsWith('$')) rootText = rootText.slice(1);
  const root = rootText === '' ? null : parseVarRef(`$${rootText}`, rootParam?.loc ?? decl.loc);
  if (!root) throw new RuleError('LW_ERR_RULES_MODIFIER', `mmpstrucdata: invalid jsonRoot name "${rootText}", name must start with either '$!', '$.', or '$/'`, rootParam?.loc ?? decl.loc);
  const lc = getParam(decl.params, 'sd_name.lowercase');
  const lowercase = lc === undefined || lc.value === true || /^(on|yes|1|true)$/i.test(String(lc.value));
  return (m) => {
    if (m.structuredData === NILVALUE || m.structuredData === '') return;
    const sd = parseStructuredData(m.structuredData, lowercase);
    if (sd !== null) setVar(m, root, { 'rfc5424-sd': sd }, globals);
  };
}

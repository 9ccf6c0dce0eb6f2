// mmjsonparse: parses a CEE/JSON payload into message variables, in the ruleset, before the next statement
// runs (rsyslog plugins/mmjsonparse/mmjsonparse.c). It is a message modifier, not an output: it never reaches
// a queue, so it is compiled here as a statement rather than bound as an action.
import type { ComponentSpec } from '../components';
import { getParam, type ActionDecl } from '../config/model';
import { parseSucceeded, type Message } from '../message';
import { RuleError } from './errors';
import { parseVarRef, setVar, type GlobalVars } from './vars';
import { foldKeys } from '../util/json-keys';
import { parseFastJsonObject, type TokenerState } from './fastjson';

export const mmjsonparseSpec: ComponentSpec = {
  name: 'mmjsonparse',
  aliases: ['mmjsonparse'],
  kind: 'action',
  moduleParams: [],
  params: [
    { name: 'cookie', type: 'string', default: '@cee:', doc: 'Text that must precede the JSON ("" = the whole message is JSON).' },
    { name: 'useRawMsg', type: 'binary', default: false, doc: 'Parse rawmsg instead of msg.' },
    { name: 'container', type: 'string', default: '$!', doc: 'Variable tree the parsed object is added to.' },
    { name: 'name', type: 'string', doc: 'Action name.' },
  ],
};

const isBlank = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

/** The parsed object, or null when `text` (after its cookie) is not exactly one JSON object. */
function parseObject(text: string, tok: TokenerState): Record<string, unknown> | null {
  // libfastjson's non-strict tokener, as parse_json() (leading zeros, 'quotes', comments, NaN: src/rules/fastjson.ts)
  const obj = parseFastJsonObject(text, tok);
  return obj === null ? null : (foldKeys(obj) as Record<string, unknown>); // libfastjson merges keys that differ only in case
}

/**
 * Compile one `action(type="mmjsonparse" …)`: returns the statement body. Success adds the object to the
 * container and sets $parsesuccess "OK"; otherwise rsyslog adds `{"msg": text}` to the container (text after
 * the leading blanks and, when present, the cookie) and $parsesuccess is "FAIL".
 */
export function compileMmjsonparse(decl: ActionDecl, globals: GlobalVars): (m: Message) => void {
  const str = (name: string, def: string): string => {
    const p = getParam(decl.params, name);
    return p === undefined ? def : String(p.value);
  };
  const cookie = str('cookie', '@cee:');
  const raw = /^(on|yes|1|true)$/i.test(str('userawmsg', 'off'));
  const container = parseVarRef(str('container', '$!'), decl.loc);
  if (!container) throw new RuleError('LW_ERR_RULES_VARIABLE', `mmjsonparse: container "${str('container', '')}" is not a $!, $. or $/ variable`, decl.loc);
  const tok: TokenerState = { stPos: 0 }; // the worker's tokener, reused for every message
  return (m) => {
    let text = raw ? m.rawmsg.toString('utf8') : m.msg;
    let i = 0;
    while (i < text.length && isBlank(text[i])) i++;
    let ok = false;
    if (i < text.length && text.startsWith(cookie, i)) {
      text = text.slice(i + cookie.length);
      const obj = parseObject(text, tok);
      if (obj !== null) {
        ok = setVar(m, container, obj, globals);
      }
    } else text = text.slice(i);
    if (ok) parseSucceeded.add(m);
    else {
      parseSucceeded.delete(m);
      setVar(m, container, { msg: text }, globals);
    }
  };
}

// mmutf8fix (rsyslog plugins/mmutf8fix, 8.2302): mode "utf-8" replaces every byte of an invalid UTF-8 sequence
// (stray continuation bytes, truncated, overlong, surrogate or above U+10FFFF sequences, 0xF8..0xFF) with the
// replacement byte; mode "controlcharacters" replaces every byte outside 0x20..0x7E. The length never changes.
import type { ComponentSpec } from '../../components';
import { getParam, type ActionDecl } from '../../config/model';
import type { Message } from '../../message';
import { encodeRaw } from '../../util/raw-text';
import { RuleError } from '../errors';
import { msgBytes, setMsgBytes } from './msg-bytes';

export const mmutf8fixSpec: ComponentSpec = {
  name: 'mmutf8fix',
  aliases: [],
  kind: 'action',
  moduleParams: [],
  params: [
    { name: 'mode', type: 'string', default: 'utf-8', values: ['utf-8', 'controlcharacters'], doc: 'utf-8: replace invalid UTF-8 sequences; controlcharacters: replace bytes outside 0x20..0x7E.' },
    { name: 'replacementChar', type: 'string', default: ' ', doc: 'Byte written instead (the first byte of the value).' },
    { name: 'name', type: 'string', doc: 'Action name.' },
  ],
};

/** Replace invalid UTF-8 in `b` (in place) with `repl`, exactly as rsyslog's doUTF8. True when something changed. */
export function fixUtf8(b: Buffer, repl: number): boolean {
  let changed = false;
  const fix = (from: number, to: number): void => {
    for (let k = from; k < Math.min(to, b.length); k++) b[k] = repl;
    changed = true;
  };
  let left = 0;
  let cp = 0;
  let start = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (left > 0) {
      if ((c & 0xc0) === 0x80) {
        cp = (cp << 6) | (c & 0x3f);
        if (--left === 0) {
          const n = i - start + 1;
          if ((n === 2 && cp < 0x80) || (n === 3 && cp < 0x800) || (n === 4 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) fix(start, i + 1);
        }
        continue;
      }
      fix(start, i); // not a continuation byte: the sequence so far is invalid; c starts anew
      left = 0;
    }
    if ((c & 0x80) === 0) continue;
    if ((c & 0xe0) === 0xc0) { start = i; left = 1; cp = c & 0x1f; }
    else if ((c & 0xf0) === 0xe0) { start = i; left = 2; cp = c & 0x0f; }
    else if ((c & 0xf8) === 0xf0) { start = i; left = 3; cp = c & 0x07; }
    else fix(i, i + 1);
  }
  if (left > 0) fix(start, b.length);
  return changed;
}

/** Replace every byte outside 0x20..0x7E (in place). True when something changed. */
export function fixControlChars(b: Buffer, repl: number): boolean {
  let changed = false;
  for (let i = 0; i < b.length; i++) {
    if (b[i] < 32 || b[i] > 126) { b[i] = repl; changed = true; }
  }
  return changed;
}

export function compileMmutf8fix(decl: ActionDecl): (m: Message) => void {
  const mode = getParam(decl.params, 'mode');
  const modeValue = mode === undefined ? 'utf-8' : String(mode.value);
  if (modeValue !== 'utf-8' && modeValue !== 'controlcharacters') {
    throw new RuleError('LW_ERR_RULES_MODIFIER', `mmutf8fix: mode "${modeValue}" is not "utf-8" or "controlcharacters"`, mode?.loc ?? decl.loc);
  }
  const rc = getParam(decl.params, 'replacementchar');
  const repl = rc === undefined ? 0x20 : (encodeRaw(String(rc.value))[0] ?? 0);
  const fix = modeValue === 'utf-8' ? fixUtf8 : fixControlChars;
  return (m) => {
    const prev = msgBytes(m);
    const next = Buffer.from(prev);
    if (fix(next, repl)) setMsgBytes(m, prev, next);
  };
}

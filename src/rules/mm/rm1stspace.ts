// mmrm1stspace: drops the first character of MSG when it is a space (rsyslog plugins/mmrm1stspace): RFC 3164
// keeps the space after "tag:" in MSG, this takes it off. Only one space, and only a space (not a tab).
import type { ComponentSpec } from '../../components';
import type { ActionDecl } from '../../config/model';
import type { Message } from '../../message';
import { msgBytes, setMsgBytes } from './msg-bytes';

export const mmrm1stspaceSpec: ComponentSpec = {
  name: 'mmrm1stspace',
  aliases: [],
  kind: 'action',
  moduleParams: [],
  params: [{ name: 'name', type: 'string', doc: 'Action name.' }],
};

export function rm1stspace(m: Message): void {
  if (m.msg.charCodeAt(0) !== 0x20) return;
  const prev = msgBytes(m);
  setMsgBytes(m, prev, prev.subarray(1));
}

export function compileMmrm1stspace(_decl: ActionDecl): (m: Message) => void {
  return rm1stspace;
}

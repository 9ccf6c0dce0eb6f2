// rsyslog's modifiers edit MSG in place, and MSG is the tail of the raw message buffer: the edit shows in
// %rawmsg% too. These helpers apply an edited MSG to both fields.
import type { Message } from '../../message';
import { decodeRaw, encodeRaw } from '../../util/raw-text';

/** MSG as the bytes rsyslog holds (escaped invalid bytes become themselves again). */
export function msgBytes(m: Message): Buffer {
  return encodeRaw(m.msg);
}

/**
 * Set MSG to `next` (bytes), where `prev` are its bytes before the edit; when rawmsg ends with `prev` (it does
 * unless something rewrote MSG before), its tail becomes `next` as well.
 */
export function setMsgBytes(m: Message, prev: Buffer, next: Buffer): void {
  m.msg = decodeRaw(next);
  m.parsedWith = null;
  const raw = m.rawmsg;
  const at = raw.length - prev.length;
  if (at >= 0 && raw.subarray(at).equals(prev)) m.rawmsg = Buffer.concat([raw.subarray(0, at), next]);
}

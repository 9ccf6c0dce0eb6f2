// RFC 5424 header parser with rsyslog pmrfc5424's exact behaviour (fields split at SP, STRUCTURED-DATA kept
// verbatim, no fallback to RFC 3164 once "1 " was seen, MSG = everything after the SD and its SP).
import { Message, NILVALUE } from '../message';
import { decodeRaw } from '../util/raw-text';
import { Cursor, at, scanRfc3339 } from './timestamp';

const SP = 0x20;
const DASH = 0x2d;
const OPEN = 0x5b; // '['
const CLOSE = 0x5d; // ']'
const BACKSLASH = 0x5c;
const VERSION_1 = 0x31;
const SD_TERMINATOR = Buffer.from('] ', 'latin1');

/** True when the text after PRI starts with VERSION "1" and SP (RFC 5424 §6.2.2): pmrfc5424's test. */
export function looksLikeRfc5424(buf: Buffer, afterPri: number): boolean {
  return buf.length - afterPri >= 2 && buf[afterPri] === VERSION_1 && buf[afterPri + 1] === SP;
}

/**
 * One header field up to the next SP (eaten if present), like rsyslog's parseRFCField. `text` is the frame
 * already decoded when it is printable ASCII (byte offsets = char offsets): a substring then replaces a
 * per-field UTF-8 decode (200k-msg profile: 7 toString calls/msg were 9% of CPU).
 */
function field(buf: Buffer, c: Cursor, text: string | null): string {
  const start = c.pos;
  let value: string;
  if (text !== null) {
    // String#indexOf is a vectorised search, the byte loop below one step a byte.
    const sp = text.indexOf(' ', start);
    const stop = sp < 0 ? buf.length : sp;
    value = text.substring(start, stop);
    c.len -= stop - start;
    c.pos = stop;
  } else {
    while (c.len > 0 && buf[c.pos] !== SP) {
      c.pos++;
      c.len--;
    }
    value = decodeRaw(buf, start, c.pos);
  }
  if (c.len > 0) {
    c.pos++;
    c.len--;
  }
  return value;
}

/**
 * STRUCTURED-DATA (RFC 5424 §6.3) taken whole: from '[' to the first "] " that is not "\]" (§6.3.3 escapes
 * are kept verbatim), or a lone "-". Returns null when the field starts with neither: rsyslog then keeps the
 * previous field's text (MSGID) as structured-data — a quirk we reproduce for byte-exact output.
 */
function structuredData(buf: Buffer, c: Cursor, text: string | null): string | null {
  if (c.len === 0 || (buf[c.pos] !== OPEN && buf[c.pos] !== DASH)) return null;
  const start = c.pos;
  if (buf[c.pos] === DASH) {
    c.pos++;
    c.len--;
  } else {
    const end = sdEnd(buf, start, text);
    c.len -= end - start;
    c.pos = end;
  }
  const value = text === null ? decodeRaw(buf, start, c.pos) : text.substring(start, c.pos);
  if (c.len > 0 && at(buf, c.pos) === SP) {
    c.pos++;
    c.len--;
  }
  return value;
}

/**
 * Where the STRUCTURED-DATA starting with '[' at `start` ends: after the first ']' that is followed by SP and
 * not preceded by a backslash. That is rsyslog's byte walk (a backslash-']' pair is skipped whole, so a ']'
 * after a backslash never ends it; a backslash itself is never skipped, being no ']'), done with a vectorised
 * search instead of one step a byte (the walk was 7-12% of the socket thread's profile). Without such a "] ",
 * the SD runs to the end of the frame, keeping a final ']' and, as rsyslog's loop stops one byte short,
 * dropping any other final byte.
 */
export function sdEnd(buf: Buffer, start: number, text: string | null): number {
  let from = start + 1;
  for (;;) {
    const j = text !== null ? text.indexOf('] ', from) : buf.indexOf(SD_TERMINATOR, from);
    if (j < 0) break;
    if (buf[j - 1] !== BACKSLASH) return j + 1;
    from = j + 1;
  }
  return buf.length - start < 2 || buf[buf.length - 1] !== CLOSE ? Math.max(start, buf.length - 1) : buf.length;
}

/**
 * Parse an RFC 5424 frame whose PRI was already taken (`afterPri` = offset of VERSION). Caller checked
 * looksLikeRfc5424. Returns the offset where MSG starts. Sets parseFailed when the TIMESTAMP is invalid:
 * rsyslog then leaves every header field unset and MSG starts right after "1 ". `text`, when given, is `buf`
 * decoded (printable ASCII only), so fields are cut from it instead of being decoded one by one.
 */
export function parseRfc5424(buf: Buffer, afterPri: number, msg: Message, text: string | null = null): number {
  msg.protocolVersion = '1';
  const c: Cursor = { pos: afterPri + 2, len: buf.length - afterPri - 2 };
  if (c.len >= 2 && buf[c.pos] === DASH && buf[c.pos + 1] === SP) {
    c.pos += 2; // NILVALUE timestamp: keep the reception time
    c.len -= 2;
  } else {
    const t = scanRfc3339(buf, c, true, text);
    if (t === null) {
      msg.appName = '';
      msg.parseFailed = true;
      return c.pos;
    }
    msg.timereported = t;
  }
  msg.hostname = field(buf, c, text);
  msg.appName = field(buf, c, text) || NILVALUE; // rsyslog shows an empty APP-NAME as "-"

  msg.procid = field(buf, c, text);
  msg.msgid = field(buf, c, text);
  const sd = structuredData(buf, c, text);
  msg.structuredData = sd ?? msg.msgid;
  if (sd === null) msg.parseFailed = true;
  return c.pos;
}

/** rsyslog's emulated TAG for RFC 5424: APP-NAME, or APP-NAME[PROCID] when PROCID is not "-". */
export function emulateTag5424(msg: Message): string {
  return msg.procid === '-' ? msg.appName : `${msg.appName}[${msg.procid}]`;
}

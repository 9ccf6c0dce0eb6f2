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
  while (c.len > 0 && buf[c.pos] !== SP) {
    c.pos++;
    c.len--;
  }
  const value = text === null ? decodeRaw(buf, start, c.pos) : text.substring(start, c.pos);
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
    for (;;) {
      if (c.len < 2) {
        if (c.len > 0 && buf[c.pos] === CLOSE) {
          c.pos++;
          c.len--;
        }
        break;
      }
      const ch = buf[c.pos];
      if (ch === BACKSLASH && buf[c.pos + 1] === CLOSE) {
        c.pos += 2;
        c.len -= 2;
      } else if (ch === CLOSE && buf[c.pos + 1] === SP) {
        c.pos++;
        c.len--;
        break;
      } else {
        c.pos++;
        c.len--;
      }
    }
  }
  const value = text === null ? decodeRaw(buf, start, c.pos) : text.substring(start, c.pos);
  if (c.len > 0 && at(buf, c.pos) === SP) {
    c.pos++;
    c.len--;
  }
  return value;
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
    const t = scanRfc3339(buf, c);
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

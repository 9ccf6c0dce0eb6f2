// Received-frame cleanup exactly as rsyslog's parser does before any parser runs: drop a trailing NUL and
// LF, escape control characters (#ooo), optionally 8-bit bytes. The result is also what rsyslog calls rawmsg.
import type { ParseOptions } from './options';

const NUL = 0x00;
const TAB = 0x09;
const LF = 0x0a;
const SP = 0x20;
const FIRST_PRINTABLE = 0x20;
const LAST_ASCII = 0x7f;
const HEX = '0123456789abcdef';
/** C-style escapes rsyslog knows by letter (parser.escapeControlCharactersCStyle). */
const C_ESCAPES: Record<number, string> = { 0: '0', 7: 'a', 8: 'b', 0x1b: 'e', 12: 'f', 10: 'n', 13: 'r', 9: 't', 11: 'v' };

/** Does this frame need the slow copy? (rsyslog scans first: the common case is a clean frame.) */
function needsSanitize(buf: Buffer, len: number, o: ParseOptions): boolean {
  let need = false;
  for (let i = 0; i < len; i++) {
    const c = buf[i];
    if (c < FIRST_PRINTABLE) {
      if (o.spaceLFOnReceive && c === LF) {
        buf[i] = SP; // rsyslog rewrites LF in place when spaceLFOnReceive is set
      } else if (c === NUL || o.escapeControlCharacters) {
        need = true;
        if (!o.spaceLFOnReceive) return true;
      }
    } else if (c > LAST_ASCII && o.escape8BitCharacters) {
      return true;
    }
  }
  return need;
}

function escapeByte(out: number[], c: number, o: ParseOptions, prefix: number): void {
  if (o.escapeControlCharactersCStyle) {
    out.push(0x5c); // backslash
    const letter = C_ESCAPES[c];
    if (letter !== undefined && c < FIRST_PRINTABLE) {
      out.push(letter.charCodeAt(0));
    } else {
      out.push(0x78, HEX.charCodeAt(c >> 4), HEX.charCodeAt(c & 0xf)); // \xHH
    }
    return;
  }
  // prefix + three octal digits, e.g. TAB -> "#011"
  out.push(prefix, 0x30 + ((c >> 6) & 3), 0x30 + ((c >> 3) & 7), 0x30 + (c & 7));
}

/**
 * Clean a frame as rsyslog's SanitizeMsg does. Returns the same Buffer (or a subarray) when nothing had to
 * change, else a new Buffer. Like rsyslog, the output never exceeds min(4 × length, maxMessageSize) - 3
 * bytes of copied content, and a control character is dropped (not escaped) when escaping is off, except NUL
 * which is always escaped.
 */
export function sanitizeFrame(frame: Buffer, o: ParseOptions): Buffer {
  let len = frame.length;
  if (len > 0 && frame[len - 1] === NUL) len--;
  if (o.dropTrailingLF && len > 0 && frame[len - 1] === LF) len--;
  if (!needsSanitize(frame, len, o)) return len === frame.length ? frame : frame.subarray(0, len);

  const maxDest = Math.min(len * 4, o.maxMessageSize);
  const prefix = o.controlCharacterEscapePrefix.charCodeAt(0) || 0x23;
  const out: number[] = [];
  let start = 0;
  while (start < len && frame[start] >= FIRST_PRINTABLE && !(frame[start] > LAST_ASCII && o.escape8BitCharacters)) start++;
  for (let i = 0; i < start; i++) out.push(frame[i]);
  for (let i = start; i < len && out.length < maxDest - 3; i++) {
    const c = frame[i];
    if (c < FIRST_PRINTABLE && (c !== TAB || o.escapeTab)) {
      if (c === NUL || o.escapeControlCharacters) escapeByte(out, c, o, prefix);
    } else if (c > LAST_ASCII && o.escape8BitCharacters) {
      escapeByte(out, c, o, prefix);
    } else {
      out.push(c);
    }
  }
  return Buffer.from(out);
}

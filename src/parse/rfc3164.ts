// RFC 3164 ("BSD syslog") parser reproducing rsyslog pmrfc3164: optional timestamp (RFC 3339 or BSD with
// variants), optional HOSTNAME recognised by its characters, TAG up to ':' or SP, MSG keeps its leading SP.
import type { Message } from '../message';
import type { ParseOptions } from './options';
import { decodeRaw } from '../util/raw-text';
import type { SyslogTime } from '../time';
import { Cursor, at, bsdToSyslogTime, scanRfc3164, scanRfc3339 } from './timestamp';

const SP = 0x20;
const TAB = 0x09;
const COLON = 0x3a;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const LBRACE = 0x7b;
/** rsyslog CONF_HOSTNAME_MAXSIZE - 1 and CONF_TAG_MAXSIZE - 2. */
const MAX_HOSTNAME = 511;
const MAX_TAG = 510;
/** rsyslog's facility for an invalid PRI ("invld"): such frames are not parsed further. */
export const INVALID_FACILITY = 24;

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
}

function hostnameChar(c: number, o: ParseOptions, hadBracket: boolean): boolean {
  return isAlnum(c) || c === 0x2e || c === 0x5f || c === 0x2d
    || (c === CLOSE && hadBracket) || (c === 0x40 && o.permitAtSignsInHostname) || (c === 0x2f && o.permitSlashesInHostname);
}

/**
 * Bytes start..end as text: a substring of `text` (the frame decoded, printable ASCII only, so byte offsets are
 * character offsets) when given, else a UTF-8 decode (3164 profile: the per-field decodes were ~12% of parse).
 */
function cut(buf: Buffer, start: number, end: number, text: string | null): string {
  return text === null ? decodeRaw(buf, start, end) : text.substring(start, end);
}

/** Frames with only spaces/tabs before '{' or '[' are "headerless" (JSON, CEE): rsyslog keeps them whole. */
function isHeaderless(buf: Buffer, c: Cursor): boolean {
  let i = c.pos;
  const end = c.pos + c.len;
  while (i < end && (buf[i] === SP || buf[i] === TAB)) i++;
  return i < end && (buf[i] === LBRACE || buf[i] === OPEN);
}

/**
 * The last BSD timestamp read from a printable frame: its text up to and including the SP after it, and what it
 * became. Senders stamp whole seconds, so consecutive messages mostly repeat it: a frame starting with the same
 * text, parsed with the same options and received in the same month and zone, gets the same (immutable)
 * SyslogTime without a scan (3164 profile: scanning and building the time was ~0.5 µs a message).
 */
let bsdMemoKey: Uint8Array = new Uint8Array(0);
let bsdMemoTime: SyslogTime | null = null;
let bsdMemoReceived: SyslogTime | null = null;
let bsdMemoOpts: ParseOptions | null = null;

/**
 * Whether the memo applies to a message received at `recv`: the year rollover and the zone depend on the
 * reception time only through its year, month and offset when the timestamp's month is the reception month.
 */
function memoReceivedMatches(memoTime: SyslogTime, memoRecv: SyslogTime, recv: SyslogTime): boolean {
  return recv === memoRecv || (recv.year === memoRecv.year && recv.month === memoRecv.month && memoTime.month === recv.month
    && Object.is(recv.offsetMinutes, memoRecv.offsetMinutes));
}

/**
 * Whether `buf` holds `key` at `pos`: a byte loop over ~16 bytes. String#startsWith on the frame's text here was
 * the 3164 parser's hottest line (bench/lib/hotpath.mjs profile: parseTimestamp 0.27 → 0.09 µs a message).
 */
function startsWithBytes(buf: Buffer, pos: number, key: Uint8Array): boolean {
  const n = key.length;
  if (pos + n > buf.length) return false;
  for (let k = 0; k < n; k++) if (buf[pos + k] !== key[k]) return false;
  return true;
}

/** TIMESTAMP: RFC 3339 first, then BSD, then BSD after one stray SP (HP ProCurve). True if found. */
function parseTimestamp(buf: Buffer, c: Cursor, msg: Message, o: ParseOptions, text: string | null): boolean {
  if (text !== null && bsdMemoTime !== null && o === bsdMemoOpts && startsWithBytes(buf, c.pos, bsdMemoKey)
    && memoReceivedMatches(bsdMemoTime, bsdMemoReceived as SyslogTime, msg.timegenerated)) {
    msg.timereported = bsdMemoTime;
    c.pos += bsdMemoKey.length;
    c.len -= bsdMemoKey.length;
    return true;
  }
  const start = c.pos;
  const t3339 = scanRfc3339(buf, c);
  if (t3339 !== null) {
    msg.timereported = t3339;
    return true;
  }
  let bsd = scanRfc3164(buf, c, o.detectYearAfterTimestamp);
  if (bsd === null && at(buf, c.pos) === SP && c.len > 1) {
    const shifted: Cursor = { pos: c.pos + 1, len: c.len - 1 };
    bsd = scanRfc3164(buf, shifted, o.detectYearAfterTimestamp);
    if (bsd !== null) {
      c.pos = shifted.pos;
      c.len = shifted.len;
    }
  }
  if (bsd === null) return false;
  msg.timereported = bsdToSyslogTime(bsd, msg.timegenerated, o.yearRollover);
  // Memoised only when the text alone decides the scan: it starts with the month name (no leading year, no stray
  // SP: then pos and len move together), ends with the SP after the time, and no year is looked for after it.
  const first = buf[start] | 0x20;
  if (text !== null && !o.detectYearAfterTimestamp && first >= 0x61 && first <= 0x7a && c.pos > start && buf[c.pos - 1] === SP) {
    bsdMemoKey = new Uint8Array(buf.subarray(start, c.pos)); // a copy: the memo pins no frame memory
    bsdMemoTime = msg.timereported;
    bsdMemoReceived = msg.timegenerated;
    bsdMemoOpts = o;
  }
  return true;
}

/**
 * HOSTNAME: a run of [A-Za-z0-9._-] ending in an alphanumeric and followed by SP (or the end of the frame).
 * Anything else means the sender left the hostname out and this word is the TAG (rsyslog's heuristic).
 */
function parseHostname(buf: Buffer, c: Cursor, msg: Message, o: ParseOptions, text: string | null): void {
  const p = c.pos;
  let i = 0;
  let hadBracket = false;
  if (o.permitSquareBracketsInHostname && buf[p] === OPEN) {
    hadBracket = true;
    i = 1;
  }
  while (i < c.len && hostnameChar(buf[p + i], o, hadBracket) && i < MAX_HOSTNAME) {
    i++;
    if (at(buf, p + i) === CLOSE) break;
  }
  if (i === c.len) {
    msg.hostname = cut(buf, p, p + i, text);
    c.pos += i;
    c.len -= i;
    return;
  }
  let isHost = false;
  if (i > 0) {
    if (hadBracket) {
      if (at(buf, p + i) === CLOSE) {
        i++;
        isHost = true;
      }
    } else if (isAlnum(buf[p + i - 1])) {
      isHost = true;
    }
    if (at(buf, p + i) !== SP) isHost = false;
  }
  if (isHost) {
    msg.hostname = cut(buf, p, p + i, text);
    c.pos += i + 1;
    c.len -= i + 1;
  }
}

/** TAG: up to ':' (kept) or SP (not kept), at most 510 bytes. */
function parseTag(buf: Buffer, c: Cursor, o: ParseOptions, floor: number, text: string | null): string {
  const start = c.pos;
  let i = 0;
  while (c.len > 0 && buf[c.pos] !== COLON && buf[c.pos] !== SP && i < MAX_TAG) {
    i++;
    c.pos++;
    c.len--;
  }
  if (c.len > 0 && buf[c.pos] === COLON) {
    c.pos++;
    c.len--;
    return cut(buf, start, c.pos, text);
  }
  if (o.forceTagEndingByColon) {
    // rsyslog steps back one byte more than it consumed (onto the separating SP): reproduced, bounded.
    const back = Math.min(i + 1, c.pos - floor);
    c.pos -= back;
    c.len += back;
    return '-';
  }
  return cut(buf, start, c.pos, text);
}

/**
 * Parse an RFC 3164 frame after its PRI (`afterPri`). Never fails, like rsyslog: returns the offset where
 * MSG starts. `parseFailed` is set when nothing syslog-like was found (invalid PRI, or neither PRI nor
 * timestamp), so the SIEM can flag it; the message is still delivered with msg = the text. `text`, when given,
 * is `buf` decoded (printable ASCII only): fields are then cut from it.
 */
export function parseRfc3164(buf: Buffer, afterPri: number, hadPri: boolean, msg: Message, o: ParseOptions, text: string | null = null): number {
  msg.protocolVersion = '0';
  const c: Cursor = { pos: afterPri, len: buf.length - afterPri };
  if (msg.facility === INVALID_FACILITY) {
    msg.parseFailed = true;
  } else if (!isHeaderless(buf, c)) {
    const hadTime = parseTimestamp(buf, c, msg, o, text);
    if (!hadTime && !hadPri) msg.parseFailed = true;
    if (o.parseHostname && c.len > 0) parseHostname(buf, c, msg, o, text);
    msg.syslogtag = parseTag(buf, c, o, afterPri, text);
  }
  if (o.removeMsgFirstSpace && at(buf, c.pos) === SP) c.pos++;
  return c.pos;
}

/** rsyslog programname: the TAG up to the first ':', '[', non-printable or (unless permitted) '/'. */
export function programNameOf(tag: string, permitSlash: boolean): string {
  let i = 0;
  for (; i < tag.length; i++) {
    const ch = tag.charCodeAt(i);
    if (ch < 0x20 || ch > 0x7e || ch === COLON || ch === OPEN || (ch === 0x2f && !permitSlash)) break;
  }
  return i === tag.length ? tag : tag.slice(0, i);
}

/** rsyslog PROCID for legacy frames: text between the TAG's first '[' and the next ']', else "-". */
export function procidOfTag(tag: string): string {
  const open = tag.indexOf('[');
  if (open < 0) return '-';
  const close = tag.indexOf(']', open + 1);
  return close < 0 ? '-' : tag.slice(open + 1, close);
}

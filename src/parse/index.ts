// Parser dispatcher: sanitize the frame, take the PRI, then RFC 5424 if VERSION "1 " follows, else RFC 3164
// — rsyslog's default parser chain (rsyslog.rfc5424, rsyslog.rfc3164) with its exact PRI rules.
import { Message, NILVALUE } from '../message';
import type { ParseOptions } from './options';
import { sanitizeFrame } from './sanitize';
import { decodeRaw } from '../util/raw-text';
import { emulateTag5424, looksLikeRfc5424, parseRfc5424 } from './rfc5424';
import { INVALID_FACILITY, parseRfc3164, procidOfTag, programNameOf } from './rfc3164';

export { DEFAULT_PARSE_OPTIONS, parseOptions } from './options';
export type { ParseOptions } from './options';
export { sanitizeFrame } from './sanitize';
export { parseRfc5424 } from './rfc5424';
export { parseRfc3164 } from './rfc3164';

const LT = 0x3c;
const GT = 0x3e;
/** RFC 5424 §6.2.1: PRI is at most 191 (facility 23, severity 7). */
const MAX_PRI = 191;
/** rsyslog's PRI for "no PRI": user.notice (RFC 3164 §4.3.3). */
const DEFAULT_PRI = 13;
/** rsyslog's PRI for a malformed one: facility "invld" (24), severity debug. */
const INVALID_PRI = INVALID_FACILITY * 8 + 7;

/**
 * A byte outside printable ASCII (control characters, NUL, LF, 8-bit). Frames without one need no
 * sanitizing (every sanitize rule is about those bytes) and decode identically as latin1 and UTF-8.
 */
const NOT_PRINTABLE_ASCII = /[^\x20-\x7f]/;

/** Result of the PRI scan: the value and where the header after it starts (0 when invalid). */
interface PriScan {
  pri: number;
  after: number;
  present: boolean;
}

/**
 * PRI as rsyslog's ParsePRI takes it: "<" digits ">" with value ≤ 191. "<>" counts as 0; a missing PRI is
 * 13 with nothing consumed; a malformed or too large one is the invalid PRI with nothing consumed.
 */
function scanPri(buf: Buffer): PriScan {
  if (buf.length === 0 || buf[0] !== LT) return { pri: DEFAULT_PRI, after: 0, present: false };
  let pri = 0;
  let i = 0;
  let len = buf.length;
  while (--len > 0) {
    const c = buf[++i];
    if (c < 0x30 || c > 0x39 || pri > MAX_PRI) break;
    pri = pri * 10 + c - 0x30;
  }
  if (buf[i] !== GT || pri > MAX_PRI) return { pri: INVALID_PRI, after: 0, present: false };
  return { pri, after: i + 1, present: true };
}

/**
 * Parse one frame into `msg` (constructed by the input with origin and timegenerated). Never throws and
 * never drops: an unrecognisable frame keeps its text in msg and sets parseFailed. `msg.rawmsg` becomes
 * the sanitized frame, which is what rsyslog's rawmsg property shows. `printable`, if given, must be
 * `frame.toString('latin1')` and contain only bytes 0x20..0x7f.
 */
export function parseSyslog(frame: Buffer, msg: Message, opts: ParseOptions, printable?: string): void {
  // Decode once, then cut fields as substrings (200k RFC 5424 msgs: sanitize scan + 7 decodes per message
  // took 40% of parse time; one latin1 decode + a regex test replaces both). Other frames take the byte path.
  // `printable`, when the caller has it (stream inputs: a substring of the chunk's printable prefix, see
  // util/printable.ts), is that decode already made and known to pass the test.
  let text: string;
  if (printable !== undefined && opts.preParsers === undefined) {
    text = printable;
  } else {
    text = frame.toString('latin1');
    if (opts.preParsers !== undefined || NOT_PRINTABLE_ASCII.test(text)) {
      parseBytes(frame, msg, opts);
      return;
    }
  }
  msg.rawmsg = frame; // nothing to sanitize: rawmsg is the frame itself, as sanitizeFrame would return
  const pri = scanPri(frame);
  msg.facility = pri.pri >> 3;
  msg.severity = pri.pri & 7;
  let msgStart: number;
  if (opts.rfc5424 && looksLikeRfc5424(frame, pri.after)) {
    msgStart = parseRfc5424(frame, pri.after, msg, text);
    msg.syslogtag = emulateTag5424(msg);
    // The emulated TAG is APP-NAME or APP-NAME[PROCID], and '[' ends a programname: scanning APP-NAME gives
    // the same value, usually APP-NAME itself, without cutting a new string (~2% of parse in the 1M profile).
    msg.programname = programNameOf(msg.appName, opts.permitSlashInProgramname);
  } else {
    msgStart = parseRfc3164(frame, pri.after, pri.present, msg, opts, text);
    msg.programname = programNameOf(msg.syslogtag, opts.permitSlashInProgramname);
    msg.appName = msg.programname || NILVALUE;
    msg.procid = procidOfTag(msg.syslogtag);
  }
  msg.msg = msgStart >= text.length ? '' : text.substring(msgStart);
  msg.parsedWith = opts;
}

/** The general path: sanitize (may copy), then parse with per-field UTF-8 decoding. Exported for tests. */
export function parseBytes(frame: Buffer, msg: Message, opts: ParseOptions): void {
  let raw = sanitizeFrame(frame, opts);
  const pri = scanPri(raw);
  msg.facility = pri.pri >> 3;
  msg.severity = pri.pri & 7;
  const pre = opts.preParsers;
  if (pre !== undefined) {
    for (const p of pre) {
      const r = p(raw, pri.after, msg, opts);
      if (r === true) {
        msg.rawmsg = raw;
        msg.parsedWith = null; // the frame form stores no pre-parsers (see ParseOptions.preParsers)
        return;
      }
      if (r !== null) raw = r; // rewritten for the next parser; the PRI is untouched
    }
  }
  msg.rawmsg = raw;
  let msgStart: number;
  if (opts.rfc5424 && looksLikeRfc5424(raw, pri.after)) {
    msgStart = parseRfc5424(raw, pri.after, msg);
    msg.syslogtag = emulateTag5424(msg);
    msg.programname = programNameOf(msg.syslogtag, opts.permitSlashInProgramname);
  } else {
    msgStart = parseRfc3164(raw, pri.after, pri.present, msg, opts);
    msg.programname = programNameOf(msg.syslogtag, opts.permitSlashInProgramname);
    msg.appName = msg.programname || NILVALUE; // rsyslog shows an empty APP-NAME as "-"
    msg.procid = procidOfTag(msg.syslogtag);
  }
  msg.msg = msgStart >= raw.length ? '' : decodeRaw(raw, msgStart);
  // Parsing the sanitized frame again need not give the same message: only an untouched frame is re-parsable.
  msg.parsedWith = raw === frame && pre === undefined ? opts : null;
}

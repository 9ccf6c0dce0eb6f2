// rsyslog's extra parser modules for `ruleset(parser=[…])`, run before RFC 5424/3164 (src/parse/index.ts):
//   rsyslog.lastline (pmlastmsg)            takes "last message repeated N times" frames (no header at all)
//   rsyslog.aixforwardedfrom (pmaixforwardedfrom)  rewrites AIX's "Message forwarded from host:" header
//   rsyslog.snare (pmsnare)                 rewrites the tabs of Snare's MSWinEventLog/LinuxKAudit frames
//   rsyslog.ciscoios (pmciscoios)           takes Cisco IOS frames ("COUNTER: [ORIGIN: ]*TIMESTAMP: %TAG: text")
// A rewriter changes the (sanitized) frame and hands it on, as rsyslog's do (they edit the raw message and
// answer "could not parse"): %rawmsg% shows the rewritten frame, as in rsyslog.
import { NILVALUE, type Message } from '../message';
import type { ParseOptions } from './options';
import { bsdToSyslogTime, scanRfc3164 } from './timestamp';
import { procidOfTag, programNameOf } from './rfc3164';
import { decodeRaw } from '../util/raw-text';

/**
 * One parser of the chain: returns a rewritten frame (the next parser goes on with it), true when it took the
 * message (it set the fields), or null when the frame is not its kind.
 */
export type PreParser = (raw: Buffer, afterPri: number, msg: Message, opts: ParseOptions) => Buffer | true | null;

/** ASCII case-insensitive "does `b` hold `text` at `at`" (strncasecmp). */
function hasText(b: Buffer, at: number, text: string): boolean {
  if (at < 0 || at + text.length > b.length) return false;
  for (let k = 0; k < text.length; k++) {
    let c = b[at + k];
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== text.charCodeAt(k)) return false;
  }
  return true;
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** pmlastmsg: after PRI (and spaces) exactly "last message repeated <digits> times", any case. */
export const lastmsg: PreParser = (raw, afterPri, msg) => {
  let i = afterPri;
  while (i < raw.length && raw[i] === 0x20) i++;
  const open = 'last message repeated ';
  const close = ' times';
  if (raw.length - i < open.length + close.length + 1 || !hasText(raw, i, open)) return null;
  i += open.length;
  while (i < raw.length && isDigit(raw[i])) i++;
  if (raw.length - i !== close.length || !hasText(raw, i, close)) return null;
  msg.protocolVersion = '0';
  msg.timereported = msg.timegenerated;
  msg.syslogtag = '';
  msg.programname = '';
  msg.msg = raw.toString('latin1', afterPri); // printable ASCII only, as checked above (spaces, digits, text)
  return true;
};

/** pmaixforwardedfrom: "<PRI>TIMESTAMP Message forwarded from host: rest" → "<PRI>TIMESTAMP host rest". */
export const aixForwardedFrom: PreParser = (raw, afterPri) => {
  let p = afterPri;
  while (p < raw.length && raw[p] === 0x20) p++;
  let len = raw.length - p;
  if (len < 24) return null;
  len -= 16;
  p += 16;
  let skip = 0;
  if (hasText(raw, p, 'message forwarded from ')) skip = 23;
  if (hasText(raw, p, 'from ')) skip = 5;
  if (skip === 0) return null;
  len -= skip;
  if (len < 2) return null;
  let out = Buffer.concat([raw.subarray(0, p), raw.subarray(p + skip)]);
  while (len > 0 && out[p] !== 0x20 && out[p] !== 0x3a) { len--; p++; }
  if (len < 1 || out[p] !== 0x3a) return out; // preamble removed, no colon: rsyslog keeps the edit
  out = Buffer.concat([out.subarray(0, p), out.subarray(p + 1)]);
  return out;
};

/** How the sanitizer wrote a TAB, as pmsnare looks for it. */
function tabText(opts: ParseOptions): string {
  if (opts.escapeControlCharacters && opts.escapeTab) return opts.escapeControlCharactersCStyle ? '\\t' : `${opts.controlCharacterEscapePrefix.charAt(0)}011`;
  return '\t';
}

/** pmsnare: the TAB before (non-syslog form) and after the Snare tag becomes one space. */
export const snare: PreParser = (input, afterPri, _msg, opts) => {
  const tab = tabText(opts);
  const tl = tab.length;
  let raw = input;
  let at = 0; // index just past the Snare tag, 0: not Snare
  let len = raw.length - afterPri;
  let p = afterPri;
  if (len < 30) return null;
  while (len > 0 && raw[p] !== 0x20 && raw[p] !== 0x09 && raw[p] !== tab.charCodeAt(0)) { len--; p++; }
  if (len > tl && hasText(raw, p, tab.toLowerCase())) {
    if (hasText(raw, p + tl, 'mswineventlog')) at = p + tl + 13;
    else if (hasText(raw, p + tl, 'linuxkaudit')) at = p + tl + 11;
    else return null;
    raw = Buffer.concat([raw.subarray(0, p), Buffer.from(' '), raw.subarray(p + tl)]);
    at -= tl - 1;
  } else {
    len = raw.length - afterPri - 16;
    p = afterPri + 16;
    while (len > 0 && raw[p] !== 0x20) { len--; p++; }
    if (len > 0) { len--; p++; }
    if (len > 13 && hasText(raw, p, 'mswineventlog')) at = p + 13;
    else if (len > 11 && hasText(raw, p, 'linuxkaudit')) at = p + 11;
  }
  if (at === 0) return raw === input ? null : raw;
  // rsyslog overwrites the tab after the tag with a space whatever byte is there
  return Buffer.concat([raw.subarray(0, at), Buffer.from(' '), raw.subarray(at + tl)]);
};

/** The parsers above by module type (config/model.ts EXTRA_PARSERS maps the rsyslog.* names to these). */
export const PRE_PARSERS: ReadonlyMap<string, PreParser> = new Map([
  ['pmlastmsg', lastmsg], ['pmaixforwardedfrom', aixForwardedFrom], ['pmsnare', snare],
]);

/**
 * pmciscoios: "<PRI>COUNTER: [ORIGIN: ][*|.]TIMESTAMP[ TZ][:] %TAG: text" (Cisco IOS with "service timestamps"),
 * with `present.origin` (a host before the timestamp) and `present.xr` (IOS XR's extra fields), as rsyslog 8.2302.
 */
export function ciscoIos(origin: boolean, xr: boolean): PreParser {
  return (raw, afterPri, msg, opts) => {
    let p = afterPri;
    let len = raw.length - afterPri;
    const at = (i: number): number => (i < raw.length ? raw[i] : 0);
    while (len > 0 && isDigit(raw[p])) { p++; len--; }
    if (len < 2 || at(p) !== 0x3a || at(p + 1) !== 0x20) return null;
    p += 2; // rsyslog does not shorten len here (nor after the origin): copied
    let host = '';
    if (origin) {
      const from = p;
      while (len > 1 && !(at(p) === 0x3a && at(p + 1) === 0x20) && p - from < 511) { p++; len--; }
      host = raw.toString('latin1', from, p);
      if (len < 2 || at(p + 1) !== 0x20) return null;
      p += 2;
    }
    if (xr) {
      while (len > 1 && at(p) !== 0x3a) { len--; p++; }
      if (len < 2) return null;
      p += 1;
    }
    if (at(p) === 0x2a || at(p) === 0x2e) p++;
    const c = { pos: p, len };
    const bsd = scanRfc3164(raw, c, false, true);
    if (bsd === null) return null;
    p = c.pos;
    len = c.len;
    if (xr) {
      while (len > 1 && at(p) !== 0x25) { len--; p++; }
      if (len < 2) return null;
    }
    if (len < 1 || at(p) !== 0x25) return null;
    const tagFrom = p;
    while (len > 0 && at(p) !== 0x3a && at(p) !== 0x20 && p - tagFrom < 510) { p++; len--; }
    const tagEnd = p;
    if (xr) p++;
    if (len < 2 || at(p) !== 0x3a || at(p + 1) !== 0x20) return null;
    p++;
    msg.timereported = bsdToSyslogTime(bsd, msg.timegenerated, opts.yearRollover);
    msg.syslogtag = `${decodeRaw(raw, tagFrom, tagEnd)}:`;
    if (origin) msg.hostname = host;
    msg.programname = programNameOf(msg.syslogtag, opts.permitSlashInProgramname);
    msg.appName = msg.programname || NILVALUE;
    msg.procid = procidOfTag(msg.syslogtag);
    msg.protocolVersion = '0';
    msg.msg = p >= raw.length ? '' : decodeRaw(raw, p);
    return true;
  };
}

/** A parser() instance or built-in name of the parsers above, by module type, with its parameters. */
export function preParser(type: string, param: (name: string) => unknown): PreParser | undefined {
  const on = (n: string): boolean => /^(on|yes|1|true)$/i.test(String(param(n) ?? 'off'));
  if (type === 'pmciscoios') return ciscoIos(on('present.origin'), on('present.xr'));
  return PRE_PARSERS.get(type);
}

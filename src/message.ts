// The one message model every stage shares. Field names follow rsyslog's properties (msg, hostname,
// fromhost-ip, programname, …) so templates, filters and the store speak the same vocabulary.
import type { ParseOptions } from './parse/options';
import { SyslogTime } from './time';

/** RFC 5424 §6.2.1 table 1, with the names rsyslog prints for syslogfacility-text. */
export const FACILITY_NAMES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp',
  'ntp', 'audit', 'alert', 'clock', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
] as const;

/** RFC 5424 §6.2.1 table 2, with the names rsyslog prints for syslogseverity-text. */
export const SEVERITY_NAMES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

/** Used when a message carries no PRI: RFC 3164 §4.3.3 says user.notice. */
export const DEFAULT_FACILITY = 1;
export const DEFAULT_SEVERITY = 5;

/** Facility the parsers set for a PRI above 191 or a malformed one; rsyslog prints it as "invld". */
export const INVALID_FACILITY = 24;
export const INVALID_TEXT = 'invld';

/** rsyslog's value for an absent RFC 5424 field. */
export const NILVALUE = '-';

/** What the input knows about a frame before it is parsed. Created once per connection, not per message. */
export interface Origin {
  /** Name of the input (rsyslog `inputname`, e.g. "imtcp", or the input's `name=` parameter). */
  inputname: string;
  /** Peer address as text ("192.0.2.1", "::1"), or "127.0.0.1" for local sockets, as rsyslog does. */
  fromhostIp: string;
  /** Peer host name (reverse DNS when enabled, else the address). */
  fromhost: string;
  /** Name of the ruleset the input binds to. */
  ruleset: string;
  /** The TLS peer's certificate subject, when a TLS input authenticated one (console and store field tls.peer). */
  tlsPeer?: string;
}

/**
 * A syslog message. Every field is set in the constructor so all messages share one hidden class; parsers
 * fill the header fields, inputs the origin fields.
 */
export class Message {
  /** The frame exactly as received (after framing, before parsing). */
  rawmsg: Buffer;
  /** The MSG part; for RFC 3164 it keeps its leading space as rsyslog does ("tag: text" → " text"). */
  msg: string;
  hostname: string;
  fromhost: string;
  fromhostIp: string;
  /** TAG as received, e.g. "sshd[123]:". */
  syslogtag: string;
  /** TAG up to the first '[', ':' or ' ' (rsyslog programname). */
  programname: string;
  /** RFC 5424 APP-NAME; for RFC 3164 rsyslog derives it from the tag. */
  appName: string;
  procid: string;
  msgid: string;
  /** RFC 5424 STRUCTURED-DATA as text, "-" when absent. */
  structuredData: string;
  facility: number;
  severity: number;
  /** "0" for RFC 3164 / legacy, "1" for RFC 5424 (rsyslog protocol-version). */
  protocolVersion: string;
  timereported: SyslogTime;
  timegenerated: SyslogTime;
  inputname: string;
  ruleset: string;
  /** rsyslog `$!` message variables (JSON tree), null until something sets one. */
  json: Record<string, unknown> | null;
  /** rsyslog `$.` local variables, null until something sets one. */
  local: Record<string, unknown> | null;
  /** True when the parser could not recognise a syslog header and kept the frame as msg. */
  parseFailed: boolean;
  /**
   * The options parseSyslog() parsed rawmsg with, when parsing it again (with the same origin and
   * timegenerated) gives this message back exactly: a disk queue then stores only the frame (codec.ts, frame
   * form). Code that changes a parsed field afterwards (repeat reduction, imuxsock's ignoreTimestamp, imfile
   * metadata) must set it to null.
   */
  parsedWith: ParseOptions | null;
  /** Origin.tlsPeer, or '' (plain inputs, anonymous TLS). */
  tlsPeer: string;

  constructor(rawmsg: Buffer, origin: Origin, timegenerated: SyslogTime) {
    this.rawmsg = rawmsg;
    this.msg = '';
    this.hostname = origin.fromhost;
    this.fromhost = origin.fromhost;
    this.fromhostIp = origin.fromhostIp;
    this.syslogtag = '';
    this.programname = '';
    this.appName = NILVALUE;
    this.procid = NILVALUE;
    this.msgid = NILVALUE;
    this.structuredData = NILVALUE;
    this.facility = DEFAULT_FACILITY;
    this.severity = DEFAULT_SEVERITY;
    this.protocolVersion = '0';
    this.timereported = timegenerated;
    this.timegenerated = timegenerated;
    this.inputname = origin.inputname;
    this.ruleset = origin.ruleset;
    this.json = null;
    this.local = null;
    this.parseFailed = false;
    this.parsedWith = null;
    this.tlsPeer = origin.tlsPeer ?? '';
  }

  /** PRI value (RFC 5424 §6.2.1): facility * 8 + severity. */
  get pri(): number {
    return this.facility * 8 + this.severity;
  }

  get facilityText(): string {
    return FACILITY_NAMES[this.facility] ?? INVALID_TEXT;
  }

  get severityText(): string {
    return SEVERITY_NAMES[this.severity] ?? String(this.severity);
  }

  /** rsyslog pri-text: "local0.err" (rsyslog 8.2302 prints no "<PRI>" suffix), "invld.debug" for a bad PRI. */
  get priText(): string {
    return `${this.facilityText}.${this.severityText}`;
  }
}

/** Look up a facility number by rsyslog name ("auth", "local7"; also "security" = auth, "mark"). */
/**
 * Messages a message modifier (mmjsonparse) parsed successfully: rsyslog's bParseSuccess, shown by the
 * `parsesuccess` property as "OK" (else "FAIL", also for messages no modifier touched). A WeakSet keeps the
 * Message shape unchanged for the configs (almost all) that use no modifier.
 */
export const parseSucceeded = new WeakSet<Message>();

/**
 * `$/` global variables as they were when an action ran in the ruleset (rsyslog renders then; Logwarden's queue
 * renders later). Set by the rules for each action only when the config writes `$/` variables.
 */
export const globalVarsAt = new WeakMap<Message, Record<string, unknown> | null>();

export function facilityFromName(name: string): number | undefined {
  const n = name.toLowerCase();
  const i = (FACILITY_NAMES as readonly string[]).indexOf(n);
  if (i >= 0) return i;
  if (n === 'security') return 4;
  return undefined;
}

/** Look up a severity number by name, accepting the deprecated aliases rsyslog accepts (error, warn, panic). */
export function severityFromName(name: string): number | undefined {
  const n = name.toLowerCase();
  const i = (SEVERITY_NAMES as readonly string[]).indexOf(n);
  if (i >= 0) return i;
  switch (n) {
    case 'error': return 3;
    case 'warn': return 4;
    case 'panic': return 0;
    default: return undefined;
  }
}

// What a detection rule sees of one message: the store's row form (same columns, same extracted fields as a
// search), built once per message and shared by every rule. Rule fields therefore equal search fields.
import type { Message } from '../message';
import { extractFields, type FieldValue, type Fields } from '../parse/extract';
import { resolveField } from '../store/query/fields';
import type { FieldRef } from '../store/query/ast';

/**
 * The row a rule sees: the columns of src/store/backend.ts toStoredRow (same app choice, same msg trimming) and
 * the same extracted fields (extractFields with the same arguments). Extraction and the raw text are computed
 * on first use: most rules reject most messages on a column (app, host) before any field is needed.
 */
/** Source of EventRow.serial. */
let serials = 0;

export class EventRow {
  /**
   * Unique per message a row shows (a reused row takes a new one with each message): what per-event memos
   * compare, so they hold no reference to the event.
   */
  serial = ++serials;
  private _msg: string | null = null;
  private _fields: Fields | null = null;
  private _raw: string | null = null;
  /** -1 unknown, 0 no, 1 yes. */
  private _json = -1;
  private _nginx = -1;

  /**
   * Nothing is copied from the message up front: a rule reads the few columns it needs (most read app and host
   * only), so the row costs one small object per message and touches no more of the message than the rules do.
   */
  constructor(private m: Message) {}

  /** Show another message: DetectService reuses one row (and event) for a whole batch instead of one per message. */
  reset(m: Message): void {
    this.m = m;
    this.serial = ++serials;
    this._msg = null;
    this._fields = null;
    this._raw = null;
    this._json = -1;
    this._nginx = -1;
  }

  get host(): string {
    return this.m.hostname;
  }

  get fromhostIp(): string {
    return this.m.fromhostIp;
  }

  get app(): string {
    const m = this.m;
    return m.protocolVersion === '1' ? m.appName : (m.programname || m.appName);
  }

  get procid(): string {
    return this.m.procid;
  }

  get msgid(): string {
    return this.m.msgid;
  }

  get facility(): number {
    return this.m.facility;
  }

  get severity(): number {
    return this.m.severity;
  }

  get structuredData(): string {
    return this.m.structuredData;
  }

  /** msg as the store keeps it: rsyslog keeps the space after an RFC 3164 tag as msg's first byte; the store (and so search) drops it. */
  get msg(): string {
    if (this._msg === null) {
      const t = this.m.msg;
      this._msg = t.length > 0 && t.charCodeAt(0) === 0x20 ? t.slice(1) : t;
    }
    return this._msg;
  }

  /**
   * A cheap necessary condition for extraction to produce a field under `path`'s prefix (src/parse/extract.ts):
   * JSON needs a '{…}' payload, nginx a JSON payload or a line starting like the combined format (`<addr> - `),
   * kv an '='. Lets rules on json.* or nginx.* skip extraction for the many messages that cannot have them.
   */
  mayHave(path: string): boolean {
    if (this._fields !== null) return true;
    const text = this.m.msg;
    switch (path.charCodeAt(0)) {
      case 0x6a: // json.
        return this.jsonLike();
      case 0x6e: // nginx.
        if (this._nginx < 0) this._nginx = this.jsonLike() || combinedLike(text) ? 1 : 0;
        return this._nginx === 1;
      case 0x6b: // kv. (k8s.* fields come from the message's JSON tree: no cheap test)
        return path.charCodeAt(1) === 0x76 ? text.includes('=') : true;
      case 0x73: // sd.
        return this.m.structuredData.length > 1;
      case 0x63: // cee.
        return text.includes('@cee:');
      case 0x76: // var.
        return this.m.json !== null;
      default:
        return true;
    }
  }

  /** A '{' within the first 257 characters and a '}' as the last non-space one; the cheap end test first. */
  private jsonLike(): boolean {
    if (this._json < 0) {
      const text = this.m.msg;
      let end = text.length - 1;
      while (end >= 0 && isSpace(text.charCodeAt(end))) end--;
      let yes = false;
      if (end > 0 && text.charCodeAt(end) === 0x7d) {
        const open = text.indexOf('{');
        yes = open >= 0 && open <= 256 && end > open;
      }
      this._json = yes ? 1 : 0;
    }
    return this._json === 1;
  }

  get fields(): Fields {
    if (this._fields === null) this._fields = extractFields(this.m.msg, this.m.structuredData, this.m.json);
    return this._fields;
  }

  get raw(): string {
    if (this._raw === null) this._raw = this.m.rawmsg.toString('utf8');
    return this._raw;
  }
}

/**
 * A necessary condition of src/parse/extract.ts's nginx "combined" pattern, `^(\S+) - …` on msg without its
 * leading ' ', \t, \n, \r: the first whitespace after the first token starts " - ". Asked of nearly every
 * message by the web rules, so the usual answer comes from two builtin calls, not a loop over characters
 * (a charCodeAt loop over a message's first token cost ~150 ns; indexOf + startsWith ~40 ns).
 */
export function combinedLike(text: string): boolean {
  const c0 = text.charCodeAt(0);
  if (!(c0 > 0x20)) return combinedLikeScan(text); // empty, or leading whitespace to skip
  // The first whitespace is at or before the first ' '; if it is before, it is not a ' ', so no " - " there.
  const sp = text.indexOf(' ');
  if (sp <= 0 || !text.startsWith(' - ', sp)) return false;
  for (let j = 0; j < sp; j++) if (isSpace(text.charCodeAt(j))) return false; // a \t or other space came first
  return true;
}

/** combinedLike, character by character (the definition, for leading whitespace and the tests). */
export function combinedLikeScan(text: string): boolean {
  const n = text.length;
  let i = 0;
  while (i < n && isTrimmed(text.charCodeAt(i))) i++;
  let j = i;
  while (j < n && !isSpace(text.charCodeAt(j))) j++;
  return j > i && text.startsWith(' - ', j);
}

/** What extract.ts trims off the front of msg. */
function isTrimmed(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** What String.prototype.trimEnd removes, i.e. what a regex's \s matches. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029 || (c >= 0x2000 && c <= 0x200a) || c === 0x1680 || c === 0x202f || c === 0x205f || c === 0x3000;
}

export interface DetectEvent {
  readonly msg: Message;
  readonly row: EventRow;
  /** Event time for windows (ms): when Logwarden received it (live), or the log's timestamp (replay). */
  readonly timeMs: number;
  /** Free-text tokens (FTS5 unicode61 style), computed lazily. */
  tokens: string[] | null;
}

export function toEvent(msg: Message, timeMs = msg.timegenerated.toEpochMs()): DetectEvent {
  return { msg, row: new EventRow(msg), timeMs, tokens: null };
}

/** A DetectEvent that can be pointed at the next message (DetectService.process): no allocation per message. */
export interface ReusableEvent extends DetectEvent {
  msg: Message;
  timeMs: number;
}

export function reuseEvent(ev: ReusableEvent, msg: Message, timeMs: number): ReusableEvent {
  ev.msg = msg;
  ev.row.reset(msg);
  ev.timeMs = timeMs;
  ev.tokens = null;
  return ev;
}

/** FTS5 unicode61: tokens are runs of letters and digits, case-folded (diacritics kept; close enough here). */
export function tokensOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

export function eventTokens(ev: DetectEvent): string[] {
  if (ev.tokens === null) ev.tokens = tokensOf(ev.row.msg);
  return ev.tokens;
}

/** The value of a column or extracted field; undefined when absent. */
export function refValue(ev: DetectEvent, f: FieldRef): FieldValue | undefined {
  if (f.kind === 'extracted') return ev.row.mayHave(f.path) ? ev.row.fields[f.path] : undefined;
  const r = ev.row;
  switch (f.name) {
    case 'host': return r.host;
    case 'fromhost-ip': return r.fromhostIp;
    case 'app': return r.app;
    case 'procid': return r.procid;
    case 'msgid': return r.msgid;
    case 'facility': return r.facility;
    case 'severity': return r.severity;
    case 'msg': return r.msg;
    case 'raw': return r.raw;
    case 'structured-data': return r.structuredData;
  }
}

/** A reader of one column or extracted field, chosen once (no per-event switch on the field's name). */
export function valueGetter(f: FieldRef): (ev: DetectEvent) => FieldValue | undefined {
  if (f.kind === 'extracted') {
    const path = f.path;
    return (ev) => (ev.row.mayHave(path) ? ev.row.fields[path] : undefined);
  }
  switch (f.name) {
    case 'host': return (ev) => ev.row.host;
    case 'fromhost-ip': return (ev) => ev.row.fromhostIp;
    case 'app': return (ev) => ev.row.app;
    case 'procid': return (ev) => ev.row.procid;
    case 'msgid': return (ev) => ev.row.msgid;
    case 'facility': return (ev) => ev.row.facility;
    case 'severity': return (ev) => ev.row.severity;
    case 'msg': return (ev) => ev.row.msg;
    case 'raw': return (ev) => ev.row.raw;
    case 'structured-data': return (ev) => ev.row.structuredData;
  }
  return () => undefined;
}

/** A field getter by name: a search field (host, app, json.x, …) or, via `extra`, a rule-local one. */
export type Getter = (ev: DetectEvent, local: Record<string, string> | null) => FieldValue | undefined;

export function getterFor(name: string, localNames: ReadonlySet<string>): Getter | undefined {
  if (localNames.has(name)) return (_ev, local) => local?.[name];
  const ref = resolveField(name);
  if (ref === undefined) return undefined;
  return valueGetter(ref);
}

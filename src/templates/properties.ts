// rsyslog message properties by name (msg, hostname, $!a!b, $now…): resolved once at config load into a
// getter, so templates and filters never look a name up per message.
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import { globalVarsAt, INVALID_FACILITY, INVALID_TEXT, parseSucceeded, type Message } from '../message';
import { SyslogTime } from '../time';
import { formatDate } from './dates';
import { jsoncStringify, jsonValueText } from './jsonc';
import { JsonNumber } from '../util/json-number';
import { decodeRaw } from '../util/raw-text';
import { findKey } from '../util/json-keys';

export type PropertyGetter = (m: Message) => string;

/** How a property behaves in the replacer: time properties honour date-* options, JSON ones have a path. */
export type PropertyKind = 'plain' | 'time' | 'json' | 'now';

export interface PropertyInfo {
  /** Canonical lower-case name ("timereported" for "TIMESTAMP"); JSON paths keep their case. */
  readonly name: string;
  readonly kind: PropertyKind;
  /** Value with rsyslog's default formatting. */
  readonly get: PropertyGetter;
  /** For kind 'time': the timestamp to format. */
  readonly time?: (m: Message) => SyslogTime;
  /** For kind 'json': the raw JSON value (undefined when absent). */
  readonly json?: (m: Message) => unknown;
  /** Field name used by jsonf/outname when none is given: the property name, minus "$!" / "$." (template.c). */
  readonly defaultOutname: string;
}


let localHostname = os.hostname().split('.')[0] ?? 'localhost';

/** Set what $myhostname returns (global localHostName / preserveFQDN are applied by the caller). */
export function setLocalHostname(name: string): void {
  localHostname = name;
}

const uuids = new WeakMap<Message, string>();

/** rsyslog's uuid property: 32 upper-case hex digits, made on first use and then fixed for the message. */
function messageUuid(m: Message): string {
  let u = uuids.get(m);
  if (u === undefined) {
    u = randomBytes(16).toString('hex').toUpperCase();
    uuids.set(m, u);
  }
  return u;
}

/** Offset after "<PRI>" when the raw frame starts with one of 1-3 digits (msg.c getRawMsgAfterPRI). */
function rawAfterPri(m: Message): string {
  const r = m.rawmsg;
  let off = 0;
  if (r[0] === 0x3c) {
    if (r[2] === 0x3e) off = 3;
    else if (r[3] === 0x3e) off = 4;
    else if (r[4] === 0x3e) off = 5;
  }
  return decodeRaw(r, off);
}

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n));

type NowField = 'now' | 'year' | 'month' | 'day' | 'hour' | 'hhour' | 'qhour' | 'minute' | 'wday';

/** $NOW family: the current time, local or UTC (msg.c getNOW). */
function nowGetter(field: NowField, utc: boolean): PropertyGetter {
  return () => {
    const d = new Date();
    const y = utc ? d.getUTCFullYear() : d.getFullYear();
    const mo = (utc ? d.getUTCMonth() : d.getMonth()) + 1;
    const day = utc ? d.getUTCDate() : d.getDate();
    const h = utc ? d.getUTCHours() : d.getHours();
    const mi = utc ? d.getUTCMinutes() : d.getMinutes();
    switch (field) {
      case 'now': return `${y}-${pad2(mo)}-${pad2(day)}`;
      case 'year': return String(y);
      case 'month': return pad2(mo);
      case 'day': return pad2(day);
      case 'hour': return pad2(h);
      case 'hhour': return pad2(Math.floor(mi / 30));
      case 'qhour': return pad2(Math.floor(mi / 15));
      case 'minute': return pad2(mi);
      case 'wday': return String(utc ? d.getUTCDay() : d.getDay());
    }
  };
}

const PLAIN: Record<string, PropertyGetter> = {
  msg: (m) => m.msg,
  rawmsg: (m) => decodeRaw(m.rawmsg),
  'rawmsg-after-pri': rawAfterPri,
  hostname: (m) => m.hostname,
  fromhost: (m) => m.fromhost,
  'fromhost-ip': (m) => m.fromhostIp,
  'fromhost-port': () => '',
  syslogtag: (m) => m.syslogtag,
  programname: (m) => m.programname,
  pri: (m) => (m.facility >= INVALID_FACILITY ? INVALID_TEXT : String(m.pri)),
  'pri-text': (m) => m.priText,
  iut: () => '1',
  syslogfacility: (m) => (m.facility >= INVALID_FACILITY ? INVALID_TEXT : String(m.facility)),
  'syslogfacility-text': (m) => m.facilityText,
  syslogseverity: (m) => String(m.severity),
  'syslogseverity-text': (m) => m.severityText,
  'protocol-version': (m) => m.protocolVersion,
  'structured-data': (m) => m.structuredData,
  'app-name': (m) => m.appName,
  procid: (m) => m.procid,
  msgid: (m) => m.msgid,
  inputname: (m) => m.inputname,
  uuid: messageUuid,
  parsesuccess: (m) => (parseSucceeded.has(m) ? 'OK' : 'FAIL'), // rsyslog msg.c: set only by mm modules
  '$myhostname': () => localHostname,
  '$bom': () => '\ufeff',
  '$uptime': () => String(Math.floor(os.uptime())),
  '$now-unixtimestamp': () => String(Math.floor(Date.now() / 1000)),
  '$!all-json': (m) => (m.json === null ? '{}' : jsoncStringify(m.json, true)),
  '$!all-json-plain': (m) => (m.json === null ? '{}' : jsoncStringify(m.json, false)),
  jsonmesg: (m) => jsonMesg(m),
};

/** The string members of jsonmesg, in rsyslog's order (msg.c msgGetJSONMESG); `uuid` and `$!` follow. */
const JSONMESG_FIELDS: ReadonlyArray<[string, PropertyGetter]> = [
  ['msg', PLAIN.msg], ['rawmsg', PLAIN.rawmsg], ['timereported', (m) => formatDate(m.timereported, 'rfc3339')],
  ['hostname', PLAIN.hostname], ['syslogtag', PLAIN.syslogtag], ['inputname', PLAIN.inputname],
  ['fromhost', PLAIN.fromhost], ['fromhost-ip', PLAIN['fromhost-ip']], ['pri', PLAIN.pri],
  ['syslogfacility', PLAIN.syslogfacility], ['syslogseverity', PLAIN.syslogseverity],
  ['timegenerated', (m) => formatDate(m.timegenerated, 'rfc3339')], ['programname', PLAIN.programname],
  ['protocol-version', PLAIN['protocol-version']], ['structured-data', PLAIN['structured-data']],
  ['app-name', PLAIN['app-name']], ['procid', PLAIN.procid], ['msgid', PLAIN.msgid],
];

/** jsonmesg: the message as one json-c (spaced) object; uuid is null unless something used it before (rsyslog). */
function jsonMesg(m: Message): string {
  const o: Record<string, unknown> = {};
  for (const [k, get] of JSONMESG_FIELDS) o[k] = get(m);
  o.uuid = uuids.get(m) ?? null;
  o['$!'] = m.json;
  return jsoncStringify(o, true);
}

/** Other names rsyslog accepts for the same property (msg.c propNameToID). */
const ALIASES: Record<string, string> = {
  source: 'hostname',
  timestamp: 'timereported',
  timereceived: 'timegenerated',
  syslogpriority: 'syslogseverity',
  'syslogpriority-text': 'syslogseverity-text',
};

const TIMES: Record<string, (m: Message) => SyslogTime> = {
  timereported: (m) => m.timereported,
  timegenerated: (m) => m.timegenerated,
};

const NOW_FIELDS: readonly NowField[] = ['now', 'year', 'month', 'day', 'hour', 'hhour', 'qhour', 'minute', 'wday'];

/** Walk a `!`-separated path in a JSON tree (rsyslog json path syntax "$!a!b"). */
function walk(root: Record<string, unknown> | null, path: readonly string[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || cur instanceof JsonNumber) return undefined;
    const key = findKey(cur as Record<string, unknown>, seg); // case-insensitive, as rsyslogd
    if (key === undefined) return undefined;
    cur = (cur as Record<string, unknown>)[key];
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** `$!a!b`, `$.x`, `$!`, `$/g`: a JSON-tree property (`$/` as the rules saw it when the action ran). */
function jsonProperty(name: string): PropertyInfo | null {
  const sigil = name.slice(0, 2);
  if (sigil !== '$!' && sigil !== '$.' && sigil !== '$/') return null;
  const rest = name.slice(2).replace(/^!/, '');
  const path = rest === '' ? [] : rest.split('!');
  if (path.some((p) => p === '')) return null;
  const tree = sigil === '$!' ? (m: Message) => m.json : sigil === '$.' ? (m: Message) => m.local : (m: Message) => globalVarsAt.get(m) ?? null;
  const json = (m: Message): unknown => {
    const root = tree(m);
    if (path.length === 0) return root === null ? undefined : root;
    return walk(root, path);
  };
  const get: PropertyGetter = path.length === 0
    ? (m) => { const r = tree(m); return r === null ? '' : jsoncStringify(r, true); }
    : (m) => jsonValueText(walk(tree(m), path));
  return { name, kind: 'json', get, json, defaultOutname: name.slice(2) };
}

/** Resolve a property name (case-insensitive except JSON paths) to its description, or null if unknown. */
export function lookupProperty(name: string): PropertyInfo | null {
  if (name.startsWith('$!') || name.startsWith('$.') || name.startsWith('$/')) {
    const lower = name.toLowerCase();
    if (lower === '$!all-json' || lower === '$!all-json-plain') {
      return { name: lower, kind: 'plain', get: PLAIN[lower]!, defaultOutname: name.slice(2) };
    }
    return jsonProperty(name);
  }
  let n = name.toLowerCase();
  n = ALIASES[n] ?? n;
  const plain = PLAIN[n];
  if (plain) return { name: n, kind: 'plain', get: plain, defaultOutname: name };
  const time = TIMES[n];
  if (time) return { name: n, kind: 'time', time, get: (m) => formatDate(time(m), 'default'), defaultOutname: name };
  if (n.startsWith('$')) {
    const utc = n.endsWith('-utc');
    const field = (utc ? n.slice(1, -4) : n.slice(1)) as NowField;
    if (NOW_FIELDS.includes(field)) return { name: n, kind: 'now', get: nowGetter(field, utc), defaultOutname: name };
  }
  return null;
}

/** A getter for an rsyslog property name with default formatting, or null if the name is unknown. */
export function compileProperty(name: string): PropertyGetter | null {
  const info = lookupProperty(name);
  return info ? info.get : null;
}

const cache = new Map<string, PropertyGetter | null>();

/** Convenience for rare, non-hot callers: the property value by name ('' for an unknown name). */
export function getPropertyValue(m: Message, name: string): string {
  let g = cache.get(name);
  if (g === undefined) {
    g = compileProperty(name);
    cache.set(name, g);
  }
  return g ? g(m) : '';
}

/** The raw JSON value of `$!…` / `$.…` (undefined when unset), for the rules engine's typed comparisons. */
export function getJsonValue(m: Message, name: string): unknown {
  const info = lookupProperty(name);
  return info?.json ? info.json(m) : undefined;
}

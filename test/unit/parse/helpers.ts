// Shared by the parser tests: parse a frame with a fixed reception time and compare rsyslog property values.
import assert from 'node:assert/strict';
import { Message, Origin } from '../../../src/message';
import { SyslogTime, TimeSource, formatRfc3339 } from '../../../src/time';
import { parseSyslog } from '../../../src/parse/index';
import { ParseOptions, parseOptions } from '../../../src/parse/options';

/** Reception time of every parsed test frame: 2026-11-20 10:00:00.000000 at +01:00. */
export const RECEIVED = new SyslogTime(2026, 11, 20, 10, 0, 0, 0, 6, 60, TimeSource.Local);
export const RECEIVED_TEXT = '2026-11-20T10:00:00.000000+01:00';
export const ORIGIN: Origin = { inputname: 'imudp', fromhostIp: '192.0.2.50', fromhost: 'peer.example', ruleset: 'RSYSLOG_DefaultRuleset' };

/** Property values as rsyslog names and prints them ("invld" for the invalid-PRI facility 24). */
export interface Props {
  msg?: string;
  rawmsg?: string;
  hostname?: string;
  syslogtag?: string;
  programname?: string;
  procid?: string;
  msgid?: string;
  'app-name'?: string;
  'structured-data'?: string;
  pri?: string;
  syslogfacility?: string;
  syslogseverity?: string;
  'protocol-version'?: string;
  /** RFC 3339 as rsyslog prints it; RECEIVED_TEXT when rsyslog used the reception time. */
  timereported?: string;
  parseFailed?: boolean;
}

export interface Case {
  name: string;
  frame: string | Buffer;
  want: Props;
  opts?: Partial<ParseOptions>;
}

const INVALID_FACILITY = 24;

export function parse(frame: string | Buffer, opts: Partial<ParseOptions> = {}): Message {
  const buf = typeof frame === 'string' ? Buffer.from(frame, 'utf8') : frame;
  const m = new Message(buf, ORIGIN, RECEIVED);
  parseSyslog(buf, m, parseOptions(opts));
  return m;
}

export function props(m: Message): Required<Props> {
  const invalid = m.facility === INVALID_FACILITY;
  return {
    msg: m.msg, rawmsg: m.rawmsg.toString('utf8'), hostname: m.hostname, syslogtag: m.syslogtag,
    programname: m.programname, procid: m.procid, msgid: m.msgid, 'app-name': m.appName,
    'structured-data': m.structuredData, pri: invalid ? 'invld' : String(m.pri),
    syslogfacility: invalid ? 'invld' : String(m.facility), syslogseverity: String(m.severity),
    'protocol-version': m.protocolVersion, timereported: formatRfc3339(m.timereported), parseFailed: m.parseFailed,
  };
}

/** Assert every property named in `want` (and all properties not named keep nothing unexpected). */
export function check(c: Case): void {
  const got = props(parse(c.frame, c.opts));
  const actual: Props = {};
  const expected: Props = {};
  for (const k of Object.keys(c.want) as Array<keyof Props>) {
    (actual as Record<string, unknown>)[k] = got[k];
    (expected as Record<string, unknown>)[k] = c.want[k];
  }
  assert.deepEqual(actual, expected, c.name);
}

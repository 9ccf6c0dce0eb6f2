// Replay a log file through the engine, on the log's own clock (for `logwarden rules test` and the pack
// tests). A line is one of:
//   a syslog frame                      <34>1 2025-01-15T07:25:36Z host app - - - text   |   <38>Jan 15 07:25:36 host sshd[1]: text
//   reception time + frame              2025-01-15T07:25:40Z <38>Jan 15 07:25:36 host sshd[1]: text   (rsyslog "%timegenerated% %rawmsg%")
//   file action output                  2025-01-15T07:25:36.123+00:00 host sshd[1]: text (RSYSLOG_FileFormat)
//                                       Jan 15 07:25:36 host sshd[1]: text (RSYSLOG_TraditionalFileFormat)
// Without a reception time the message counts as received when it was reported. File-format lines carry no
// PRI: they replay as user.notice, so rules on facility/severity need frames.
import { Message } from '../message';
import { parseSyslog } from '../parse';
import { parseOptions } from '../parse/options';
import { parseTimeValue } from '../store/query/fields';
import { SyslogTime, TimeSource } from '../time';
import { DetectEngine } from './engine';
import { toEvent } from './event';
import type { CompiledRule, Detection } from './rule';

const RECEIVED_PREFIX = /^(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?)\s+(<\d{1,3}>.*)$/s;
const ORIGIN = { inputname: 'replay', fromhostIp: '127.0.0.1', fromhost: 'replay', ruleset: 'RSYSLOG_DefaultRuleset' };
const OPTS = parseOptions();

/** One log line as a Message; null for a blank line. `nowMs` anchors RFC 3164 years. */
export function parseLogLine(line: string, nowMs = Date.now()): Message | null {
  const text = line.replace(/\r$/, '');
  if (text.trim() === '') return null;
  let frame = text;
  let receivedMs: number | null = null;
  const m = RECEIVED_PREFIX.exec(text);
  if (m !== null) {
    const us = parseTimeValue(m[1]!.replace(' ', 'T'), nowMs);
    if (us !== undefined) {
      receivedMs = Math.floor(us / 1000);
      frame = m[2]!;
    }
  }
  if (!frame.startsWith('<')) frame = `<13>${frame}`;
  const recv = SyslogTime.fromEpochMs(receivedMs ?? nowMs);
  const msg = new Message(Buffer.from(frame, 'utf8'), ORIGIN, recv);
  parseSyslog(msg.rawmsg, msg, OPTS);
  if (receivedMs === null && msg.timereported.source !== TimeSource.Local) {
    msg.timegenerated = SyslogTime.fromEpochMs(msg.timereported.toEpochMs());
    msg.parsedWith = null;
  }
  return msg;
}

export interface ReplayResult {
  detections: Detection[];
  lines: number;
  /** The log line each replayed message came from (for display: file-format lines get a PRI to be parsed). */
  lineOf: WeakMap<Message, string>;
}

/** Run `rules` over `lines`; ticks happen at each event's time, so absence fires on the log's clock. */
export function replay(rules: CompiledRule[], lines: string[], opts: { nowMs?: number; stateDir?: string | null } = {}): ReplayResult {
  const detections: Detection[] = [];
  let engine: DetectEngine | null = null;
  let n = 0;
  let last = 0;
  const lineOf = new WeakMap<Message, string>();
  for (const line of lines) {
    const msg = parseLogLine(line, opts.nowMs);
    if (msg === null) continue;
    lineOf.set(msg, line);
    const ev = toEvent(msg);
    n++;
    engine ??= new DetectEngine(rules, { stateDir: opts.stateDir ?? null, onDetect: (d) => detections.push(d), startMs: ev.timeMs });
    if (ev.timeMs > last) {
      engine.tick(ev.timeMs - 1);
      last = ev.timeMs;
    }
    engine.process(ev);
  }
  engine?.close();
  return { detections, lines: n, lineOf };
}

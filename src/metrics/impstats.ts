// impstats: the metrics registry emitted every `interval` seconds as rsyslog-style statistics lines, one per
// object (input, action, rule, …), into the pipeline as syslog messages from `rsyslogd-pstats` (rsyslog's
// programname, so existing filters keep working) and/or appended to `log.file`. Formats as rsyslog 8.2302:
// legacy (`name: origin=… key=value …`), json / json-elasticsearch (`{ "name": …, "origin": …, … }`), cee.
import { appendFile } from 'node:fs/promises';
import type { ComponentSpec, MessageSink, ParamSpec } from '../components';
import type { Params } from '../config/model';
import { DEFAULT_RULESET, getParam } from '../config/model';
import type { Logger } from '../log';
import { Message, type Origin } from '../message';
import { parseSyslog } from '../parse/index';
import { parseOptions } from '../parse/options';
import { getPropertyValue } from '../templates/properties';
import { SyslogTime } from '../time';
import type { Sample, Scrape } from './exposition';
import { FAMILIES } from './families';
import type { MetricsRegistry } from './registry';

const PARAMS: ParamSpec[] = [
  { name: 'interval', type: 'int', default: 300, unit: 'seconds', doc: 'Seconds between two statistics runs.' },
  { name: 'facility', type: 'int', default: 5, doc: 'Facility number of the statistics messages (5: syslog).' },
  { name: 'severity', type: 'int', default: 6, doc: 'Severity number of the statistics messages (6: info).' },
  { name: 'log.syslog', type: 'binary', default: true, doc: 'Emit the lines as syslog messages into the pipeline (programname rsyslogd-pstats).' },
  { name: 'log.file', type: 'path', doc: 'Also append the lines to this file, each prefixed with the time.' },
  { name: 'format', type: 'word', values: ['legacy', 'json', 'json-elasticsearch', 'cee'], default: 'legacy', doc: 'Line format, as rsyslog.' },
  { name: 'resetCounters', type: 'binary', default: false, doc: 'Counters show the change since the previous run instead of totals (gauges stay as they are).' },
  { name: 'ruleset', type: 'ruleset', doc: 'Ruleset the statistics messages are bound to (default: the default ruleset).' },
  { name: 'bracketing', type: 'binary', doc: 'BEGIN/END marker messages around each run.', ignored: 'no BEGIN/END bracket messages are emitted' },
];

export const impstatsSpec: ComponentSpec = { name: 'impstats', aliases: [], kind: 'service', params: [], moduleParams: PARAMS };

export type ImpstatsFormat = 'legacy' | 'json' | 'json-elasticsearch' | 'cee';

export interface ImpstatsOptions {
  intervalMs: number;
  facility: number;
  severity: number;
  logSyslog: boolean;
  logFile: string | undefined;
  format: ImpstatsFormat;
  resetCounters: boolean;
  ruleset: string;
}

const isOn = (v: unknown, dflt: boolean): boolean => (v === undefined ? dflt : /^(on|yes|1|true)$/i.test(String(v)));

export function impstatsOptions(p: Params): ImpstatsOptions {
  const num = (name: string, d: number): number => {
    const v = Number(getParam(p, name)?.value ?? d);
    return Number.isFinite(v) ? v : d;
  };
  return {
    intervalMs: Math.max(1, num('interval', 300)) * 1000,
    facility: Math.min(23, Math.max(0, num('facility', 5))),
    severity: Math.min(7, Math.max(0, num('severity', 6))),
    logSyslog: isOn(getParam(p, 'log.syslog')?.value, true),
    logFile: getParam(p, 'log.file')?.value as string | undefined,
    format: String(getParam(p, 'format')?.value ?? 'legacy').toLowerCase() as ImpstatsFormat,
    resetCounters: isOn(getParam(p, 'resetcounters')?.value, false),
    ruleset: String(getParam(p, 'ruleset')?.value ?? DEFAULT_RULESET),
  };
}

/** The object a sample belongs to (rsyslog's "name") and its kind ("origin"). */
function objectOf(family: string, s: Sample): { name: string; origin: string } {
  const l = s.labels;
  if (l.input !== undefined) return { name: l.input, origin: 'logwarden.input' };
  if (l.action !== undefined) return { name: l.action, origin: 'logwarden.action' };
  if (l.rule !== undefined) return { name: `rule:${l.rule}`, origin: 'logwarden.detect' };
  if (l.sender !== undefined) return { name: `sender:${l.sender}`, origin: 'logwarden.sequence' };
  const group = family.split('_')[1] ?? 'global';
  return { name: group, origin: `logwarden.${group}` };
}

/** Counter name inside its object: the family minus `logwarden_<group>_` and `_total`, other labels appended. */
function keyOf(family: string, s: Sample): string {
  let k = family.replace(/^logwarden_/, '').replace(/_total$/, '');
  const group = /^(input|queue|action|relp|detect_rule|sender_sequence|sequence|store|search|process|udp|scrape)_/.exec(k);
  if (group !== null && !['queue', 'action', 'relp'].includes(group[1]!)) k = k.slice(group[0].length);
  for (const [name, v] of Object.entries(s.labels)) {
    if (name === 'input' || name === 'action' || name === 'rule' || name === 'sender') continue;
    k += `.${v}`;
  }
  return k;
}

/** One statistics run as rsyslog-style lines (histograms as their count and sum). */
export function statsLines(scrape: Scrape, format: ImpstatsFormat, previous?: Map<string, number>): string[] {
  const objects = new Map<string, { origin: string; values: Array<[string, number]> }>();
  for (const [family, samples] of scrape.families) {
    const type = FAMILIES.get(family)?.type;
    for (const s of samples) {
      const o = objectOf(family, s);
      let obj = objects.get(o.name);
      if (obj === undefined) objects.set(o.name, (obj = { origin: o.origin, values: [] }));
      const key = keyOf(family, s);
      const pairs: Array<[string, number]> = typeof s.value === 'number' ? [[key, s.value]] : [[`${key}.count`, s.value.count], [`${key}.sum`, s.value.sum]];
      for (const [k, v0] of pairs) {
        let v = v0;
        if (previous !== undefined && type !== 'gauge') {
          const id = `${o.name}\u0000${k}`;
          v = v0 - (previous.get(id) ?? 0);
          previous.set(id, v0);
        }
        obj.values.push([k, v]);
      }
    }
  }
  const out: string[] = [];
  for (const [name, o] of objects) {
    if (format === 'legacy') {
      out.push(`${name}: origin=${o.origin} ${o.values.map(([k, v]) => `${k}=${v}`).join(' ')} `);
      continue;
    }
    const json = `{ "name": ${JSON.stringify(name)}, "origin": ${JSON.stringify(o.origin)}${o.values.map(([k, v]) => `, ${JSON.stringify(format === 'json-elasticsearch' ? k.replace(/\./g, '!') : k)}: ${v}`).join('')} }`;
    out.push(format === 'cee' ? `@cee: ${json}` : json);
  }
  return out;
}

/** ctime(3)-style local time, as rsyslog prefixes log.file lines ("Thu Dec  3 16:15:21 2026"). */
function ctime(d: Date): string {
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getDay()];
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getMonth()];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${day} ${mon} ${String(d.getDate()).padStart(2, ' ')} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${d.getFullYear()}`;
}

export interface Impstats {
  /** One statistics run now (the timer calls it every interval). */
  run(): Promise<void>;
  close(): void;
}

export function startImpstats(opts: ImpstatsOptions, registry: MetricsRegistry, sink: MessageSink, logger: Logger): Impstats {
  const previous = opts.resetCounters ? new Map<string, number>() : undefined;
  const popts = parseOptions();
  const run = async (): Promise<void> => {
    const lines = statsLines(await registry.collect(), opts.format, previous);
    if (opts.logSyslog && lines.length > 0) {
      const host = getPropertyValue(new Message(Buffer.alloc(0), { inputname: 'impstats', fromhostIp: '127.0.0.1', fromhost: '', ruleset: opts.ruleset }, SyslogTime.now()), '$myhostname');
      const origin: Origin = { inputname: 'impstats', fromhostIp: '127.0.0.1', fromhost: host, ruleset: opts.ruleset };
      const now = SyslogTime.now();
      const pri = opts.facility * 8 + opts.severity;
      sink.submit(lines.map((line) => {
        const frame = Buffer.from(`<${pri}>${new Date().toISOString()} ${host} rsyslogd-pstats: ${line}`);
        const m = new Message(frame, origin, now);
        parseSyslog(frame, m, popts);
        m.rawmsg = Buffer.from(line);
        return m;
      }));
    }
    if (opts.logFile !== undefined && lines.length > 0) {
      const at = ctime(new Date());
      try {
        await appendFile(opts.logFile, lines.map((l) => `${at}: ${l}\n`).join(''));
      } catch (e) {
        logger.warn('LW_WARN_IMPSTATS_FILE', 'impstats could not write its log.file', { file: opts.logFile, error: (e as Error).message });
      }
    }
  };
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void run().finally(() => { busy = false; });
  }, opts.intervalMs);
  timer.unref();
  return { run, close: () => clearInterval(timer) };
}

// The streaming rule engine: every event goes through every rule once, in arrival order. Stateless `match`
// rules are a predicate call; stateful kinds keep bounded keyed windows (./kinds.ts). Absence needs time to
// pass without events, so the engine also has tick(now), driven by a timer (live) or by the log's own
// timestamps (`logwarden rules test`). The engine never reads the store.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TimeSource, utcMs } from '../time';
import type { DetectEvent } from './event';
import { AbsenceState, DistinctState, SequenceState, ThresholdState } from './kinds';
import { KeyedState } from './keyed';
import { formatDuration, type CompiledRule, type Detection } from './rule';

export interface RuleMetrics {
  evaluations: number;
  matches: number;
  alerts: number;
  suppressed: number;
  keysHeld: number;
  keysDropped: number;
}

interface RuleRuntime {
  rule: CompiledRule;
  signature: string;
  metrics: RuleMetrics;
  threshold: ThresholdState | null;
  distinct: DistinctState | null;
  sequence: SequenceState | null;
  absence: AbsenceState | null;
  newValues: KeyedState<1> | null;
  newValuesDirty: boolean;
}

export interface EngineOptions {
  /** Where new_value rules keep what they have seen (created on demand); null keeps it in memory only. */
  stateDir: string | null;
  /** Called for every firing, in order. */
  onDetect: (d: Detection) => void;
  /**
   * Optional fast path for a firing with the same key as the rule's previous one within its suppression window:
   * return true when it was absorbed (joined the open alert), and no Detection (nor reason text) is built.
   */
  onRepeat?: (rule: CompiledRule, key: string, timeMs: number, ev: DetectEvent) => boolean;
  /** Engine start (ms) for absence grace periods; default Date.now(). */
  startMs?: number;
}

const KEY_SEP = ', ';
const DAY_MS = 86_400_000;

function signature(r: CompiledRule): string {
  return JSON.stringify([r.kind, r.groupBy, r.extract.map((x) => [x.name, x.re.source]), r.maxKeys,
    r.threshold && [r.threshold.count, r.threshold.windowMs, r.threshold.distinctName],
    r.sequence && [r.sequence.withinMs, r.sequence.steps.map((s) => s.count)],
    r.absence && [r.absence.afterMs, r.absence.graceMs], r.newValue?.fieldName, r.clockSkew?.maxMs]);
}

/**
 * The rules one kind of message is shown, in load order, with the union of their free-text literals
 * (CompiledRule.textGuard) as one regex: tested once per message, at the first guarded rule, and every guarded
 * rule is skipped when none of its literals is there (each rule's own terms are then never scanned for).
 */
interface RuleList {
  rules: RuleRuntime[];
  /** Per rule: true when it has a text guard. */
  guarded: boolean[];
  /** Union of the guarded rules' literals (flags 'iu'); null when they have none (they cannot match). */
  literals: RegExp | null;
}

function ruleList(rules: RuleRuntime[]): RuleList {
  const guarded = rules.map((rt) => rt.rule.textGuard != null);
  const union = new Set<string>();
  for (const rt of rules) for (const l of rt.rule.textGuard ?? []) union.add(l);
  return { rules, guarded, literals: union.size === 0 ? null : new RegExp([...union].join('|'), 'iu') };
}

export class DetectEngine {
  private runtimes: RuleRuntime[] = [];
  /** Rules that name their apps, by app; the others see every message. Decided at load, not per message. */
  private byApp = new Map<string, RuleList>();
  private anyApp: RuleList = ruleList([]);
  /** Rules for any app that need an extracted prefix (RuleRuntime.rule.needs), by prefix: checked once per event. */
  private anyAppNeeding: { needs: string; list: RuleList }[] = [];
  private readonly opts: EngineOptions;
  readonly startMs: number;

  constructor(rules: CompiledRule[], opts: EngineOptions) {
    this.opts = opts;
    this.startMs = opts.startMs ?? Date.now();
    this.setRules(rules);
  }

  get rules(): CompiledRule[] {
    return this.runtimes.map((r) => r.rule);
  }

  /** Swap the rule set. A rule whose id and shape are unchanged keeps its state and counters. */
  setRules(rules: CompiledRule[]): void {
    const old = new Map(this.runtimes.map((r) => [r.rule.id, r]));
    this.flushNewValues();
    this.runtimes = rules.map((rule) => {
      const sig = signature(rule);
      const prev = old.get(rule.id);
      if (prev !== undefined && prev.signature === sig) return { ...prev, rule };
      return this.makeRuntime(rule, sig);
    });
    const byApp = new Map<string, RuleRuntime[]>();
    const anyApp: RuleRuntime[] = [];
    const needing: { needs: string; rules: RuleRuntime[] }[] = [];
    for (const rt of this.runtimes) {
      if (rt.rule.apps === null) {
        const needs = rt.rule.needs ?? null;
        if (needs === null) anyApp.push(rt);
        else {
          const group = needing.find((g) => g.needs === needs);
          if (group) group.rules.push(rt);
          else needing.push({ needs, rules: [rt] });
        }
        continue;
      }
      for (const app of rt.rule.apps) {
        const list = byApp.get(app);
        if (list) list.push(rt);
        else byApp.set(app, [rt]);
      }
    }
    this.byApp = new Map([...byApp].map(([app, rules]) => [app, ruleList(rules)]));
    this.anyApp = ruleList(anyApp);
    this.anyAppNeeding = needing.map((g) => ({ needs: g.needs, list: ruleList(g.rules) }));
  }

  private makeRuntime(rule: CompiledRule, sig: string): RuleRuntime {
    const cap = rule.maxKeys;
    const t = rule.threshold;
    const rt: RuleRuntime = {
      rule, signature: sig,
      metrics: { evaluations: 0, matches: 0, alerts: 0, suppressed: 0, keysHeld: 0, keysDropped: 0 },
      threshold: t && t.distinct === null ? new ThresholdState(t.count, t.windowMs, cap) : null,
      distinct: t && t.distinct !== null ? new DistinctState(t.count, t.windowMs, cap) : null,
      sequence: rule.sequence ? new SequenceState(rule.sequence.steps[0]?.count ?? 1, rule.sequence.withinMs, cap) : null,
      absence: rule.absence ? new AbsenceState(rule.absence.afterMs, this.startMs + rule.absence.graceMs, cap) : null,
      newValues: rule.newValue ? new KeyedState<1>(cap) : null,
      newValuesDirty: false,
    };
    if (rt.newValues !== null) this.restoreNewValues(rt);
    return rt;
  }

  /** Per-rule counters (keysHeld/keysDropped read live). */
  metrics(): Record<string, RuleMetrics> {
    const out: Record<string, RuleMetrics> = {};
    for (const rt of this.runtimes) {
      const st = rt.threshold?.keys ?? rt.distinct?.keys ?? rt.sequence?.keys ?? rt.absence?.keys ?? rt.newValues;
      rt.metrics.keysHeld = st?.size ?? 0;
      rt.metrics.keysDropped = st?.dropped ?? 0;
      out[rt.rule.id] = { ...rt.metrics };
    }
    return out;
  }

  /** Count an alert the alert store suppressed (deduplicated) for a rule. */
  noteSuppressed(ruleId: string): void {
    const rt = this.runtimes.find((r) => r.rule.id === ruleId);
    if (rt) rt.metrics.suppressed++;
  }

  /**
   * Evaluate one event: the rules for its app, then the rules for any app (those needing an extracted prefix
   * only when the event may have it). Rules see an event in this order; each keeps its own state, so the order
   * between rules does not change what fires.
   */
  process(ev: DetectEvent): void {
    const mine = this.byApp.size === 0 ? undefined : this.byApp.get(ev.row.app);
    if (mine !== undefined) this.evaluateList(mine, ev);
    if (this.anyApp.rules.length > 0) this.evaluateList(this.anyApp, ev);
    const needing = this.anyAppNeeding;
    for (let g = 0; g < needing.length; g++) {
      const group = needing[g]!;
      if (ev.row.mayHave(group.needs)) this.evaluateList(group.list, ev);
    }
  }

  private evaluateList(list: RuleList, ev: DetectEvent): void {
    const rules = list.rules;
    const guarded = list.guarded;
    let text = -1; // whether msg holds one of the list's literals: -1 not tested yet, 0 no, 1 yes
    for (let i = 0; i < rules.length; i++) {
      const rt = rules[i]!;
      if (guarded[i]) {
        if (text < 0) text = list.literals !== null && list.literals.test(ev.row.msg) ? 1 : 0;
        if (text === 0) {
          rt.metrics.evaluations++; // shown the event; its own terms are known absent
          continue;
        }
      }
      this.evaluate(rt, ev);
    }
  }

  private evaluate(rt: RuleRuntime, ev: DetectEvent): void {
    const rule = rt.rule;
    rt.metrics.evaluations++;
    if (rule.kind === 'sequence') return this.evaluateSequence(rt, ev);
    if (!rule.match(ev)) return;
    const local = rule.extract.length > 0 ? extractLocal(rule, ev) : null;
    const key = groupKey(rule, ev, local);
    if (key === null) return;
    rt.metrics.matches++;
    const t = ev.timeMs;
    switch (rule.kind) {
      case 'match':
        if (this.repeat(rt, key, t, ev)) return;
        return this.fire(rt, key, t, 'matched', ev);
      case 'threshold': {
        const th = rule.threshold!;
        if (rt.distinct !== null) {
          const v = th.distinct!(ev, local);
          if (v === undefined) return;
          if (rt.distinct.add(key, String(v), t) && !this.repeat(rt, key, t, ev)) this.fire(rt, key, t, `${th.count} distinct ${th.distinctName} within ${formatDuration(th.windowMs)}`, ev);
        } else if (rt.threshold!.add(key, t) && !this.repeat(rt, key, t, ev)) {
          this.fire(rt, key, t, `${th.count} matches within ${formatDuration(th.windowMs)}`, ev);
        }
        return;
      }
      case 'absence':
        return rt.absence!.seen(key, t);
      case 'new_value': {
        const v = rule.newValue!.field(ev, local);
        if (v === undefined || v === '') return;
        const k = key === '' ? String(v) : `${key}\u0000${v}`;
        if (rt.newValues!.get(k) !== undefined) return;
        rt.newValues!.set(k, 1);
        rt.newValuesDirty = true;
        return this.fire(rt, key === '' ? String(v) : `${key}${KEY_SEP}${v}`, t, `first ${rule.newValue!.fieldName} "${v}"`, ev);
      }
      case 'clock_skew': {
        const skew = clockSkewMs(ev);
        if (skew !== null && Math.abs(skew) > rule.clockSkew!.maxMs && !this.repeat(rt, key, t, ev)) {
          this.fire(rt, key, t, `reported time is ${formatDuration(Math.abs(skew))} ${skew > 0 ? 'ahead of' : 'behind'} reception`, ev);
        }
      }
    }
  }

  private evaluateSequence(rt: RuleRuntime, ev: DetectEvent): void {
    const rule = rt.rule;
    const [a, b] = rule.sequence!.steps;
    if (a === undefined || b === undefined) return;
    const isB = b.match(ev);
    const isA = a.match(ev);
    if (!isA && !isB) return;
    const local = rule.extract.length > 0 ? extractLocal(rule, ev) : null;
    const key = groupKey(rule, ev, local);
    if (key === null) return;
    rt.metrics.matches++;
    if (isB) {
      const since = rt.sequence!.second(key, ev.timeMs);
      if (since !== null) {
        this.fire(rt, key, ev.timeMs, `${a.count > 1 ? `${a.count}× ` : ''}step A then step B within ${formatDuration(ev.timeMs - since)}`, ev);
        return;
      }
    }
    if (isA) rt.sequence!.first(key, ev.timeMs);
  }

  /** Let time pass: absence rules fire, windows expire, new_value state is saved. */
  tick(now: number): void {
    for (const rt of this.runtimes) {
      rt.threshold?.expire(now);
      rt.distinct?.expire(now);
      rt.sequence?.expire(now);
      if (rt.absence !== null) {
        for (const s of rt.absence.tick(now)) {
          this.fire(rt, s.key, now, `silent for ${formatDuration(now - s.last)} (last message ${new Date(s.last).toISOString()})`, null);
        }
      }
    }
    this.flushNewValues();
  }

  close(): void {
    this.flushNewValues();
  }

  /** The repeat fast path (EngineOptions.onRepeat); true when the firing was absorbed. */
  private repeat(rt: RuleRuntime, key: string, t: number, ev: DetectEvent): boolean {
    const on = this.opts.onRepeat;
    // Any key: the alert store's episode cache answers (a firing for another key in between, e.g. clock skew
    // of several hosts taking turns, used to miss the fast path and cost a full detection per message).
    if (on === undefined) return false;
    if (!on(rt.rule, key, t, ev)) return false;
    rt.metrics.alerts++;
    rt.metrics.suppressed++;
    return true;
  }

  private fire(rt: RuleRuntime, key: string, timeMs: number, reason: string, ev: DetectEvent | null): void {
    rt.metrics.alerts++;
    this.opts.onDetect({ rule: rt.rule, key, timeMs, reason, event: ev });
  }

  // new_value persistence: one JSON file per rule under the state directory, written atomically on ticks.
  private stateFile(rt: RuleRuntime): string | null {
    const dir = this.opts.stateDir;
    return dir === null ? null : join(dir, `new_value-${rt.rule.id}.json`);
  }

  private restoreNewValues(rt: RuleRuntime): void {
    const file = this.stateFile(rt);
    if (file === null) return;
    try {
      const list = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      if (Array.isArray(list)) for (const k of list) if (typeof k === 'string') rt.newValues!.set(k, 1);
    } catch {
      // no state yet (or unreadable: start learning again)
    }
  }

  flushNewValues(): void {
    for (const rt of this.runtimes) {
      if (!rt.newValuesDirty || rt.newValues === null) continue;
      const file = this.stateFile(rt);
      rt.newValuesDirty = false;
      if (file === null) continue;
      mkdirSync(this.opts.stateDir!, { recursive: true });
      writeFileSync(`${file}.tmp`, JSON.stringify([...rt.newValues.map.keys()]));
      renameSync(`${file}.tmp`, file);
    }
  }
}

/** Rule-local fields: each extractor's first capture group (or its named group) applied to msg. */
export function extractLocal(rule: CompiledRule, ev: DetectEvent): Record<string, string> {
  const out: Record<string, string> = {};
  for (const x of rule.extract) {
    const m = x.re.exec(ev.row.msg);
    if (m === null) continue;
    const v = m.groups?.[x.name] ?? m[1] ?? m[0];
    if (v !== undefined) out[x.name] = v;
  }
  return out;
}

/** The group key, or null when a group-by field is missing (the event cannot be attributed). */
export function groupKey(rule: CompiledRule, ev: DetectEvent, local: Record<string, string> | null): string | null {
  const g = rule.groupGetters;
  if (g.length === 0) return '';
  if (g.length === 1) {
    const v = g[0]!(ev, local);
    return v === undefined || v === '' ? null : String(v);
  }
  const parts: string[] = [];
  for (const get of g) {
    const v = get(ev, local);
    if (v === undefined || v === '') return null;
    parts.push(String(v));
  }
  return parts.join(KEY_SEP);
}

/**
 * Reported − received, in ms; null when the message carried no timestamp. An RFC 3164 timestamp has no year
 * (the parser assumed one): the skew is taken with the year that puts it closest to reception, so a
 * "Dec 31 23:59:59" line received on Jan 1 is 1 s behind, not a year ahead.
 */
export function clockSkewMs(ev: DetectEvent): number | null {
  // ev.timeMs is the reception time (live: timegenerated; replay: the line's reception time).
  const rep = ev.msg.timereported;
  if (rep.source === TimeSource.Local) return null;
  const recvMs = ev.timeMs;
  const repMs = rep.toEpochMs();
  if (rep.source !== TimeSource.Rfc3164) return repMs - recvMs;
  let best = repMs - recvMs;
  for (const dy of [-1, 1]) {
    const shifted = utcMs(rep.year + dy, rep.month, rep.day, rep.hour, rep.minute, rep.second) - rep.offsetMinutes * 60_000;
    const d = shifted - recvMs;
    if (Math.abs(d) < Math.abs(best)) best = d;
  }
  return Math.abs(best) > 400 * DAY_MS ? null : best;
}

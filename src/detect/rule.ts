// A compiled detection rule: what the loader (native YAML or Sigma) produces and the engine runs. Everything
// is decided at load time: queries are closures, fields are getters, durations are milliseconds.
import type { SourceLoc } from '../config/model';
import type { DetectEvent, Getter } from './event';
import type { Predicate } from './query-eval';

export type RuleKind = 'match' | 'threshold' | 'sequence' | 'absence' | 'new_value' | 'clock_skew';
export const RULE_KINDS: RuleKind[] = ['match', 'threshold', 'sequence', 'absence', 'new_value', 'clock_skew'];
export const LEVELS = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Level = (typeof LEVELS)[number];

/** A rule-local field cut out of msg by a regex (first capture group, or the group named like the field). */
export interface Extractor {
  name: string;
  re: RegExp;
}

export interface SequenceStep {
  match: Predicate;
  /** How many of this step must be seen (only the first step may ask for more than one). */
  count: number;
}

export interface CompiledRule {
  id: string;
  title: string;
  level: Level;
  kind: RuleKind;
  description: string;
  /** Where the rule is defined (alerts and `rules test` name it). */
  loc: SourceLoc;
  /** "native" or "sigma". */
  format: 'native' | 'sigma';
  /** Apps the rule can match (the engine only shows it their messages); null = any app. */
  apps: string[] | null;
  /** An extracted-field prefix (`nginx.`, `json.`) without which the rule cannot match (see needsOf); null = none. */
  needs?: string | null;
  /**
   * Literals (regex sources, flags 'iu') of which msg must contain one for the rule to see an event (see
   * literalsOf); null/absent = none known. The engine tests them for all of an app's rules at once.
   */
  textGuard?: string[] | null;
  /** Which events the rule looks at (all of them when the rule has no query). */
  match: Predicate;
  extract: Extractor[];
  /** Group-by names (for display) and their getters; the key is their values joined. */
  groupBy: string[];
  groupGetters: Getter[];
  /** Minimum ms between two alerts for the same rule+key (the alert store deduplicates within it). */
  suppressMs: number;
  /** Cap on keys held; the oldest key is dropped (and counted) beyond it. */
  maxKeys: number;
  threshold?: { count: number; windowMs: number; distinct: Getter | null; distinctName: string | null };
  sequence?: { steps: SequenceStep[]; withinMs: number };
  absence?: { afterMs: number; graceMs: number };
  newValue?: { field: Getter; fieldName: string };
  clockSkew?: { maxMs: number };
}

/** What the engine reports when a rule fires. */
export interface Detection {
  rule: CompiledRule;
  /** Group key as text ("203.0.113.7", "web1, sshd"); "" when the rule has no grouping. */
  key: string;
  timeMs: number;
  /** Why it fired, in one line ("5 matches within 5m", "silent since …"). */
  reason: string;
  /** The event that completed the condition (null for absence, which fires on silence). */
  event: DetectEvent | null;
}

export const DEFAULT_SUPPRESS_MS = 10 * 60_000;
export const DEFAULT_MAX_KEYS = 100_000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "5m", "30s", "1h", "250ms", "2d"; a bare number is seconds. Undefined when malformed. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v * 1000 : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/.exec(v);
  if (m === null) return undefined;
  return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 's']!);
}

export function formatDuration(ms: number): string {
  for (const [u, f] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= f && ms % f === 0) return `${ms / f}${u}`;
  }
  return `${ms}ms`;
}

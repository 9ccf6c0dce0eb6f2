// The windowed state machines of the stateful rule kinds. Each takes events in time order (event time, ms)
// and answers whether the rule fires now; `expire(now)` forgets keys whose window has passed. The exact
// semantics (tested against brute-force oracles in test/unit/detect-windows.test.ts):
//   threshold  fires on an event when the key has ≥ count matches (or ≥ count distinct values) in (t−W, t]
//   sequence   fires on a B event when ≥ count A events of the key lie in [t−T, t] since the key last fired
//   absence    fires at a tick τ ≥ grace end when a key's last event is ≤ τ−T; then forgets the key
import { KeyedState } from './keyed';

/** Append t to a key's times, keeping the newest `count` (oldest first). */
function pushNewest(times: number[], t: number, count: number): void {
  times.push(t);
  if (times.length > count) times.shift();
}

/** Times of the last `count` matches per key (a small ring, oldest first). */
export class ThresholdState {
  readonly keys: KeyedState<number[]>;
  constructor(readonly count: number, readonly windowMs: number, cap: number) {
    this.keys = new KeyedState(cap);
  }

  /** Record a match; true when the key reached the threshold within the window. */
  add(key: string, t: number): boolean {
    const times = this.keys.touchOrCreate(key, () => []);
    pushNewest(times, t, this.count);
    return times.length >= this.count && times[0]! > t - this.windowMs;
  }

  expire(now: number): void {
    for (const [k, times] of this.keys.map) {
      if (times[times.length - 1]! > now - this.windowMs) break; // ordered by last activity
      this.keys.delete(k);
    }
  }
}

/** Distinct values per key with their last-seen time, ordered oldest first. */
export class DistinctState {
  readonly keys: KeyedState<Map<string, number>>;
  constructor(readonly count: number, readonly windowMs: number, cap: number) {
    this.keys = new KeyedState(cap);
  }

  add(key: string, value: string, t: number): boolean {
    const vals = this.keys.touchOrCreate(key, () => new Map<string, number>());
    vals.delete(value);
    vals.set(value, t);
    for (const [v, seen] of vals) {
      if (seen > t - this.windowMs) break;
      vals.delete(v);
    }
    // Only the newest `count` values can matter: any older one is in a window only when they all are.
    if (vals.size > this.count) vals.delete(vals.keys().next().value as string);
    return vals.size >= this.count;
  }

  expire(now: number): void {
    for (const [k, vals] of this.keys.map) {
      let last = -Infinity;
      for (const t of vals.values()) last = t;
      if (last > now - this.windowMs) break;
      this.keys.delete(k);
    }
  }
}

/** Times of pending A events per key (the newest `count`). */
export class SequenceState {
  readonly keys: KeyedState<number[]>;
  constructor(readonly count: number, readonly withinMs: number, cap: number) {
    this.keys = new KeyedState(cap);
  }

  first(key: string, t: number): void {
    pushNewest(this.keys.touchOrCreate(key, () => []), t, this.count);
  }

  /** A B event: fires (and clears the key) when enough A events are recent enough. */
  second(key: string, t: number): number | null {
    const times = this.keys.get(key);
    if (times === undefined) return null;
    const recent = times.filter((x) => x >= t - this.withinMs);
    if (recent.length < this.count) return null;
    this.keys.delete(key);
    return recent[0]!;
  }

  expire(now: number): void {
    for (const [k, times] of this.keys.map) {
      if (times[times.length - 1]! >= now - this.withinMs) break;
      this.keys.delete(k);
    }
  }
}

/**
 * Last-seen time per key. Updated in place (no reordering: a message costs one Map.set), so a tick scans every
 * key; ticks are once a second and keys are hosts, so that is the cheap side.
 */
export class AbsenceState {
  readonly keys: KeyedState<number>;
  constructor(readonly afterMs: number, readonly graceEndMs: number, cap: number) {
    this.keys = new KeyedState(cap);
  }

  seen(key: string, t: number): void {
    this.keys.set(key, t);
  }

  /** Keys silent for afterMs at `now` (reported once, then forgotten); none before the grace period ends. */
  tick(now: number): Array<{ key: string; last: number }> {
    const out: Array<{ key: string; last: number }> = [];
    if (now < this.graceEndMs) return out;
    for (const [k, last] of this.keys.map) {
      if (now - last < this.afterMs) continue;
      out.push({ key: k, last });
      this.keys.delete(k);
    }
    return out;
  }
}

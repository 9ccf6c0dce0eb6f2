// The windowed state machines agree with brute-force oracles on random event streams (fast-check). The
// semantics under test are written at the top of src/detect/kinds.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AbsenceState, DistinctState, SequenceState, ThresholdState } from '../../src/detect/kinds';

/** Events in time order: a key, a value, a step (A/B), a time gap. */
const events = fc.array(fc.record({
  key: fc.constantFrom('k1', 'k2', 'k3'),
  value: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
  step: fc.constantFrom('A', 'B'),
  gap: fc.integer({ min: 0, max: 40 }),
}), { maxLength: 80 }).map((list) => {
  let t = 1000;
  return list.map((e) => ({ ...e, t: (t += e.gap) }));
});

test('threshold (count) fires exactly when ≥ N matches of the key lie in (t−W, t]', () => {
  fc.assert(fc.property(events, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 120 }), (evs, n, w) => {
    const st = new ThresholdState(n, w, 1000);
    evs.forEach((e, i) => {
      const got = st.add(e.key, e.t);
      const want = evs.slice(0, i + 1).filter((x) => x.key === e.key && x.t > e.t - w).length >= n;
      assert.equal(got, want);
    });
  }), { numRuns: 300 });
});

test('threshold (distinct) fires exactly when ≥ N distinct values of the key lie in (t−W, t]', () => {
  fc.assert(fc.property(events, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 120 }), (evs, n, w) => {
    const st = new DistinctState(n, w, 1000);
    evs.forEach((e, i) => {
      const got = st.add(e.key, e.value, e.t);
      const want = new Set(evs.slice(0, i + 1).filter((x) => x.key === e.key && x.t > e.t - w).map((x) => x.value)).size >= n;
      assert.equal(got, want);
    });
  }), { numRuns: 300 });
});

test('threshold expiry never changes an answer', () => {
  fc.assert(fc.property(events, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 80 }), (evs, n, w) => {
    const a = new ThresholdState(n, w, 1000);
    const b = new ThresholdState(n, w, 1000);
    for (const e of evs) {
      b.expire(e.t);
      assert.equal(b.add(e.key, e.t), a.add(e.key, e.t));
    }
  }), { numRuns: 200 });
});

test('sequence fires on B exactly when ≥ N A events of the key lie in [t−T, t] since its last firing', () => {
  fc.assert(fc.property(events, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 120 }), (evs, n, within) => {
    const st = new SequenceState(n, within, 1000);
    const lastFire = new Map<string, number>(); // index of the last firing per key
    evs.forEach((e, i) => {
      if (e.step === 'B') {
        const since = lastFire.get(e.key) ?? -1;
        const as = evs.slice(since + 1, i).filter((x) => x.key === e.key && x.step === 'A' && x.t >= e.t - within);
        const want = as.length >= n;
        const got = st.second(e.key, e.t) !== null;
        assert.equal(got, want, `event ${i}`);
        if (want) lastFire.set(e.key, i);
      } else {
        st.first(e.key, e.t);
      }
    });
  }), { numRuns: 300 });
});

test('absence fires once per silent gap, at the first tick ≥ grace end and ≥ last+T before the next event', () => {
  const stream = fc.array(fc.record({
    tick: fc.boolean(),
    key: fc.constantFrom('h1', 'h2'),
    gap: fc.integer({ min: 0, max: 30 }),
  }), { maxLength: 100 }).map((list) => {
    let t = 0;
    return list.map((e) => ({ ...e, t: (t += e.gap) }));
  });
  fc.assert(fc.property(stream, fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 100 }), (items, after, graceEnd) => {
    const st = new AbsenceState(after, graceEnd, 1000);
    const got: string[] = [];
    for (const it of items) {
      if (it.tick) for (const f of st.tick(it.t)) got.push(`${f.key}@${f.last}`);
      else st.seen(it.key, it.t);
    }
    // Oracle: for each event of a key, the gap until its next event (or the end) contains a qualifying tick.
    const want: string[] = [];
    items.forEach((it, i) => {
      if (it.tick) return;
      const next = items.findIndex((x, j) => j > i && !x.tick && x.key === it.key);
      const end = next < 0 ? items.length : next;
      const hit = items.slice(i + 1, end).some((x) => x.tick && x.t >= it.t + after && x.t >= graceEnd);
      if (hit) want.push(`${it.key}@${it.t}`);
    });
    assert.deepEqual([...got].sort(), [...want].sort());
  }), { numRuns: 300 });
});

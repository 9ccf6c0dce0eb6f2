// Keyed rule state with a cap: a Map in insertion order, so the oldest key is the first one. Past the cap the
// oldest key is dropped and counted (bounded memory whatever the key cardinality of the traffic).
export class KeyedState<T> {
  readonly map = new Map<string, T>();
  dropped = 0;
  constructor(readonly cap: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string): T | undefined {
    return this.map.get(key);
  }

  /** Insert or replace; a new key past the cap evicts the oldest. */
  set(key: string, v: T): void {
    if (this.map.size >= this.cap && !this.map.has(key)) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
      this.dropped++;
    }
    this.map.set(key, v);
  }

  /** The key's value moved to the young end (states ordered by last activity), or a new one from `make`. */
  touchOrCreate(key: string, make: () => T): T {
    const v = this.map.get(key);
    if (v === undefined) {
      const fresh = make();
      this.set(key, fresh);
      return fresh;
    }
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  delete(key: string): void {
    this.map.delete(key);
  }
}

// A fixed-bucket histogram (Prometheus semantics: cumulative buckets, sum, count), observed once per search,
// never per message.
import type { HistogramValue } from './exposition';

/** Search latency buckets, seconds: a light query answers in milliseconds, the timeout is 10 s by default. */
export const LATENCY_BUCKETS_S: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(readonly bounds: readonly number[] = LATENCY_BUCKETS_S) {
    this.counts = new Array<number>(bounds.length).fill(0);
  }

  observe(v: number): void {
    this.sum += v;
    this.count++;
    for (let i = 0; i < this.bounds.length; i++) {
      if (v <= this.bounds[i]) {
        this.counts[i]++;
        return;
      }
    }
  }

  value(): HistogramValue {
    const cumulative: number[] = [];
    let c = 0;
    for (const n of this.counts) cumulative.push((c += n));
    return { bounds: this.bounds, cumulative, sum: this.sum, count: this.count };
  }
}

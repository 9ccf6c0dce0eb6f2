// Prometheus text exposition format 0.0.4, written by hand: a scrape collects plain numbers from each component
// (pull), groups them by family and prints them. Chosen over prom-client's registry because our numbers already
// live in the components (queue stats, rule metrics): prom-client would copy them into its own gauges on every
// scrape and then format them, twice the work for the same text (docs/metrics.md, "Why hand-written").
import { FAMILIES, type FamilySpec } from './families';

export type Labels = Readonly<Record<string, string>>;

/** Cumulative histogram buckets (upper bounds, seconds), their counts, the sum and the count. */
export interface HistogramValue {
  bounds: readonly number[];
  /** Cumulative counts, one per bound (the +Inf bucket is `count`). */
  cumulative: readonly number[];
  sum: number;
  count: number;
}

export interface Sample {
  labels: Labels;
  value: number | HistogramValue;
}

/** What a collector writes its numbers into during one scrape. */
export class Scrape {
  readonly families = new Map<string, Sample[]>();

  private readonly index = new Map<string, Map<string, Sample>>();

  /**
   * Add one sample of a family declared in families.ts (an undeclared name is a programming error). Two samples
   * with the same labels (two inputs both named "imtcp") are summed: a series appears once, as the format requires.
   */
  add(name: string, labels: Labels, value: number | HistogramValue): void {
    if (!FAMILIES.has(name)) throw new Error(`metric family ${name} is not declared in src/metrics/families.ts`);
    let list = this.families.get(name);
    let byLabels = this.index.get(name);
    if (list === undefined || byLabels === undefined) {
      list = [];
      byLabels = new Map();
      this.families.set(name, list);
      this.index.set(name, byLabels);
    }
    const key = JSON.stringify(labels);
    const had = byLabels.get(key);
    if (had !== undefined && typeof had.value === 'number' && typeof value === 'number') {
      had.value += value;
      return;
    }
    const sample: Sample = { labels, value };
    byLabels.set(key, sample);
    list.push(sample);
  }

  /** Every family, in declaration order, as Prometheus text. */
  text(): string {
    const out: string[] = [];
    for (const spec of FAMILIES.values()) {
      const samples = this.families.get(spec.name);
      if (samples === undefined) continue;
      out.push(`# HELP ${spec.name} ${escapeHelp(spec.help)}`, `# TYPE ${spec.name} ${spec.type}`);
      for (const s of samples) writeSample(out, spec, s);
    }
    out.push('');
    return out.join('\n');
  }

  /** A JSON-friendly snapshot: family name → samples (histograms as count/sum and their buckets). */
  json(): Record<string, Array<{ labels: Labels; value: number | HistogramValue }>> {
    const out: Record<string, Array<{ labels: Labels; value: number | HistogramValue }>> = {};
    for (const spec of FAMILIES.values()) {
      const samples = this.families.get(spec.name);
      if (samples !== undefined) out[spec.name] = samples;
    }
    return out;
  }
}

function writeSample(out: string[], spec: FamilySpec, s: Sample): void {
  if (typeof s.value === 'number') {
    out.push(`${spec.name}${labelText(s.labels)} ${numberText(s.value)}`);
    return;
  }
  const h = s.value;
  for (let i = 0; i < h.bounds.length; i++) {
    out.push(`${spec.name}_bucket${labelText({ ...s.labels, le: numberText(h.bounds[i]) })} ${h.cumulative[i]}`);
  }
  out.push(`${spec.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${h.count}`);
  out.push(`${spec.name}_sum${labelText(s.labels)} ${numberText(h.sum)}`);
  out.push(`${spec.name}_count${labelText(s.labels)} ${h.count}`);
}

function labelText(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabel(labels[k])}"`).join(',')}}`;
}

/** Label values escape backslash, double quote and line feed (exposition format, "Text format details"). */
export function escapeLabel(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function escapeHelp(v: string): string {
  return v.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

function numberText(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

// Merging partial aggregation rows (one set per partition or shard) into the final count/top/timechart result.
import type { AggValue } from './backend';
import { StoreError } from './backend';
import { fieldName, type Pipe } from './query/ast';

/** Distinct groups an aggregation may hold before it is refused (bounds memory for `count by msg`). */
export const MAX_GROUPS = 200_000;

export type AggPipe = Extract<Pipe, { kind: 'count' | 'top' | 'timechart' }>;

/** The aggregating stage of a pipe list, if any. */
export function aggregationOf(pipes: Pipe[]): AggPipe | null {
  for (const p of pipes) if (p.kind === 'count' || p.kind === 'top' || p.kind === 'timechart') return p;
  return null;
}

/** Column names of the result rows. */
export function aggColumns(p: AggPipe): string[] {
  switch (p.kind) {
    case 'count':
      return [...p.by.map(fieldName), 'count'];
    case 'top':
      return [fieldName(p.field), 'count'];
    case 'timechart':
      return p.by === null ? ['time', 'count'] : ['time', fieldName(p.by), 'count'];
  }
}

/** Sums partial rows whose last element is a count and the others the group key. */
export class AggMerger {
  private readonly groups = new Map<string, AggValue[]>();

  add(row: AggValue[]): void {
    const key = JSON.stringify(row.slice(0, -1));
    const count = Number(row[row.length - 1]);
    const have = this.groups.get(key);
    if (have !== undefined) {
      have[have.length - 1] = (have[have.length - 1] as number) + count;
      return;
    }
    if (this.groups.size >= MAX_GROUPS) {
      throw new StoreError('LW_ERR_QUERY_GROUPS', `aggregation has more than ${MAX_GROUPS} groups; narrow the query or group by fewer fields`);
    }
    const copy = row.slice();
    copy[copy.length - 1] = count;
    this.groups.set(key, copy);
  }

  /** Final rows: counts largest first (ties by key), or time order for timechart; at most `limit` rows. */
  finish(p: AggPipe, limit: number): AggValue[][] {
    const rows = [...this.groups.values()];
    if (p.kind === 'timechart') {
      rows.sort((a, b) => (a[0] as number) - (b[0] as number) || compareValues(a[1] ?? null, b[1] ?? null));
    } else {
      rows.sort((a, b) => (b[b.length - 1] as number) - (a[a.length - 1] as number) || compareKeys(a, b));
    }
    const n = p.kind === 'top' ? Math.min(p.n, limit) : limit;
    return rows.length > n ? rows.slice(0, n) : rows;
  }
}

function compareValues(a: AggValue, b: AggValue): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return String(a) < String(b) ? -1 : 1;
}

function compareKeys(a: AggValue[], b: AggValue[]): number {
  for (let i = 0; i < a.length - 1; i++) {
    const c = compareValues(a[i] ?? null, b[i] ?? null);
    if (c !== 0) return c;
  }
  return 0;
}

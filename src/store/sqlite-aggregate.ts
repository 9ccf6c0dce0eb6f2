// SQL of one partition's share of an aggregation (count / count by / top / timechart); rows are merged across
// partitions by AggMerger (aggregate.ts). Group keys are positional (GROUP BY 1, 2) so each key expression and its
// bound parameters appear once.
import type { AggPipe } from './aggregate';
import { fieldExpr, type SqlFragment } from './query/compile-sqlite';

export function aggregateSql(agg: AggPipe, where: SqlFragment, fromUs: number | null, toUs: number | null): SqlFragment {
  const keys: SqlFragment[] = [];
  if (agg.kind === 'count') keys.push(...agg.by.map(fieldExpr));
  else if (agg.kind === 'top') keys.push(fieldExpr(agg.field));
  else {
    // Parameters bind as REAL; integer division needs INTEGER operands, hence the casts.
    const ts = agg.on === 'received' ? 'ts_received' : 'ts_reported';
    keys.push({ sql: `(${ts} / CAST(? AS INTEGER)) * CAST(? AS INTEGER)`, params: [agg.bucketUs, agg.bucketUs] });
    if (agg.by !== null) keys.push(fieldExpr(agg.by));
  }
  const conds: string[] = [];
  const params: unknown[] = [];
  for (const k of keys) params.push(...k.params);
  if (fromUs !== null) { conds.push('ts_reported >= ?'); params.push(fromUs); }
  if (toUs !== null) { conds.push('ts_reported < ?'); params.push(toUs); }
  if (agg.kind === 'top') { conds.push(`${keys[0]!.sql} IS NOT NULL`); params.push(...keys[0]!.params); }
  conds.push(`(${where.sql})`);
  params.push(...where.params);
  const select = [...keys.map((k) => k.sql), 'count(*)'].join(', ');
  const group = keys.length > 0 ? ` GROUP BY ${keys.map((_, i) => i + 1).join(', ')}` : '';
  return { sql: `SELECT ${select} FROM logs WHERE ${conds.join(' AND ')}${group}`, params };
}

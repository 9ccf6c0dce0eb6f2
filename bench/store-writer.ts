// Where the store writer thread's time goes: the matrix store row's rows (~250-byte RFC 5424 messages with
// structured data and key=value pairs) inserted into a fresh partition in batches, each step of
// Partition.insertEncoded timed on its own: decode (field extraction), packRows, the row INSERT (lw_rows), the
// FTS5 INSERT, the column-cache block, meta, and the COMMIT (WAL write; FTS5 flushes its pending terms here),
// plus the WAL checkpoints SQLite runs inside the commits. Prints ms per phase and µs per row.
// usage: node dist/bench/store-writer.js DIR [N=200000] [BATCH=5000]
//   env LW_BENCH_SQL: SQL run after the partition opens; LW_BENCH_SKIP=fts,dims: leave those steps out
import { mkdirSync, rmSync } from 'node:fs';
import { decodeRows, encodeRows } from '../src/store/encoded-rows';
import type { StoredRow } from '../src/store/backend';
import { packRows } from '../src/store/packed-rows';
import { Partition, partitionName } from '../src/store/sqlite-partition';

function row(k: number, ts: number): StoredRow {
  const seq = String(k).padStart(8, '0');
  const sd = `[meta@32473 seq="${seq}" user="alice" src="10.0.${k % 256}.0"][origin ip="10.1.0.${k % 256}" software="lwgen"]`;
  const msg = `seq=${seq} action=login result=failure ${'x'.repeat(60 + (k % 3))}`;
  return {
    tsReported: ts, tsReceived: ts, host: `host${String(k % 100).padStart(2, '0')}`, fromhostIp: '127.0.0.1', app: 'sshd',
    procid: String(1000 + (k % 1000)), msgid: `ID${k % 10}`, facility: k % 24, severity: k % 8, structuredData: sd, msg,
    fields: {}, raw: null,
  };
}

function main(): void {
  const [dir, nText = '200000', batchText = '5000'] = process.argv.slice(2);
  if (!dir) throw new Error('usage: store-writer.js DIR [N] [BATCH]');
  const n = Number(nText);
  const batch = Number(batchText);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t0us = Date.UTC(2026, 10, 22, 10) * 1000;
  const p = new Partition(dir, partitionName(t0us), false);
  if (process.env.LW_BENCH_SQL) p.db.exec(process.env.LW_BENCH_SQL);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const q = p as any;
  const ipCache = new Map<string, Buffer | null>();
  const phase = { encode: 0, decode: 0, pack: 0, rows: 0, fts: 0, dims: 0, meta: 0, commit: 0 };
  const now = (): number => Number(process.hrtime.bigint()) / 1e6;
  let id = 1;
  q.packedInsert();
  const cpu0 = process.cpuUsage();
  const all0 = now();
  const skip = new Set((process.env.LW_BENCH_SKIP ?? '').split(','));
  const batches: StoredRow[][] = [];
  for (let at = 0; at < n; at += batch) {
    const rows: StoredRow[] = [];
    for (let k = at; k < Math.min(n, at + batch); k++) rows.push(row(k, t0us + k));
    batches.push(rows);
  }
  for (const rows of batches) {
    const at = id - 1;
    let t = now();
    // the action leaves extraction to the writer: encode without fields, decode extracts them
    const enc = encodeRows(rows);
    for (let i = 0; i < rows.length; i++) enc.lens[i * 10 + 7] = -2;
    phase.encode += now() - t; t = now();
    const d = decodeRows(enc);
    phase.decode += now() - t; t = now();
    const packed = packRows(d, ipCache)!;
    phase.pack += now() - t; t = now();
    p.db.exec('BEGIN');
    q.insertPacked.run(packed.nums, packed.cells, packed.data, BigInt(id));
    phase.rows += now() - t; t = now();
    if (!skip.has('fts')) q.insertFtsRange.run(id, id + rows.length - 1);
    phase.fts += now() - t; t = now();
    if (!skip.has('dims')) q.writeDims(d, 0, rows.length, id);
    phase.dims += now() - t; t = now();
    q.putMeta.run('rows', id + rows.length - 1);
    q.putMeta.run('max_id', id + rows.length - 1);
    q.putMark.run(id + rows.length - 1, t0us + at);
    phase.meta += now() - t; t = now();
    p.db.exec('COMMIT');
    phase.commit += now() - t;
    id += rows.length;
  }
  const all = now() - all0;
  const cpu = process.cpuUsage(cpu0);
  const sum = Object.values(phase).reduce((a, b) => a + b, 0);
  for (const [k, v] of Object.entries(phase)) console.log(`${k.padEnd(7)} ${v.toFixed(0).padStart(6)} ms  ${(v * 1000 / n).toFixed(2).padStart(6)} µs/row`);
  console.log(`total   ${sum.toFixed(0).padStart(6)} ms  ${(sum * 1000 / n).toFixed(2).padStart(6)} µs/row (wall ${all.toFixed(0)} ms, process CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms)`);
  console.log(`file ${(p.bytes() / 1048576).toFixed(1)} MiB`);
  p.close();
}

main();

// Opening a spool directory after a clean stop or a crash: read the checkpoint (or rebuild without it), scan
// every segment from the head, and decide what each damaged byte range means. Rules (docs/queues-disk.md):
//   * torn/corrupt bytes at the tail of the NEWEST segment: truncated after the last intact record;
//   * a corrupt range inside a segment: skipped (resync on the next intact record), the file left as it is;
//   * a segment with no intact record at all: renamed NAME.N.seg.quarantine (never overwritten, never deleted);
//   * lost records are counted from seq gaps (exact), else from the damaged range's length headers, else "at
//     least"; gaps already reported by an earlier open (kept in the checkpoint) are not counted twice.
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Checkpoint } from './checkpoint';
import { readCheckpoint } from './checkpoint';
import { HDR, QUARANTINE_SUFFIX, fileMatchers, indexFile, segmentFile } from './format';
import { SegReader, findNext, validateAt, walkCount } from './scan';

export interface Seg {
  num: number;
  path: string;
  /** Bytes in the file (what counts against maxDiskSpace). */
  size: number;
  /** End of the readable records (size, or where a damaged tail of an older segment starts). */
  end: number;
  /** Damaged byte ranges [from, to) inside [0, end) that reads jump over. */
  skips: Array<[number, number]>;
  /** Bytes handed to the write-behind thread and not yet written (they follow `end`); absent = 0. */
  pending?: number;
  fd: number;
  reader: SegReader;
}

export interface Recovered {
  segs: Seg[];
  headOff: number;
  headSeq: number;
  nextSeq: number;
  maxSeg: number;
  count: number;
  gaps: Array<[number, number]>;
  lost: number;
  lostAtLeast: boolean;
  lostFiles: string[];
  quarantined: string[];
  truncated: Array<{ file: string; at: number; bytes: number }>;
  /** 'ok', or why the checkpoint was not used ('missing' with segments present, 'corrupt'). */
  index: 'ok' | 'fresh' | 'missing' | 'corrupt';
  /** Anything was repaired or the previous run did not close cleanly. */
  unclean: boolean;
}

/** Records in [from, to) not already covered by `known` gaps. */
function uncovered(from: number, to: number, known: Array<[number, number]>): number {
  let n = Math.max(0, to - from);
  for (const [a, b] of known) n -= Math.max(0, Math.min(b, to) - Math.max(a, from));
  return Math.max(0, n);
}

/** Rename to NAME.N.seg.quarantine (or .quarantine.K when that exists): never overwrite evidence. */
function quarantine(path: string): string {
  let target = path + QUARANTINE_SUFFIX;
  for (let k = 1; existsSync(target); k++) target = `${path}${QUARANTINE_SUFFIX}.${k}`;
  renameSync(path, target);
  return target;
}

export function recover(dir: string, name: string): Recovered {
  const m = fileMatchers(name);
  const segNums: number[] = [];
  let maxSeg = 0;
  for (const f of readdirSync(dir)) {
    let x = m.segment.exec(f);
    if (x) segNums.push(Number(x[1]));
    else x = m.quarantined.exec(f);
    if (x) maxSeg = Math.max(maxSeg, Number(x[1]));
  }
  segNums.sort((a, b) => a - b);
  const read = readCheckpoint(join(dir, indexFile(name)));
  const cp: Checkpoint | null = typeof read === 'string' ? null : read;
  const index: Recovered['index'] = cp ? 'ok' : read === 'missing' && segNums.length === 0 ? 'fresh' : (read as 'missing' | 'corrupt');
  if (cp) maxSeg = Math.max(maxSeg, cp.maxSeg);

  const known = cp ? cp.gaps.filter(([, to]) => to > cp.headSeq) : [];
  const gaps: Array<[number, number]> = [...known];
  let expected: number | null = cp ? cp.headSeq : null;
  let headSeq: number | null = null;
  let lost = 0;
  let lostAtLeast = false;
  const lostFiles = new Set<string>();
  const quarantined: string[] = [];
  const truncated: Recovered['truncated'] = [];
  /** Damage not yet bounded by a later intact record (whose seq would give the exact count). */
  let pending: Array<{ n: number; exact: boolean; file: string }> = [];
  const segs: Seg[] = [];
  let count = 0;
  let unclean = cp ? !cp.clean : index !== 'fresh';

  const live: number[] = [];
  for (const num of segNums) {
    const path = join(dir, segmentFile(name, num));
    // Below the checkpointed head: fully consumed; a crash came between the checkpoint and the unlink.
    // An empty segment holds nothing (created just before a crash, or cut to nothing): removed up front, so
    // the newest segment below is the one whose torn tail is cut. Decided inside the loop, a later empty
    // segment left that tail uncut, and the next open counted the same damage again.
    if ((cp && num < cp.headSeg) || statSync(path).size === 0) unlinkSync(path);
    else live.push(num);
  }

  for (let i = 0; i < live.length; i++) {
    const num = live[i]!;
    const file = segmentFile(name, num);
    const path = join(dir, file);
    const newest = i === live.length - 1;
    const fd = openSync(path, 'r+');
    let size = fstatSync(fd).size;
    const start = cp && num === cp.headSeg ? Math.min(cp.headOff, size) : 0;
    const r = new SegReader(fd);
    const skips: Array<[number, number]> = [];
    let n = 0;
    let off = start;
    let tailFrom = -1;
    while (off < size) {
      const head = validateAt(r, off, size);
      if (head) {
        if (expected !== null && head.seq > expected) {
          const l = uncovered(expected, head.seq, known);
          if (l > 0) {
            lost += l;
            lostFiles.add(file);
            for (const p of pending) lostFiles.add(p.file);
            gaps.push([expected, head.seq]);
          }
        } else if (expected === null && pending.length > 0) {
          for (const p of pending) {
            lost += p.n;
            lostAtLeast ||= !p.exact;
            lostFiles.add(p.file);
          }
        }
        pending = [];
        headSeq ??= head.seq;
        expected = head.seq + 1;
        n++;
        off += HDR + head.len;
        continue;
      }
      unclean = true;
      const next = findNext(r, off + 1, size);
      if (next < 0) {
        tailFrom = off;
        break;
      }
      pending.push({ ...walkCount(r, off, next), file });
      skips.push([off, next]);
      off = next;
    }
    if (tailFrom >= 0) pending.push({ ...walkCount(r, tailFrom, size), file });
    if (n === 0 && size > start) {
      closeSync(fd);
      quarantined.push(quarantine(path));
      continue;
    }
    let end = size;
    if (tailFrom >= 0) {
      if (newest) {
        ftruncateSync(fd, tailFrom);
        fsyncSync(fd);
        r.reset();
        truncated.push({ file, at: tailFrom, bytes: size - tailFrom });
        size = end = tailFrom;
      } else {
        end = tailFrom;
      }
    }
    count += n;
    segs.push({ num, path, size, end, skips, fd, reader: r });
  }

  // Damage at the very end: only the checkpoint's nextSeq (records fsynced before it) or the length headers
  // of the damaged bytes can say how many records it held.
  const idxLoss = cp && expected !== null ? uncovered(expected, cp.nextSeq, known) : 0;
  if (pending.length > 0 || idxLoss > 0) {
    unclean = true;
    let walked = 0;
    let exact = true;
    for (const p of pending) {
      walked += p.n;
      exact &&= p.exact;
      lostFiles.add(p.file);
    }
    if (idxLoss >= walked) lost += idxLoss;
    else {
      lost += walked;
      lostAtLeast ||= !exact;
    }
  }
  const nextSeq = expected ?? 0;
  if (quarantined.length > 0 || truncated.length > 0) unclean = true;
  return {
    segs, headOff: segs.length > 0 && cp && segs[0]!.num === cp.headSeg ? Math.min(cp.headOff, segs[0]!.end) : 0,
    headSeq: headSeq ?? nextSeq, nextSeq, maxSeg, count,
    gaps: gaps.filter(([, to]) => to <= nextSeq), lost, lostAtLeast, lostFiles: [...lostFiles], quarantined, truncated,
    index, unclean,
  };
}

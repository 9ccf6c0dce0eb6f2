// The disk queue store: append-only segment files + an atomically replaced checkpoint (NAME.qi), for rsyslog
// queue.type="Disk" and disk-assisted queues. One writer/reader in one process; synchronous I/O, one write
// per appended batch. Format, guarantees and recovery rules: docs/queues-disk.md.
import { closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../log';
import { writeCheckpoint } from './checkpoint';
import { DISK_INDEX, DISK_IO, DISK_LOST, DiskQueueError } from './errors';
import { HDR, crcOk, indexFile, lockFile, parseHeader, sealRecord, segmentFile, writeHeaderNoCrc } from './format';
import { CountWaiters } from '../count-waiters';
import { acquireLock, releaseLock } from './lock';
import { recover, type Seg } from './recovery';
import { SegReader, findNext, walkCount } from './scan';
import { drainWrites, forgetFd, hurryWrites, postSync, postWrite, startWriter, writeBuffer, type RunHeads } from './writer';

export interface DiskQueueOptions {
  /** Spool directory (created 0700 if missing). */
  dir: string;
  /** queue.filename: file prefix, e.g. "fwd1" → fwd1.00000001.seg, fwd1.qi, fwd1.lock. */
  name: string;
  /** Bytes per segment (rsyslog queue.maxFileSize, default 1 MiB; up to 1 GiB). A bigger record gets a segment of its own. */
  maxFileSize: number;
  /** Total bytes across segments; 0 = unlimited. */
  maxDiskSpace: number;
  /** Persist the head/tail (and fsync) every N appended + acked records; 0 = on close and on the timer only. */
  checkpointInterval: number;
  /** fsync segment data on every append call. */
  syncQueueFiles: boolean;
  logger: Logger;
  /** Checkpoint at most this often (ms) when something changed since the last one; 0 = no timer. Default 1000. */
  checkpointMs?: number;
  /**
   * Write-behind: append() lays the records out and hands them to the writer thread (writer.ts), which
   * computes the CRCs and writes; the records count as held at once but are readable (peek) only once written.
   * whenWritten() says when they are on disk. Only without syncQueueFiles and checkpointInterval (nothing
   * promises them on disk at append time then).
   */
  writeBehind?: boolean;
  /** Called on the main thread after write-behind records became readable (or failed). */
  onWritten?: () => void;
}

export const DEFAULT_MAX_FILE_SIZE = 1024 * 1024;
export const MAX_FILE_SIZE_LIMIT = 1024 * 1024 * 1024;
/** Consumed segments kept at most before a checkpoint deletes them (checkpointInterval=0, no syncQueueFiles). */
const RETIRE_MAX = 4;

export interface DiskQueueStats {
  appended: number;
  acked: number;
  lostAtRecovery: number;
  quarantinedSegments: number;
  recoveries: number;
}

function io(what: string, path: string, e: unknown): DiskQueueError {
  return new DiskQueueError(DISK_IO, `disk queue ${what} failed: ${(e as Error).message}`, path, e);
}

export class DiskQueue {
  readonly stats: DiskQueueStats = { appended: 0, acked: 0, lostAtRecovery: 0, quarantinedSegments: 0, recoveries: 0 };
  private readonly opts: DiskQueueOptions;
  private readonly dirFd: number;
  private readonly indexPath: string;
  private readonly lockPath: string;
  /** Live segments, head first; the last one is the write segment once something was appended. */
  private segs: Seg[];
  private writeSeg: Seg | null = null;
  private headOff: number;
  private headSeq: number;
  private nextSeq: number;
  private maxSeg: number;
  private count: number;
  private diskBytes = 0;
  private gaps: Array<[number, number]>;
  /** appendedAt of the head record; undefined = not known yet (read lazily). */
  private headAt: number | null | undefined = undefined;
  private sinceCheckpoint = 0;
  private dirty = false;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  // The last peek, one entry per record: its segment, where the record after it starts, its seq, its appendedAt.
  private pkSeg: Seg[] = [];
  private pkEnd: number[] = [];
  private pkSeq: number[] = [];
  private pkAt: number[] = [];
  private pkStart = 0;
  /** Write-behind: records posted and not yet written; jobs posted and finished; who waits for which job. */
  private pendingRecords = 0;
  private inflightBytes = 0;
  private postedJobs = 0;
  private doneJobs = 0;
  private readonly writtenWaiters = new CountWaiters();

  private constructor(opts: DiskQueueOptions, dirFd: number) {
    this.opts = opts;
    this.dirFd = dirFd;
    this.indexPath = join(opts.dir, indexFile(opts.name));
    this.lockPath = join(opts.dir, lockFile(opts.name));
    const r = recover(opts.dir, opts.name);
    this.segs = r.segs;
    this.headOff = r.headOff;
    this.headSeq = r.headSeq;
    this.nextSeq = r.nextSeq;
    this.maxSeg = r.maxSeg;
    this.count = r.count;
    this.gaps = r.gaps;
    for (const s of this.segs) this.diskBytes += s.size;
    this.stats.lostAtRecovery = r.lost;
    this.stats.quarantinedSegments = r.quarantined.length;
    this.stats.recoveries = r.unclean ? 1 : 0;
    const log = opts.logger;
    if (r.index === 'missing' || r.index === 'corrupt') {
      log.warn(DISK_INDEX, `disk queue index ${r.index}: rebuilt from the segments (head = first record of the oldest segment; records acked before the crash may be delivered again)`,
        { queue: opts.name, dir: opts.dir, index: indexFile(opts.name), head: this.segs[0] ? segmentFile(opts.name, this.segs[0].num) : null, records: r.count });
    }
    if (r.lost > 0 || r.quarantined.length > 0 || r.truncated.length > 0) {
      log.error(DISK_LOST, `disk queue ${opts.name}: ${r.lostAtLeast ? 'at least ' : ''}${r.lost} record(s) lost at recovery`, {
        queue: opts.name, dir: opts.dir, lost: r.lost, atLeast: r.lostAtLeast, files: r.lostFiles,
        quarantined: r.quarantined.map((p) => p.slice(opts.dir.length + 1)), truncated: r.truncated, kept: r.count,
      });
    }
    this.normalizeHead();
    this.dropConsumed();
    this.checkpoint(false);
    if (opts.writeBehind === true) startWriter();
    const ms = opts.checkpointMs ?? 1000;
    if (ms > 0) {
      this.timer = setInterval(() => {
        if (!this.dirty || this.closed) return;
        if (this.opts.writeBehind === true && this.writeSeg !== null) {
          this.syncBehind();
          return;
        }
        try {
          if (this.writeSeg) this.fsyncSeg(this.writeSeg);
          this.checkpoint(false);
        } catch (e) { // a timer must not throw; the next append/ack/close reports the failure again
          this.opts.logger.error(DISK_IO, `disk queue ${this.opts.name}: periodic checkpoint failed`, { queue: this.opts.name, error: (e as Error).message });
        }
      }, ms);
      this.timer.unref();
    }
  }

  /** Open (creating the directory 0700 if needed), take the lock and run recovery. Synchronous. */
  static open(opts: DiskQueueOptions): DiskQueue {
    if (!(opts.maxFileSize > 0 && opts.maxFileSize <= MAX_FILE_SIZE_LIMIT)) throw new RangeError(`maxFileSize must be 1..${MAX_FILE_SIZE_LIMIT}`);
    if (!/^[\w.-]+$/.test(opts.name) || opts.name.startsWith('.')) throw new RangeError(`queue file name "${opts.name}" must be [A-Za-z0-9_.-]`);
    const lockPath = join(opts.dir, lockFile(opts.name));
    let dirFd: number;
    try {
      mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
      dirFd = openSync(opts.dir, 'r');
    } catch (e) {
      throw io('open of the spool directory', opts.dir, e);
    }
    try {
      acquireLock(lockPath, opts.logger);
    } catch (e) {
      closeSync(dirFd);
      throw e;
    }
    try {
      return new DiskQueue(opts, dirFd);
    } catch (e) {
      releaseLock(lockPath);
      closeSync(dirFd);
      throw e instanceof DiskQueueError ? e : io('recovery', opts.dir, e);
    }
  }

  /** Records held (appended, not acked). */
  get length(): number {
    return this.count;
  }

  /** Bytes of the segment files (a consumed part of the head segment counts until the segment is deleted). */
  get bytes(): number {
    return this.diskBytes;
  }

  private appendError: Error | null = null;

  /** Why the last appendFramed() took fewer records than it was given, when an error (not maxDiskSpace) stopped it. */
  takeAppendError(): Error | null {
    const e = this.appendError;
    this.appendError = null;
    return e;
  }

  /** Bytes handed to the writer thread and not written yet (write-behind). */
  get writeBacklog(): number {
    return this.inflightBytes;
  }

  /** ms epoch at which the oldest unacked record was appended; null when empty. */
  get oldestAppendedAt(): number | null {
    if (this.count === 0) return null;
    if (this.headAt === undefined) {
      this.readFrom(1, Infinity, false);
      if (this.firstAt === null) return null; // the head record is still being written
      this.headAt = this.firstAt;
    }
    return this.headAt;
  }

  /** appendedAt of the first record the last readFrom() returned. */
  private firstAt: number | null = null;

  /**
   * Append records in order; returns how many were written (fewer than records.length when maxDiskSpace is
   * reached). One write per segment touched; fsync when syncQueueFiles.
   */
  append(records: readonly Buffer[]): number {
    // One contiguous buffer: headers and payloads copied together (copying 250 bytes is cheaper than a Buffer
    // view per header plus a 2N-entry writev), then one write per segment touched.
    let total = 0;
    for (let i = 0; i < records.length; i++) total += HDR + records[i]!.length;
    const out = writeBuffer(total); // pooled: given up to the writer (postWrite transfer), reused after its copy
    const ends = new Array<number>(records.length);
    let pos = 0;
    for (let i = 0; i < records.length; i++) {
      records[i]!.copy(out, pos + HDR);
      pos += HDR + records[i]!.length;
      ends[i] = pos;
    }
    return this.appendFramed(out, ends);
  }

  /**
   * append() for records already laid out in one buffer: record i is `buf[ends[i-1] (or 0), ends[i])`, its
   * first HDR bytes free for the header (codec.ts FramedEncoder makes such buffers without copying each
   * message again). `out` must start at offset 0 of an ArrayBuffer of its own (writer.ts writeBuffer() makes
   * one). When every record is taken it is given up (write-behind copies it into shared memory for the writer
   * thread and reuses it); when fewer are (maxDiskSpace), `out` stays intact for the caller to keep the rest.
   */
  appendFramed(out: Buffer, ends: ArrayLike<number>): number {
    this.assertOpen();
    const now = Date.now();
    const max = this.opts.maxDiskSpace;
    const behind = this.opts.writeBehind === true;
    this.postSeq = this.nextSeq;
    if (behind && ends.length > 0 && !this.opts.syncQueueFiles) {
      // The common case: the whole run fits the write segment and the disk limit. One post; the writer thread
      // fills the headers (one pass over the records fewer on this thread).
      const total = ends[ends.length - 1]!;
      const seg = this.writeSeg;
      if (seg !== null && seg.end + (seg.pending ?? 0) + total <= this.opts.maxFileSize && (max <= 0 || this.diskBytes + total <= max)) {
        this.appended(this.post(seg, out, ends.length, true, { ends, seq: this.nextSeq, at: now }), now);
        return ends.length;
      }
    }
    const view = new DataView(out.buffer, out.byteOffset, out.length);
    let from = 0; // start in `out` of the bytes not yet written
    let pos = 0;
    let accepted = 0;
    let written = 0;
    try {
      for (let i = 0; i < ends.length; i++) {
        const size = ends[i]! - pos;
        if (max > 0 && this.diskBytes + (pos - from) + size > max) {
          if (this.retired.length > 0) this.checkpoint(false); // frees consumed segments awaiting deletion
          if (this.diskBytes + (pos - from) + size > max) break;
        }
        const seg = this.writeSeg;
        const tail = seg === null ? 0 : seg.end + (seg.pending ?? 0) + (pos - from);
        if (seg === null || (tail > 0 && tail + size > this.opts.maxFileSize)) {
          if (seg !== null && pos > from) written += this.flush(seg, out.subarray(from, pos), accepted - written);
          from = pos;
          this.rotate();
        }
        writeHeaderNoCrc(view, pos, size - HDR, this.nextSeq + accepted, now);
        if (!behind) sealRecord(out, pos, size - HDR);
        pos += size;
        accepted++;
      }
      // Nothing written before and every record taken: the buffer can move to the writer thread uncopied. Else
      // the caller keeps `out` for the records not taken (maxDiskSpace), so the bytes are copied.
      if (pos > from) written += this.flush(this.writeSeg!, out.subarray(from, pos), accepted - written, from === 0 && accepted === ends.length);
    } catch (e) {
      if (written === 0) throw e;
      // Part of the batch (an earlier segment) is on disk: report it as appended, the rest is the caller's, who
      // learns why from takeAppendError().
      this.appendError = e as Error;
    }
    if (written > 0 && this.opts.syncQueueFiles) this.fsyncSeg(this.writeSeg!);
    this.appended(written, now);
    return written;
  }

  /** Count `n` records appended at `now`. */
  private appended(n: number, now: number): void {
    if (n === 0) return;
    if (this.count === 0) this.headAt = now;
    this.count += n;
    this.nextSeq += n;
    this.stats.appended += n;
    this.noteChange(n);
  }

  /** Write `data` at the end of `seg`; on failure the segment is cut back to its old end. */
  private flush(seg: Seg, data: Buffer, records: number, transfer = false): number {
    if (this.opts.writeBehind === true) return this.post(seg, data, records, transfer);
    try {
      for (let done = 0; done < data.length;) {
        const n = writeSync(seg.fd, data, done, data.length - done, seg.end + done);
        if (n <= 0) throw new Error('short write');
        done += n;
      }
    } catch (e) {
      try {
        ftruncateSync(seg.fd, seg.end);
      } catch { /* the next recovery truncates the torn tail */ }
      throw io('write', seg.path, e);
    }
    seg.end += data.length;
    seg.size += data.length;
    this.diskBytes += data.length;
    return records;
  }

  /** Write-behind: hand `data` (`records` records, the first numbered nextSeq + those before it) to the writer. */
  private post(seg: Seg, data: Buffer, records: number, transfer: boolean, heads?: RunHeads): number {
    const pos = seg.end + (seg.pending ?? 0);
    const len = data.length;
    seg.pending = (seg.pending ?? 0) + len;
    seg.size += len;
    this.diskBytes += len;
    this.pendingRecords += records;
    this.inflightBytes += len;
    const job = ++this.postedJobs;
    const seqFrom = this.postSeq;
    this.postSeq += records;
    postWrite(seg.fd, pos, data, (error) => this.written(seg, len, records, seqFrom, job, error), transfer, heads);
    return records;
  }

  /** Seq of the next record post() hands over (nextSeq is advanced only when append() returns). */
  private postSeq = 0;

  /** The writer finished a post(): the records are readable now, or lost. */
  private written(seg: Seg, len: number, records: number, seqFrom: number, job: number, error: string | null): void {
    seg.pending = (seg.pending ?? 0) - len;
    this.pendingRecords -= records;
    this.inflightBytes -= len;
    this.doneJobs = job;
    if (error === null) seg.end += len;
    else if (!this.closed) {
      // Cut back by the writer; the records are gone. Later posts to the segment fail the same way, so the next
      // append starts a new segment. The seq range is a known gap: the next open does not count it again.
      seg.size -= len;
      this.diskBytes -= len;
      this.count -= records;
      this.stats.lostAtRecovery += records;
      this.gaps.push([seqFrom, seqFrom + records]);
      if (this.writeSeg === seg) this.writeSeg = null;
      this.opts.logger.error(DISK_IO, `disk queue ${this.opts.name}: write failed, ${records} record(s) lost`, {
        queue: this.opts.name, file: seg.path, error,
      });
    }
    this.writtenWaiters.reached(this.doneJobs);
    if (!this.closed) this.opts.onWritten?.();
  }

  private syncing = false;

  /**
   * The periodic checkpoint under write-behind: the writer thread fsyncs the write segment after the writes
   * posted before (the main thread never blocks on it), then the checkpoint claims exactly the records
   * written before that fsync (the answers arrive in order, so pendingRecords counts those after it).
   */
  private syncBehind(): void {
    if (this.syncing) return;
    this.syncing = true;
    const seg = this.writeSeg!;
    postSync(seg.fd, (error) => {
      this.syncing = false;
      if (this.closed) return;
      if (error !== null) {
        this.opts.logger.error(DISK_IO, `disk queue ${this.opts.name}: periodic checkpoint failed`, { queue: this.opts.name, error });
        return;
      }
      try {
        this.checkpoint(false);
      } catch (e) {
        this.opts.logger.error(DISK_IO, `disk queue ${this.opts.name}: periodic checkpoint failed`, { queue: this.opts.name, error: (e as Error).message });
      }
    });
  }

  /** Resolves once every record appended so far is written (immediately without write-behind). */
  whenWritten(): Promise<void> {
    if (this.doneJobs >= this.postedJobs) return Promise.resolve();
    const target = this.postedJobs;
    hurryWrites(); // else the answer comes with the next periodic look (writer.ts REAP_MS)
    return this.writtenWaiters.wait(target);
  }

  /** Start a new segment (a number never used before, created with O_EXCL). */
  private rotate(): Seg {
    const old = this.writeSeg;
    if (old !== null && (this.opts.syncQueueFiles || this.opts.checkpointInterval > 0)) this.fsyncSeg(old);
    const num = ++this.maxSeg;
    const path = join(this.opts.dir, segmentFile(this.opts.name, num));
    let fd: number;
    try {
      fd = openSync(path, 'wx+', 0o600);
      if (this.opts.syncQueueFiles) fsyncSync(this.dirFd);
    } catch (e) {
      throw io('segment create', path, e);
    }
    const seg: Seg = { num, path, size: 0, end: 0, skips: [], fd, reader: new SegReader(fd) };
    if (this.segs.length === 0) this.headOff = 0;
    this.segs.push(seg);
    this.writeSeg = seg;
    this.dropConsumed();
    return seg;
  }

  private fsyncSeg(seg: Seg): void {
    try {
      fsyncSync(seg.fd);
    } catch (e) {
      throw io('fsync', seg.path, e);
    }
  }

  /**
   * The next records from the head, not consumed: at most `max`, and at most `maxBytes` of payload (but always
   * at least one record when any is held). Repeated calls return the same records until ack(). The Buffers
   * are views of a read-ahead window: decode them, do not keep them.
   */
  peek(max: number, maxBytes = Infinity): Buffer[] {
    this.assertOpen();
    this.pkSeg = []; this.pkEnd = []; this.pkSeq = []; this.pkAt = []; this.pkStart = 0;
    return this.readFrom(max, maxBytes, true);
  }

  /** Read from the head; returns the payloads and, when `remember`, fills the peek arrays for ack(). */
  private readFrom(max: number, maxBytes: number, remember: boolean): Buffer[] {
    const out: Buffer[] = [];
    let si = 0;
    let off = this.headOff;
    let bytes = 0;
    this.firstAt = null;
    while (out.length < max && si < this.segs.length) {
      const seg = this.segs[si]!;
      off = skipTo(seg, off);
      if (off >= seg.end) {
        si++;
        off = 0;
        continue;
      }
      const h = seg.reader.read(off, HDR, seg.end);
      const head = parseHeader(h, 0);
      const rec = head && off + HDR + head.len <= seg.end ? seg.reader.read(off, HDR + head.len, seg.end) : null;
      if (!head || !rec || rec.length < HDR + head.len || !crcOk(rec, 0, rec, HDR, head.len)) {
        this.damagedWhileRunning(seg, off);
        continue;
      }
      if (out.length > 0 && bytes + head.len > maxBytes) break;
      if (out.length === 0) this.firstAt = head.at;
      out.push(rec.subarray(HDR));
      bytes += head.len;
      off += HDR + head.len;
      if (!remember) continue;
      this.pkSeg.push(seg);
      this.pkEnd.push(off);
      this.pkSeq.push(head.seq);
      this.pkAt.push(head.at);
    }
    return out;
  }

  /** A record that was written intact no longer validates (disk corruption at run time): skip to the next one. */
  private damagedWhileRunning(seg: Seg, off: number): void {
    const next = findNext(seg.reader, off + 1, seg.end);
    const to = next < 0 ? seg.end : next;
    const w = walkCount(seg.reader, off, to);
    seg.skips.push([off, to]);
    seg.skips.sort((a, b) => a[0] - b[0]);
    const n = Math.min(w.n, this.count);
    this.count -= n;
    this.stats.lostAtRecovery += n;
    this.opts.logger.error(DISK_LOST, `disk queue ${this.opts.name}: ${w.exact ? '' : 'at least '}${n} record(s) found corrupt while reading`, {
      queue: this.opts.name, dir: this.opts.dir, lost: n, atLeast: !w.exact, files: [segmentFile(this.opts.name, seg.num)], from: off, to,
    });
  }

  /** Consume `n` records from the head (n ≤ the records returned by the last peek and not yet acked). */
  ack(n: number): void {
    this.assertOpen();
    if (n === 0) return;
    const avail = this.pkSeg.length - this.pkStart;
    if (!(n > 0 && n <= avail)) throw new RangeError(`ack(${n}) but only ${avail} record(s) were peeked and not acked`);
    const last = this.pkStart + n - 1;
    const seg = this.pkSeg[last]!;
    const gone: Seg[] = [];
    while (this.segs[0] !== seg) gone.push(this.segs.shift()!);
    this.headOff = this.pkEnd[last]!;
    this.headSeq = this.pkSeq[last]! + 1;
    this.headAt = last + 1 < this.pkSeg.length ? this.pkAt[last + 1]! : undefined;
    this.pkStart = last + 1;
    this.count -= n;
    this.stats.acked += n;
    if (this.count === 0) this.headAt = null;
    this.normalizeHead();
    if (gone.length > 0) this.unlinkSegs(gone);
    this.noteChange(n);
    this.dropConsumed();
  }

  /** Checkpoint, fsync, close every file and release the lock. */
  close(): void {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    if (this.pendingRecords > 0) {
      // Their answers arrive after the close and are ignored; a failed one shows as a torn tail at the next open.
      drainWrites();
      this.pendingRecords = 0;
    }
    try {
      if (this.writeSeg) this.fsyncSeg(this.writeSeg);
      this.checkpoint(true);
    } finally {
      this.closed = true;
      for (const s of this.segs) closeQuietly(s.fd);
      for (const s of this.retired) closeQuietly(s.fd);
      this.segs = [];
      closeQuietly(this.dirFd);
      releaseLock(this.lockPath);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new DiskQueueError(DISK_IO, 'disk queue is closed', join(this.opts.dir, this.opts.name));
  }

  private noteChange(n: number): void {
    this.dirty = true;
    this.sinceCheckpoint += n;
    const every = this.opts.checkpointInterval;
    if (every > 0 && this.sinceCheckpoint >= every) {
      if (this.writeSeg) this.fsyncSeg(this.writeSeg); // the checkpoint must never claim unsynced records
      this.checkpoint(false);
    }
  }

  private normalizeHead(): void {
    if (this.segs.length > 0) this.headOff = skipTo(this.segs[0]!, this.headOff);
  }

  /** Delete head segments that are fully consumed (never the write segment). */
  private dropConsumed(): void {
    const gone: Seg[] = [];
    while (this.segs.length > 0 && this.segs[0] !== this.writeSeg && !this.segs[0]!.pending && skipTo(this.segs[0]!, this.headOff) >= this.segs[0]!.end) {
      gone.push(this.segs.shift()!);
      this.headOff = 0;
      this.normalizeHead();
    }
    if (gone.length > 0) this.unlinkSegs(gone);
  }

  /**
   * Segments already removed from `segs` are deleted after the next checkpoint (which no longer points into
   * them). With checkpointInterval=0 and syncQueueFiles off that checkpoint is deferred to the timer, close, or
   * RETIRE_MAX consumed segments — its three fsyncs per segment were 16% of the CPU profile of a drain.
   */
  private unlinkSegs(gone: Seg[]): void {
    this.retired.push(...gone);
    this.dirty = true;
    const lazy = this.opts.checkpointInterval === 0 && !this.opts.syncQueueFiles;
    if (!this.closed && (!lazy || this.retired.length >= RETIRE_MAX)) this.checkpoint(false);
  }

  private retired: Seg[] = [];

  private unlinkRetired(): void {
    const gone = this.retired;
    this.retired = [];
    for (const seg of gone) {
      closeQuietly(seg.fd);
      try {
        unlinkSync(seg.path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw io('unlink', seg.path, e);
      }
      this.diskBytes -= seg.size;
    }
  }

  private checkpoint(clean: boolean): void {
    const head = this.segs[0];
    this.gaps = this.gaps.filter(([, to]) => to > this.headSeq);
    try {
      writeCheckpoint(this.indexPath, this.dirFd, {
        // Records still with the writer thread are not claimed: a crash before they land loses only them.
        headSeg: head ? head.num : this.maxSeg + 1, headOff: head ? this.headOff : 0, headSeq: this.headSeq,
        nextSeq: this.nextSeq - this.pendingRecords, maxSeg: this.maxSeg, count: this.count - this.pendingRecords, clean, gaps: this.gaps,
      });
    } catch (e) {
      throw io('checkpoint', this.indexPath, e);
    }
    this.dirty = false;
    this.sinceCheckpoint = 0;
    if (this.retired.length > 0) this.unlinkRetired();
  }
}

/** `off`, moved past any damaged range of `seg` it falls in. */
function skipTo(seg: Seg, off: number): number {
  for (const [a, b] of seg.skips) if (off >= a && off < b) off = b;
  return off;
}

function closeQuietly(fd: number): void {
  forgetFd(fd);
  try {
    closeSync(fd);
  } catch { /* already closed */ }
}

// One monitored path: an open file read from a saved offset, split into lines, decoded and grouped into
// records. Detects rotation by rename (the path names another inode: the old file is read to its end first),
// truncation (copytruncate: size below our offset or a changed head) and deletion.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Line, LineSplitter, type Record as FileRecord, RecordAssembler, type MultiLineOptions } from './lines';
import type { Decoded, LineDecoder, LineMeta } from './decode';
import { type FileState, HEAD_BYTES, hashHead, readHead } from './state';

const READ_CHUNK = 256 * 1024;

export interface TailerOptions {
  maxLine: number;
  discardTruncated: boolean;
  multi: MultiLineOptions;
  reopenOnTruncate: boolean;
}

/** A record ready to become a message. */
export interface TailRecord extends FileRecord {
  meta: LineMeta | null;
  /** File the record was read from (the rotated name while draining an old file). */
  file: string;
}

export type Change = 'same' | 'rotated' | 'truncated' | 'deleted';

/** Identity of a finished file, so a rotated copy that matches the glob is not read twice. */
export interface Finished {
  dev: number;
  ino: number;
  offset: number;
  headLen: number;
  headHash: string;
}

export class Tailer {
  /** The monitored path (the state key). */
  readonly path: string;
  /** Name of the open file (differs from `path` when resuming a file rotated while we were stopped). */
  private openName: string;
  private fd: number | null = null;
  dev = 0;
  ino = 0;
  /** Next byte to read. */
  private readPos = 0;
  private headLen = 0;
  private headHash = hashHead(Buffer.alloc(0));
  private splitter: LineSplitter;
  private readonly assembler: RecordAssembler;
  private readonly decoder: LineDecoder;
  private readonly o: TailerOptions;
  private readonly buf = Buffer.allocUnsafe(READ_CHUNK);
  private readonly lines: Line[] = [];
  private readonly decoded: Decoded[] = [];
  private readonly recs: FileRecord[] = [];
  /** Meta of the records in `recs`, by the offset of their first line. */
  private readonly metaByOffset = new Map<number, LineMeta | null>();
  /** Records since the position was last saved. */
  sinceSave = 0;
  /** True after the file was found deleted and read to its end. */
  done = false;

  constructor(p: string, decoder: LineDecoder, o: TailerOptions) {
    this.path = p;
    this.openName = p;
    this.decoder = decoder;
    this.o = o;
    this.splitter = new LineSplitter(0, o.maxLine, o.discardTruncated);
    this.assembler = new RecordAssembler(o.multi);
  }

  /** Open `name` (default: the path) at `offset`; false when it does not exist. */
  open(offset: number, name = this.path): boolean {
    let fd: number;
    try { fd = fs.openSync(name, 'r'); } catch { return false; }
    const st = fs.fstatSync(fd);
    this.closeFd();
    this.fd = fd;
    this.openName = name;
    this.dev = st.dev;
    this.ino = st.ino;
    if (offset > st.size) offset = this.o.reopenOnTruncate ? 0 : st.size;
    this.readPos = offset;
    this.splitter = new LineSplitter(offset, this.o.maxLine, this.o.discardTruncated);
    this.headLen = Math.min(HEAD_BYTES, offset);
    this.headHash = hashHead(readHead(fd, this.headLen));
    if (offset > 0 && this.decoder.needsHeader) this.primeHeader(fd, offset);
    return true;
  }

  /** Open at a saved position, checking it still names this file; else find the rotated file it moved to. */
  resume(s: FileState | null, fromEnd: boolean, finished: Map<string, Finished>): boolean {
    let st: fs.Stats;
    try { st = fs.statSync(this.path); } catch { return false; }
    const prev = finished.get(`${st.dev}:${st.ino}`);
    if (s === null) {
      if (prev && this.headMatches(this.path, prev.headLen, prev.headHash)) return this.open(prev.offset);
      return this.open(fromEnd ? st.size : 0);
    }
    if (s.dev === st.dev && s.ino === st.ino) {
      // Same inode: the same file unless its head changed (a new file reusing a freed inode, or truncation).
      if (this.headMatches(this.path, s.headLen, s.headHash)) return this.open(s.offset);
      return this.open(0);
    }
    // The path names another file: the one we were reading was rotated while we were stopped. Finish it first
    // when it is still next to the path (rename rotation), then continue with the new file from its start.
    const moved = findByInode(path.dirname(this.path), s);
    if (moved !== null && this.open(s.offset, moved)) return true;
    return this.open(0);
  }

  private headMatches(name: string, len: number, hash: string): boolean {
    let fd: number;
    try { fd = fs.openSync(name, 'r'); } catch { return false; }
    try {
      const head = readHead(fd, len);
      return head.length === len && hashHead(head) === hash;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Zeek: feed the `#` header lines of the file so records after `offset` can be decoded. */
  private primeHeader(fd: number, offset: number): void {
    const head = Buffer.alloc(Math.min(offset, 64 * 1024));
    const n = fs.readSync(fd, head, 0, head.length, 0);
    const sp = new LineSplitter(0, this.o.maxLine, false);
    const ls: Line[] = [];
    sp.push(head.subarray(0, n), ls);
    const sink: Decoded[] = [];
    for (const l of ls) {
      if (!l.text.startsWith('#')) break;
      this.decoder.decode(l, sink);
    }
  }

  /** What happened to the path since the last look. */
  check(): Change {
    if (this.fd === null) return 'deleted';
    // The open file first: copytruncate followed by a rename rotation before we looked must not hide the
    // truncation (the rename would send us to the old file's end, past the lines written after truncating).
    const fst = fs.fstatSync(this.fd);
    if (fst.size < this.readPos) return 'truncated';
    if (this.headLen > 0) {
      const head = readHead(this.fd, this.headLen);
      if (head.length < this.headLen || hashHead(head) !== this.headHash) return 'truncated';
    }
    let st: fs.Stats;
    try { st = fs.statSync(this.path); } catch { return 'deleted'; }
    if (st.ino !== this.ino || st.dev !== this.dev) return 'rotated';
    return 'same';
  }

  /** Handle a truncation: read again from the start (reopenOnTruncate) or wait at the end. */
  truncated(): void {
    if (this.fd === null) return;
    const size = fs.fstatSync(this.fd).size;
    const to = this.o.reopenOnTruncate ? 0 : size;
    this.readPos = to;
    this.splitter = new LineSplitter(to, this.o.maxLine, this.o.discardTruncated);
    this.headLen = Math.min(HEAD_BYTES, to);
    this.headHash = hashHead(readHead(this.fd, this.headLen));
    this.decoder.newFile();
  }

  /**
   * Read up to `maxRecords` records into `out`. With `toEnd`, the file is finished (rotated away or deleted):
   * its last line without LF and any pending multi-line record are submitted too.
   */
  read(out: TailRecord[], maxRecords: number, toEnd = false): number {
    if (this.fd === null) return 0;
    let produced = 0;
    while (produced < maxRecords) {
      const n = fs.readSync(this.fd, this.buf, 0, READ_CHUNK, this.readPos);
      if (n <= 0) break;
      this.readPos += n;
      this.splitter.push(this.buf.subarray(0, n), this.lines);
      produced += this.drainLines(out);
      if (n < READ_CHUNK) break;
    }
    if (this.headLen < HEAD_BYTES && this.readPos > this.headLen) {
      this.headLen = Math.min(HEAD_BYTES, this.readPos);
      this.headHash = hashHead(readHead(this.fd, this.headLen));
    }
    if (toEnd && produced < maxRecords) {
      const last = this.splitter.flushPartial();
      if (last) this.lines.push(last);
      produced += this.drainLines(out);
      this.assembler.flush(this.recs);
      produced += this.moveRecords(out);
    }
    return produced;
  }

  /** Submit a pending multi-line record older than `timeoutMs` (readTimeout). */
  flushIfIdle(out: TailRecord[], timeoutMs: number, now: number): number {
    if (this.assembler.pendingOffset === undefined || now - this.assembler.lastAdd < timeoutMs) return 0;
    this.assembler.flush(this.recs);
    return this.moveRecords(out);
  }

  private drainLines(out: TailRecord[]): number {
    const ls = this.lines;
    if (ls.length === 0) return 0;
    const dec = this.decoded;
    for (let i = 0; i < ls.length; i++) this.decoder.decode(ls[i], dec);
    ls.length = 0;
    const multi = this.assembler.multiLine;
    for (let i = 0; i < dec.length; i++) {
      const d = dec[i];
      if (multi && d.meta) this.metaByOffset.set(d.offset, d.meta);
      if (!multi) {
        out.push({ text: d.text, offset: d.offset, end: d.end, meta: d.meta ?? null, file: this.openName });
        continue;
      }
      this.assembler.add(d, this.recs);
    }
    const n = multi ? 0 : dec.length;
    dec.length = 0;
    return n + this.moveRecords(out);
  }

  private moveRecords(out: TailRecord[]): number {
    const rs = this.recs;
    const n = rs.length;
    for (let i = 0; i < n; i++) {
      const r = rs[i];
      const meta = this.metaByOffset.get(r.offset) ?? null;
      out.push({ text: r.text, offset: r.offset, end: r.end, meta, file: this.openName });
    }
    if (this.metaByOffset.size > 0) {
      const keep = this.assembler.pendingOffset;
      for (const k of this.metaByOffset.keys()) if (keep === undefined || k < keep) this.metaByOffset.delete(k);
    }
    rs.length = 0;
    return n;
  }

  /** The position to save: the first byte of anything read but not yet submitted. */
  state(): FileState {
    let offset = this.splitter.carryOffset;
    const a = this.assembler.pendingOffset;
    const d = this.decoder.pendingOffset;
    if (a !== undefined && a < offset) offset = a;
    if (d !== undefined && d < offset) offset = d;
    return { path: this.path, dev: this.dev, ino: this.ino, offset, headLen: this.headLen, headHash: this.headHash };
  }

  /** True when the open file is an older one than the path names (draining a rotated file). */
  get draining(): boolean {
    return this.openName !== this.path;
  }

  /** Identity and end position of the open file, when it is finished. */
  finished(): Finished {
    return { dev: this.dev, ino: this.ino, offset: this.readPos, headLen: this.headLen, headHash: this.headHash };
  }

  /** After a rotation: the old file was read to its end; continue with the new file at the path. */
  switchToPath(): boolean {
    this.decoder.newFile();
    const ok = this.open(0);
    if (!ok) this.closeFd();
    return ok;
  }

  closeFd(): void {
    if (this.fd !== null) {
      try { fs.closeSync(this.fd); } catch { /* already closed */ }
      this.fd = null;
    }
  }
}

/** A file in `dir` with the saved inode and head: where a rename rotation moved the file. */
function findByInode(dir: string, s: FileState): string | null {
  let names: string[];
  try { names = fs.readdirSync(dir); } catch { return null; }
  for (const n of names) {
    const p = path.join(dir, n);
    let st: fs.Stats;
    try { st = fs.statSync(p); } catch { continue; }
    if (st.ino !== s.ino || st.dev !== s.dev || !st.isFile()) continue;
    let fd: number;
    try { fd = fs.openSync(p, 'r'); } catch { continue; }
    try {
      const head = readHead(fd, s.headLen);
      if (head.length === s.headLen && hashHead(head) === s.headHash) return p;
    } finally {
      fs.closeSync(fd);
    }
  }
  return null;
}

// omfile: write messages to a file, or to files named per message from a template (dynaFile). One write per
// file per batch; the batch is acknowledged only after the bytes are handed to the OS (or fsynced with sync=on).
//
// Honest delivery (the contract in action.ts):
// - A dynaFile name the filesystem refuses (ENAMETOOLONG, EISDIR, ENOTDIR, EACCES …: file-errors.ts) rejects
//   that file's messages as poison and the rest of the batch is written once, as rsyslog drops the message and
//   carries on. The failing name is remembered for a few seconds, so a flood to it costs one syscall. For the
//   static file the same errors fail the whole action (DeliveryFailure, transient=false): every message would.
// - Machine errors (ENOSPC, EDQUOT, EIO, EMFILE …) throw a DeliveryFailure whose `done` counts the leading
//   messages that are entirely in their files. Writes stay one per file (option b of the design note, not a
//   write per run of same-file messages), so a message after `done` may already be written, in another file or
//   as a whole line before the tear. Those are remembered (the `written` WeakSet) and skipped when the queue
//   hands them back, so no line is written twice, whether the queue retries from `done` or the whole batch.
// - A write that stopped part way leaves a torn line: the file is cut back to the end of its last whole line
//   at once (ftruncate needs no space), or before the next write to it if that fails too.
import { constants as fsc, fstatSync, ftruncateSync, promises as fsp, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { getParam, type ActionDecl, type Params } from '../config/model';
import type { ActionFactory, ComponentSpec, ParamSpec } from '../components';
import { InputConfigError, paramBool, paramInt, paramOptional, paramPlace } from '../inputs/params';
import type { Logger } from '../log';
import type { Message } from '../message';
import type { CompiledTemplate, RuntimeContext } from '../runtime/context';
import { DeliveryFailure, type Action, type ActionStats, type DeliveryReport, type Rejection } from './action';
import { lookupGroupId, lookupUserId } from './ids';
import { ByteBatch, wholeLines } from './byte-batch';
import { BadPathCache, errnoCode, isPathError, shortPath } from './file-errors';
import { encodeRaw } from '../util/raw-text';

/** rsyslog v8's omfile default template (Debian's rsyslog.conf overrides it with $ActionFileDefaultTemplate). */
export const DEFAULT_FILE_TEMPLATE = 'RSYSLOG_FileFormat';
/**
 * Open files kept per dynaFile action when dynaFileCacheSize is not set. rsyslog's default is 10, which a
 * one-file-per-host/program template (seed 003) outgrows at the eleventh sender: each message then costs an open
 * and a close (matrix dynafile rows, 250 files: ~90 % of messages). Logwarden keeps up to 1000 and, when the
 * process runs out of descriptors, closes the older half and tries again (docs/config.md, differences).
 */
const DEFAULT_DYNAFILE_CACHE = 1000;

const COMMON: ParamSpec[] = [
  { name: 'template', type: 'template', doc: 'Template for each line (default RSYSLOG_FileFormat, or module/$ActionFileDefaultTemplate).' },
  { name: 'fileCreateMode', type: 'string', default: '0644', doc: 'Mode of created files (octal); filtered by $Umask / global(umask) when set, else applied regardless of the process umask.' },
  { name: 'dirCreateMode', type: 'string', default: '0700', doc: 'Mode of created directories (octal); filtered by $Umask / global(umask) when set.' },
  { name: 'createDirs', type: 'binary', default: true, doc: 'Create missing parent directories.' },
  { name: 'fileOwner', type: 'string', doc: 'Owner of created files (needs root).' },
  { name: 'fileOwnerNum', type: 'int', doc: 'Owner of created files, numeric.' },
  { name: 'fileGroup', type: 'string', doc: 'Group of created files (needs root).' },
  { name: 'fileGroupNum', type: 'int', doc: 'Group of created files, numeric.' },
  { name: 'dirOwner', type: 'string', doc: 'Owner of created directories.' },
  { name: 'dirOwnerNum', type: 'int', doc: 'Owner of created directories, numeric.' },
  { name: 'dirGroup', type: 'string', doc: 'Group of created directories.' },
  { name: 'dirGroupNum', type: 'int', doc: 'Group of created directories, numeric.' },
  { name: 'failOnChownFailure', type: 'binary', default: true, doc: 'Fail the write when chown fails.' },
  { name: 'sync', type: 'binary', default: false, doc: 'fdatasync after each batch (slow, durable).' },
  { name: 'dynaFileCacheSize', type: 'int', default: DEFAULT_DYNAFILE_CACHE, doc: 'Open files kept for a dynaFile action.' },
  { name: 'ioBufferSize', type: 'size', ignored: 'Logwarden writes one buffer per batch', doc: 'rsyslog write buffer size.' },
  { name: 'flushInterval', type: 'int', unit: 'seconds', ignored: 'each batch is written before it is acknowledged', doc: 'rsyslog flush interval.' },
  { name: 'flushOnTXEnd', type: 'binary', ignored: 'each batch is written before it is acknowledged', doc: 'rsyslog flush at transaction end.' },
  { name: 'asyncWriting', type: 'binary', ignored: 'writes are always asynchronous to the socket thread', doc: 'rsyslog async writer thread.' },
  { name: 'closeTimeout', type: 'int', unit: 'minutes', doc: 'Close a dynaFile not written for this long (0: never).' },
  { name: 'zipLevel', type: 'int', ignored: 'compressed output is not implemented', doc: 'rsyslog gzip level.' },
  { name: 'veryRobustZip', type: 'binary', ignored: 'compressed output is not implemented', doc: 'rsyslog zip option.' },
];

export const fileSpec: ComponentSpec = {
  name: 'file',
  aliases: ['omfile'],
  kind: 'action',
  params: [
    { name: 'file', type: 'path', doc: 'Static file name.' },
    { name: 'dynaFile', type: 'template', doc: 'Template rendering the file name per message.' },
    { name: 'name', type: 'string', doc: 'Action name for logs and stats.' },
    ...COMMON,
  ],
  moduleParams: COMMON.filter((p) => ['template', 'fileCreateMode', 'dirCreateMode', 'dirOwner', 'dirOwnerNum', 'dirGroup', 'dirGroupNum', 'fileOwner', 'fileOwnerNum', 'fileGroup', 'fileGroupNum'].includes(p.name)),
};

export interface FileOptions {
  file: string | null;
  dynaFile: CompiledTemplate | null;
  template: CompiledTemplate;
  fileMode: number;
  dirMode: number;
  createDirs: boolean;
  uid: number;
  gid: number;
  dirUid: number;
  dirGid: number;
  failOnChownFailure: boolean;
  sync: boolean;
  cacheSize: number;
  closeTimeoutMs: number;
}

function octal(params: Params, mp: Params, name: string, def: number): number {
  const v = paramOptional(params, mp, name);
  if (v === undefined) return def;
  if (!/^0?[0-7]{3,4}$/.test(v)) throw new InputConfigError(`${paramPlace(params, name) ?? '<config>'}: ${name}="${v}" must be an octal mode like 0640`);
  return Number.parseInt(v, 8);
}

/**
 * `$Umask` / `global(umask=…)`: rsyslogd calls umask() with it, so every mode it creates files and directories
 * with is filtered by it (`$Umask 0077` + `$FileCreateMode 0644` gives 0600). Without it Logwarden uses the modes
 * exactly, whatever umask it was started with (rsyslog would filter by that inherited umask; see docs/config.md).
 */
function configuredUmask(ctx: RuntimeContext): number {
  const globals = ctx.config?.globals as Params | undefined; // test contexts may carry no config
  const v = globals === undefined ? undefined : getParam(globals, 'umask')?.value;
  return v !== undefined && /^[0-7]{1,4}$/.test(String(v).trim()) ? Number.parseInt(String(v).trim(), 8) : 0;
}

function owner(params: Params, mp: Params, name: string, lookup: (n: string) => number | undefined): number {
  const num = paramOptional(params, mp, `${name}Num`);
  if (num !== undefined) return Number(num);
  const v = paramOptional(params, mp, name);
  if (v === undefined) return -1;
  const id = lookup(v);
  if (id === undefined) throw new InputConfigError(`${paramPlace(params, name) ?? '<config>'}: ${name}="${v}": no such user or group`);
  return id;
}

function findTemplate(ctx: RuntimeContext, name: string, decl: ActionDecl): CompiledTemplate {
  const t = ctx.templates.get(name.toLowerCase());
  if (!t) throw new InputConfigError(`${decl.loc.file}:${decl.loc.line}:${decl.loc.col}: template "${name}" is not defined`);
  return t;
}

/**
 * A legacy selector-line file action takes only template= from module(load="builtin:omfile" …): rsyslog 8.2302's
 * omfile parseSelectorAct freezes modes and owners from the $FileCreateMode/$FileOwner… directives (default 0644,
 * 0700, no chown), while module parameters feed only action() (setInstParamDefaults); the default template is
 * getDfltTpl() for both.
 */
function legacyModuleParams(mp: Params): Params {
  const t = mp.get('template');
  return t === undefined ? new Map() : new Map([['template', t]]);
}

/** Decide every option at config load (throws LW_ERR_CONFIG naming file:line:col). */
export function fileOptions(decl: ActionDecl, moduleParams: Params, ctx: RuntimeContext): FileOptions {
  const p = decl.params;
  const mp = decl.legacy ? legacyModuleParams(moduleParams) : moduleParams;
  const file = paramOptional(p, new Map(), 'file') ?? null;
  const dyna = paramOptional(p, new Map(), 'dynaFile');
  if ((file === null) === (dyna === undefined)) {
    throw new InputConfigError(`${decl.loc.file}:${decl.loc.line}:${decl.loc.col}: omfile needs exactly one of file= or dynaFile=`);
  }
  const umask = configuredUmask(ctx);
  return {
    file,
    dynaFile: dyna === undefined ? null : findTemplate(ctx, dyna, decl),
    template: findTemplate(ctx, paramOptional(p, mp, 'template') ?? DEFAULT_FILE_TEMPLATE, decl),
    fileMode: octal(p, mp, 'fileCreateMode', 0o644) & ~umask,
    dirMode: octal(p, mp, 'dirCreateMode', 0o700) & ~umask,
    createDirs: paramBool(p, mp, 'createDirs', true),
    uid: owner(p, mp, 'fileOwner', lookupUserId),
    gid: owner(p, mp, 'fileGroup', lookupGroupId),
    dirUid: owner(p, mp, 'dirOwner', lookupUserId),
    dirGid: owner(p, mp, 'dirGroup', lookupGroupId),
    failOnChownFailure: paramBool(p, mp, 'failOnChownFailure', true),
    sync: paramBool(p, mp, 'sync', false),
    cacheSize: paramInt(p, mp, 'dynaFileCacheSize', DEFAULT_DYNAFILE_CACHE, 1, 100_000),
    closeTimeoutMs: paramInt(p, mp, 'closeTimeout', 0, 0) * 60_000,
  };
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHAR = /[\x00-\x1f\x7f]/;
const CONTROL_CHARS = new RegExp(CONTROL_CHAR.source, 'g');
/** A "." or ".." path segment. */
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;

/**
 * Make a rendered dynaFile name safe: a property value must not climb out of the intended directory. Path
 * segments "." and ".." become "_" and control characters are dropped (rsyslog checks for ".." too; we also
 * neutralise a bare "." segment). A name that is empty after this is refused.
 */
export function sanitizeDynaPath(path: string): string {
  // The usual name has neither: returned as it is, without the three strings and an array per message.
  if (!CONTROL_CHAR.test(path) && !DOT_SEGMENT.test(path)) return path;
  const clean = path.replace(CONTROL_CHARS, '');
  return clean.split('/').map((seg) => (seg === '..' || seg === '.' ? '_' : seg)).join('/');
}

interface OpenFile {
  fh: fsp.FileHandle;
  lastUsed: number;
  /** A regular file: written synchronously (see writeGroup). FIFOs, ttys and devices are written asynchronously. */
  regular: boolean;
}

/** Per-message state during one delivery. */
const PENDING = 0;
const WRITTEN = 1;
const REJECTED = 2;

/** One dynaFile's share of a batch: the messages' indices, their lines' UTF-16 lengths, the text. */
interface Group {
  idx: number[];
  lens: number[];
  text: string;
}

/** Failure to write one file's share of a batch; `pathError` means it depends on the name (see file-errors.ts). */
class FileFailure extends Error {
  constructor(message: string, readonly errno: string, readonly lwCode: 'LW_ERR_FILE_OPEN' | 'LW_ERR_FILE_WRITE', readonly pathError: boolean) {
    super(message);
  }
}

/** A torn tail that could not be cut at once: cut it before the next write to the same file (same inode). */
interface Repair {
  dev: number;
  ino: number;
  size: number;
}

/** Interval between "empty dynaFile name" error lines. */
const EMPTY_LOG_INTERVAL_MS = 10_000;

export class FileAction implements Action {
  readonly name: string;
  readonly stats: ActionStats = { delivered: 0, failed: 0 };
  private readonly opts: FileOptions;
  private readonly logger: Logger;
  /** Open files by path, least recently used first (Map keeps insertion order; a use re-inserts). */
  private readonly open = new Map<string, OpenFile>();
  /** Files kept open: dynaFileCacheSize, lowered when the process runs out of descriptors. */
  private cacheLimit: number;
  private readonly knownDirs = new Set<string>();
  /** Output bytes of the static file's batch, reused: the queue keeps one delivery in flight. */
  private readonly bytes = new ByteBatch();
  /** dynaFile names whose open failed for a path reason, remembered briefly (BadPathCache). */
  private readonly badPaths = new BadPathCache();
  /** Files whose torn tail is still to be cut, by path. */
  private readonly repairs = new Map<string, Repair>();
  /**
   * Messages already in their files from a delivery that failed part way; null once a delivery succeeded.
   * The queue hands the unfinished messages back in the next deliver() (the new queue from `done`, the old
   * one the whole batch); those in this set are skipped, so a retry never appends a line twice.
   */
  private written: WeakSet<Message> | null = null;
  private lastEmptyLog = 0;

  constructor(name: string, opts: FileOptions, logger: Logger) {
    this.name = name;
    this.cacheLimit = opts.cacheSize;
    this.opts = opts;
    this.logger = logger;
  }

  async deliver(batch: Message[]): Promise<DeliveryReport | void> {
    const state = new Uint8Array(batch.length);
    const skip = this.written;
    let skipped = 0;
    if (skip !== null) {
      for (let i = 0; i < batch.length; i++) if (skip.has(batch[i]!)) { state[i] = WRITTEN; skipped++; }
    }
    const rejected: Rejection[] = [];
    let failure: FileFailure | null = null;
    try {
      if (this.opts.dynaFile === null) await this.deliverStatic(batch, state, skipped > 0);
      else await this.deliverDyna(batch, state, rejected);
    } catch (err) {
      failure = err instanceof FileFailure ? err : new FileFailure((err as Error).message, errnoCode(err), 'LW_ERR_FILE_WRITE', false);
    }
    rejected.sort((a, b) => a.index - b.index);
    if (failure === null) {
      this.written = null;
      this.stats.failed += rejected.length;
      this.expireIdle();
      return rejected.length > 0 ? { rejected } : undefined;
    }
    let done = 0;
    while (done < batch.length && state[done] !== PENDING) done++;
    const w = this.written ?? new WeakSet<Message>();
    for (let i = 0; i < batch.length; i++) if (state[i] === WRITTEN) w.add(batch[i]!);
    this.written = w;
    const finished = rejected.filter((r) => r.index < done);
    this.stats.failed += finished.length;
    throw new DeliveryFailure(failure.message, { done, rejected: finished, code: failure.lwCode, transient: !failure.pathError, cause: failure });
  }

  private async deliverStatic(batch: Message[], state: Uint8Array, hasSkips: boolean): Promise<void> {
    const tpl = this.opts.template;
    // Encoded in groups into a reused buffer (1M-msg TCP bench: Buffer.from of the concatenated batch was
    // 205 ms = 9% of the socket thread; grouped encoding costs ~40% less per line).
    const out = this.bytes;
    out.reset();
    let idx: number[] | null = null;
    if (hasSkips) {
      idx = [];
      for (let i = 0; i < batch.length; i++) if (state[i] === PENDING) { idx.push(i); out.add(tpl.render(batch[i]!)); }
    } else {
      for (let i = 0; i < batch.length; i++) out.add(tpl.render(batch[i]!));
    }
    if (out.lens.length > 0) await this.writeGroup(this.opts.file as string, out.finish(), out.lens, idx, state);
  }

  /** One write per file, files in order of first appearance; a path error rejects that file's messages. */
  private async deliverDyna(batch: Message[], state: Uint8Array, rejected: Rejection[]): Promise<void> {
    const tpl = this.opts.template;
    const dyna = this.opts.dynaFile as CompiledTemplate;
    const groups = new Map<string, Group>();
    for (let i = 0; i < batch.length; i++) {
      if (state[i] !== PENDING) continue;
      const m = batch[i]!;
      const path = sanitizeDynaPath(dyna.render(m));
      if (path === '') {
        state[i] = REJECTED;
        rejected.push({ index: i, code: 'LW_ERR_DYNAFILE_EMPTY', reason: 'dynaFile template rendered an empty file name' });
        this.logEmpty();
        continue;
      }
      let g = groups.get(path);
      if (g === undefined) { g = { idx: [], lens: [], text: '' }; groups.set(path, g); }
      const line = tpl.render(m);
      g.idx.push(i);
      g.lens.push(line.length);
      g.text += line;
    }
    for (const [path, g] of groups) {
      try {
        await this.writeGroup(path, encodeRaw(g.text), g.lens, g.idx, state);
      } catch (err) {
        if (!(err instanceof FileFailure) || !err.pathError) throw err;
        for (const i of g.idx) {
          state[i] = REJECTED;
          rejected.push({ index: i, code: err.errno, reason: err.message });
        }
      }
    }
  }

  private logEmpty(): void {
    const now = Date.now();
    if (now - this.lastEmptyLog < EMPTY_LOG_INTERVAL_MS) return;
    this.lastEmptyLog = now;
    this.logger.error('LW_ERR_DYNAFILE_EMPTY', 'dynaFile template rendered an empty name; message not written', { action: this.name });
  }

  /** SIGHUP (logrotate): close every file; the next batch reopens by name. Failing names are tried again. */
  reopen(): void {
    const files = [...this.open.values()];
    this.open.clear();
    this.badPaths.clear();
    for (const f of files) void f.fh.close().catch(() => {});
  }

  async close(): Promise<void> {
    const files = [...this.open.values()];
    this.open.clear();
    await Promise.allSettled(files.map((f) => f.fh.close()));
  }

  /**
   * Write one file's lines (`idx[k]` is the batch index of line k; null: line k is message k) and mark the
   * messages whose lines are whole in the file. After a failure part way (ENOSPC mid-buffer) the torn tail is
   * cut off at once (ftruncate to the end of the last whole line), or before the next write if that fails.
   */
  private async writeGroup(path: string, buf: Buffer, lens: number[], idx: number[] | null, state: Uint8Array): Promise<void> {
    const f = await this.handle(path);
    let off = 0;
    try {
      // A regular file is written synchronously: one batch (≤ a few MB) only copies into the page cache, which
      // costs less than the thread-pool round trip, and the batch's messages then die young instead of piling
      // up while the write is in flight (TLS bench, 200k msgs: 850 → 660 ms wall, peak RSS 280 → 123 MB).
      // A FIFO or tty could block the process, so those keep the asynchronous write. A short write continues
      // where it stopped; a write of 0 bytes would loop forever, so it counts as an I/O error.
      while (off < buf.length) {
        const n = f.regular ? writeSync(f.fh.fd, buf, off, buf.length - off) : (await f.fh.write(buf, off, buf.length - off)).bytesWritten;
        if (n <= 0) throw Object.assign(new Error('write accepted 0 bytes'), { code: 'EIO' });
        off += n;
      }
      if (this.opts.sync) await f.fh.datasync();
    } catch (err) {
      // A failed fdatasync: the lines may not be on disk; they are taken out and written again.
      const keep = off === buf.length ? { lines: 0, bytes: 0 } : wholeLines(buf, lens, off);
      this.mark(idx, keep.lines, state);
      const torn = f.regular && off > keep.bytes ? this.cutTail(path, f, off - keep.bytes) : 0;
      // Drop the handle so a retry reopens (the file may have been removed or the disk remounted).
      this.open.delete(path);
      void f.fh.close().catch(() => {});
      const code = errnoCode(err);
      this.logger.error('LW_ERR_FILE_WRITE', 'write to output file failed; unwritten messages will be retried', {
        action: this.name, path: shortPath(path), error: code, linesWritten: keep.lines, linesLeft: lens.length - keep.lines, tornBytesCut: torn,
      });
      throw new FileFailure(`write ${shortPath(path)}: ${code}`, code, 'LW_ERR_FILE_WRITE', false);
    }
    this.mark(idx, lens.length, state);
  }

  /** Mark the first `lines` lines of a group written. */
  private mark(idx: number[] | null, lines: number, state: Uint8Array): void {
    if (idx === null) state.fill(WRITTEN, 0, lines);
    else for (let k = 0; k < lines; k++) state[idx[k]!] = WRITTEN;
    this.stats.delivered += lines;
  }

  /** Cut `extra` bytes (a torn line) off the end of a file just written; returns the bytes cut (0 if deferred). */
  private cutTail(path: string, f: OpenFile, extra: number): number {
    let st;
    try {
      st = fstatSync(f.fh.fd);
    } catch {
      return 0; // nothing known about the file any more
    }
    const good = Math.max(0, st.size - extra);
    try {
      ftruncateSync(f.fh.fd, good);
      return extra;
    } catch {
      this.repairs.set(path, { dev: st.dev, ino: st.ino, size: good });
      return 0;
    }
  }

  private async handle(path: string): Promise<OpenFile> {
    const cached = this.open.get(path);
    if (cached) {
      this.open.delete(path);
      cached.lastUsed = Date.now();
      this.open.set(path, cached);
      return cached;
    }
    const dyna = this.opts.dynaFile !== null;
    const now = Date.now();
    const bad = dyna ? this.badPaths.get(path, now) : undefined;
    if (bad !== undefined) throw new FileFailure(bad.message, bad.code, 'LW_ERR_FILE_OPEN', true);
    if (this.open.size >= this.cacheLimit) {
      const [oldest, f] = this.open.entries().next().value as [string, OpenFile];
      this.open.delete(oldest);
      await f.fh.close().catch(() => {});
    }
    let fh: fsp.FileHandle;
    try {
      fh = await this.openFileShrinking(path);
    } catch (err) {
      const code = errnoCode(err);
      const pathError = isPathError(code);
      const message = `open ${shortPath(path)}: ${code}`;
      // A dynaFile path error is logged once per BAD_PATH_TTL_MS (the cache answers meanwhile).
      this.logger.error('LW_ERR_FILE_OPEN', pathError && dyna ? 'cannot open output file; its messages are rejected (poison)' : 'cannot open output file; batch will be retried', {
        action: this.name, path: shortPath(path), error: code,
      });
      if (pathError && dyna) this.badPaths.set(path, { code, message }, now);
      throw new FileFailure(message, code, 'LW_ERR_FILE_OPEN', pathError);
    }
    const f: OpenFile = { fh, lastUsed: now, regular: false };
    try {
      const st = await fh.stat();
      f.regular = st.isFile();
      const rep = this.repairs.get(path);
      if (rep !== undefined) {
        if (f.regular && st.dev === rep.dev && st.ino === rep.ino && st.size > rep.size) await fh.truncate(rep.size);
        this.repairs.delete(path);
      }
    } catch (err) {
      // Unknown file type: keep the async write. A torn tail that still cannot be cut: do not append after it.
      if (this.repairs.has(path)) {
        await fh.close().catch(() => {});
        const code = errnoCode(err);
        throw new FileFailure(`truncate ${shortPath(path)}: ${code}`, code, 'LW_ERR_FILE_WRITE', false);
      }
    }
    this.open.set(path, f);
    return f;
  }

  /**
   * openFile(); when the process is out of file descriptors (EMFILE/ENFILE) and this action holds files open,
   * the older half of them is closed, the cache limit lowered to what was left, and the open tried once more.
   */
  private async openFileShrinking(path: string): Promise<fsp.FileHandle> {
    try {
      return await this.openFile(path);
    } catch (err) {
      const code = errnoCode(err);
      if ((code !== 'EMFILE' && code !== 'ENFILE') || this.open.size < 2) throw err;
      const close = Math.ceil(this.open.size / 2);
      const victims = [...this.open].slice(0, close); // LRU order: the oldest first
      for (const [p] of victims) this.open.delete(p);
      await Promise.allSettled(victims.map(([, f]) => f.fh.close()));
      this.cacheLimit = Math.max(1, this.open.size);
      this.logger.warn('LW_WARN_DYNAFILE_FDS', 'out of file descriptors: closed the older half of the dynaFile cache and lowered its size', {
        action: this.name, closed: close, cacheSize: this.cacheLimit, error: code,
      });
      return await this.openFile(path);
    }
  }

  /** Open (creating directories and the file as configured). A directory removed behind our back is made again. */
  private async openFile(path: string): Promise<fsp.FileHandle> {
    try {
      return await this.openOnce(path);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT' || !this.opts.createDirs) throw err;
      this.knownDirs.delete(dirname(path));
      return await this.openOnce(path);
    }
  }

  private async openOnce(path: string): Promise<fsp.FileHandle> {
    if (this.opts.createDirs) await this.ensureDir(dirname(path));
    let fh: fsp.FileHandle | null = null;
    try {
      // O_EXCL first, so we know whether we created the file and must set its mode and owner.
      fh = await fsp.open(path, fsc.O_WRONLY | fsc.O_APPEND | fsc.O_CREAT | fsc.O_EXCL, this.opts.fileMode);
      await fh.chmod(this.opts.fileMode); // the open mode is filtered by the umask; this is not
      await this.chown(fh, this.opts.uid, this.opts.gid, path);
      return fh;
    } catch (err) {
      if (fh !== null) await fh.close().catch(() => {});
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || fh !== null) throw err;
    }
    return await fsp.open(path, fsc.O_WRONLY | fsc.O_APPEND);
  }

  private async chown(fh: fsp.FileHandle, uid: number, gid: number, path: string): Promise<void> {
    if (uid < 0 && gid < 0) return;
    try {
      await fh.chown(uid, gid);
    } catch (err) {
      if (this.opts.failOnChownFailure) throw err;
      this.logger.warn('LW_WARN_CHOWN', 'could not set owner of created file', { path, error: (err as Error).message });
    }
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.knownDirs.has(dir)) return;
    let created: string | undefined;
    try {
      created = await fsp.mkdir(dir, { recursive: true, mode: this.opts.dirMode });
    } catch (err) {
      // The asynchronous recursive mkdir says EEXIST when a component is a file; what it means is ENOTDIR.
      if (errnoCode(err) === 'EEXIST') throw Object.assign(new Error(`mkdir ${shortPath(dir)}: a path component is not a directory`), { code: 'ENOTDIR' });
      throw err;
    }
    if (created !== undefined) {
      // mkdir -p applies the umask too; set the configured mode on each directory it made.
      let d = dir;
      while (d.length >= created.length) {
        await fsp.chmod(d, this.opts.dirMode);
        if (this.opts.dirUid >= 0 || this.opts.dirGid >= 0) await fsp.chown(d, this.opts.dirUid, this.opts.dirGid).catch(() => {});
        d = dirname(d);
      }
    }
    this.knownDirs.add(dir);
  }

  private expireIdle(): void {
    if (this.opts.closeTimeoutMs === 0 || this.opts.dynaFile === null) return;
    const limit = Date.now() - this.opts.closeTimeoutMs;
    for (const [path, f] of this.open) {
      if (f.lastUsed >= limit) break; // LRU order: the rest are newer
      this.open.delete(path);
      void f.fh.close().catch(() => {});
    }
  }
}

let counter = 0;

export const fileAction: ActionFactory = {
  spec: fileSpec,
  create(decl: ActionDecl, moduleParams: Params, ctx: RuntimeContext): Action {
    const name = paramOptional(decl.params, new Map(), 'name') ?? `omfile#${++counter}`;
    return new FileAction(name, fileOptions(decl, moduleParams, ctx), ctx.logger);
  },
};

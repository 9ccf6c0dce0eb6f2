// imfile: tail text files (rsyslog's imfile). Each monitored path has a Tailer; one loop per input reads the
// tailers in turn while the sink is not congested, submits batches, and saves positions in the work directory.
// File-system events (fs.watch) wake the loop; a periodic look is the fallback (and all of polling mode).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Input, InputFactory, MessageSink } from '../../components';
import type { InputDecl, Params } from '../../config/model';
import { DEFAULT_RULESET } from '../../config/model';
import type { Logger } from '../../log';
import { Message, type Origin, facilityFromName, severityFromName } from '../../message';
import { parseSyslog } from '../../parse/index';
import type { ParseOptions } from '../../parse/options';
import { programNameOf } from '../../parse/rfc3164';
import type { RuntimeContext } from '../../runtime/context';
import { SyslogTime } from '../../time';
import { InputConfigError, inputParseOptions, paramBool, paramInt, paramOptional, paramString } from '../params';
import { type LineDecoder, rawDecoder } from './decode';
import { containerDecoder, containerMeta } from './container';
import { zeekDecoder } from './zeek';
import { expandGlob, hasWildcard, watchRoot } from './glob';
import { imfileSpec } from './spec';
import { StateStore } from './state';
import { type Finished, Tailer, type TailRecord } from './tailer';

/** The fallback look in inotify mode, for events fs.watch misses (NFS, overlay, a directory created later). */
const INOTIFY_BACKSTOP_MS = 1000;
const DEFAULT_LINES_PER_TURN = 1024;
/** escapeLF's replacement in rsyslog 8.2302 (seen side by side in test/interop/imfile-vs-rsyslog.test.ts): backslash n. */
const ESCAPED_LF = '\\n';

export type Format = 'raw' | 'cri' | 'docker' | 'auto' | 'zeek';

export interface ImfileSettings {
  file: string;
  tag: string;
  facility: number;
  severity: number;
  name: string;
  ruleset: string;
  persistStateInterval: number;
  persistAfterSubmission: boolean;
  readMode: number;
  startRegex: RegExp | null;
  endRegex: RegExp | null;
  readTimeoutMs: number;
  addMetadata: boolean;
  reopenOnTruncate: boolean;
  freshStartTail: boolean;
  deleteStateOnFileDelete: boolean;
  linesPerTurn: number;
  maxSubmit: number;
  escapeLF: boolean;
  maxLine: number;
  discardTruncated: boolean;
  needParse: boolean;
  fileNotFoundError: boolean;
  format: Format;
  polling: boolean;
  pollMs: number;
  stateDir: string;
  hostname: string;
}

interface Watched {
  tailer: Tailer;
  /** The path is gone (rotated or deleted): read the open file to its end, then switch or drop. */
  ending: 'rotated' | 'deleted' | null;
  origin: Origin;
  decoder: LineDecoder;
  fileVars: Record<string, unknown> | null;
}

export class ImfileInput implements Input {
  readonly name: string;
  private readonly s: ImfileSettings;
  private readonly sink: MessageSink;
  private readonly logger: Logger;
  private readonly parse: ParseOptions;
  private readonly store: StateStore;
  private readonly watched = new Map<string, Watched>();
  /** Files read to their end (rotated away): a copy that later matches the pattern resumes at its end. */
  private readonly finished = new Map<string, Finished>();
  private readonly watchers: fs.FSWatcher[] = [];
  private readonly out: TailRecord[] = [];
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private dirty = true;
  private firstScan = true;
  private lastScan = 0;
  private warnedMissing = false;
  /** Records submitted (for tests and stats). */
  submitted = 0;

  constructor(s: ImfileSettings, ctx: RuntimeContext, sink: MessageSink) {
    this.s = s;
    this.name = s.name;
    this.sink = sink;
    this.logger = ctx.logger;
    this.parse = inputParseOptions(ctx);
    this.store = new StateStore(s.stateDir);
  }

  async start(): Promise<void> {
    this.running = true;
    this.scan();
    if (!this.s.polling) this.watch();
    this.loop = this.run();
  }

  /** Graceful stop: what was read is submitted, positions are saved. */
  async stop(): Promise<void> {
    await this.halt();
    for (const w of [...this.watched.values()]) {
      // A file rotated away is finished now, so the saved position names the file at the path: one more
      // rotation while we are stopped is then found again by inode (resume()).
      if (w.ending === null && w.tailer.check() === 'rotated') w.ending = 'rotated';
      if (w.ending !== null) {
        while (this.pump(w) > 0) { /* read the old file to its end */ }
        if (!this.watched.has(w.tailer.path)) continue;
      }
      this.saveState(w.tailer);
      w.tailer.closeFd();
    }
    this.watched.clear();
  }

  /** For crash tests: stop without saving positions (as if the process died). */
  async crash(): Promise<void> {
    await this.halt();
    for (const w of this.watched.values()) w.tailer.closeFd();
    this.watched.clear();
  }

  addresses(): Array<{ protocol: string; address: string; port: number }> {
    return [{ protocol: 'file', address: this.s.file, port: 0 }];
  }

  private async halt(): Promise<void> {
    this.running = false;
    for (const w of this.watchers.splice(0)) w.close();
    this.poke();
    await this.loop;
    this.loop = null;
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private watch(): void {
    const dirs = new Set<string>([hasWildcard(this.s.file) ? watchRoot(this.s.file) : path.dirname(path.resolve(this.s.file))]);
    for (const d of this.s.file.includes('*') || this.s.file.includes('?') ? [...dirs, ...new Set([...this.watched.keys()].map((p) => path.dirname(p)))] : dirs) {
      try {
        const w = fs.watch(d, { persistent: false }, () => {
          this.dirty = true;
          this.poke();
        });
        w.on('error', () => { /* the directory went away; the backstop look continues */ });
        this.watchers.push(w);
      } catch {
        // no such directory yet: the periodic look finds files once it exists
      }
    }
  }

  private async run(): Promise<void> {
    const interval = this.s.polling ? this.s.pollMs : INOTIFY_BACKSTOP_MS;
    while (this.running) {
      if (this.sink.congested) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.sink.onceDrained(() => this.poke());
        });
        continue;
      }
      const now = Date.now();
      if (this.dirty || now - this.lastScan >= interval) this.scan();
      let n = 0;
      for (const w of [...this.watched.values()]) {
        if (!this.running || this.sink.congested) break;
        n += this.pump(w);
      }
      if (this.s.readTimeoutMs > 0) n += this.flushIdle(now);
      if (n > 0) {
        await new Promise<void>((r) => setImmediate(r));
        continue;
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => this.poke(), this.s.readTimeoutMs > 0 ? Math.min(interval, 250) : interval);
        this.wake = () => { clearTimeout(t); resolve(); };
      });
    }
  }

  /** Find files matching the pattern; start tailers for new ones. */
  private scan(): void {
    this.dirty = false;
    this.lastScan = Date.now();
    const files = expandGlob(this.s.file);
    const initial = this.firstScan;
    this.firstScan = false;
    let open: Set<string> | null = null;
    for (const f of files) {
      if (this.watched.has(f)) continue;
      // A rotated file that still matches the pattern (zeek's http.<date>.log for *.log) while its tailer has not
      // finished it yet: wait; once finished it resumes at its end (the `finished` map), not from its start.
      open ??= new Set([...this.watched.values()].map((w) => `${w.tailer.dev}:${w.tailer.ino}`));
      if (open.size > 0) {
        let st: fs.Stats;
        try { st = fs.statSync(f); } catch { continue; }
        if (open.has(`${st.dev}:${st.ino}`)) {
          this.dirty = true;
          continue;
        }
      }
      const decoder = this.decoderFor(f);
      const t = new Tailer(f, decoder, {
        maxLine: this.s.maxLine, discardTruncated: this.s.discardTruncated, reopenOnTruncate: this.s.reopenOnTruncate,
        multi: { readMode: this.s.readMode, startRegex: this.s.startRegex, endRegex: this.s.endRegex, joiner: this.s.escapeLF ? ESCAPED_LF : '\n' },
      });
      if (!t.resume(this.store.load(f), initial && this.s.freshStartTail, this.finished)) continue;
      const meta = this.s.format === 'raw' || this.s.format === 'zeek' ? null : containerMeta(f);
      const tag = this.s.tag !== '' || meta === null ? this.s.tag : `${meta.container}:`;
      this.watched.set(f, {
        tailer: t, ending: null, decoder,
        origin: { inputname: this.s.name, fromhost: this.s.hostname, fromhostIp: '127.0.0.1', ruleset: this.s.ruleset },
        fileVars: meta === null ? null : { k8s: meta.fields },
      });
      this.tagOf.set(f, tag);
      this.logger.debug('LW_DEBUG_IMFILE_OPEN', 'monitoring file', { file: f, input: this.name });
    }
    if (files.length === 0 && !hasWildcard(this.s.file) && this.s.fileNotFoundError && !this.warnedMissing) {
      this.warnedMissing = true;
      this.logger.warn('LW_WARN_IMFILE_NOT_FOUND', 'file to monitor does not exist (yet); it is read once it appears', { file: this.s.file, input: this.name });
    }
  }

  private readonly tagOf = new Map<string, string>();

  private decoderFor(f: string): LineDecoder {
    switch (this.s.format) {
      case 'raw': return rawDecoder;
      case 'zeek': return zeekDecoder(f);
      default: return containerDecoder(this.s.format);
    }
  }

  /** One turn on one file: notice rotation/truncation/deletion, read up to linesPerTurn records, submit them. */
  private pump(w: Watched): number {
    const t = w.tailer;
    if (w.ending === null) {
      const change = t.check();
      if (change === 'rotated' || change === 'deleted') w.ending = change;
      else if (change === 'truncated') {
        this.logger.info('LW_INFO_IMFILE_TRUNCATED', this.s.reopenOnTruncate ? 'file truncated; reading it again from the start' : 'file truncated; continuing at its new end (reopenOnTruncate="off")', { file: t.path, input: this.name });
        t.truncated();
      }
    }
    const out = this.out;
    const n = t.read(out, this.s.linesPerTurn, w.ending !== null);
    if (n > 0) this.submit(w, out);
    if (n === 0 && w.ending !== null) this.finish(w);
    return n;
  }

  /** The open file was read to its end after its path went away. */
  private finish(w: Watched): void {
    const t = w.tailer;
    const f = t.finished();
    this.finished.set(`${f.dev}:${f.ino}`, f);
    if (this.finished.size > 1000) this.finished.delete(this.finished.keys().next().value as string);
    if (w.ending === 'rotated' && t.switchToPath()) {
      w.ending = null;
      this.saveState(t);
      this.logger.debug('LW_DEBUG_IMFILE_ROTATED', 'file rotated; reading the new one', { file: t.path, input: this.name });
      return;
    }
    t.closeFd();
    this.watched.delete(t.path);
    this.tagOf.delete(t.path);
    if (this.s.deleteStateOnFileDelete) this.store.remove(t.path);
    else this.saveState(t);
  }

  private flushIdle(now: number): number {
    let n = 0;
    for (const w of this.watched.values()) {
      const k = w.tailer.flushIfIdle(this.out, this.s.readTimeoutMs, now);
      if (k > 0) {
        this.submit(w, this.out);
        n += k;
      }
    }
    return n;
  }

  private submit(w: Watched, recs: TailRecord[]): void {
    const now = SyslogTime.now();
    const s = this.s;
    const tag = this.tagOf.get(w.tailer.path) ?? s.tag;
    const programname = programNameOf(tag, false);
    let batch: Message[] = [];
    for (let i = 0; i < recs.length; i++) {
      const r = recs[i];
      const raw = Buffer.from(r.text, 'utf8');
      const m = new Message(raw, w.origin, now);
      if (s.needParse) parseSyslog(raw, m, this.parse);
      else {
        m.msg = r.text;
        m.hostname = s.hostname;
        m.syslogtag = tag;
        m.programname = programname;
        m.facility = s.facility;
        m.severity = s.severity;
      }
      const meta = r.meta;
      let vars: Record<string, unknown> | null = null;
      if (w.fileVars !== null || (meta !== null && meta.vars !== null)) vars = { ...w.fileVars, ...meta?.vars };
      if (meta !== null && meta.vars !== null && w.fileVars !== null && meta.vars.k8s !== undefined) {
        vars = { ...vars, k8s: { ...(w.fileVars.k8s as object), ...(meta.vars.k8s as object) } };
      }
      if (s.addMetadata) (vars ??= {}).metadata = { filename: r.file, fileoffset: String(r.offset) };
      m.json = vars;
      if (meta !== null && meta.time !== null) m.timereported = meta.time;
      if (meta !== null && meta.severity !== null) m.severity = meta.severity;
      if (meta !== null) m.parsedWith = null; // fields no longer what the line parses to
      batch.push(m);
      if (batch.length >= s.maxSubmit) {
        this.sink.submit(batch);
        batch = [];
      }
    }
    if (batch.length > 0) this.sink.submit(batch);
    this.submitted += recs.length;
    const t = w.tailer;
    t.sinceSave += recs.length;
    recs.length = 0;
    if (s.persistAfterSubmission || (s.persistStateInterval > 0 && t.sinceSave >= s.persistStateInterval)) this.saveState(t);
  }

  private saveState(t: Tailer): void {
    t.sinceSave = 0;
    try {
      this.store.save(t.state());
    } catch (err) {
      this.logger.error('LW_ERR_IMFILE_STATE', 'cannot save the file position; after a restart lines may be read again', { file: t.path, dir: this.store.dir, detail: (err as Error).message });
    }
  }
}

function facilityParam(v: string, place: string): number {
  const n = /^\d+$/.test(v) ? Number(v) : facilityFromName(v);
  // rsyslog also accepts the facility as the PRI value of facility*8 (e.g. 128 for local0).
  if (n !== undefined && n >= 0 && n < 24) return n;
  if (n !== undefined && n % 8 === 0 && n / 8 < 24) return n / 8;
  throw new InputConfigError(`${place}: imfile: unknown facility "${v}"`);
}

function severityParam(v: string, place: string): number {
  const n = /^\d+$/.test(v) ? Number(v) : severityFromName(v);
  if (n !== undefined && n >= 0 && n <= 7) return n;
  throw new InputConfigError(`${place}: imfile: unknown severity "${v}"`);
}

function regexParam(v: string | undefined, place: string): RegExp | null {
  if (v === undefined) return null;
  try {
    return new RegExp(v);
  } catch (err) {
    throw new InputConfigError(`${place}: imfile: bad regex "${v}": ${(err as Error).message}`);
  }
}

export function readImfileSettings(decl: InputDecl, mod: Params, ctx: RuntimeContext): ImfileSettings {
  const p = decl.params;
  const none: Params = new Map();
  const place = `${decl.loc.file}:${decl.loc.line}:${decl.loc.col}`;
  const file = paramString(p, none, 'File', '');
  if (file === '') throw new InputConfigError(`${place}: imfile needs File="…"`);
  const readTimeout = paramInt(p, mod, 'readTimeout', 0);
  const maxLinesAtOnce = paramInt(p, none, 'MaxLinesAtOnce', 0);
  const trim = paramInt(p, none, 'trimLineOverBytes', 0);
  const addMeta = paramOptional(p, none, 'addMetadata');
  const format = paramString(p, none, 'format', 'raw').toLowerCase() as Format;
  return {
    file,
    tag: paramString(p, none, 'Tag', ''),
    facility: facilityParam(paramString(p, none, 'Facility', 'local0'), place),
    severity: severityParam(paramString(p, none, 'Severity', 'notice'), place),
    name: paramString(p, none, 'name', 'imfile'),
    ruleset: paramString(p, none, 'ruleset', DEFAULT_RULESET),
    persistStateInterval: paramInt(p, none, 'PersistStateInterval', 0),
    persistAfterSubmission: paramBool(p, none, 'PersistStateAfterSubmission', false),
    readMode: paramInt(p, none, 'ReadMode', 0, 0, 2),
    startRegex: regexParam(paramOptional(p, none, 'startmsg.regex'), place),
    endRegex: regexParam(paramOptional(p, none, 'endmsg.regex'), place),
    readTimeoutMs: readTimeout * 1000,
    // rsyslog 8.2302 sets the metadata by default (also without wildcards: seen side by side with rsyslogd).
    addMetadata: addMeta === undefined ? true : paramBool(p, none, 'addMetadata', true),
    reopenOnTruncate: paramBool(p, none, 'reopenOnTruncate', false),
    freshStartTail: paramBool(p, none, 'freshStartTail', false),
    deleteStateOnFileDelete: paramBool(p, none, 'deleteStateOnFileDelete', true),
    linesPerTurn: maxLinesAtOnce > 0 ? maxLinesAtOnce : DEFAULT_LINES_PER_TURN,
    maxSubmit: paramInt(p, none, 'MaxSubmitAtOnce', 1024, 1),
    escapeLF: paramBool(p, none, 'escapeLF', true),
    maxLine: trim > 0 ? trim : ctx.maxMessageSize,
    discardTruncated: paramBool(p, none, 'discardTruncatedMsg', false),
    needParse: paramBool(p, none, 'needParse', false),
    fileNotFoundError: paramBool(p, none, 'fileNotFoundError', true),
    format,
    polling: paramString(mod, none, 'mode', 'inotify').toLowerCase() === 'polling',
    pollMs: paramInt(mod, none, 'PollingInterval', 10, 1) * 1000,
    stateDir: path.join(ctx.dataDir, 'imfile'),
    hostname: os.hostname().split('.')[0],
  };
}

export const imfileInput: InputFactory = {
  spec: imfileSpec,
  create(decl: InputDecl, moduleParams: Params, ctx: RuntimeContext, sink: MessageSink): Input {
    return new ImfileInput(readImfileSettings(decl, moduleParams, ctx), ctx, sink);
  },
};

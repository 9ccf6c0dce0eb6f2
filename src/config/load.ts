// Entry point: read an rsyslog.conf (and everything it includes) into the typed model, never throwing.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ComponentSpec } from '../components';
import { DEFAULT_RULESET, type ConfigModel, type SourceLoc, type Statement } from './model';
import { E, W, Reporter } from './diagnostics';
import { LegacyState } from './directives';
import { Parser, type Session } from './parser';
import { joinContinuationLines } from './continuation';
import { Validator } from './validate';

export { formatDiagnostics } from './diagnostics';

export interface LoadOptions {
  /** Component table lookup by rsyslog module name; without it parameters are not checked. */
  lookupComponent?: (name: string) => ComponentSpec | undefined;
  /** Config text to use instead of reading `file` (the name still appears in diagnostics). */
  text?: string;
}

/** Guards against include loops that are not exact cycles (a file including a glob matching itself). */
const MAX_INCLUDE_DEPTH = 32;
const GLOB_CHARS = /[*?[]/;

/** Parse and validate a config. Every problem becomes a Diagnostic in `model.diagnostics`. */
export function loadConfig(file: string, opts: LoadOptions = {}): ConfigModel {
  const rep = new Reporter();
  const model: ConfigModel = {
    files: [], globals: new Map(), modules: [], inputs: [], templates: new Map(),
    rulesets: new Map([[DEFAULT_RULESET, { name: DEFAULT_RULESET, params: new Map(), statements: [], loc: { file, line: 1, col: 1 } }]]),
    mainQueue: new Map(), diagnostics: rep.diagnostics,
  };
  const loader = new Loader(model, rep);
  try {
    loader.loadMain(file, opts.text);
    new Validator(model, rep, opts.lookupComponent).run();
  } catch (err) {
    // A parser bug must not take the process down; report it as a diagnostic naming the file.
    rep.error(E.IO, `internal error while reading the configuration: ${(err as Error).message}`, { file, line: 1, col: 1 });
  }
  return model;
}

class Loader implements Session {
  readonly legacy = new LegacyState();
  currentRuleset = DEFAULT_RULESET;
  readonly declaredRulesets = new Set<string>();
  private readonly stack: string[] = [];

  constructor(readonly model: ConfigModel, readonly rep: Reporter) {}

  loadMain(file: string, text?: string): void {
    if (text !== undefined) return this.parse(file, text, null);
    const content = this.readFile(file);
    if (content === null) {
      this.rep.error(E.IO, `cannot read config file \`${file}\``, { file, line: 1, col: 1 }, { hint: 'check the path and permissions' });
      return;
    }
    this.parse(file, content, null);
  }

  readFile(path: string): string | null {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return null;
    }
  }

  private parse(file: string, raw: string, target: Statement[] | null): void {
    const text = joinContinuationLines(raw);
    this.model.files.push(file);
    this.rep.addSource(file, text);
    this.stack.push(file);
    try {
      new Parser(file, text, this).parseFile(target);
    } finally {
      this.stack.pop();
    }
  }

  include(spec: { file?: string; text?: string; optional: boolean }, loc: SourceLoc, length: number, target: Statement[] | null): void {
    if (this.stack.length >= MAX_INCLUDE_DEPTH) {
      this.rep.error(E.INCLUDE_CYCLE, `includes nested deeper than ${MAX_INCLUDE_DEPTH} levels`, loc, { length });
      return;
    }
    if (spec.text !== undefined) return this.parse(`${loc.file}:${loc.line}:include(text)`, spec.text, target);
    const pattern = resolve(dirname(loc.file), spec.file ?? '');
    const files = this.expand(pattern, loc, length, spec.optional);
    for (const f of files) {
      if (this.stack.includes(f)) {
        this.rep.error(E.INCLUDE_CYCLE, `include cycle: \`${f}\` includes itself`, loc, { length, hint: this.stack.join(' → ') });
        continue;
      }
      const content = this.readFile(f);
      if (content === null) this.rep.error(E.IO, `cannot read included file \`${f}\``, loc, { length });
      else this.parse(f, content, target);
    }
  }

  /** A directory includes its files sorted; a glob expands sorted (as glob(3)); a missing plain file is an error. */
  private expand(pattern: string, loc: SourceLoc, length: number, optional: boolean): string[] {
    if (GLOB_CHARS.test(pattern)) {
      const found = expandGlob(pattern);
      if (found.length === 0) this.rep.notice(W.EMPTY_INCLUDE, `include pattern \`${pattern}\` matches no file`, loc, { length });
      return found;
    }
    let st;
    try {
      st = statSync(pattern);
    } catch {
      if (!optional) {
        this.rep.error(E.INCLUDE_MISSING, `included file \`${pattern}\` does not exist`, loc, {
          length, hint: 'fix the path, or use include(file="…" mode="optional") if it may be absent',
        });
      }
      return [];
    }
    if (!st.isDirectory()) return [pattern];
    return readdirSync(pattern).sort().map((n) => join(pattern, n)).filter((p) => isFile(p));
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function globToRegExp(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const ch = seg[i];
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const close = seg.indexOf(']', i + 1);
      if (close === -1) re += '\\[';
      else {
        re += '[' + seg.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = close;
      }
    } else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Expand a glob segment by segment; hidden files match only an explicit leading dot, as glob(3). */
export function expandGlob(pattern: string): string[] {
  const segs = pattern.split('/');
  let bases = [segs[0] === '' ? '/' : segs[0]];
  for (const seg of segs.slice(1)) {
    if (seg === '') continue;
    const next: string[] = [];
    for (const base of bases) {
      if (!GLOB_CHARS.test(seg)) {
        next.push(join(base, seg));
        continue;
      }
      const re = globToRegExp(seg);
      let names: string[] = [];
      try {
        names = readdirSync(base);
      } catch {
        continue;
      }
      for (const n of names.sort()) if (re.test(n) && (!n.startsWith('.') || seg.startsWith('.'))) next.push(join(base, n));
    }
    bases = next;
  }
  return bases.filter((p) => isFile(p));
}

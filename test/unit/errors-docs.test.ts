// Keeps docs/errors.md honest: every code src/ raises or logs is documented, and every documented code still exists.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';

/** The test runs from dist/test/unit/; the repo root is three levels up. */
const ROOT = resolve(__dirname, '..', '..', '..');
const SRC = join(ROOT, 'src');
const ERRORS_MD = join(ROOT, 'docs', 'errors.md');
const CONFIG_MD = join(ROOT, 'docs', 'config.md');
const RETIRED_HEADING = /^## Retired codes\b/;
/** Codes named by their level. */
const LEVEL_PREFIX = /^LW_(?:ERR|WARN|NOTICE|INFO|DEBUG)_/;

/** An error or warning code, or a prefix of a family of them when it ends in `_`. */
const ERR_WARN_TOKEN = /LW_(?:ERR|WARN)_[A-Z0-9_]+/g;
/** Any Logwarden code-shaped token (log codes, env variables named LW_…). */
const ANY_TOKEN = /LW_[A-Z0-9_]+/g;
/** A code literal passed as the first argument of a Logger call: `logger.warn('LW_…'`, `log?.notice('LW_…'`. */
const LOGGED_CODE = /\.(?:debug|info|notice|warn|error)\(\s*['"`](LW_[A-Z0-9_]+)['"`]/g;
/** `'LW_ERR_X_' + name.toUpperCase()`: a family completed at run time from a variable. */
const DYNAMIC_FAMILY = /['"`](LW_(?:ERR|WARN)_[A-Z0-9_]*_)['"`]\s*\+\s*(\w+)\.toUpperCase\(\)/g;

export interface SourceScan {
  /** Complete LW_ERR_/LW_WARN_ codes, plus dynamic family members enumerated from their call sites. */
  codes: Map<string, string[]>;
  /** Codes given to a Logger call, whatever their prefix. */
  logged: Map<string, string[]>;
  /** Every LW_ token that is not a prefix: what a documented code may refer to. */
  tokens: Set<string>;
  /** Family prefixes (`LW_ERR_QUERY_`) and startsWith() tests, with where they appear. */
  prefixes: Map<string, string[]>;
}

function add(map: Map<string, string[]>, key: string, where: string): void {
  const list = map.get(key);
  if (list) {
    if (!list.includes(where)) list.push(where);
  } else map.set(key, [where]);
}

function lineOf(text: string, index: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Members of `prefix + v.toUpperCase()` families: the methods whose first parameter is `v` are found, and the
 * string literals passed as their first argument (`this.run('insert', …)`) complete the prefix, except a literal
 * the code maps to another code first (`v === 'search' ? 'LW_ERR_QUERY_CLICKHOUSE' : …`).
 */
export function dynamicMembers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(DYNAMIC_FAMILY)) {
    const [, prefix, variable] = m;
    const methods = new Set<string>();
    const decl = new RegExp(`(\\w+)\\s*(?:<[^>(]*>)?\\(\\s*${variable}\\s*:`, 'g');
    for (const d of text.matchAll(decl)) methods.add(d[1]!);
    const special = new Set<string>();
    const ternary = new RegExp(`${variable}\\s*===\\s*['"\`](\\w+)['"\`]\\s*\\?\\s*['"\`]LW_`, 'g');
    for (const t of text.matchAll(ternary)) special.add(t[1]!);
    for (const method of methods) {
      const call = new RegExp(`this\\.${method}\\b[^()]*?\\(\\s*['"\`](\\w+)['"\`]`, 'g');
      for (const c of text.matchAll(call)) {
        if (!special.has(c[1]!)) out.push(prefix + c[1]!.toUpperCase());
      }
    }
  }
  return [...new Set(out)].sort();
}

/** Scan one source text (named `file` in the results). */
export function scanSource(text: string, file: string, into: SourceScan): void {
  for (const m of text.matchAll(ERR_WARN_TOKEN)) {
    const token = m[0];
    const where = `${file}:${lineOf(text, m.index)}`;
    const before = text.slice(Math.max(0, m.index - 20), m.index);
    if (token.endsWith('_') || /startsWith\(\s*['"`]$/.test(before)) add(into.prefixes, token.replace(/_?$/, '_'), where);
    else add(into.codes, token, where);
  }
  for (const m of text.matchAll(LOGGED_CODE)) add(into.logged, m[1]!, `${file}:${lineOf(text, m.index)}`);
  for (const m of text.matchAll(ANY_TOKEN)) if (!m[0].endsWith('_')) into.tokens.add(m[0]);
  for (const code of dynamicMembers(text)) {
    add(into.codes, code, `${file} (dynamic)`);
    into.tokens.add(code);
  }
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out.sort();
}

function scanTree(dir: string): SourceScan {
  const scan: SourceScan = { codes: new Map(), logged: new Map(), tokens: new Set(), prefixes: new Map() };
  for (const f of tsFiles(dir)) scanSource(readFileSync(f, 'utf8'), relative(ROOT, f), scan);
  return scan;
}

export interface DocScan {
  /** Codes named outside the Retired section, with their line numbers. */
  current: Map<string, number[]>;
  retired: Map<string, number[]>;
  /** Codes that open a table row (`| CODE |`), with the rows' line numbers. */
  rows: Map<string, number[]>;
}

function addLine(map: Map<string, number[]>, key: string, line: number): void {
  const list = map.get(key);
  if (list) list.push(line);
  else map.set(key, [line]);
}

/** The first cell's code of a table row, e.g. `| LW_WARN_CONFIG_IGNORED (notice) | …` or `| \`LW_X\` | …`. */
function rowCode(line: string): string | undefined {
  return /^\|\s*`?(LW_[A-Z0-9_]*[A-Z0-9])`?\s*(?:\(|\|)/.exec(line)?.[1];
}

/**
 * Codes in a Markdown page; a token ending in `_` or followed by `*` names a family, not a code. Under
 * "## Retired codes" only the code that opens a list item or table row is taken.
 */
export function scanDoc(text: string): DocScan {
  const doc: DocScan = { current: new Map(), retired: new Map(), rows: new Map() };
  let inRetired = false;
  text.split('\n').forEach((line, i) => {
    if (line.startsWith('## ')) inRetired = RETIRED_HEADING.test(line);
    if (inRetired) {
      // Only the code an entry is about counts; the entry may name its successor too.
      const code = rowCode(line) ?? /^\s*[-*]\s+`?(LW_[A-Z0-9_]*[A-Z0-9])/.exec(line)?.[1];
      if (code !== undefined) addLine(doc.retired, code, i + 1);
      return;
    }
    for (const m of line.matchAll(ANY_TOKEN)) {
      if (m[0].endsWith('_') || line[m.index + m[0].length] === '*') continue;
      addLine(doc.current, m[0], i + 1);
    }
    const code = rowCode(line);
    if (code !== undefined) addLine(doc.rows, code, i + 1);
  });
  return doc;
}

function report(title: string, items: string[]): string {
  return `${title} (${items.length}):\n  ${items.join('\n  ')}`;
}

// --- the scanners themselves -------------------------------------------------------------------------------

test('scanner: literals, comments, prefixes, startsWith tests and logger calls', () => {
  const scan: SourceScan = { codes: new Map(), logged: new Map(), tokens: new Set(), prefixes: new Map() };
  const text = [
    "throw new E('LW_ERR_ALPHA', 'x');",
    '/** Rejects with LW_ERR_QUERY_* codes; throws LW_ERR_BETA naming the place. */',
    "if (code.startsWith('LW_ERR_GAMMA')) return;",
    "this.logger.notice('LW_SOMETHING_ODD', 'y'); logger?.warn('LW_WARN_DELTA', 'z');",
    "const env = process.env.LW_LOG_LEVEL;",
  ].join('\n');
  scanSource(text, 'x.ts', scan);
  assert.deepEqual([...scan.codes.keys()].sort(), ['LW_ERR_ALPHA', 'LW_ERR_BETA', 'LW_WARN_DELTA']);
  assert.deepEqual(scan.codes.get('LW_ERR_BETA'), ['x.ts:2']);
  assert.deepEqual([...scan.prefixes.keys()].sort(), ['LW_ERR_GAMMA_', 'LW_ERR_QUERY_']);
  assert.deepEqual([...scan.logged.keys()].sort(), ['LW_SOMETHING_ODD', 'LW_WARN_DELTA']);
  assert.ok(scan.tokens.has('LW_LOG_LEVEL'));
  assert.ok(!scan.tokens.has('LW_ERR_QUERY_'));
});

test('scanner: a dynamic family is completed from the literals passed to the methods that build it', () => {
  const text = `
    async init() { await this.run('init', () => 1); }
    async stats() { return this.select<{ a: string; m: string | number }>('stats', 'SELECT 1'); }
    async search() { return this.select<Record<string, unknown>>('search', q); }
    private async select<T>(what: string, sql: string) { return this.run(what, async () => sql); }
    private async run<T>(what: string, fn: () => Promise<T>) {
      const code = what === 'search' ? 'LW_ERR_QUERY_REMOTE' : 'LW_ERR_REMOTE_' + what.toUpperCase();
    }`;
  assert.deepEqual(dynamicMembers(text), ['LW_ERR_REMOTE_INIT', 'LW_ERR_REMOTE_STATS']);
});

test('doc scanner: rows, lists, families and the Retired section', () => {
  const md = [
    '# Codes', '', 'See `LW_ERR_A` and the `LW_ERR_FAM_*` family, built as `LW_ERR_FAM_` + kind.', '',
    '| Code | Level |', '|---|---|', '| LW_ERR_B | error |', '| `LW_WARN_C` (notice) | warn |', '',
    '## Retired codes', '', '- `LW_ERR_OLD` (replaced by LW_ERR_B)',
  ].join('\n');
  const d = scanDoc(md);
  assert.deepEqual([...d.current.keys()].sort(), ['LW_ERR_A', 'LW_ERR_B', 'LW_WARN_C']);
  assert.deepEqual([...d.rows.keys()].sort(), ['LW_ERR_B', 'LW_WARN_C']);
  assert.deepEqual([...d.retired.keys()], ['LW_ERR_OLD']);
});

// --- the real tree -----------------------------------------------------------------------------------------

const src = scanTree(SRC);
const errorsDoc = scanDoc(readFileSync(ERRORS_MD, 'utf8'));
const configDoc = scanDoc(readFileSync(CONFIG_MD, 'utf8'));

test('src/ holds codes to check (the scan is not vacuous)', () => {
  assert.ok(src.codes.size > 0, 'no LW_ERR_/LW_WARN_ code found under src/');
  assert.ok(src.logged.size > 0, 'no logger call with a code found under src/');
});

test('every LW_ERR_/LW_WARN_ code in src/ is documented in docs/errors.md', () => {
  const missing = [...src.codes].filter(([code]) => !errorsDoc.current.has(code))
    .map(([code, where]) => `${code}  (${where.slice(0, 3).join(', ')})`).sort();
  assert.deepEqual(missing, [], report('codes used in src/ but missing from docs/errors.md', missing));
});

test('every code passed to a logger is documented in docs/errors.md', () => {
  const missing = [...src.logged].filter(([code]) => !errorsDoc.current.has(code))
    .map(([code, where]) => `${code}  (${where.slice(0, 3).join(', ')})`).sort();
  assert.deepEqual(missing, [], report('logged codes missing from docs/errors.md', missing));
});

test('every code family prefix in src/ has at least one documented member', () => {
  const documented = [...errorsDoc.current.keys()];
  const bare = [...src.prefixes].filter(([prefix]) => !documented.some((c) => c.startsWith(prefix)))
    .map(([prefix, where]) => `${prefix}*  (${where.slice(0, 3).join(', ')})`).sort();
  assert.deepEqual(bare, [], report('code families with no documented member', bare));
});

test('every code documented in docs/errors.md still exists in src/ (else it belongs under Retired codes)', () => {
  const stale = [...errorsDoc.current].filter(([code]) => !src.tokens.has(code))
    .map(([code, lines]) => `${code}  (docs/errors.md:${lines.join(',')})`).sort();
  assert.deepEqual(stale, [], report('documented codes that no longer exist in src/; move them to "## Retired codes"', stale));
});

test('retired codes are really gone from src/ and not documented as current', () => {
  const alive = [...errorsDoc.retired.keys()].filter((c) => src.tokens.has(c) || errorsDoc.rows.has(c)).sort();
  assert.deepEqual(alive, [], report('codes under "Retired codes" that src/ still uses or a table still lists', alive));
});

test('each code has a table row in docs/errors.md or in docs/config.md, and at most one row per page', () => {
  // LW_LOG_LEVEL and the like are environment variables, not codes: only code-shaped or raised names need a row.
  const isCode = (c: string): boolean => LEVEL_PREFIX.test(c) || src.codes.has(c) || src.logged.has(c);
  const rowless = [...errorsDoc.current.keys()].filter((c) => isCode(c) && !errorsDoc.rows.has(c) && !configDoc.rows.has(c)).sort();
  assert.deepEqual(rowless, [], report('codes named in docs/errors.md without a row there or in docs/config.md', rowless));
  const twice = [...errorsDoc.rows].filter(([, lines]) => lines.length > 1).map(([c, l]) => `${c} (lines ${l.join(',')})`);
  assert.deepEqual(twice, [], report('codes with more than one row in docs/errors.md', twice));
});

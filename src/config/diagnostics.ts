// Config diagnostics: stable codes, a collector that attaches source lines, did-you-mean, rustc-style output.
import type { Diagnostic, Severity, SourceLoc } from './model';

/** Stable diagnostic codes; docs/config.md explains each one. */
export const E = {
  SYNTAX: 'LW_ERR_CONFIG_SYNTAX',
  UNTERMINATED: 'LW_ERR_CONFIG_UNTERMINATED',
  BAD_ESCAPE: 'LW_ERR_CONFIG_BAD_ESCAPE',
  UNBALANCED: 'LW_ERR_CONFIG_UNBALANCED',
  UNKNOWN_OBJECT: 'LW_ERR_CONFIG_UNKNOWN_OBJECT',
  UNKNOWN_PARAM: 'LW_ERR_CONFIG_UNKNOWN_PARAM',
  DUPLICATE_PARAM: 'LW_ERR_CONFIG_DUPLICATE_PARAM',
  MISSING_PARAM: 'LW_ERR_CONFIG_MISSING_PARAM',
  BAD_VALUE: 'LW_ERR_CONFIG_BAD_VALUE',
  UNKNOWN_MODULE: 'LW_ERR_CONFIG_UNKNOWN_MODULE',
  UNSUPPORTED_MODULE: 'LW_ERR_CONFIG_UNSUPPORTED_MODULE',
  MODULE_NOT_LOADED: 'LW_ERR_CONFIG_MODULE_NOT_LOADED',
  UNKNOWN_TEMPLATE: 'LW_ERR_CONFIG_UNKNOWN_TEMPLATE',
  DUPLICATE_TEMPLATE: 'LW_ERR_CONFIG_DUPLICATE_TEMPLATE',
  UNKNOWN_RULESET: 'LW_ERR_CONFIG_UNKNOWN_RULESET',
  DUPLICATE_RULESET: 'LW_ERR_CONFIG_DUPLICATE_RULESET',
  BAD_FACILITY: 'LW_ERR_CONFIG_BAD_FACILITY',
  BAD_SEVERITY: 'LW_ERR_CONFIG_BAD_SEVERITY',
  BAD_SELECTOR: 'LW_ERR_CONFIG_BAD_SELECTOR',
  MISSING_ACTION: 'LW_ERR_CONFIG_MISSING_ACTION',
  BAD_ACTION: 'LW_ERR_CONFIG_BAD_ACTION',
  BAD_PROPERTY: 'LW_ERR_CONFIG_BAD_PROPERTY',
  BAD_COMPARE: 'LW_ERR_CONFIG_BAD_COMPARE_OP',
  UNKNOWN_FUNCTION: 'LW_ERR_CONFIG_UNKNOWN_FUNCTION',
  UNKNOWN_DIRECTIVE: 'LW_ERR_CONFIG_UNKNOWN_DIRECTIVE',
  UNSUPPORTED_DIRECTIVE: 'LW_ERR_CONFIG_UNSUPPORTED_DIRECTIVE',
  INCLUDE_MISSING: 'LW_ERR_CONFIG_INCLUDE_MISSING',
  INCLUDE_CYCLE: 'LW_ERR_CONFIG_INCLUDE_CYCLE',
  IO: 'LW_ERR_CONFIG_IO',
  BAD_PORT: 'LW_ERR_CONFIG_BAD_PORT',
} as const;

export const W = {
  LEGACY_USERLIST: 'LW_WARN_CONFIG_LEGACY_USERLIST',
  /** Seed-style blank inside a selector (`*. notice`); rsyslog rejects the line. */
  SELECTOR_BLANK: 'LW_WARN_CONFIG_SELECTOR_BLANK',
  /** `cron.!info,!debug`: a negated priority list; rsyslog rejects it. */
  PRIORITY_LIST: 'LW_WARN_CONFIG_PRIORITY_LIST',
  /** `root, gildong`: rsyslog splits the user list into two actions, the second unfiltered. */
  USER_LIST_BLANK: 'LW_WARN_CONFIG_USER_LIST_BLANK',
  /** `@(z9) host`: rsyslog keeps the blank in the host name, which then never resolves. */
  FORWARD_BLANK: 'LW_WARN_CONFIG_FORWARD_BLANK',
  /** A `$template` line with a second statement after its value; rsyslog ignores the rest. */
  JOINED_LINES: 'LW_WARN_CONFIG_JOINED_LINES',
  /** `A or B and C` without parentheses: rsyslog gives and/or equal precedence, left to right. */
  AND_OR_PRECEDENCE: 'LW_WARN_CONFIG_AND_OR_PRECEDENCE',
  /** `not $msg contains "x"`: rsyslog negates `$msg`, then compares. */
  NOT_PRECEDENCE: 'LW_WARN_CONFIG_NOT_PRECEDENCE',
  /** `mail.!info` alone: a negation on a facility with nothing selected yet selects nothing (rsyslog). */
  NEGATION_EMPTY: 'LW_WARN_CONFIG_NEGATION_EMPTY',
  /** `ruleset(parser=["pmfoo"])`: a parser Logwarden does not have. */
  PARSER_UNAVAILABLE: 'LW_WARN_CONFIG_PARSER_UNAVAILABLE',
  /** A parameter spelling Logwarden accepts but rsyslogd rejects (`StreamDriver.PermittedPeers` in imtcp). */
  NOT_RSYSLOG_SPELLING: 'LW_WARN_CONFIG_NOT_RSYSLOG_SPELLING',
  /** `:omfile:$chan`: the outchannel's size limit / rotation command is not applied. */
  OUTCHANNEL_LIMIT: 'LW_WARN_CONFIG_OUTCHANNEL_LIMIT',
  /** `:msg, regex, "a\.b"`: the legacy string reader drops the backslash (rsyslog parsQuotedCStr), the regex gets `a.b`. */
  PROPFILT_ESCAPE: 'LW_WARN_CONFIG_PROPFILT_ESCAPE',
  IGNORED: 'LW_WARN_CONFIG_IGNORED',
  TEMPLATE_OPTION: 'LW_WARN_CONFIG_TEMPLATE_OPTION',
  EMPTY_INCLUDE: 'LW_WARN_CONFIG_EMPTY_INCLUDE',
  NOOP_MODULE: 'LW_NOTICE_CONFIG_NOOP_MODULE',
  /** Accepted for compatibility, no effect in Logwarden (a directive, global() or component parameter). */
  NO_EFFECT: 'LW_WARN_CONFIG_NO_EFFECT',
  /** A stock-config input Logwarden does not run (imjournal): skipped with a warning, the rest runs. */
  INPUT_SKIPPED: 'LW_WARN_CONFIG_INPUT_SKIPPED',
  /** Accepted by Logwarden, refused at load by rsyslogd 8.2302: toupper(), cbool(), `"…$…"` in an expression. */
  RSYSLOG_REFUSES: 'LW_WARN_CONFIG_RSYSLOG_REFUSES',
} as const;

export interface DiagOpts {
  length?: number;
  hint?: string;
}

/** Collects diagnostics and fills in the offending source line from the files it has been shown. */
export class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  private readonly lines = new Map<string, string[]>();

  addSource(file: string, text: string): void {
    this.lines.set(file, text.split(/\r?\n/));
  }

  report(severity: Severity, code: string, message: string, loc: SourceLoc, opts: DiagOpts = {}): void {
    const dup = this.diagnostics.some((x) => x.code === code && x.message === message && x.loc.file === loc.file
      && x.loc.line === loc.line && x.loc.col === loc.col);
    if (dup) return; // the same fact found by two checks is reported once
    const d: Diagnostic = { severity, code, message, loc };
    const src = this.lines.get(loc.file)?.[loc.line - 1];
    if (src !== undefined) d.sourceLine = src;
    if (opts.length !== undefined) d.length = Math.max(1, opts.length);
    if (opts.hint !== undefined) d.hint = opts.hint;
    this.diagnostics.push(d);
  }

  error(code: string, message: string, loc: SourceLoc, opts?: DiagOpts): void {
    this.report('error', code, message, loc, opts);
  }

  warn(code: string, message: string, loc: SourceLoc, opts?: DiagOpts): void {
    this.report('warning', code, message, loc, opts);
  }

  notice(code: string, message: string, loc: SourceLoc, opts?: DiagOpts): void {
    this.report('notice', code, message, loc, opts);
  }
}

/** Edit distance with adjacent transpositions (optimal string alignment), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i, ...new Array<number>(t.length).fill(0)]);
  for (let j = 0; j <= t.length; j++) d[0][j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[s.length][t.length];
}

/** The closest candidate within a distance that scales with the word's length, or undefined. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDist = limit + 1;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDist && d > 0) {
      best = c;
      bestDist = d;
    }
  }
  return best;
}

/** "did you mean `x`?" or an empty hint. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const s = suggest(word, candidates);
  return s === undefined ? undefined : `did you mean \`${s}\`?`;
}

/** rustc/clang style: `file:line:col: error[CODE]: message`, the line, a caret under the word, `= hint: …`. */
export function formatDiagnostics(diags: Diagnostic[]): string {
  const out: string[] = [];
  for (const d of diags) {
    out.push(`${d.loc.file}:${d.loc.line}:${d.loc.col}: ${d.severity}[${d.code}]: ${d.message}`);
    if (d.sourceLine !== undefined) {
      const gutter = String(d.loc.line);
      const pad = ' '.repeat(gutter.length);
      // Tabs before the caret are kept so the caret lines up in a terminal.
      const lead = d.sourceLine.slice(0, Math.max(0, d.loc.col - 1)).replace(/[^\t]/g, ' ');
      out.push(`${pad} |`);
      out.push(`${gutter} | ${d.sourceLine}`);
      out.push(`${pad} | ${lead}${'^'.repeat(d.length ?? 1)}`);
      if (d.hint !== undefined) out.push(`${pad} = hint: ${d.hint}`);
    } else if (d.hint !== undefined) {
      out.push(`  = hint: ${d.hint}`);
    }
  }
  return out.join('\n') + (out.length > 0 ? '\n' : '');
}

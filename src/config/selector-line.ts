// Legacy selector lines: rsyslog's selector decoding plus a tolerant reading of seed-style lines (blanks, joins).
import type { Filter, SelectorTerm, SourceLoc } from './model';
import { E, W, didYouMean, type Reporter } from './diagnostics';
import { FACILITIES, SEVERITIES } from './known';

/** rsyslog's lexer rule for a selector (grammar/lexer.l PRIFILT): no blanks anywhere inside it. */
export const PRIFILT_RE = /[*a-z][*a-z]*[0-7]*[.,][,!=;.*a-z0-7]+/iy;
/** The head of a selector as rsyslog's lexer sees it: facility letters, optional digits, then `.` or `,`. */
const SELECTOR_HEAD_RE = /[*a-z][*a-z]*[0-7]*[.,]/iy;
/** Characters PRIFILT allows after its head. */
const SELECTOR_CHAR_RE = /[,!=;.*a-z0-7]/i;
/** A selector that ends in one of these is syntactically incomplete: a blank after it is a typo, not the end. */
const INCOMPLETE_END = '.!=,;';
const ALL_SEVERITIES = 7;

/** Where a piece of legacy text sits: its file, line and the column of its first character. */
export interface TextAt {
  text: string;
  loc: SourceLoc;
}

export function at(base: SourceLoc, offset: number): SourceLoc {
  return { file: base.file, line: base.line, col: base.col + offset };
}

const isBlank = (ch: string | undefined): boolean => ch === ' ' || ch === '\t';

/** A selector found at the start of a line: its blank-free text and where each of its characters came from. */
export interface SelectorScan {
  /** The selector as rsyslog would need it (blanks that split it removed). */
  text: string;
  /** Offset (from the scan start) of each character of `text` in the source line. */
  offsets: number[];
  /** Offset just past the selector in the source line. */
  end: number;
  /** Offsets of the first blank of each run that was skipped inside the selector. */
  blanks: number[];
}

/**
 * Read a selector at `from`. Blanks directly after `.`, `!`, `=`, `,` or `;` are skipped when another selector
 * character follows, because the selector cannot end there; a complete selector still ends at the first blank,
 * so `mail.* /x` reads exactly as rsyslog reads it. Null when `from` does not start a selector.
 */
export function scanSelector(line: string, from: number): SelectorScan | null {
  SELECTOR_HEAD_RE.lastIndex = from;
  if (!SELECTOR_HEAD_RE.test(line)) return null;
  const scan: SelectorScan = { text: '', offsets: [], end: from, blanks: [] };
  let i = from;
  for (;;) {
    while (i < line.length && SELECTOR_CHAR_RE.test(line[i])) {
      scan.text += line[i];
      scan.offsets.push(i - from);
      i++;
    }
    if (!isBlank(line[i]) || !INCOMPLETE_END.includes(line[i - 1])) break;
    let j = i;
    while (isBlank(line[j])) j++;
    if (j >= line.length || !SELECTOR_CHAR_RE.test(line[j])) break;
    scan.blanks.push(i - from);
    i = j;
  }
  scan.end = i;
  return scan;
}

/** One `;`/`,`-separated piece of a selector and the separator before it. */
interface Piece {
  text: string;
  offset: number;
  sep: string;
}

/** Split on `;`, and on a `,` that follows a `.priority` (rsyslog skips `,` and `;` alike after it). */
function splitTerms(text: string): Piece[] {
  const out: Piece[] = [];
  let start = 0;
  let sep = '';
  let seenDot = false;
  for (let i = 0; i <= text.length; i++) {
    const ch = text[i];
    if (ch === '.') seenDot = true;
    if (i === text.length || ch === ';' || (ch === ',' && seenDot)) {
      out.push({ text: text.slice(start, i), offset: start, sep });
      start = i + 1;
      sep = ch ?? '';
      seenDot = false;
    }
  }
  return out;
}

/**
 * Decode a selector as rsyslog's DecodePRIFilter does: `;` separates terms; a `,` after the priority starts a
 * new term; `!` negates, `=` selects one severity; `none` and `*` ignore `=`. With `seedRepair` (set only for a
 * line that already had seed-style blanks, like seed 003's `cron.! info,! debug`), a negated priority list reads
 * as "cron except info and debug"; the blank-free `cron.!info,!debug` stays an error, as in rsyslog, whose runtime
 * reading of it (keep `cron.!info`, select nothing) Logwarden does not imitate.
 * `offsets` maps a character of `src.text` to its column offset when blanks were removed from it.
 */
export function parseSelector(src: TextAt, rep: Reporter, offsets?: readonly number[], seedRepair = false): Filter | null {
  const where = (i: number): SourceLoc => at(src.loc, offsets?.[i] ?? i);
  const terms: SelectorTerm[] = [];
  let ok = true;
  let list: PriorityList | null = null;
  const continued: Piece[] = [];
  for (const piece of splitTerms(src.text)) {
    if (seedRepair && list !== null && piece.sep === ',' && piece.text.startsWith('!') && !piece.text.includes('.')) {
      if (priorityListItem(piece, list, terms, where, rep)) continued.push(piece);
      else ok = false;
      continue;
    }
    const term = parseTerm(piece.text, piece.offset, where, rep);
    if (term) terms.push(term);
    else ok = false;
    list = term !== null && (term.op === 'lt' || term.op === 'ne') ? { head: term, expanded: false } : null;
  }
  if (!ok) return null;
  const piece = continued[0];
  if (piece !== undefined) {
    rep.warn(W.PRIORITY_LIST, `\`,${piece.text}\` continues a priority list, which rsyslog rejects `
      + '(unknown priority name ""); read as every message of the facility except the listed priorities',
    where(piece.offset - 1), { length: piece.text.length + 1, hint: `write \`${formatSelector(terms)}\` instead of \`${src.text}\`` });
  }
  warnEmptyNegation(terms, src, rep);
  return { kind: 'selector', terms, loc: src.loc };
}

/** Facilities a selector mask has entries for (rsyslog's LOG_NFACILITIES + 1). */
const MASK_FACILITIES = 26;

/**
 * rsyslog's `!X` / `!=X` clear severities from what the selector selected so far for that facility; a negated
 * term on a facility with nothing selected yet (`mail.!info` alone, `*.!err`) therefore matches nothing.
 * Logwarden does the same (sysklogd semantics) and warns, since the line looks like it means "all but X".
 */
function warnEmptyNegation(terms: readonly SelectorTerm[], src: TextAt, rep: Reporter): void {
  const selected = new Uint8Array(MASK_FACILITIES);
  for (const t of terms) {
    const facs = t.facilities === '*' ? [...selected.keys()] : t.facilities;
    if ((t.op === 'lt' || t.op === 'ne') && facs.some((f) => selected[f] === 0)) {
      const one = formatSelector([t]);
      const fac = one.slice(0, one.indexOf('.'));
      rep.warn(W.NEGATION_EMPTY, `\`${one}\` removes priorities from an empty selection: in rsyslog (and Logwarden) it `
        + 'selects nothing for those facilities; this is probably not what was meant', t.loc, {
        length: one.length, hint: `to select "all but", start from all: \`${fac}.*;${one}\``,
      });
      return;
    }
    for (const f of facs) selected[f] = t.op === 'none' ? 0 : 1;
  }
}

/** A negated term that further `,!priority` items may continue. */
interface PriorityList {
  head: SelectorTerm;
  expanded: boolean;
}

/** `!debug` after `cron.!info,`: the head becomes `cron.*;cron.!=info` (once), then `cron.!=debug` follows. */
function priorityListItem(piece: Piece, list: PriorityList, terms: SelectorTerm[],
  where: (i: number) => SourceLoc, rep: Reporter): boolean {
  const sev = parsePriority(piece.text, where, piece.offset, rep);
  if (sev === null) return false;
  if (sev.op !== 'lt' && sev.op !== 'ne') {
    rep.error(E.BAD_SELECTOR, `\`${piece.text}\` cannot continue a priority list`, where(piece.offset), {
      length: piece.text.length || 1, hint: 'write each exclusion as its own term: `cron.*;cron.!=info;cron.!=debug`',
    });
    return false;
  }
  const head = list.head;
  if (!list.expanded) {
    terms.splice(terms.indexOf(head), 1, { ...head, op: 'ge', severity: ALL_SEVERITIES }, { ...head, op: 'ne' });
    list.expanded = true;
  }
  terms.push({ facilities: head.facilities, op: 'ne', severity: sev.severity, loc: where(piece.offset) });
  return true;
}

function parseTerm(text: string, offset: number, where: (i: number) => SourceLoc, rep: Reporter): SelectorTerm | null {
  const dot = text.indexOf('.');
  if (dot === -1) {
    rep.error(E.BAD_SELECTOR, `selector term \`${text}\` has no \`.priority\``, where(offset), {
      length: text.length || 1,
      hint: 'each term is facility.priority; to exclude two priorities write `cron.*;cron.!=info;cron.!=debug`',
    });
    return null;
  }
  const facilities = parseFacilities(text.slice(0, dot), offset, where, rep);
  const sev = parsePriority(text.slice(dot + 1), where, offset + dot + 1, rep);
  if (facilities === null || sev === null) return null;
  return { facilities, op: sev.op, severity: sev.severity, loc: where(offset) };
}

function parseFacilities(list: string, offset: number, where: (i: number) => SourceLoc, rep: Reporter): number[] | '*' | null {
  const out: number[] = [];
  let all = false;
  let pos = offset;
  for (const name of list.split(',')) {
    const lower = name.toLowerCase();
    const num = /^[0-9]+$/.test(name) ? Number(name) : undefined;
    if (name === '*') all = true;
    else if (FACILITIES.has(lower)) out.push(FACILITIES.get(lower)!);
    else if (num !== undefined && num <= 23) out.push(num);
    else {
      rep.error(E.BAD_FACILITY, `unknown facility name \`${name}\``, where(pos), {
        length: name.length || 1, hint: didYouMean(lower, FACILITIES.keys()) ?? 'use kern, user, mail, … local7 or *',
      });
      return null;
    }
    pos += name.length + 1;
  }
  return all ? '*' : out;
}

function parsePriority(text: string, where: (i: number) => SourceLoc, offset: number,
  rep: Reporter): { op: SelectorTerm['op']; severity: number } | null {
  let i = 0;
  const negate = text[i] === '!';
  if (negate) i++;
  const single = text[i] === '=';
  if (single) i++;
  const name = text.slice(i).toLowerCase();
  if (name === '*') return negate ? { op: 'none', severity: ALL_SEVERITIES } : { op: 'ge', severity: ALL_SEVERITIES };
  if (name === 'none') return negate ? { op: 'ge', severity: ALL_SEVERITIES } : { op: 'none', severity: ALL_SEVERITIES };
  let sev = SEVERITIES.get(name);
  if (sev === undefined && /^[0-7]$/.test(name)) sev = Number(name);
  if (sev === undefined) {
    rep.error(E.BAD_SEVERITY, `unknown priority name \`${text.slice(i)}\``, where(offset + i), {
      length: name.length || 1,
      hint: didYouMean(name, [...SEVERITIES.keys(), 'none']) ?? 'use emerg, alert, crit, err, warning, notice, info, debug, none or *',
    });
    return null;
  }
  if (single) return { op: negate ? 'ne' : 'eq', severity: sev };
  return { op: negate ? 'lt' : 'ge', severity: sev };
}

/** Canonical names for writing terms back as rsyslog text (first name wins: auth over security). */
const FACILITY_NAME = new Map<number, string>();
for (const [name, n] of FACILITIES) if (!FACILITY_NAME.has(n)) FACILITY_NAME.set(n, name);
const SEVERITY_NAME = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

/** Write terms as a selector rsyslogd accepts (`uucp,news.crit`, `cron.*;cron.!=info`), for hints. */
export function formatSelector(terms: readonly SelectorTerm[]): string {
  return terms.map((t) => {
    const fac = t.facilities === '*' ? '*' : t.facilities.map((n) => FACILITY_NAME.get(n) ?? String(n)).join(',');
    const sev = SEVERITY_NAME[t.severity] ?? String(t.severity);
    switch (t.op) {
      case 'ge': return `${fac}.${t.severity === ALL_SEVERITIES ? '*' : sev}`;
      case 'eq': return `${fac}.=${sev}`;
      case 'ne': return `${fac}.!=${sev}`;
      case 'lt': return `${fac}.!${sev}`;
      case 'none': return `${fac}.none`;
    }
  }).join(';');
}

/**
 * Read the selector of a legacy line at `from` (`loc` is where `from` sits), tolerating seed-style
 * blanks with a warning that names the portable spelling. Null when there is no selector there.
 */
export function readSelectorLine(line: string, from: number, loc: SourceLoc, rep: Reporter):
  { filter: Filter | null; end: number } | null {
  const scan = scanSelector(line, from);
  if (scan === null) return null;
  const written = line.slice(from, scan.end);
  const action = line.slice(scan.end).replace(/\r$/, '').trim();
  if (INCOMPLETE_END.includes(scan.text[scan.text.length - 1])) {
    rep.error(E.BAD_SELECTOR, `incomplete selector \`${written}\``, at(loc, scan.end - from - 1), {
      length: 1, hint: 'a selector is facility.priority without blanks, e.g. `*.notice`, `uucp,news.crit`, `cron.!=info`',
    });
    return { filter: null, end: scan.end };
  }
  const filter = parseSelector({ text: scan.text, loc }, rep, scan.offsets, scan.blanks.length > 0);
  if (filter !== null && filter.kind === 'selector' && scan.blanks.length > 0) {
    const portable = formatSelector(filter.terms);
    const cut = line.slice(from, from + scan.blanks[0]);
    rep.warn(W.SELECTOR_BLANK, `blank inside the selector \`${written}\`: rsyslog ends the selector at the blank `
      + `(\`${cut}\`) and rejects the line; read as \`${portable}\``, at(loc, scan.blanks[0]), {
      length: 1, hint: `write it without blanks, as rsyslog needs: \`${portable}${action ? ` ${action}` : ''}\``,
    });
  }
  return { filter, end: scan.end };
}

/** A line that opens with a number and a blank, like the page number in `19 authpriv.* /dev/tty2`. */
const LEADING_NUMBER_RE = /^([0-9]+)[ \t]+(?=\S)/;

/**
 * `19 authpriv.* /dev/tty2` (a page number copied with the text): rsyslog rejects it ("invalid character in
 * selector line") and so does Logwarden, saying why. True when `line` starts so and has been reported.
 */
export function reportLeadingNumber(line: string, loc: SourceLoc, rep: Reporter): boolean {
  const m = LEADING_NUMBER_RE.exec(line);
  if (m === null) return false;
  const rest = line.slice(m[0].length).trim();
  rep.error(E.BAD_SELECTOR, `a selector must start with a facility name; \`${m[1]}\` is not one`, loc, {
    length: m[1].length,
    hint: scanSelector(rest, 0) !== null
      ? `delete \`${m[1]}\` (a page or line number copied along with the text?): write \`${rest}\``
      : 'facility names are kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, local0 … local7, or *',
  });
  return true;
}

/** `template name,"` — a legacy $template up to the opening quote of its value. */
const TEMPLATE_HEAD_RE = /^template[ \t]+[^,"]*,[ \t]*"/i;

/** Index of the `"` closing a legacy $template value that starts at `from` (a backslash escapes one char). */
function closingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/**
 * `$template name,"value" *.* ?name` — two lines a blog flattened into one (`directive` is the text after `$`).
 * rsyslog ignores everything after the value ("extra characters in config line ignored"), losing the rule;
 * Logwarden warns and reads the rest as the next statement. Null when the line is an ordinary $template (the
 * value followed by nothing, a `,option` or a comment) or not a $template at all.
 */
export function splitJoinedTemplate(directive: string, where: (offset: number) => SourceLoc, rep: Reporter):
  { head: string; restAt: number } | null {
  const m = TEMPLATE_HEAD_RE.exec(directive);
  if (m === null) return null;
  const close = closingQuote(directive, m[0].length);
  if (close === -1) return null;
  const tail = directive.slice(close + 1);
  const lead = /^[ \t]*/.exec(tail)![0].length;
  if (lead === 0 || lead === tail.length || tail[lead] === ',' || tail[lead] === '#') return null;
  const restAt = close + 1 + lead;
  const rest = tail.slice(lead).trim();
  rep.warn(W.JOINED_LINES, `\`${rest}\` follows the $template value on the same line: rsyslog ignores it `
    + '("extra characters in config line ignored"), so that statement would be lost; read as a separate line',
  where(restAt), { length: rest.length, hint: `put \`${rest}\` on a line of its own` });
  return { head: directive.slice(0, close + 1), restAt };
}

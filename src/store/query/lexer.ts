// Query lexer: splits query text into words, quoted strings, parentheses, pipes and the AND/OR/NOT keywords,
// each with its 1-based column. `field:"quoted value"` stays one token so field values may contain spaces.
import { QueryError } from './errors';

export type TokenType = 'lp' | 'rp' | 'pipe' | 'and' | 'or' | 'not' | 'word' | 'string' | 'eof';

export interface Token {
  t: TokenType;
  /** Word text, or the unescaped string content. For a word with a quoted value: the part before the quote. */
  text: string;
  /** For `field:"v"`: the unescaped quoted value (text holds "field:"). */
  quotedValue?: string;
  pos: number;
}

/** Upper-case only, so "not" or "and" in ordinary text stay searchable words. */
const KEYWORDS: Record<string, TokenType> = { AND: 'and', OR: 'or', NOT: 'not' };
/** `-15m`: a relative time, not NOT applied to "15m". */
export const RELATIVE_TIME = /^-(\d{1,9})([smhdw])$/;

/** A '-', digits, then letters: meant as a relative time, whether or not the unit is one we know. */
const MISTYPED_SPAN = /^-\d+[A-Za-z]+$/;

const MAX_QUERY_LENGTH = 8192;
/** C0 controls other than tab, LF and CR, and DEL. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function isBreak(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '(' || ch === ')' || ch === '|' || ch === '"';
}

/** Read a "…" string starting at `i` (the opening quote); `\"` and `\\` are escapes. Returns [value, next index]. */
function readString(src: string, i: number): [string, number] {
  let out = '';
  let j = i + 1;
  while (j < src.length) {
    const ch = src[j]!;
    if (ch === '"') return [out, j + 1];
    if (ch === '\\' && j + 1 < src.length) {
      out += src[j + 1];
      j += 2;
      continue;
    }
    out += ch;
    j++;
  }
  throw new QueryError('LW_ERR_QUERY_SYNTAX', 'unterminated quoted string', i + 1, src);
}

export function tokenize(src: string): Token[] {
  if (src.length > MAX_QUERY_LENGTH) {
    throw new QueryError('LW_ERR_QUERY_SYNTAX', `query longer than ${MAX_QUERY_LENGTH} characters`, MAX_QUERY_LENGTH + 1, src.slice(0, 80));
  }
  // NUL and other control characters end strings in SQLite's FTS5 query syntax ("unterminated string"): refused
  // here with their column instead of failing in the store.
  const ctl = CONTROL.exec(src);
  if (ctl !== null) {
    throw new QueryError('LW_ERR_QUERY_SYNTAX', `control character U+${ctl[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} is not allowed in a query`, ctl.index + 1, src);
  }
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    const pos = i + 1;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') { i++; continue; }
    if (ch === '(') { out.push({ t: 'lp', text: ch, pos }); i++; continue; }
    if (ch === ')') { out.push({ t: 'rp', text: ch, pos }); i++; continue; }
    if (ch === '|') { out.push({ t: 'pipe', text: ch, pos }); i++; continue; }
    if (ch === '"') {
      const [value, next] = readString(src, i);
      out.push({ t: 'string', text: value, pos });
      i = next;
      continue;
    }
    // A leading '-' negates what follows, unless the word is a relative time (-15m).
    if (ch === '-' && i + 1 < src.length && (src[i + 1] === '"' || src[i + 1] === '(')) {
      out.push({ t: 'not', text: ch, pos });
      i++;
      continue;
    }
    let j = i;
    while (j < src.length && !isBreak(src[j]!)) j++;
    const word = src.slice(i, j);
    // `-1x` is a mistyped time range, not NOT "1x" (which would match nearly everything): refuse it.
    if (MISTYPED_SPAN.test(word) && !RELATIVE_TIME.test(word)) {
      throw new QueryError('LW_ERR_QUERY_TIME', `'${word}' is not a time span: use -15m, -2h, -1d`, pos, src);
    }
    if (word.length > 1 && word[0] === '-' && !RELATIVE_TIME.test(word)) {
      out.push({ t: 'not', text: '-', pos });
      i++;
      continue;
    }
    if (src[j] === '"' && /:[<>=!]*$/.test(word)) {
      const [value, next] = readString(src, j);
      out.push({ t: 'word', text: word, quotedValue: value, pos });
      i = next;
      continue;
    }
    if (src[j] === '"') {
      throw new QueryError('LW_ERR_QUERY_SYNTAX', 'expected a space before \'"\'', j + 1, src);
    }
    out.push({ t: KEYWORDS[word] ?? 'word', text: word, pos });
    i = j;
  }
  out.push({ t: 'eof', text: '', pos: src.length + 1 });
  return out;
}

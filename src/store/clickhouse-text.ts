// Free-text search on ClickHouse with the token semantics of the SQLite store's FTS5 index (tokenizer
// `unicode61 remove_diacritics 2`). 18.16 has no full-text index, no hasToken and no Unicode case folding or
// diacritic removal, so the writer tokenizes msg in JavaScript the way FTS5 does and stores the tokens as
// " tok1 tok2 … " in `msg_tokens`; a word, phrase or prefix term is then one position() probe for
// " w1 w2 " (or " w1 w2" for a prefix), which equals FTS5's phrase/prefix match on the same token stream.
import { sqlString } from './clickhouse-sql';

/**
 * Combining marks that FTS5's unicode61 treats as diacritics: dropped from inside a token (measured against
 * SQLite's tokenizer with fts5vocab for U+0300..U+036F; the other marks separate tokens).
 */
const DIACRITIC_MARKS = /[\u0300-\u0304\u0306-\u030c\u030f\u0311\u031b\u0323-\u0328\u032d\u032e\u0330\u0331]/g;
/**
 * Separators: everything but letters, numbers, private use and unassigned code points. unicode61 classifies
 * with Unicode 6.1 tables, where later additions are still unassigned, i.e. token characters.
 */
const SEPARATORS = /[^\p{L}\p{N}\p{Co}\p{Cn}]+/u;
const NON_ASCII = /[^\x00-\x7f]/;
const ASCII_SEPARATORS = /[^a-z0-9]+/;
/** unicode61 folds with case folding, not lower-casing: these differ from String#toLowerCase. */
const SPECIAL_FOLD: Record<string, string> = {
  '\u00b5': '\u03bc', '\u017f': 's', '\u03c2': '\u03c3', '\u03d0': '\u03b2', '\u03d1': '\u03b8', '\u03d5': '\u03c6',
  '\u03d6': '\u03c0', '\u03f0': '\u03ba', '\u03f1': '\u03c1', '\u03f5': '\u03b5', '\u01e0': '\u01e1', '\u01e1': '\u01e1',
};
const BMP_LIMIT = 0xffff;

/** Fold one character: case-fold (BMP only, as unicode61), then strip diacritics from a Latin (ASCII) base. */
function foldChar(ch: string): string {
  const special = SPECIAL_FOLD[ch];
  if (special !== undefined) return special;
  if (ch.codePointAt(0)! > BMP_LIMIT) return ch;
  const lower = ch.toLowerCase();
  const d = lower.normalize('NFD');
  if (d.length > 1 && d.charCodeAt(0) < 0x80 && /^\p{M}+$/u.test(d.slice(1))) return d[0]!;
  return lower;
}

function foldToken(t: string): string {
  if (!NON_ASCII.test(t)) return t.toLowerCase();
  let out = '';
  for (const ch of t) out += foldChar(ch);
  return out;
}

/** The FTS5 token stream of a text: folded words in order. */
export function textTokens(text: string): string[] {
  if (!NON_ASCII.test(text)) return text.toLowerCase().split(ASCII_SEPARATORS).filter((t) => t.length > 0);
  const out: string[] = [];
  for (const t of text.replace(DIACRITIC_MARKS, '').split(SEPARATORS)) if (t.length > 0) out.push(foldToken(t));
  return out;
}

/** The `msg_tokens` column value: tokens between single spaces, with a space at each end. */
export function tokenColumn(text: string): string {
  const tokens = textTokens(text);
  return tokens.length === 0 ? ' ' : ` ${tokens.join(' ')} `;
}

/** The needle of a term: " w1 w2 " for a word or phrase, " w1 w2" for a prefix; null when it has no token. */
export function textNeedle(value: string, prefix: boolean): string | null {
  const tokens = textTokens(value);
  if (tokens.length === 0) return null;
  return ` ${tokens.join(' ')}${prefix ? '' : ' '}`;
}

/** The WHERE condition of a free-text term; a term without any token matches nothing, as in FTS5. */
export function textCondition(value: string, prefix: boolean): string {
  const needle = textNeedle(value, prefix);
  return needle === null ? '0' : `position(msg_tokens, ${sqlString(needle)}) > 0`;
}

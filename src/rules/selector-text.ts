// Decode selector text ("mail.*;mail.!=info") into SelectorTerms the way rsyslog's DecodePRIFilter
// (runtime/conf.c) reads it, including its name tables and its habit of keeping what it decoded before an error.
import type { SelectorTerm, SourceLoc } from '../config/model';

/** rsyslog's priority names (runtime/srutils.c syslogPriNames); `none` and `*` are handled apart. */
const PRI_NAMES: ReadonlyMap<string, number> = new Map([
  ['alert', 1], ['crit', 2], ['debug', 7], ['emerg', 0], ['err', 3], ['error', 3], ['info', 6],
  ['notice', 5], ['panic', 0], ['warn', 4], ['warning', 4],
]);

/**
 * rsyslog's facility names on Linux (syslogFacNames): note `audit` is absent (glibc has no LOG_AUDIT),
 * `ntp`=12, `bsd_security`=13, `console`=14, `security`=auth, `mark`=24.
 */
const FAC_NAMES: ReadonlyMap<string, number> = new Map([
  ['auth', 4], ['authpriv', 10], ['cron', 9], ['daemon', 3], ['kern', 0], ['lpr', 6], ['mail', 2], ['mark', 24],
  ['news', 7], ['ntp', 12], ['security', 4], ['bsd_security', 13], ['syslog', 5], ['user', 1], ['uucp', 8],
  ['ftp', 11], ['console', 14], ['local0', 16], ['local1', 17], ['local2', 18], ['local3', 19], ['local4', 20],
  ['local5', 21], ['local6', 22], ['local7', 23],
]);

export interface DecodedSelector {
  terms: SelectorTerm[];
  /** Set when rsyslog would log "unknown priority/facility name"; `terms` then holds what it applied before. */
  error: string | null;
}

/** decodeSyslogName: a leading digit means a number (the whole word must be digits), else a case-insensitive name. */
function decodeName(word: string, table: ReadonlyMap<string, number>): number {
  if (/^[0-9]/.test(word)) return /^[0-9]+$/.test(word) ? Number.parseInt(word, 10) : -1;
  return table.get(word.toLowerCase()) ?? -1;
}

const isStop = (c: string | undefined, set: string): boolean => c === undefined || set.includes(c);

/** Decode a selector (no surrounding whitespace) into terms applied left to right. */
export function decodeSelector(text: string, loc: SourceLoc): DecodedSelector {
  const terms: SelectorTerm[] = [];
  let p = 0;
  while (p < text.length && text[p] !== ' ' && text[p] !== '\t') {
    // the facility list runs up to and including the first '.'
    let q = p;
    while (q < text.length && text[q] !== '\t') { if (text[q++] === '.') break; }
    let buf = '';
    while (!isStop(text[q], '\t ,;')) buf += text[q++];
    while (q < text.length && (text[q] === ',' || text[q] === ';')) q++;
    let ignore = false;
    if (buf.startsWith('!')) { ignore = true; buf = buf.slice(1); }
    const single = buf.startsWith('=');
    const priWord = single ? buf.slice(1) : buf;
    const none = priWord.toLowerCase() === 'none';
    const all = priWord === '*';
    const pri = none ? 0 : all ? 7 : decodeName(priWord, PRI_NAMES);
    if (pri < 0) return { terms, error: `unknown priority name "${buf}"` };
    const op: SelectorTerm['op'] = none ? (ignore ? 'ge' : 'none')
      : single ? (ignore ? 'ne' : 'eq') : (ignore ? 'lt' : 'ge');
    // `!none` selects everything (TABLE_ALLPRI) and `!*` nothing; both fit the same five ops.
    const sev = none && ignore ? 7 : pri > 7 ? 7 : pri;
    const effOp: SelectorTerm['op'] = all && ignore && !single ? 'none' : op;
    while (p < text.length && !isStop(text[p], '\t .;')) {
      let word = '';
      while (!isStop(text[p], '\t ,;.')) word += text[p++];
      let facilities: number[] | '*';
      if (word.startsWith('*')) facilities = '*';
      else {
        const code = decodeName(word, FAC_NAMES);
        if (code < 0) return { terms, error: `unknown facility name "${word}"` };
        // numeric facilities are LOG_xxx codes (facility << 3), as rsyslog indexes pmask[i >> 3]
        facilities = [/^[0-9]/.test(word) ? code >> 3 : code];
      }
      terms.push({ facilities, op: effOp, severity: sev, loc });
      while (text[p] === ',' || text[p] === ' ') p++;
    }
    p = q;
  }
  return { terms, error: null };
}

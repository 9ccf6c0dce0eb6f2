// rsyslog's config preprocessor (readConfFile in grammar/rainerscript.c): a line whose last non-blank character is
// a backslash continues on the next line, whose leading blanks are dropped. Every Debian ≤ 11 rsyslog.conf splits
// its catch-all selectors so (`*.=debug;\` + `\tauth,authpriv.none;\` + …).

const CONTINUED = /\\[ \t\r]*\n/;

/**
 * Join continued lines the way rsyslog does. Each joined line is followed by as many empty lines as it absorbed,
 * so the line numbers of everything after it stay those of the file (rsyslog emits PreprocFileLineNumber for
 * the same reason). Text without a continuation is returned as is.
 */
export function joinContinuationLines(text: string): string {
  if (!CONTINUED.test(text)) return text;
  const lines = text.split('\n');
  const out: string[] = [];
  let cur: string | null = null;
  let absorbed = 0;
  for (let i = 0; i < lines.length; i++) {
    let ln = lines[i];
    if (cur !== null) ln = ln.replace(/^\s+/, '');
    const trimmed = ln.replace(/[ \t\r]+$/, '');
    const isLast = i === lines.length - 1;
    if (trimmed.endsWith('\\') && !isLast) {
      cur = (cur ?? '') + trimmed.slice(0, -1);
      absorbed++;
      continue;
    }
    if (cur !== null) {
      out.push(cur + ln);
      for (let k = 0; k < absorbed; k++) out.push('');
      cur = null;
      absorbed = 0;
    } else out.push(ln);
  }
  if (cur !== null) out.push(cur, ...new Array<string>(absorbed).fill(''));
  return out.join('\n');
}

// POSIX basic/extended regular expressions (as rsyslog hands them to regcomp) translated once to JS RegExp.
// Differences that remain: JS picks the leftmost-first alternative, POSIX the leftmost-longest.

export class RegexTranslateError extends Error {
  readonly code = 'LW_ERR_TEMPLATE_REGEX';
}

const CLASSES: Record<string, string> = {
  alpha: 'A-Za-z', digit: '0-9', alnum: 'A-Za-z0-9', upper: 'A-Z', lower: 'a-z', space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t', punct: '!-\\/:-@\\[-`{-~', print: ' -~', graph: '!-~', cntrl: '\\x00-\\x1f\\x7f',
  xdigit: '0-9A-Fa-f', word: 'A-Za-z0-9_',
};

/** Translate a bracket expression starting at `i` ('['); returns the JS text and the index after ']'. */
function bracket(src: string, i: number): { text: string; next: number } {
  let j = i + 1;
  let out = '[';
  if (src[j] === '^') { out += '^'; j++; }
  if (src[j] === ']') { out += '\\]'; j++; }
  while (j < src.length && src[j] !== ']') {
    if (src[j] === '[' && src[j + 1] === ':') {
      const end = src.indexOf(':]', j + 2);
      if (end < 0) throw new RegexTranslateError(`unterminated character class at offset ${j}`);
      const cls = CLASSES[src.slice(j + 2, end)];
      if (cls === undefined) throw new RegexTranslateError(`unknown character class '${src.slice(j + 2, end)}'`);
      out += cls;
      j = end + 2;
      continue;
    }
    if (src[j] === '[' && (src[j + 1] === '.' || src[j + 1] === '=')) {
      const close = src[j + 1] + ']';
      const end = src.indexOf(close, j + 2);
      if (end < 0) throw new RegexTranslateError(`unterminated collating element at offset ${j}`);
      out += escapeInClass(src.slice(j + 2, end));
      j = end + 2;
      continue;
    }
    // In POSIX brackets a backslash is literal (regcomp(3)); JS needs it escaped.
    out += escapeInClass(src[j]!);
    j++;
  }
  if (j >= src.length) throw new RegexTranslateError(`unterminated bracket expression at offset ${i}`);
  return { text: out + ']', next: j + 1 };
}

function escapeInClass(s: string): string {
  return s.replace(/[\\\]\[^]/g, (c) => '\\' + c);
}

/** Translate a POSIX BRE (`ere` false) or ERE pattern to JS RegExp source. */
export function posixToJs(src: string, ere: boolean): string {
  let out = '';
  let i = 0;
  let atStart = true;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '[') {
      const b = bracket(src, i);
      out += b.text;
      i = b.next;
      atStart = false;
      continue;
    }
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) throw new RegexTranslateError('trailing backslash');
      i += 2;
      if (!ere && (n === '(' || n === ')' || n === '{' || n === '}' || n === '|')) {
        out += n === '(' ? '(' : n;
        atStart = n === '(' || n === '|';
        continue;
      }
      if (!ere && (n === '+' || n === '?')) { out += n; continue; } // GNU BRE extensions
      if (/[1-9]/.test(n)) { out += '\\' + n; atStart = false; continue; }
      if ('wWsSbB'.includes(n)) { out += '\\' + n; atStart = false; continue; } // GNU extensions
      out += /[A-Za-z0-9]/.test(n) ? n : '\\' + n;
      atStart = false;
      continue;
    }
    if (!ere && (c === '(' || c === ')' || c === '{' || c === '}' || c === '|' || c === '+' || c === '?')) {
      out += '\\' + c;
      i++;
      atStart = false;
      continue;
    }
    if (c === '*' && atStart) { out += '\\*'; i++; atStart = false; continue; }
    if (c === '/' ) { out += '\\/'; i++; atStart = false; continue; }
    out += c;
    atStart = c === '^' || (ere && (c === '(' || c === '|'));
    i++;
  }
  return out;
}

/** Compile a POSIX pattern; throws RegexTranslateError (code LW_ERR_TEMPLATE_REGEX) if it is invalid. */
export function compilePosix(src: string, ere: boolean): RegExp {
  const js = posixToJs(src, ere);
  try {
    return new RegExp(js);
  } catch (e) {
    throw new RegexTranslateError(`invalid regular expression '${src}': ${(e as Error).message}`);
  }
}

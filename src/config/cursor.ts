// A position in one config file's text, with the low-level lexing every part of the parser shares.
import type { SourceLoc } from './model';
import { E, type Reporter } from './diagnostics';

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_.\-]/;
/** Escapes the rsyslog lexer accepts inside quoted strings: \' \" \\ \$ \b \n \t \r, \xHH and \ooo. */
const SIMPLE_ESCAPES: Record<string, string> = {
  "'": "'", '"': '"', '\\': '\\', $: '$', b: '\b', n: '\n', t: '\t', r: '\r',
};

export class Cursor {
  pos = 0;
  private readonly lineStarts: number[] = [0];

  constructor(readonly file: string, readonly text: string, readonly rep: Reporter) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  /** 1-based line and column of a text offset. */
  loc(pos: number = this.pos): SourceLoc {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.file, line: lo + 1, col: pos - this.lineStarts[lo] + 1 };
  }

  eof(): boolean {
    return this.pos >= this.text.length;
  }

  peek(offset = 0): string {
    return this.text[this.pos + offset] ?? '';
  }

  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  /** Case-insensitive keyword test that also requires a word boundary after it. */
  atWord(word: string): boolean {
    const end = this.pos + word.length;
    if (this.text.slice(this.pos, end).toLowerCase() !== word) return false;
    return !NAME_CHAR.test(this.text[end] ?? '');
  }

  /** Only blanks between the start of this line and the cursor. */
  atLineStart(): boolean {
    for (let i = this.pos - 1; i >= 0; i--) {
      const c = this.text[i];
      if (c === '\n') return true;
      if (c !== ' ' && c !== '\t' && c !== '\r') return false;
    }
    return true;
  }

  skipBlanks(): void {
    while (this.peek() === ' ' || this.peek() === '\t' || this.peek() === '\r') this.pos++;
  }

  /** Skips whitespace, newlines, `# …` comments and `/* … *\/` comments. */
  skipWs(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') this.pos++;
      else if (c === '#') this.skipToEol();
      else if (c === '/' && this.peek(1) === '*') {
        const start = this.pos;
        const end = this.text.indexOf('*/', this.pos + 2);
        if (end === -1) {
          this.rep.error(E.UNTERMINATED, 'unterminated comment: `/*` has no closing `*/`', this.loc(start), {
            length: 2, hint: 'close the comment with `*/`',
          });
          this.pos = this.text.length;
        } else this.pos = end + 2;
      } else return;
    }
  }

  skipToEol(): void {
    const nl = this.text.indexOf('\n', this.pos);
    this.pos = nl === -1 ? this.text.length : nl;
  }

  /** The rest of the current line (without the newline); the cursor moves to the newline. */
  restOfLine(): string {
    const start = this.pos;
    this.skipToEol();
    return this.text.slice(start, this.pos).replace(/\r$/, '');
  }

  /** A name: letter or `_`, then letters, digits, `_`, `.`, `-`. */
  readName(): string | null {
    if (!NAME_START.test(this.peek())) return null;
    const start = this.pos;
    while (NAME_CHAR.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** A `"…"` or `'…'` string with rsyslog escapes; null (after an error) if malformed. */
  readQuoted(): string | null {
    const quote = this.peek();
    const start = this.pos;
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.peek();
      if (c === '' || c === '\n') {
        this.rep.error(E.UNTERMINATED, `unterminated string: missing closing ${quote}`, this.loc(start), {
          length: Math.max(1, this.pos - start), hint: `add the closing ${quote} on the same line`,
        });
        return null;
      }
      this.pos++;
      if (c === quote) return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const esc = this.readEscape();
      if (esc === null) return this.recoverString(quote);
      out += esc;
    }
  }

  private readEscape(): string | null {
    const at = this.pos - 1;
    const c = this.peek();
    if (c in SIMPLE_ESCAPES) {
      this.pos++;
      return SIMPLE_ESCAPES[c];
    }
    const hex = /^x([0-9a-fA-F]{2})/.exec(this.text.slice(this.pos, this.pos + 3));
    if (hex) {
      this.pos += 3;
      return String.fromCharCode(parseInt(hex[1], 16));
    }
    const oct = /^[0-7]{3}/.exec(this.text.slice(this.pos, this.pos + 3));
    if (oct) {
      this.pos += 3;
      return String.fromCharCode(parseInt(oct[0], 8) & 0xff);
    }
    this.rep.error(E.BAD_ESCAPE, `invalid escape sequence \`\\${c}\` in string`, this.loc(at), {
      length: 2, hint: 'rsyslog strings allow \\" \\\' \\\\ \\$ \\b \\n \\t \\r \\xHH and \\ooo; write \\\\ for a backslash',
    });
    return null;
  }

  /** After a bad escape, skip to the closing quote so parsing can go on. */
  private recoverString(quote: string): null {
    while (!this.eof() && this.peek() !== '\n') {
      const c = this.peek();
      this.pos += c === '\\' ? 2 : 1;
      if (c === quote) break;
    }
    return null;
  }

  /** `` `echo …` `` expands $VARS from the environment; `` `cat FILE` `` reads the file (trailing LF dropped). */
  readBacktick(readFile: (path: string) => string | null): string | null {
    const start = this.pos;
    const end = this.text.indexOf('`', this.pos + 1);
    const nl = this.text.indexOf('\n', this.pos + 1);
    if (end === -1 || (nl !== -1 && nl < end)) {
      this.rep.error(E.UNTERMINATED, 'unterminated backtick string', this.loc(start), { length: 1 });
      this.skipToEol();
      return null;
    }
    this.pos = end + 1;
    const cmd = this.text.slice(start + 1, end).trim();
    const m = /^(echo|cat)(?:\s+(.*))?$/s.exec(cmd);
    if (!m) {
      this.rep.error(E.BAD_VALUE, 'backtick strings support only `echo` and `cat`, as in rsyslog', this.loc(start), {
        length: end + 1 - start,
      });
      return null;
    }
    const arg = m[2] ?? '';
    if (m[1] === 'echo') return arg.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, v: string) => process.env[v] ?? '');
    const content = readFile(arg.trim());
    if (content === null) {
      this.rep.error(E.IO, `backtick \`cat ${arg.trim()}\`: cannot read the file`, this.loc(start), {
        length: end + 1 - start,
      });
      return null;
    }
    return content.replace(/\n$/, '');
  }

  /** Decimal, 0x hex or 0-prefixed octal integer, as rsyslog's lexer reads numbers. */
  readNumber(): number | null {
    const m = /^(0x[0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)(?![A-Za-z0-9_])/.exec(this.text.slice(this.pos, this.pos + 40));
    if (!m) return null;
    this.pos += m[0].length;
    const t = m[0];
    if (t.startsWith('0x') || t.startsWith('0X')) return parseInt(t.slice(2), 16);
    if (t.length > 1 && t.startsWith('0')) return parseInt(t.slice(1), 8);
    return parseInt(t, 10);
  }

  /** `$name`, `$!a!b`, `$.x`, `$/x`, `$$now`: returns the name with its prefix. */
  readVar(): string | null {
    if (this.peek() !== '$') return null;
    const start = this.pos;
    this.pos++;
    if ('!./$'.includes(this.peek()) && this.peek() !== '') this.pos++;
    while (/[A-Za-z0-9_\-!.@\[\]]/.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }
}

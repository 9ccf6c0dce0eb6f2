// Received bytes as JS strings without losing any: valid UTF-8 decodes as usual, and every byte that is not
// part of a valid UTF-8 sequence becomes the lone surrogate U+DC00+byte (Python's "surrogateescape"), so the
// writers can put the exact original bytes back. rsyslog never decodes: it keeps and writes bytes.
//
// Cost model: valid UTF-8 takes Node's native decoder plus one scan for U+FFFD; only a frame in which that
// scan hits is decoded by hand. Encoding checks for escapes only once some input ever produced one
// (`rawEscapesSeen`), so a server that never receives invalid UTF-8 pays nothing on the write path.

const REPLACEMENT = 0xfffd;
const ESC_BASE = 0xdc00;
/** A lone low surrogate in U+DC80..U+DCFF: an escaped byte 0x80..0xFF (a paired one is part of a real char). */
const LONE_ESCAPE = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;
const LONE_ESCAPE_G = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]+/g;
const NON_ASCII = /[^\x00-\x7f]/;

let seen = false;

/** True once any decoded input (or template constant) contained a byte that needed escaping. */
export function rawEscapesSeen(): boolean {
  return seen;
}

/** Record that escaped bytes exist in this process (template constants with 8-bit bytes call it). */
export function markRawEscapes(): void {
  seen = true;
}

/** The escape character standing for byte `b` (0x80..0xFF), e.g. for an 8-bit byte in a template constant. */
export function escapeByteChar(b: number): string {
  seen = true;
  return String.fromCharCode(ESC_BASE | b);
}

/** Length of the valid UTF-8 sequence starting at `i` (strict: no overlong, surrogate or > U+10FFFF), or 0. */
export function validSeqLen(b: Buffer, i: number, end: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  if (c < 0xc2) return 0;
  const c1 = i + 1 < end ? b[i + 1] : -1;
  if (c < 0xe0) return (c1 & 0xc0) === 0x80 ? 2 : 0;
  if (c < 0xf0) {
    if (c1 < 0 || (c1 & 0xc0) !== 0x80) return 0;
    if (c === 0xe0 && c1 < 0xa0) return 0; // overlong
    if (c === 0xed && c1 >= 0xa0) return 0; // UTF-16 surrogate
    const c2 = i + 2 < end ? b[i + 2] : -1;
    return c2 >= 0 && (c2 & 0xc0) === 0x80 ? 3 : 0;
  }
  if (c < 0xf5) {
    if (c1 < 0 || (c1 & 0xc0) !== 0x80) return 0;
    if (c === 0xf0 && c1 < 0x90) return 0; // overlong
    if (c === 0xf4 && c1 >= 0x90) return 0; // > U+10FFFF
    const c2 = i + 2 < end ? b[i + 2] : -1;
    const c3 = i + 3 < end ? b[i + 3] : -1;
    return c2 >= 0 && (c2 & 0xc0) === 0x80 && c3 >= 0 && (c3 & 0xc0) === 0x80 ? 4 : 0;
  }
  return 0;
}

/** The slow path: decode run by run, escaping each byte that does not start a valid sequence. */
function decodeEscaping(b: Buffer, start: number, end: number): string {
  let out = '';
  let runStart = start;
  let i = start;
  while (i < end) {
    const n = validSeqLen(b, i, end);
    if (n > 0) {
      i += n;
      continue;
    }
    if (i > runStart) out += b.toString('utf8', runStart, i);
    seen = true;
    out += String.fromCharCode(ESC_BASE | b[i]);
    i++;
    runStart = i;
  }
  if (end > runStart) out += b.toString('utf8', runStart, end);
  return out;
}

/** Decode bytes [start, end) of `b` losslessly (see the module comment). */
export function decodeRaw(b: Buffer, start = 0, end = b.length): string {
  const s = b.toString('utf8', start, end);
  if (s.indexOf('\ufffd') < 0) return s;
  // U+FFFD is either a real EF BF BD in the input or an invalid byte: only the slow path can tell.
  return decodeEscaping(b, start, end);
}

/** True when `s` holds escaped bytes (cheap when none were ever decoded). */
export function hasRawEscapes(s: string): boolean {
  return seen && LONE_ESCAPE.test(s);
}

/**
 * Encode `s` into `buf` from `offset` by hand: UTF-8, escaped bytes as themselves. `buf` needs 3 bytes per
 * UTF-16 unit. One pass without slicing (a regex split plus Buffer.concat cost twice as much on Latin-1 traffic).
 */
function encodeInto(buf: Buffer, s: string, offset: number): number {
  let o = offset;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[o++] = c;
    } else if (c < 0x800) {
      buf[o++] = 0xc0 | (c >> 6);
      buf[o++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      const cp = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      buf[o++] = 0xf0 | (cp >> 18);
      buf[o++] = 0x80 | ((cp >> 12) & 0x3f);
      buf[o++] = 0x80 | ((cp >> 6) & 0x3f);
      buf[o++] = 0x80 | (cp & 0x3f);
    } else if (c >= 0xdc80 && c <= 0xdcff) {
      buf[o++] = c & 0xff; // an escaped byte (a lone low surrogate: a paired one was taken above)
    } else if (c >= 0xd800 && c <= 0xdfff) {
      buf[o++] = 0xef; // any other lone surrogate: U+FFFD, as Buffer#write does
      buf[o++] = 0xbf;
      buf[o++] = 0xbd;
    } else {
      buf[o++] = 0xe0 | (c >> 12);
      buf[o++] = 0x80 | ((c >> 6) & 0x3f);
      buf[o++] = 0x80 | (c & 0x3f);
    }
  }
  return o - offset;
}

/** The bytes `s` stands for: UTF-8, with escaped bytes written back as themselves. */
export function encodeRaw(s: string): Buffer {
  if (!hasRawEscapes(s)) return Buffer.from(s, 'utf8');
  const buf = Buffer.allocUnsafe(s.length * 3);
  return buf.subarray(0, encodeInto(buf, s, 0));
}

/**
 * Write `s` into `buf` at `offset` as encodeRaw would; returns the bytes written. `buf` must have room for
 * 3 bytes per UTF-16 unit (as for Buffer#write).
 */
export function writeRaw(buf: Buffer, s: string, offset: number): number {
  if (!hasRawEscapes(s)) return buf.write(s, offset, 'utf8');
  return encodeInto(buf, s, offset);
}

/** Byte length of `s` as encodeRaw would write it. */
export function rawByteLength(s: string): number {
  if (!NON_ASCII.test(s)) return s.length;
  return hasRawEscapes(s) ? encodeRaw(s).length : Buffer.byteLength(s, 'utf8');
}

/** True when `s` is pure ASCII (then characters and bytes coincide). */
export function isAscii(s: string): boolean {
  return !NON_ASCII.test(s);
}

/**
 * Bytes [from, to) of the encoding of `s`, decoded back: cutting inside a multibyte character leaves its
 * bytes as escapes, so the writers output exactly the bytes rsyslog would.
 */
export function sliceBytes(s: string, from: number, to?: number): string {
  if (!NON_ASCII.test(s)) return s.slice(from, to);
  const b = encodeRaw(s);
  const end = to === undefined ? b.length : Math.min(to, b.length);
  if (from >= end) return '';
  return decodeRaw(b, from, end);
}

/** `s` with escaped bytes replaced by U+FFFD, for outputs that need well-formed text (store, JSON over HTTP). */
export function wellFormed(s: string): string {
  if (!hasRawEscapes(s)) return s;
  return s.replace(LONE_ESCAPE_G, (run) => String.fromCharCode(REPLACEMENT).repeat(run.length));
}

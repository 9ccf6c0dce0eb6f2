// The printable-ASCII prefix of a received chunk, decoded once: frames cut from it need neither the per-frame
// latin1 decode nor the per-frame `[^\x20-\x7f]` test (tcp-oc-3164 profile: latin1Slice + that regex were
// ~5% of the main thread). The optional addon native/lw_text.c finds the prefix with SSE2; without it a
// regular expression over the chunk's latin1 text gives the same answer.
import { join } from 'node:path';

interface NativeText {
  printableSpan(buf: Uint8Array): number;
}

/** The addon built by scripts/build-native.mjs, or null (not built, or LW_NO_NATIVE_TEXT=1 for tests). */
function loadNative(): NativeText | null {
  if (process.env.LW_NO_NATIVE_TEXT === '1') return null;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(join(__dirname, '..', '..', 'native', 'lw_text.node')) as NativeText;
  } catch {
    return null;
  }
}

const native: NativeText | null = loadNative();

/** A byte that is neither printable ASCII (0x20..0x7f) nor LF. */
// eslint-disable-next-line no-control-regex
const NOT_PRINTABLE_OR_LF = /[^\x20-\x7f\n]/;

/** The JavaScript path of printablePrefix (exported for the agreement test). */
export function printablePrefixJs(buf: Buffer): string {
  const text = buf.toString('latin1');
  const i = text.search(NOT_PRINTABLE_OR_LF);
  return i < 0 ? text : text.substring(0, i);
}

/**
 * The longest prefix of `buf` made only of printable ASCII bytes (0x20..0x7f) and LF, decoded as latin1 (one
 * character a byte, so byte offsets are character offsets). A frame lying inside it with no LF is printable
 * ASCII: its text is a substring, and it needs no sanitizing.
 */
export function printablePrefix(buf: Buffer): string {
  if (native === null) return printablePrefixJs(buf);
  const n = native.printableSpan(buf);
  return n === 0 ? '' : buf.toString('latin1', 0, n);
}

/** Whether the addon is in use (tests and the bench report it). */
export const nativePrintable = native !== null;

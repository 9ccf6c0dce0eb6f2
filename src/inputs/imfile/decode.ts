// Line decoders between the line splitter and the multi-line assembler: raw lines pass through; container
// (CRI, Docker json-file) and Zeek lines are unwrapped into text plus metadata for the message.
import type { Line } from './lines';
import type { SyslogTime } from '../../time';

/** What a decoder adds to a message besides its text. */
export interface LineMeta {
  /** Merged into the message's `$!` tree (e.g. {k8s: {...}} or {zeek: {...}}). */
  vars: Record<string, unknown> | null;
  /** Reported time taken from the record (CRI/Docker timestamp, Zeek ts). */
  time: SyslogTime | null;
  /** Overrides the input's severity (CRI/Docker stderr is not reclassified; reserved). */
  severity: number | null;
}

export interface Decoded extends Line {
  meta: LineMeta | null;
}

export interface LineDecoder {
  /** Decode one line; zero (header, partial) or more records go to `out`. */
  decode(line: Line, out: Decoded[]): void;
  /** Offset of the first line a held record started at (a CRI partial), for the saved position. */
  readonly pendingOffset: number | undefined;
  /** The file changed to a new one at the same path (rotation): forget per-file headers, keep partials. */
  newFile(): void;
  /** Lines to feed before reading from a non-zero offset (Zeek: the header), read from the file head. */
  readonly needsHeader: boolean;
}

export const rawDecoder: LineDecoder = {
  decode(line: Line, out: Decoded[]): void {
    out.push(line as Decoded);
  },
  pendingOffset: undefined,
  newFile(): void {},
  needsHeader: false,
};

/** Raw lines carry no metadata: a shared decoder object, no allocation per line. */
export function withMeta(line: Line, meta: LineMeta | null): Decoded {
  return { text: line.text, offset: line.offset, end: line.end, meta };
}

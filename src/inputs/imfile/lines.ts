// Pure pieces of file reading: split bytes into lines with their file offsets, and group lines into
// (multi-line) records as rsyslog imfile's readMode / startmsg.regex / endmsg.regex do.

const LF = 0x0a;
const CR = 0x0d;

/** One line without its LF (a CR before the LF is dropped too). */
export interface Line {
  text: string;
  /** File offset of the line's first byte. */
  offset: number;
  /** File offset just after the line's LF. */
  end: number;
}

/**
 * Splits a byte stream into lines. `carry` holds the bytes after the last LF; `carryOffset` is the file
 * offset of its first byte (the position to persist when nothing is pending).
 */
export class LineSplitter {
  private carry: Buffer | null = null;
  carryOffset: number;
  /** Lines longer than this are cut; the rest up to the LF is dropped (`discard`) or kept as further lines. */
  private readonly maxLine: number;
  private readonly discard: boolean;
  private discarding = false;

  constructor(startOffset: number, maxLine: number, discard: boolean) {
    this.carryOffset = startOffset;
    this.maxLine = maxLine;
    this.discard = discard;
  }

  /** Bytes `chunk` read at file offset `pos` (always carryOffset + carry length). */
  push(chunk: Buffer, out: Line[]): void {
    let buf = chunk;
    const base = this.carryOffset;
    if (this.carry !== null) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(LF, start);
      if (nl < 0) break;
      this.emit(buf, start, nl, base, out);
      start = nl + 1;
    }
    // Over-long partial line: cut it now so memory stays bounded.
    while (buf.length - start > this.maxLine) {
      const cut = start + this.maxLine;
      if (!this.discarding) out.push({ text: buf.toString('utf8', start, cut), offset: base + start, end: base + cut });
      this.discarding = this.discard;
      start = cut;
    }
    this.carryOffset = base + start;
    if (start < buf.length) this.carry = Buffer.from(buf.subarray(start));
  }

  private emit(buf: Buffer, start: number, nl: number, base: number, out: Line[]): void {
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    let end = nl;
    if (end > start && buf[end - 1] === CR) end--;
    if (end - start > this.maxLine) {
      out.push({ text: buf.toString('utf8', start, start + this.maxLine), offset: base + start, end: base + nl + 1 });
      if (!this.discard) {
        for (let s = start + this.maxLine; s < end; s += this.maxLine) {
          out.push({ text: buf.toString('utf8', s, Math.min(end, s + this.maxLine)), offset: base + s, end: base + nl + 1 });
        }
      }
      return;
    }
    out.push({ text: buf.toString('utf8', start, end), offset: base + start, end: base + nl + 1 });
  }

  /** The bytes after the last LF as a final line (file finished: rotated away or deleted), or null. */
  flushPartial(): Line | null {
    if (this.carry === null || this.carry.length === 0) return null;
    const text = this.carry.toString('utf8');
    const line: Line = { text, offset: this.carryOffset, end: this.carryOffset + this.carry.length };
    this.carryOffset += this.carry.length;
    this.carry = null;
    return line;
  }

  get pendingBytes(): number {
    return this.carry?.length ?? 0;
  }
}

export interface Record {
  text: string;
  offset: number;
  /** Offset just after the record's last line: everything before it is done once this record is submitted. */
  end: number;
}

export interface MultiLineOptions {
  readMode: number;
  startRegex: RegExp | null;
  endRegex: RegExp | null;
  /** Joiner between lines of one record: "\n", or "#012" with escapeLF. */
  joiner: string;
}

/** Groups lines into records. Single-line mode passes lines through. */
export class RecordAssembler {
  private pending: Line[] = [];
  private readonly o: MultiLineOptions;
  /** Time the last line was added, for readTimeout. */
  lastAdd = 0;

  constructor(o: MultiLineOptions) {
    this.o = o;
  }

  get multiLine(): boolean {
    return this.o.readMode !== 0 || this.o.startRegex !== null || this.o.endRegex !== null;
  }

  /** Offset of the first byte of the pending record, or undefined when none is pending. */
  get pendingOffset(): number | undefined {
    return this.pending.length > 0 ? this.pending[0].offset : undefined;
  }

  add(line: Line, out: Record[]): void {
    const o = this.o;
    if (o.startRegex !== null) {
      if (o.startRegex.test(line.text) && this.pending.length > 0) this.flush(out);
      this.pending.push(line);
    } else if (o.endRegex !== null) {
      this.pending.push(line);
      if (o.endRegex.test(line.text)) this.flush(out);
    } else if (o.readMode === 1) {
      // Paragraph mode: an empty line ends the record (and is not part of it).
      if (line.text.length === 0) {
        if (this.pending.length > 0) this.flush(out, line.end);
      } else this.pending.push(line);
    } else if (o.readMode === 2) {
      // Indented mode: a line starting with a space or tab continues the previous one.
      const c = line.text.charCodeAt(0);
      if (!(c === 0x20 || c === 0x09) && this.pending.length > 0) this.flush(out);
      this.pending.push(line);
    } else {
      out.push({ text: line.text, offset: line.offset, end: line.end });
      return;
    }
    this.lastAdd = Date.now();
  }

  /** Submit the pending record (readTimeout, end of file, stop with flush). */
  flush(out: Record[], end?: number): void {
    const p = this.pending;
    if (p.length === 0) return;
    this.pending = [];
    const text = p.length === 1 ? p[0].text : p.map((l) => l.text).join(this.o.joiner);
    out.push({ text, offset: p[0].offset, end: end ?? p[p.length - 1].end });
  }
}

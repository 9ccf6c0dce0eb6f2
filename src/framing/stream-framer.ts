// RFC 6587 frame splitter for one stream connection, rsyslog imtcp-compatible: per frame, a leading digit
// selects octet counting (§3.4.1), anything else LF-delimited non-transparent framing (§3.4.2).

/** Receives frames; set once per connection. A frame Buffer may share memory with the received chunk. */
export interface FrameHandler {
  onFrame(frame: Buffer): void;
  /** A framing problem the peer caused (bad octet count, oversize frame, incomplete frame at close). */
  onFramingError?(code: string, detail: string): void;
}

export interface FramerOptions {
  /** Longest frame delivered; longer ones are cut to this size (rsyslog maxMessageSize). */
  maxMessageSize: number;
  /** Accept octet-counted frames (imtcp SupportOctetCountedFraming, default on). */
  octetCounting: boolean;
  /**
   * true (default): the rest of an oversize frame is skipped (rsyslog discardTruncatedMsg="on").
   * false: the rest is delivered as further frames of at most maxMessageSize (rsyslog's default "split").
   * As rsyslog 8.2302 does (checked against rsyslogd over TCP, octet-counted and LF), the byte at each
   * split point is lost: the one that did not fit.
   */
  discardTruncated: boolean;
  /** An extra frame delimiter byte (imtcp AddtlFrameDelimiter, e.g. 0 for NUL), or -1 for none. */
  extraDelimiter: number;
  /** Octet counts above this are not trusted: the frame is read as LF-delimited (rsyslog MaxFrameSize). */
  maxFrameSize: number;
}

export const DEFAULT_FRAMER_OPTIONS: Readonly<FramerOptions> = Object.freeze({
  maxMessageSize: 8096,
  octetCounting: true,
  discardTruncated: false,
  extraDelimiter: -1,
  maxFrameSize: 200000,
});

const LF = 0x0a;
const SP = 0x20;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** rsyslog stops growing an octet count past this (it is then far above any sane MaxFrameSize). */
const OCTET_COUNT_CAP = 200_000_000;

const enum State { AtStart, InCount, InOctetFrame, InLfFrame, SkipOctets, SkipToDelimiter }

export const LW_ERR_FRAMING = 'LW_ERR_FRAMING';

/**
 * A piece kept across reads is copied when it is a small part of its received chunk, so that a peer sending
 * many tiny pieces cannot pin many whole read buffers: what a session holds stays near the bytes it keeps.
 */
function compact(piece: Buffer): Buffer {
  return piece.length * 4 < piece.buffer.byteLength ? Buffer.from(piece) : piece;
}
export const LW_ERR_OVERSIZE = 'LW_ERR_OVERSIZE';

export class StreamFramer {
  /** Frames delivered. */
  frames = 0;
  /** Frames cut to maxMessageSize. */
  truncated = 0;
  /** Octet-count errors and incomplete frames at end of stream. */
  framingErrors = 0;

  private readonly handler: FrameHandler;
  private readonly o: FramerOptions;
  private state = State.AtStart;
  /** Octets still to read in an octet-counted frame (or to skip). */
  private remaining = 0;
  /** Pieces of the current frame received in earlier chunks (copied together only at the end). */
  private pieces: Buffer[] = [];
  private pieceLen = 0;
  /**
   * Digits of the octet count as received (kept when the count turns out invalid, as rsyslog does), at most
   * maxMessageSize of them: a count that never ends (a stream of digits) costs no more memory than one message.
   */
  private countStart = 0;
  private countDigits: Buffer[] = [];
  private countKept = 0;
  /** The count already exceeds maxFrameSize: reported once, read as an LF frame at its end. */
  private countTooLong = false;
  /** Split mode: the next byte is the one that did not fit and is dropped (rsyslog). */
  private dropOne = false;

  constructor(handler: FrameHandler, opts: Partial<FramerOptions> = {}) {
    this.handler = handler;
    this.o = { ...DEFAULT_FRAMER_OPTIONS, ...opts };
  }

  /** Feed received bytes; complete frames are delivered synchronously. */
  push(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      switch (this.state) {
        case State.AtStart: i = this.atStart(chunk, i); break;
        case State.InCount: i = this.inCount(chunk, i); break;
        case State.InOctetFrame: i = this.inOctetFrame(chunk, i); break;
        case State.InLfFrame: i = this.inLfFrame(chunk, i); break;
        case State.SkipOctets: i = this.skipOctets(chunk, i); break;
        case State.SkipToDelimiter: i = this.skipToDelimiter(chunk, i); break;
      }
    }
    if (this.state === State.InCount && this.countStart < n) this.keepDigits(chunk.subarray(this.countStart));
    this.countStart = 0;
  }

  /**
   * End of stream: a final LF-delimited frame without its LF is delivered (rsyslog does); an incomplete
   * octet-counted frame is dropped and reported, as rsyslog does.
   */
  flush(): void {
    if (this.state === State.InLfFrame) {
      this.emitPieces();
    } else if (this.state === State.InOctetFrame || this.state === State.InCount) {
      this.framingErrors++;
      this.handler.onFramingError?.(LW_ERR_FRAMING, 'incomplete octet-counted frame at end of stream, dropped');
    }
    this.reset();
  }

  /** Bytes held for the frame in progress (partial frame and kept count digits); at most about maxMessageSize. */
  get bufferedBytes(): number {
    return this.pieceLen + this.countKept;
  }

  /** True when no partial frame is buffered. */
  get idle(): boolean {
    return this.state === State.AtStart;
  }

  private reset(): void {
    this.state = State.AtStart;
    this.dropOne = false;
    this.pieces = [];
    this.pieceLen = 0;
    this.remaining = 0;
    this.countDigits = [];
    this.countKept = 0;
    this.countTooLong = false;
  }

  private atStart(chunk: Buffer, i: number): number {
    const c = chunk[i];
    if (this.o.octetCounting && c >= DIGIT_0 && c <= DIGIT_9) {
      this.state = State.InCount;
      this.remaining = 0;
      this.countStart = i;
      // countDigits is empty here (inCount and reset() leave it so): no new array per frame.
      this.countTooLong = false;
      return this.inCount(chunk, i);
    }
    this.state = State.InLfFrame;
    return i;
  }

  /**
   * MSG-LEN SP (RFC 6587 §3.4.1). rsyslog consumes any non-digit as the separator, complaining if not SP. A count
   * that grows past maxFrameSize is reported once, when it does; its digits (up to maxMessageSize of them) then
   * start an LF-delimited frame at the separator, as rsyslog does however many digits come.
   */
  private inCount(chunk: Buffer, i: number): number {
    const n = chunk.length;
    while (i < n) {
      const c = chunk[i];
      if (c < DIGIT_0 || c > DIGIT_9) break;
      if (this.remaining <= OCTET_COUNT_CAP) this.remaining = this.remaining * 10 + c - DIGIT_0;
      i++;
    }
    if (!this.countTooLong && this.remaining > this.o.maxFrameSize) {
      this.countTooLong = true;
      this.framingError(`octet count exceeds MaxFrameSize ${this.o.maxFrameSize}, reading the frame as LF-delimited`);
    }
    if (i === n) return i;
    const sep = chunk[i];
    if (sep !== SP && !this.countTooLong) this.framingError(`octet count not followed by SP but by byte ${sep}`);
    if (this.remaining < 1 || this.countTooLong) {
      // rsyslog falls back to LF framing; the digits stay in the frame, the separator byte is dropped. Only
      // then are this chunk's digits kept (a valid count's were a view and a copy a frame: octet-counted
      // framing cost ~3× LF framing in the 3164 profile).
      if (this.countStart < i) this.keepDigits(chunk.subarray(this.countStart, i));
      this.countStart = n; // nothing left to keep from this chunk
      if (!this.countTooLong) this.framingError(`invalid octet count ${this.remaining}, reading the frame as LF-delimited`);
      const digits = this.countDigits;
      this.countDigits = [];
      this.countKept = 0;
      this.countTooLong = false;
      this.pieces = [];
      this.pieceLen = 0;
      for (const d of digits) this.addPiece(d);
      this.state = State.InLfFrame;
      return i + 1;
    }
    this.countStart = n;
    if (this.countKept !== 0) {
      this.countDigits = [];
      this.countKept = 0;
    }
    this.state = State.InOctetFrame;
    return this.remaining <= n - i - 1 ? this.inOctetFrame(chunk, i + 1) : i + 1;
  }

  /** Keep count digits for a possible LF fallback, up to maxMessageSize of them. */
  private keepDigits(digits: Buffer): void {
    const room = this.o.maxMessageSize - this.countKept;
    if (room <= 0) return;
    const kept = compact(digits.subarray(0, room));
    this.countDigits.push(kept);
    this.countKept += kept.length;
  }

  private inOctetFrame(chunk: Buffer, i: number): number {
    if (this.dropOne) {
      this.dropOne = false;
      if (--this.remaining === 0) this.state = State.AtStart;
      return i + 1;
    }
    const take = Math.min(this.remaining, chunk.length - i);
    const room = this.o.maxMessageSize - this.pieceLen;
    if (take > room) {
      // Oversize: deliver what fits now, then skip or split the rest of this frame.
      this.addPiece(chunk.subarray(i, i + room));
      this.remaining -= room;
      this.emitTruncated();
      if (this.o.discardTruncated) this.state = State.SkipOctets;
      else this.dropOne = true;
      return i + room;
    }
    this.remaining -= take;
    if (this.remaining === 0) {
      if (this.pieceLen === 0) this.deliver(chunk.subarray(i, i + take));
      else {
        this.addPiece(chunk.subarray(i, i + take));
        this.emitPieces();
      }
      this.state = State.AtStart;
    } else {
      this.addPiece(chunk.subarray(i, i + take));
    }
    return i + take;
  }

  private inLfFrame(chunk: Buffer, i: number): number {
    if (this.dropOne) {
      this.dropOne = false;
      const c = chunk[i];
      if (c === LF || c === this.o.extraDelimiter) this.state = State.AtStart;
      return i + 1;
    }
    const end = this.findDelimiter(chunk, i);
    const stop = end < 0 ? chunk.length : end;
    const room = this.o.maxMessageSize - this.pieceLen;
    if (stop - i > room) {
      this.addPiece(chunk.subarray(i, i + room));
      this.emitTruncated();
      if (this.o.discardTruncated) {
        if (end < 0) {
          this.state = State.SkipToDelimiter;
          return chunk.length;
        }
        this.state = State.AtStart;
        return end + 1;
      }
      this.dropOne = true;
      return i + room; // split: the rest (less one byte) continues as a new LF frame
    }
    if (end < 0) {
      if (stop > i) this.addPiece(chunk.subarray(i, stop));
      return chunk.length;
    }
    if (this.pieceLen === 0) {
      if (end > i) this.deliver(chunk.subarray(i, end)); // empty frames are dropped, as rsyslog does
    } else {
      if (end > i) this.addPiece(chunk.subarray(i, end));
      this.emitPieces();
    }
    this.state = State.AtStart;
    return end + 1;
  }

  private skipOctets(chunk: Buffer, i: number): number {
    const take = Math.min(this.remaining, chunk.length - i);
    this.remaining -= take;
    if (this.remaining === 0) this.state = State.AtStart;
    return i + take;
  }

  private skipToDelimiter(chunk: Buffer, i: number): number {
    const end = this.findDelimiter(chunk, i);
    if (end < 0) return chunk.length;
    this.state = State.AtStart;
    return end + 1;
  }

  private findDelimiter(chunk: Buffer, from: number): number {
    const lf = chunk.indexOf(LF, from);
    if (this.o.extraDelimiter < 0) return lf;
    const extra = chunk.indexOf(this.o.extraDelimiter, from);
    if (extra < 0) return lf;
    return lf < 0 || extra < lf ? extra : lf;
  }

  private addPiece(piece: Buffer): void {
    if (piece.length === 0) return;
    this.pieces.push(compact(piece));
    this.pieceLen += piece.length;
  }

  private emitPieces(): void {
    const frame = this.pieces.length === 1 ? this.pieces[0] : Buffer.concat(this.pieces, this.pieceLen);
    this.pieces = [];
    this.pieceLen = 0;
    if (frame.length > 0) this.deliver(frame);
  }

  private emitTruncated(): void {
    this.truncated++;
    this.handler.onFramingError?.(LW_ERR_OVERSIZE, `frame longer than maxMessageSize ${this.o.maxMessageSize}, truncated`);
    this.emitPieces();
  }

  private deliver(frame: Buffer): void {
    this.frames++;
    this.handler.onFrame(frame);
  }

  private framingError(detail: string): void {
    this.framingErrors++;
    this.handler.onFramingError?.(LW_ERR_FRAMING, detail);
  }
}

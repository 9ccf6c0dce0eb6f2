// A byte-at-a-time model of rsyslog's imtcp framing (RFC 6587 octet counting with the LF fallback, LF framing,
// maxMessageSize cut or split, MaxFrameSize, AddtlFrameDelimiter), written from the rules as the comments of
// src/framing/stream-framer.ts state them and not from its code: one switch per byte, no slicing, no fast
// paths. The property test in fast-framer.test.ts runs both on the same random chunked input.
import type { FramerOptions } from '../../../src/framing/stream-framer';

const LF = 0x0a;
const SP = 0x20;
const OCTET_COUNT_CAP = 200_000_000;

export interface ModelHandler {
  onFrame(frame: Buffer): void;
  onFramingError(code: string, detail: string): void;
}

type State = 'start' | 'count' | 'octets' | 'lf' | 'skipOctets' | 'skipToDelimiter';

export class FramerModel {
  frames = 0;
  truncated = 0;
  framingErrors = 0;
  private state: State = 'start';
  private piece: number[] = [];
  private digits: number[] = [];
  private count = 0;
  private countTooLong = false;
  private remaining = 0;

  constructor(private readonly h: ModelHandler, private readonly o: FramerOptions) {}

  get bufferedBytes(): number {
    return this.piece.length + (this.state === 'count' ? this.digits.length : 0);
  }

  get idle(): boolean {
    return this.state === 'start';
  }

  push(chunk: Buffer): void {
    for (const b of chunk) this.byte(b);
  }

  flush(): void {
    if (this.state === 'lf') this.emit();
    else if (this.state === 'octets' || this.state === 'count') this.error('incomplete octet-counted frame at end of stream, dropped');
    this.state = 'start';
    this.piece = [];
    this.digits = [];
  }

  private isDelimiter(b: number): boolean {
    return b === LF || b === this.o.extraDelimiter;
  }

  private byte(b: number): void {
    switch (this.state) {
      case 'start':
        if (this.o.octetCounting && b >= 0x30 && b <= 0x39) {
          this.state = 'count';
          this.count = 0;
          this.countTooLong = false;
          this.digits = [];
          this.countByte(b);
        } else {
          this.state = 'lf';
          this.lfByte(b);
        }
        return;
      case 'count': return this.countByte(b);
      case 'octets': return this.octetByte(b);
      case 'lf': return this.lfByte(b);
      case 'skipOctets':
        if (--this.remaining === 0) this.state = 'start';
        return;
      case 'skipToDelimiter':
        if (this.isDelimiter(b)) this.state = 'start';
        return;
    }
  }

  private countByte(b: number): void {
    if (b >= 0x30 && b <= 0x39) {
      if (this.count <= OCTET_COUNT_CAP) this.count = this.count * 10 + b - 0x30;
      if (this.digits.length < this.o.maxMessageSize) this.digits.push(b);
      if (!this.countTooLong && this.count > this.o.maxFrameSize) {
        this.countTooLong = true;
        this.error(`octet count exceeds MaxFrameSize ${this.o.maxFrameSize}, reading the frame as LF-delimited`);
      }
      return;
    }
    // the separator: consumed whatever it is
    if (b !== SP && !this.countTooLong) this.error(`octet count not followed by SP but by byte ${b}`);
    if (this.count < 1 || this.countTooLong) {
      if (!this.countTooLong) this.error(`invalid octet count ${this.count}, reading the frame as LF-delimited`);
      this.piece = this.digits;
      this.digits = [];
      this.state = 'lf';
      return;
    }
    this.digits = [];
    this.remaining = this.count;
    this.state = 'octets';
  }

  private octetByte(b: number): void {
    if (this.piece.length === this.o.maxMessageSize) {
      this.emitTruncated();
      // This byte, the one that did not fit, is lost either way; with discardTruncated the rest of the frame too.
      if (--this.remaining === 0) this.state = 'start';
      else if (this.o.discardTruncated) this.state = 'skipOctets';
      return;
    }
    this.piece.push(b);
    if (--this.remaining === 0) {
      this.emit();
      this.state = 'start';
    }
  }

  private lfByte(b: number): void {
    if (this.isDelimiter(b)) {
      this.emit(); // an empty frame is not delivered
      this.state = 'start';
      return;
    }
    if (this.piece.length === this.o.maxMessageSize) {
      this.emitTruncated();
      if (this.o.discardTruncated) this.state = 'skipToDelimiter';
      // split: this byte, the one that did not fit, is lost
      return;
    }
    this.piece.push(b);
  }

  private emit(): void {
    const p = this.piece;
    this.piece = [];
    if (p.length === 0) return;
    this.frames++;
    this.h.onFrame(Buffer.from(p));
  }

  private emitTruncated(): void {
    this.truncated++;
    this.h.onFramingError('LW_ERR_OVERSIZE', `frame longer than maxMessageSize ${this.o.maxMessageSize}, truncated`);
    this.emit();
  }

  private error(detail: string): void {
    this.framingErrors++;
    this.h.onFramingError('LW_ERR_FRAMING', detail);
  }
}

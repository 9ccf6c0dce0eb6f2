// RELP framing (librelp doc/relp.md): `TXNR SP COMMAND SP DATALEN [SP DATA] LF`. An incremental parser over
// Buffers with bounded memory (DATA above maxDataSize is skipped, never buffered), and the frame encoder.
// Shared by the imrelp input (server side) and the omrelp action (client side); knows nothing of sockets.

/** TXNR and DATALEN are 1*9DIGIT. */
const MAX_DIGITS = 9;
/** COMMAND is 1*32ALPHA. */
const MAX_COMMAND = 32;
/** Transaction numbers run 1 … 999,999,999 and then wrap to 1 (0 is reserved for hints). */
export const MAX_TXNR = 999_999_999;

const SP = 0x20;
const LF = 0x0a;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

export const LW_ERR_RELP_FRAME = 'LW_ERR_RELP_FRAME';

export interface RelpFrame {
  txnr: number;
  command: string;
  /** DATA (possibly cut to maxDataSize; then `truncated` is true). Shares memory with the read when it can. */
  data: Buffer;
  /** DATALEN as sent. */
  dataLen: number;
  truncated: boolean;
}

export interface RelpFrameHandler {
  onFrame(frame: RelpFrame): void;
}

/** A framing error: the peer does not speak RELP (or not correctly); the session must be closed. */
export class RelpFrameError extends Error {
  readonly code = LW_ERR_RELP_FRAME;
}

const enum State { Txnr, Command, DataLen, AfterZeroLen, Data, Trailer }

/**
 * Splits a byte stream into RELP frames. `maxDataSize` bounds what one frame may hold in memory; longer DATA
 * is skipped (the frame is delivered cut, `truncated` set) unless `oversize` is "abort" (then push throws).
 */
export class RelpFrameParser {
  private state = State.Txnr;
  private txnr = 0;
  private digits = 0;
  private command = '';
  private dataLen = 0;
  /** DATA bytes still to come. */
  private remaining = 0;
  private pieces: Buffer[] = [];
  private kept = 0;
  /** Bytes of the current frame's DATA to keep (≤ maxDataSize). */
  private keep = 0;

  constructor(private readonly handler: RelpFrameHandler, private readonly maxDataSize: number, private readonly oversize: 'truncate' | 'abort' = 'truncate') {}

  /** True between frames (nothing partial buffered). */
  get idle(): boolean {
    return this.state === State.Txnr && this.digits === 0;
  }

  /** Feed bytes; complete frames are delivered synchronously. Throws RelpFrameError on malformed input. */
  push(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      switch (this.state) {
        case State.Txnr: {
          const c = chunk[i++];
          if (c >= DIGIT_0 && c <= DIGIT_9) {
            if (++this.digits > MAX_DIGITS) throw this.error('transaction number longer than 9 digits');
            this.txnr = this.txnr * 10 + (c - DIGIT_0);
          } else if (c === SP && this.digits > 0) {
            this.state = State.Command;
            this.command = '';
          } else throw this.error(`expected a transaction number, got byte 0x${c.toString(16)}`);
          break;
        }
        case State.Command: {
          const c = chunk[i++];
          if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) {
            if (this.command.length >= MAX_COMMAND) throw this.error('command longer than 32 letters');
            this.command += String.fromCharCode(c);
          } else if (c === SP && this.command.length > 0) {
            this.state = State.DataLen;
            this.digits = 0;
            this.dataLen = 0;
          } else throw this.error(`invalid byte 0x${c.toString(16)} in command`);
          break;
        }
        case State.DataLen: {
          const c = chunk[i++];
          if (c >= DIGIT_0 && c <= DIGIT_9) {
            if (++this.digits > MAX_DIGITS) throw this.error('DATALEN longer than 9 digits');
            this.dataLen = this.dataLen * 10 + (c - DIGIT_0);
          } else if (this.digits === 0) {
            throw this.error(`expected DATALEN, got byte 0x${c.toString(16)}`);
          } else if (c === LF && this.dataLen === 0) {
            this.emit(Buffer.alloc(0), false);
          } else if (c === SP) {
            if (this.dataLen === 0) this.state = State.AfterZeroLen;
            else this.startData();
          } else throw this.error(`invalid byte 0x${c.toString(16)} after DATALEN`);
          break;
        }
        case State.AfterZeroLen: {
          // "N cmd 0 " + LF: tolerated (no data follows a zero DATALEN).
          if (chunk[i++] !== LF) throw this.error('DATALEN 0 but data follows');
          this.emit(Buffer.alloc(0), false);
          break;
        }
        case State.Data: {
          const take = Math.min(this.remaining, n - i);
          const keepNow = Math.min(take, this.keep - this.kept);
          if (keepNow > 0) {
            this.pieces.push(chunk.subarray(i, i + keepNow));
            this.kept += keepNow;
          }
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = State.Trailer;
          break;
        }
        case State.Trailer: {
          if (chunk[i++] !== LF) throw this.error(`frame ${this.txnr} ${this.command}: trailer is not LF (DATALEN ${this.dataLen} wrong?)`);
          // One piece: a view of the read (no copy); a frame that straddled reads is copied together once.
          const data = this.pieces.length === 1 ? this.pieces[0] : Buffer.concat(this.pieces, this.kept);
          this.emit(data, this.dataLen > this.keep);
          break;
        }
      }
    }
  }

  private startData(): void {
    if (this.dataLen > this.maxDataSize && this.oversize === 'abort') {
      throw this.error(`frame ${this.txnr} ${this.command}: DATALEN ${this.dataLen} exceeds maxDataSize ${this.maxDataSize}`);
    }
    this.keep = Math.min(this.dataLen, this.maxDataSize);
    this.remaining = this.dataLen;
    this.kept = 0;
    this.pieces = [];
    this.state = State.Data;
  }

  private emit(data: Buffer, truncated: boolean): void {
    const frame: RelpFrame = { txnr: this.txnr, command: this.command, data, dataLen: this.dataLen, truncated };
    this.state = State.Txnr;
    this.txnr = 0;
    this.digits = 0;
    this.pieces = [];
    this.kept = 0;
    this.handler.onFrame(frame);
  }

  private error(what: string): RelpFrameError {
    return new RelpFrameError(`malformed RELP frame: ${what}`);
  }
}

/** Encode one frame. */
export function encodeFrame(txnr: number, command: string, data?: Buffer | string): Buffer {
  const body = data === undefined ? Buffer.alloc(0) : typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (body.length === 0) return Buffer.from(`${txnr} ${command} 0\n`, 'latin1');
  const head = Buffer.from(`${txnr} ${command} ${body.length} `, 'latin1');
  return Buffer.concat([head, body, Buffer.of(LF)], head.length + body.length + 1);
}

/** Next transaction number after `txnr` (wraps 999,999,999 → 1). */
export function nextTxnr(txnr: number): number {
  return txnr >= MAX_TXNR ? 1 : txnr + 1;
}

/** Offers of an `open` command or its response: `name=value` lines (values comma-separated). */
export function parseOffers(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq < 0) m.set(line.trim(), '');
    else m.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return m;
}

/** A response's status line: `200 OK` → {code: 200, text: "OK", rest: offers after the first LF}. */
export function parseRsp(data: Buffer): { code: number; text: string; rest: string } {
  const s = data.toString('utf8');
  const lf = s.indexOf('\n');
  const head = lf < 0 ? s : s.slice(0, lf);
  const m = /^(\d{3})(?: (.*))?$/.exec(head);
  return { code: m ? Number(m[1]) : 0, text: m ? (m[2] ?? '') : head, rest: lf < 0 ? '' : s.slice(lf + 1) };
}

export const RELP_VERSION = '0';
export const RELP_SOFTWARE = 'logwarden,1,https://github.com/logwarden';

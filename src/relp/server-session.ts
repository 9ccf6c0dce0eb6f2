// One RELP server session (imrelp side): frames → `open` handshake, `syslog` messages parsed and submitted,
// `close`. Every `rsp` is written only after the messages it acknowledges were submitted to the sink (the
// acceptance point, as imrelp's). A congested sink pauses reading, so the sender's window fills and it waits.
import type { Duplex } from 'node:stream';
import type { MessageSink } from '../components';
import type { Logger } from '../log';
import { Message, type Origin } from '../message';
import { parseSyslog } from '../parse/index';
import type { ParseOptions } from '../parse/options';
import { SyslogTime } from '../time';
import { encodeFrame, parseOffers, RELP_SOFTWARE, RELP_VERSION, RelpFrameError, RelpFrameParser, type RelpFrame, type RelpFrameHandler } from './frame';

/** How long a stopping session waits for the peer to close after our serverclose before cutting it. */
export const RELP_STOP_GRACE_MS = 2000;
/**
 * Acknowledgements a peer has not read yet, in bytes, above which its session stops reading until they drain:
 * a client that sends without reading its `rsp` frames cannot grow the server's write buffer without bound.
 */
export const RELP_MAX_UNREAD_REPLY_BYTES = 1024 * 1024;

const SERVERCLOSE = encodeFrame(0, 'serverclose');
const SERVERCLOSE_TEXT = SERVERCLOSE.toString('latin1');

export interface RelpSessionOptions {
  maxDataSize: number;
  oversize: 'truncate' | 'abort';
  parse: ParseOptions;
  logger: Logger;
  onClose: () => void;
}

export type RelpSocket = Duplex & { remotePort?: number };

export class RelpServerSession implements RelpFrameHandler {
  /** Messages submitted. */
  submitted = 0;
  /** syslog frames cut to maxDataSize. */
  truncated = 0;
  private readonly parser: RelpFrameParser;
  private opened = false;
  private closing = false;
  /** A framing error ended the session: nothing more is read. */
  private dead = false;
  private closed = false;
  private waitingForDrain = false;
  /** Reading is paused until the peer reads its acknowledgements (RELP_MAX_UNREAD_REPLY_BYTES). */
  private replyBlocked = false;
  private batch: Message[] = [];
  /** Responses not yet written (ASCII frames), in command order. */
  private replies = '';
  /**
   * Acknowledgements wait until what they acknowledge is safe (MessageSink.settle: finished by the actions or
   * on a disk queue), in order: each flush chains after the previous one.
   */
  private acks: Promise<void> = Promise.resolve();
  private acksPending = 0;
  /** abort() was called: acknowledge nothing more. */
  private aborted = false;
  private now = SyslogTime.now();
  private stopTimer: NodeJS.Timeout | null = null;
  private readonly closeWaiters: Array<() => void> = [];

  constructor(private readonly socket: RelpSocket, private readonly origin: Origin, private readonly sink: MessageSink, private readonly o: RelpSessionOptions) {
    this.parser = new RelpFrameParser(this, o.maxDataSize, o.oversize);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => { this.flush(); if (!socket.writableEnded) socket.end(); });
    socket.on('error', (err: Error) => o.logger.debug('LW_RELP_SOCKET_ERROR', 'RELP connection error', { input: origin.inputname, peer: this.peer(), error: err.message }));
    socket.on('close', () => this.onSocketClose());
  }

  peer(): string {
    return `${this.origin.fromhostIp}:${this.socket.remotePort ?? ''}`;
  }

  onFrame(f: RelpFrame): void {
    if (this.closing) return; // nothing may follow `close`
    switch (f.command) {
      case 'syslog': {
        if (!this.opened) throw new RelpFrameError(`syslog command (txnr ${f.txnr}) before open`);
        if (f.truncated) {
          this.truncated++;
          this.o.logger.notice('LW_RELP_TRUNCATED', 'RELP message longer than maxDataSize was truncated', { input: this.origin.inputname, peer: this.peer(), dataLen: f.dataLen, maxDataSize: this.o.maxDataSize });
        }
        const msg = new Message(f.data, this.origin, this.now);
        parseSyslog(f.data, msg, this.o.parse);
        this.batch.push(msg);
        this.replies += `${f.txnr} rsp 6 200 OK\n`;
        return;
      }
      case 'open': {
        if (this.opened) throw new RelpFrameError(`second open (txnr ${f.txnr})`);
        const offers = parseOffers(f.data.toString('utf8'));
        if (!offers.has('relp_version')) {
          this.replies += encodeFrame(f.txnr, 'rsp', '500 required offer relp_version missing').toString('latin1');
          this.closing = true;
          return;
        }
        const cmds = (offers.get('commands') ?? '').split(',').map((c) => c.trim());
        this.opened = true;
        // A client that sends no `commands` offer at all gets syslog (the only command there is to offer).
        const ours = !offers.has('commands') || cmds.includes('syslog') ? 'syslog' : '';
        this.replies += encodeFrame(f.txnr, 'rsp', `200 OK\nrelp_version=${RELP_VERSION}\nrelp_software=${RELP_SOFTWARE}\ncommands=${ours}\n`).toString('latin1');
        return;
      }
      case 'close':
        this.replies += `${f.txnr} rsp 0\n${SERVERCLOSE_TEXT}`;
        this.closing = true;
        return;
      default:
        if (f.txnr === 0) return; // a hint from the client: never answered
        if (!this.opened) throw new RelpFrameError(`command "${f.command}" before open`);
        this.replies += encodeFrame(f.txnr, 'rsp', `500 command ${f.command} not supported`).toString('latin1');
    }
  }

  /** Stop: submit and acknowledge what was read, send serverclose, end; cut the socket after a grace period. */
  stop(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    if (!this.stopTimer) {
      this.flush();
      this.afterAcks(() => { if (!this.socket.writableEnded) this.socket.end(SERVERCLOSE); });
      this.stopTimer = setTimeout(() => this.socket.destroy(), RELP_STOP_GRACE_MS);
      this.stopTimer.unref();
      if (this.waitingForDrain || this.replyBlocked) this.socket.resume();
    }
    return done;
  }

  /** Drop the session at once, acknowledging nothing more (a receiver crash, for tests). */
  abort(): void {
    this.dead = true;
    this.aborted = true;
    this.batch = [];
    this.replies = '';
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.stopTimer || this.dead) return; // stopping: what arrives now is not acknowledged, the sender resends it
    this.now = SyslogTime.now();
    try {
      this.parser.push(chunk);
    } catch (e) {
      // Acknowledge what was complete before the bad frame, then drop the session (RELP: the detecting peer closes).
      this.flush();
      this.o.logger.warn((e as RelpFrameError).code ?? 'LW_ERR_RELP_FRAME', `RELP session closed: ${(e as Error).message}`, { input: this.origin.inputname, peer: this.peer() });
      this.dead = true;
      this.afterAcks(() => { if (!this.socket.writableEnded) this.socket.end(SERVERCLOSE); });
      setTimeout(() => this.socket.destroy(), RELP_STOP_GRACE_MS).unref();
      return;
    }
    this.flush();
  }

  /**
   * Submit the batch, then write the replies that acknowledge it (one write) once the sink says the batch is
   * safe: an acknowledged message survives a SIGKILL of this process (rsyslog's imrelp acknowledges once the
   * message is in its in-memory main queue, which a crash loses).
   */
  private flush(): void {
    let safe: Promise<void> | undefined;
    if (this.batch.length > 0) {
      const batch = this.batch;
      this.batch = [];
      this.submitted += batch.length;
      this.sink.submit(batch);
      safe = this.sink.settle?.();
    }
    const replies = this.replies;
    this.replies = '';
    const closing = this.closing;
    const write = (): void => {
      if (this.aborted) return;
      if (replies.length > 0 && !this.socket.writableEnded && !this.socket.destroyed) {
        this.socket.write(replies, 'latin1');
        if (!this.replyBlocked && this.socket.writableLength > RELP_MAX_UNREAD_REPLY_BYTES) this.blockUntilRead();
      }
      if (closing && !this.socket.writableEnded) this.socket.end();
    };
    if (safe === undefined && this.acksPending === 0) write();
    else if (safe === undefined) this.afterAcks(write);
    else {
      const wait = safe;
      this.acksPending++;
      this.acks = this.acks.then(() => wait).then(() => { this.acksPending--; write(); });
    }
    if (this.sink.congested && !this.waitingForDrain && !this.closed && !this.stopTimer) {
      this.waitingForDrain = true;
      this.socket.pause();
      this.sink.onceDrained(() => { this.waitingForDrain = false; if (!this.closed && !this.replyBlocked) this.socket.resume(); });
    }
  }

  private blockUntilRead(): void {
    this.replyBlocked = true;
    this.socket.pause();
    this.socket.once('drain', () => {
      this.replyBlocked = false;
      if (!this.closed && !this.waitingForDrain) this.socket.resume();
    });
  }

  /** Run `fn` after every acknowledgement queued so far was written. */
  private afterAcks(fn: () => void): void {
    if (this.acksPending === 0) { fn(); return; }
    this.acksPending++;
    this.acks = this.acks.then(() => { this.acksPending--; fn(); });
  }

  private onSocketClose(): void {
    if (this.closed) return;
    this.closed = true;
    // Messages read but not acknowledged (socket died mid-read) are still submitted: the sender will resend
    // them too, which is RELP's at-least-once duplicate window.
    if (this.batch.length > 0) { this.submitted += this.batch.length; this.sink.submit(this.batch); this.batch = []; }
    if (this.stopTimer) clearTimeout(this.stopTimer);
    this.o.onClose();
    for (const w of this.closeWaiters.splice(0)) w();
  }
}

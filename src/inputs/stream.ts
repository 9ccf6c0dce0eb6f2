// One stream connection (TCP, TLS, unix stream): read → frame (RFC 6587) → parse → submit in batches,
// with backpressure from the sink; plus a tracker that stops a server's sessions gracefully.
import type * as net from 'node:net';
import type { Duplex } from 'node:stream';
import type { MessageSink } from '../components';
import type { Logger } from '../log';
import { Message, Origin } from '../message';
import { SyslogTime } from '../time';
import { FrameHandler, FramerOptions, StreamFramer } from '../framing/stream-framer';
import { parseSyslog } from '../parse/index';
import { printablePrefix } from '../util/printable';
import type { ParseOptions } from '../parse/options';

/**
 * How long a stopping session keeps reading after our FIN, waiting for the peer to close, before cutting it.
 * Cutting a connection loses what the peer's kernel had already accepted from it, so this errs long: a sender
 * that finishes its stream within it loses nothing (rsyslog cuts at once).
 */
export const STOP_GRACE_MS = 5000;

export interface StreamOptions {
  maxMessageSize: number;
  parse: ParseOptions;
  logger: Logger;
  onClose?: () => void;
  /** Framing options beyond maxMessageSize (octet counting, truncation mode, extra delimiter). */
  framing?: Partial<FramerOptions>;
  /**
   * A plain listener: a connection whose first bytes are a TLS handshake record (0x16 0x03) is a TLS sender on
   * the wrong port; this is called once, the connection is closed and nothing from it is stored.
   */
  onTlsClientHello?: () => void;
}

/** TLS record type "handshake" and the major version byte of every TLS/SSLv3 record. */
const TLS_HANDSHAKE = 0x16;
const TLS_MAJOR = 0x03;

/** A socket-like stream: anything Duplex that knows its peer. */
export type StreamSocket = Duplex & { remoteAddress?: string; remotePort?: number };

export class StreamSession implements FrameHandler {
  /** Messages submitted so far. */
  submitted = 0;
  readonly framer: StreamFramer;
  private readonly socket: StreamSocket;
  private readonly origin: Origin;
  private readonly sink: MessageSink;
  private readonly opts: StreamOptions;
  private batch: Message[] = [];
  private now: SyslogTime = SyslogTime.now();
  private waitingForDrain = false;
  private closed = false;
  private stopTimer: NodeJS.Timeout | null = null;
  private readonly closeWaiters: Array<() => void> = [];
  /** Still to check whether the stream starts with a TLS record (plain listeners only). */
  private sniff: boolean;
  /** The chunk being framed: its memory, offset in it, and its printable prefix as text (util/printable.ts). */
  private chunkMemory: ArrayBufferLike | null = null;
  private chunkOffset = 0;
  private chunkText = '';

  constructor(socket: StreamSocket, origin: Origin, sink: MessageSink, opts: StreamOptions) {
    this.socket = socket;
    this.origin = origin;
    this.sink = sink;
    this.opts = opts;
    this.framer = new StreamFramer(this, { ...opts.framing, maxMessageSize: opts.maxMessageSize });
    this.sniff = opts.onTlsClientHello !== undefined;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('error', (err: Error) => this.onError(err));
    socket.on('close', () => this.onSocketClose());
  }

  /** FrameHandler: one frame → one parsed message in the current batch. */
  onFrame(frame: Buffer): void {
    const msg = new Message(frame, this.origin, this.now);
    // A frame cut from the chunk being framed, inside its printable prefix and without LF (an octet-counted
    // frame may hold one), is printable ASCII: its text is a substring of the prefix, decoded once per chunk.
    let text: string | undefined;
    const off = frame.byteOffset - this.chunkOffset;
    if (frame.buffer === this.chunkMemory && off >= 0 && off + frame.length <= this.chunkText.length) {
      const t = this.chunkText.substring(off, off + frame.length);
      if (t.indexOf('\n') < 0) text = t;
    }
    parseSyslog(frame, msg, this.opts.parse, text);
    this.batch.push(msg);
  }

  onFramingError(code: string, detail: string): void {
    this.opts.logger.warn(code, detail, { peer: this.peer(), input: this.origin.inputname });
  }

  /** Stop gracefully: everything already read is submitted; the peer gets a FIN, then is cut after a grace. */
  stop(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    if (!this.stopTimer) {
      this.socket.end();
      this.stopTimer = setTimeout(() => this.socket.destroy(), STOP_GRACE_MS);
      this.stopTimer.unref();
      if (this.waitingForDrain) this.socket.resume(); // let the close arrive even while congested
    }
    return done;
  }

  /** Peer text for logs: "address:port". */
  peer(): string {
    return `${this.origin.fromhostIp}:${this.socket.remotePort ?? ''}`;
  }

  private onData(chunk: Buffer): void {
    if (this.sniff && this.sniffTls(chunk)) return;
    this.now = SyslogTime.now(); // one reception time per read, as rsyslog
    this.chunkText = printablePrefix(chunk);
    this.chunkMemory = chunk.buffer;
    this.chunkOffset = chunk.byteOffset;
    this.framer.push(chunk);
    this.chunkText = ''; // frames delivered later (flush at close) are not checked against this chunk
    this.chunkMemory = null;
    this.submitBatch();
  }

  /**
   * True when the stream starts with a TLS record: 0x16 (a control character no syslog message starts with),
   * then 0x03 if it came in the same read. The connection is then dropped without reading more.
   */
  private sniffTls(chunk: Buffer): boolean {
    if (chunk.length === 0) return false;
    this.sniff = false;
    if (chunk[0] !== TLS_HANDSHAKE || (chunk.length > 1 && chunk[1] !== TLS_MAJOR)) return false;
    this.closed = true; // nothing more is framed or submitted
    this.opts.onTlsClientHello?.();
    this.socket.destroy();
    this.opts.onClose?.();
    for (const w of this.closeWaiters.splice(0)) w();
    return true;
  }

  private onEnd(): void {
    this.framer.flush();
    this.submitBatch();
    if (!this.socket.writableEnded) this.socket.end();
  }

  private onError(err: Error): void {
    const code = (err as NodeJS.ErrnoException).code;
    this.opts.logger.warn('LW_ERR_STREAM', `connection error: ${err.message}`, { peer: this.peer(), code, input: this.origin.inputname });
  }

  private onSocketClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.framer.flush(); // a final frame without LF is delivered (rsyslog does the same)
    this.submitBatch();
    if (this.stopTimer) clearTimeout(this.stopTimer);
    this.opts.onClose?.();
    for (const w of this.closeWaiters.splice(0)) w();
  }

  private submitBatch(): void {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.submitted += batch.length;
    this.sink.submit(batch);
    if (this.sink.congested && !this.waitingForDrain && !this.closed && !this.stopTimer) {
      this.waitingForDrain = true;
      this.socket.pause();
      this.sink.onceDrained(() => this.onDrained());
    }
  }

  private onDrained(): void {
    this.waitingForDrain = false;
    if (!this.closed) this.socket.resume();
  }
}

/**
 * Stop accepting: new connections are refused at once; sessions already open keep reading. Resolves once the
 * last of them has closed (net.Server's close semantics).
 */
export function stopAccepting(server: net.Server): Promise<void> {
  return new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * Stop accepting (unless `closing` says it was already stopped), let every tracked session submit what it
 * received and close, then wait for the server.
 */
export async function closeStreamServer(server: net.Server, tracker: StreamServerTracker, closing?: Promise<void> | null): Promise<void> {
  const closed = closing ?? stopAccepting(server);
  await tracker.stopAll(); // each session submits what it has and closes within its own grace period
  await closed;
}

export class StreamServerTracker {
  private readonly sessions = new Set<StreamSession>();

  get size(): number {
    return this.sessions.size;
  }

  /** Register a session created elsewhere; call `release` from its onClose. */
  add(session: StreamSession): void {
    this.sessions.add(session);
  }

  release(session: StreamSession): void {
    this.sessions.delete(session);
  }

  /** Create a tracked session for an accepted socket; it leaves the set when its socket closes. */
  open(socket: StreamSocket, origin: Origin, sink: MessageSink, opts: StreamOptions): StreamSession {
    const session: StreamSession = new StreamSession(socket, origin, sink, {
      ...opts,
      onClose: () => {
        this.sessions.delete(session);
        opts.onClose?.();
      },
    });
    this.sessions.add(session);
    return session;
  }

  /** Stop every session (after the server stopped accepting) and wait for all to close. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.sessions].map((s) => s.stop()));
    this.sessions.clear();
  }
}

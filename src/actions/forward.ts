// Forwarding action — rsyslog's omfwd: sends rendered messages over UDP, TCP or TLS (StreamDriver mode 1) with
// traditional (LF) or octet-counted framing (RFC 6587 §3.4), one corked write per batch.
//
// What "delivered" means: plain TCP (and TLS) syslog has no acknowledgement, so a batch counts as delivered once
// the OS took its bytes; a receiver that dies afterwards loses what was in the socket buffers, unseen. To narrow
// that window the action notices a dead connection before writing into it (the peer's FIN/RST seen as
// 'end'/'close'/'error', after one event-loop poll when the socket was idle) and reconnects first; with
// ResendLastMSGOnReconnect="on" (rsyslog's name) it also resends the batch last written on a connection that
// then died, counted in `resent` as possible duplicates. close() ends the stream and waits (bounded) until the
// bytes left the process, and says how many messages it could not send. RELP is the protocol that confirms.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { Action, ActionStats } from './action';
import type { ActionFactory, ComponentSpec, ParamSpec } from '../components';
import { getParam, type ActionDecl, type Params, type SourceLoc } from '../config/model';
import type { Logger } from '../log';
import type { Message } from '../message';
import type { CompiledTemplate, RuntimeContext } from '../runtime/context';
import { authorize } from '../tls/auth';
import { GLOBAL_NAMES, OMFWD_NAMES, resolveTlsSettings, TlsConfigError, type TlsSettings } from '../tls/config';
import { secureContextOptions } from '../tls/context';
import { encodeRaw, rawByteLength } from '../util/raw-text';
import { ByteBatch } from './byte-batch';

/** omfwd's default port is 514 for every protocol, TLS included (tools/omfwd.c). */
const DEFAULT_PORT = 514;
const DEFAULT_TEMPLATE = 'RSYSLOG_TraditionalForwardFormat';
const CONNECT_TIMEOUT_MS = 10_000;
/** close(): longest wait for buffered bytes to reach the OS (a stalled receiver), then the socket is destroyed. */
const CLOSE_DEADLINE_MS = 10_000;
/** close(): after the last byte reached the OS, how long to wait for the receiver to close its side. */
const CLOSE_GRACE_MS = 1_000;
/** A stream idle this long gets one event-loop poll before a write, so a FIN/RST that arrived is seen first. */
const IDLE_CHECK_MS = 10;
const LF = 0x0a;

export type Framing = 'traditional' | 'octet-counted';

const TLS_PARAMS: ParamSpec[] = [
  { name: 'StreamDriver', type: 'word', values: ['gtls', 'ossl', 'ptcp'], doc: 'netstream driver (gtls/ossl = TLS via node:tls)' },
  { name: 'StreamDriverMode', type: 'int', default: 0, doc: '1 = TLS' },
  { name: 'StreamDriverAuthMode', type: 'word', values: ['anon', 'x509/certvalid', 'x509/name', 'x509/fingerprint'], doc: 'how the server is authenticated (default x509/name)' },
  { name: 'StreamDriverPermittedPeers', type: 'array', doc: 'permitted server names or fingerprints; without it x509/name checks the target name' },
  { name: 'StreamDriver.CAFile', type: 'path', doc: 'CA to verify the server (default: global DefaultNetstreamDriverCAFile)' },
  { name: 'StreamDriver.CertFile', type: 'path', doc: 'client certificate (default: global DefaultNetstreamDriverCertFile)' },
  { name: 'StreamDriver.KeyFile', type: 'path', doc: 'client key (default: global DefaultNetstreamDriverKeyFile)' },
  { name: 'StreamDriver.CRLFile', type: 'path', doc: 'CRL (PEM)' },
  { name: 'StreamDriver.KeyPassphraseFile', type: 'path', doc: 'Logwarden extension: passphrase of an encrypted KeyFile' },
  { name: 'StreamDriver.TlsVerifyDepth', type: 'int', doc: 'maximum chain depth' },
  { name: 'StreamDriver.PrioritizeSAN', type: 'binary', default: false, doc: 'x509/name: ignore the CN when a SAN exists' },
  { name: 'StreamDriver.CheckExtendedKeyUsage', type: 'binary', default: false, doc: 'require serverAuth EKU' },
  { name: 'StreamDriver.PermitExpiredCerts', type: 'word', values: ['off'], doc: 'only "off"' },
  { name: 'gnutlsPriorityString', type: 'string', doc: 'GnuTLS priority (version tokens mapped)' },
  { name: 'StreamDriver.TlsCfgCmd', type: 'string', doc: 'OpenSSL commands (MinProtocol, CipherString, …)' },
  { name: 'tls.tlscfgcmd', type: 'string', doc: 'alias of StreamDriver.TlsCfgCmd' },
];

export const forwardSpec: ComponentSpec = {
  name: 'forward',
  aliases: ['omfwd'],
  kind: 'action',
  params: [
    { name: 'target', type: 'string', required: true, doc: 'host name or address (IPv6 without brackets)' },
    { name: 'port', type: 'int', default: DEFAULT_PORT, doc: 'destination port (514 whatever the protocol, as rsyslog)' },
    { name: 'protocol', type: 'word', values: ['udp', 'tcp'], default: 'udp', doc: 'transport' },
    { name: 'template', type: 'template', default: DEFAULT_TEMPLATE, doc: 'message format' },
    { name: 'TCP_Framing', type: 'word', values: ['traditional', 'octet-counted'], default: 'traditional', doc: 'LF-terminated or octet-counted frames (RFC 6587)' },
    { name: 'TCP_FrameDelimiter', type: 'int', default: LF, doc: 'delimiter byte for traditional framing' },
    { name: 'address', type: 'string', doc: 'local address to send from' },
    { name: 'RebindInterval', type: 'int', default: 0, doc: 'reconnect after this many messages (0 = never)' },
    { name: 'ResendLastMSGOnReconnect', type: 'binary', default: false, doc: 'TCP: after a connection died, resend the batch last written on it (possible duplicates, counted as resent)' },
    { name: 'ZipLevel', type: 'int', default: 0, doc: 'accepted; Logwarden sends uncompressed (rsyslog receivers accept both)', ignored: 'zlib message compression is not implemented' },
    { name: 'compression.mode', type: 'word', values: ['none', 'single', 'stream:always'], doc: 'accepted; messages are sent uncompressed', ignored: 'compression is not implemented' },
    { name: 'name', type: 'string', doc: 'action name for logs and stats' },
    ...TLS_PARAMS,
  ],
  moduleParams: [{ name: 'template', type: 'template', default: DEFAULT_TEMPLATE, doc: 'default template of omfwd actions' }],
};

function str(p: Params, name: string): string | undefined {
  const v = getParam(p, name)?.value;
  return v === undefined ? undefined : Array.isArray(v) ? v.join(',') : String(v);
}

export interface ForwardTarget {
  host: string;
  port: number;
  protocol: 'udp' | 'tcp';
  framing: Framing;
  delimiter: number;
  localAddress?: string;
  /** TLS settings when StreamDriver mode is 1, else null. */
  tls: TlsSettings | null;
}

/** Frame one rendered message for a stream (RFC 6587 §3.4.1 octet counting / §3.4.2 non-transparent framing). */
export function frameMessage(text: Buffer, framing: Framing, delimiter = LF): Buffer {
  if (framing === 'octet-counted') return Buffer.concat([Buffer.from(`${text.length} `, 'latin1'), text]);
  // rsyslog (tcpclt.c) appends the delimiter only when the message does not already end with it.
  if (text.length > 0 && text[text.length - 1] === delimiter) return text;
  return Buffer.concat([text, Buffer.of(delimiter)]);
}

/** Batches framed exactly after one that could not be framed without looking into its texts. */
const EXACT_AFTER_MISS = 16;

function sum(xs: readonly number[]): number {
  let n = 0;
  for (let i = 0; i < xs.length; i++) n += xs[i]!;
  return n;
}

/**
 * In `out`, lines of `lens` units and one byte a unit, each a text followed by `delimiter`: whether a text already
 * ended with the delimiter (traditional framing adds none then).
 */
function endsDoubled(out: Buffer, lens: readonly number[], delimiter: number): boolean {
  let end = 0;
  for (let i = 0; i < lens.length; i++) {
    end += lens[i]!;
    if (lens[i]! >= 2 && out[end - 2] === delimiter) return true;
  }
  return false;
}

/**
 * A batch framed for a stream into one reused Buffer: one write per batch instead of three Buffers (encode,
 * prefix or delimiter, concat) and one writev entry per message (TCP forward profile: writev, Buffer.concat and
 * the GC they caused were ~40% of the process). The bytes are exactly frameMessage's, message after message.
 * Only for a delimiter below 0x80: a message ends with it exactly when its text's last character is it.
 */
export class FramedBatch {
  private readonly bytes = new ByteBatch();
  /** Batches still to frame exactly before trying without looking into the texts again (see frame()). */
  private exactFor = 0;
  private readonly delimiterText: string;
  constructor(private readonly framing: Framing, private readonly delimiter = LF) {
    this.delimiterText = String.fromCharCode(delimiter);
  }

  static supports(delimiter: number): boolean {
    return delimiter >= 0 && delimiter < 0x80;
  }

  /**
   * The frames of `texts`, valid until the next call.
   *
   * Framed first without looking into the texts: a rendered text is a rope, and both rawByteLength (octet
   * counting) and reading its last character (traditional) flatten it, ~0.2-0.3 µs for 250 characters. Every
   * UTF-16 unit takes at least one byte, so a batch that encodes to exactly as many bytes as it has units had one
   * byte a unit (ASCII, or escaped raw bytes, which are never below 0x80): each octet count, written as the text's
   * length, is right, and each text's last character is the byte before its delimiter. Otherwise, or when a text
   * already ended with the delimiter, the batch is framed again exactly, and so are the next EXACT_AFTER_MISS.
   */
  frame(texts: readonly string[]): Buffer {
    const b = this.bytes;
    b.reset();
    const octet = this.framing === 'octet-counted';
    if (this.exactFor === 0) {
      if (octet) for (const t of texts) b.add(`${t.length} ${t}`);
      else for (const t of texts) b.add(t + this.delimiterText);
      const out = b.finish();
      if (out.length === sum(b.lens) && (octet || !endsDoubled(out, b.lens, this.delimiter))) return out;
      this.exactFor = EXACT_AFTER_MISS;
      b.reset();
    } else this.exactFor--;
    if (octet) for (const t of texts) b.add(`${rawByteLength(t)} ${t}`);
    else for (const t of texts) b.add(t.charCodeAt(t.length - 1) === this.delimiter ? t : t + this.delimiterText);
    return b.finish();
  }
}

/** Bytes written on a stream and how many messages they hold (kept for ResendLastMSGOnReconnect). */
interface Sent {
  bytes: Buffer;
  count: number;
}

/** Open a TCP or TLS stream to the target; for TLS the server is authorised with the configured rule first. */
export function openStream(t: ForwardTarget, logger: Logger | null, timeoutMs = CONNECT_TIMEOUT_MS): Promise<Socket> {
  return new Promise((resolve, reject) => {
    let sock: Socket;
    const fail = (err: Error): void => { clearTimeout(timer); sock.destroy(); reject(err); };
    const timer = setTimeout(() => fail(Object.assign(new Error(`connect to ${t.host}:${t.port} timed out`), { code: 'LW_ERR_FORWARD_TIMEOUT' })), timeoutMs);
    if (t.tls) {
      const s = t.tls;
      // node:tls hands localAddress on to net.connect (its typings omit it).
      const opts: ConnectionOptions & { localAddress?: string } = {
        host: t.host, port: t.port, localAddress: t.localAddress, ...secureContextOptions(s, 'client'),
        // SNI only for names (RFC 6066 §3 forbids IP literals); verification is done by authorize() below.
        servername: isIP(t.host) ? undefined : t.host, rejectUnauthorized: false, checkServerIdentity: () => undefined,
      };
      const tsock: TLSSocket = tlsConnect(opts, () => {
        const v = authorize(tsock, s, true, t.host);
        if (!v.ok) {
          const subject = v.identity?.subject ?? '(no certificate)';
          logger?.warn('LW_WARN_TLS_SERVER_REFUSED', 'TLS server refused', { target: `${t.host}:${t.port}`, subject, rule: v.rule, reason: v.reason });
          fail(Object.assign(new Error(`TLS server ${t.host}:${t.port} (${subject}) not authorised by ${v.rule}: ${v.reason}`), { code: 'LW_ERR_TLS_PEER_REFUSED' }));
          return;
        }
        clearTimeout(timer);
        tsock.off('error', fail);
        resolve(tsock);
      });
      sock = tsock;
    } else {
      sock = netConnect({ host: t.host, port: t.port, localAddress: t.localAddress }, () => {
        clearTimeout(timer);
        sock.off('error', fail);
        resolve(sock);
      });
    }
    sock.once('error', fail);
  });
}

/** Write a batch of frames with one writev and resolve when the OS took it (reject on socket error). */
export function writeFrames(sock: Socket, frames: Buffer[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    sock.once('error', onError);
    sock.cork();
    for (let i = 0; i < frames.length - 1; i++) sock.write(frames[i]);
    sock.write(frames[frames.length - 1], (err) => {
      sock.off('error', onError);
      // Node calls back without an error for a write cut short by destroy(): the bytes did not all go out.
      if (err) reject(err);
      else if (sock.destroyed) reject(Object.assign(new Error('connection closed before the batch was sent'), { code: 'ECONNABORTED' }));
      else resolve();
    });
    sock.uncork();
  });
}

/** Let the event loop poll once (two check phases with a poll between), so socket events already received run. */
function pollOnce(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

class ForwardAction implements Action {
  readonly stats: ActionStats = { delivered: 0, failed: 0 };
  /** Datagrams shortened to maxMessageSize. */
  truncated = 0;
  /** Messages sent again after a reconnect (ResendLastMSGOnReconnect): possible duplicates at the receiver. */
  resent = 0;
  /** Connections opened after the first one. */
  reconnects = 0;
  /** close(): the longest wait for unsent bytes (tests shorten it). */
  closeDeadlineMs = CLOSE_DEADLINE_MS;
  private stream: Socket | null = null;
  private udp: UdpSocket | null = null;
  private sinceRebind = 0;
  private connections = 0;
  private lastWrite = 0;
  /** The batch last written on the current stream (kept only with ResendLastMSGOnReconnect). */
  private lastFrames: Sent | null = null;
  /** A batch written on a stream that then died: resent on the next connection (ResendLastMSGOnReconnect). */
  private suspect: Sent | null = null;
  /** Frames a batch into one Buffer (null: a delimiter byte ≥ 0x80, framed a message at a time). */
  private readonly framed: FramedBatch | null;
  private framedBusy = false;
  /** Messages of the write in progress (not yet handed to the OS). */
  private inFlight = 0;

  constructor(readonly name: string, private readonly t: ForwardTarget, private readonly tpl: CompiledTemplate,
    private readonly rebindInterval: number, private readonly maxSize: number, private readonly log: Logger,
    private readonly resendOnReconnect = false) {
    this.framed = FramedBatch.supports(t.delimiter) ? new FramedBatch(t.framing, t.delimiter) : null;
  }

  async deliver(batch: Message[]): Promise<void> {
    if (batch.length === 0) return;
    if (this.t.protocol === 'udp') await this.sendUdp(this.render(batch));
    else await this.sendStream(batch);
    this.stats.delivered += batch.length;
    this.sinceRebind += batch.length;
    if (this.rebindInterval > 0 && this.sinceRebind >= this.rebindInterval) this.reopen();
  }

  /** The peer closed or the socket failed: forget it, and keep what was last written on it for a resend. */
  private lost(s: Socket): void {
    if (this.stream !== s) return;
    this.stream = null;
    if (this.lastFrames !== null) this.suspect = this.lastFrames;
    this.lastFrames = null;
  }

  private async connect(): Promise<Socket> {
    const s = await openStream(this.t, this.log);
    const target = `${this.t.host}:${this.t.port}`;
    s.on('error', (err) => {
      this.log.notice('LW_FORWARD_CONNECTION_LOST', 'forward connection error', { action: this.name, target, error: err.message });
      this.lost(s);
    });
    s.on('end', () => this.lost(s)); // the receiver closed: writing on would go nowhere (or draw a RST)
    s.on('close', () => this.lost(s));
    s.on('data', () => undefined); // syslog receivers send nothing; drain anything so the socket never stalls
    if (this.connections++ > 0) this.reconnects++;
    this.sinceRebind = 0;
    return s;
  }

  private render(batch: Message[]): Buffer[] {
    return batch.map((m) => encodeRaw(this.tpl.render(m)));
  }

  /** Connect first, then render: while the target is down, each retry costs a connect attempt, not a render. */
  private async sendStream(batch: Message[]): Promise<void> {
    if (this.stream !== null && Date.now() - this.lastWrite >= IDLE_CHECK_MS) await pollOnce();
    if (!this.stream || this.stream.destroyed || this.stream.readableEnded) {
      if (this.stream) this.lost(this.stream);
      this.stream = await this.connect();
    }
    const sock = this.stream;
    // The reused buffer is ours until the write completes; a second batch meanwhile (never, with one queue
    // worker) gets its own.
    const framer = this.framed === null ? null : this.framedBusy ? new FramedBatch(this.t.framing, this.t.delimiter) : this.framed;
    const own = framer === this.framed;
    let bytes: Buffer;
    if (framer === null) bytes = Buffer.concat(this.render(batch).map((b) => frameMessage(b, this.t.framing, this.t.delimiter)));
    else {
      if (own) this.framedBusy = true;
      bytes = framer.frame(batch.map((m) => this.tpl.render(m)));
    }
    const resend = this.resendOnReconnect ? this.suspect : null;
    this.inFlight = batch.length + (resend?.count ?? 0);
    try {
      await writeFrames(sock, resend === null ? [bytes] : [resend.bytes, bytes]);
    } catch (e) {
      sock.destroy();
      this.lost(sock);
      throw e;
    } finally {
      this.inFlight = 0;
      if (own) this.framedBusy = false;
    }
    this.lastWrite = Date.now();
    if (resend !== null) {
      this.suspect = null;
      this.resent += resend.count;
      this.log.notice('LW_FORWARD_RESENT', 'resent the last batch of a connection that died (possible duplicates)', {
        action: this.name, target: `${this.t.host}:${this.t.port}`, count: resend.count, total: this.resent,
      });
    }
    // A copy: the framed buffer is reused by the next batch.
    if (this.resendOnReconnect) this.lastFrames = { bytes: framer === null ? bytes : Buffer.from(bytes), count: batch.length };
  }

  private async sendUdp(texts: Buffer[]): Promise<void> {
    if (!this.udp) {
      const sock = createSocket(isIP(this.t.host) === 6 || this.t.localAddress?.includes(':') ? 'udp6' : 'udp4');
      sock.on('error', (err) => this.log.notice('LW_FORWARD_UDP_ERROR', 'forward UDP socket error', { action: this.name, error: err.message }));
      if (this.t.localAddress) await new Promise<void>((r) => sock.bind({ address: this.t.localAddress, port: 0 }, r));
      this.udp = sock;
      this.sinceRebind = 0;
    }
    const sock = this.udp;
    let truncatedNow = 0;
    await Promise.all(texts.map((b) => {
      if (b.length > this.maxSize) { b = b.subarray(0, this.maxSize); truncatedNow++; }
      return new Promise<void>((resolve, reject) => sock.send(b, this.t.port, this.t.host, (err) => (err ? reject(err) : resolve())));
    }));
    if (truncatedNow) {
      this.truncated += truncatedNow;
      this.log.notice('LW_FORWARD_UDP_TRUNCATED', 'messages longer than maxMessageSize were truncated', { action: this.name, count: truncatedNow, total: this.truncated });
    }
  }

  /** Rebind / SIGHUP: end the stream (its buffered bytes are still sent) and reconnect with the next batch. */
  reopen(): void {
    const s = this.stream;
    this.stream = null;
    this.lastFrames = null;
    if (s) void this.finish(s);
    this.udp?.close();
    this.udp = null;
  }

  async close(): Promise<void> {
    const s = this.stream;
    this.stream = null;
    if (s) await this.finish(s);
    this.udp?.close();
    this.udp = null;
  }

  /**
   * End a stream without losing what it buffered: end() queues the FIN after the pending writes; 'finish' means
   * every byte reached the OS (which sends it on after the fd is closed). Then the receiver gets CLOSE_GRACE_MS
   * to close its side. Past closeDeadlineMs (a receiver that stopped reading) the socket is destroyed and the
   * bytes and messages still unsent are logged.
   */
  private finish(s: Socket): Promise<void> {
    if (s.destroyed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let grace: NodeJS.Timeout | null = null;
      const done = (): void => {
        clearTimeout(deadline);
        if (grace) clearTimeout(grace);
        resolve();
      };
      const deadline = setTimeout(() => {
        if (!s.writableFinished) {
          this.log.error('LW_ERR_FORWARD_UNSENT', 'forward connection closed with data the receiver did not take', {
            action: this.name, target: `${this.t.host}:${this.t.port}`, bytes: s.writableLength, messages: this.inFlight,
          });
        }
        s.destroy();
        done();
      }, this.closeDeadlineMs);
      s.once('close', done);
      s.once('finish', () => { grace = setTimeout(() => { s.destroy(); done(); }, CLOSE_GRACE_MS); });
      s.end();
    });
  }
}

function intParam(p: Params, name: string, dflt: number, loc: SourceLoc): number {
  const v = str(p, name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new TlsConfigError(getParam(p, name)?.loc ?? loc, `${name}="${v}": expected a whole number`);
  return n;
}

/** Build the forward target from omfwd parameters (TLS layers: action, module, global). */
export function forwardTarget(decl: ActionDecl, moduleParams: Params, globals: Params): ForwardTarget {
  const p = decl.params;
  const host = str(p, 'target');
  if (!host) throw new TlsConfigError(decl.loc, 'omfwd needs target="host"');
  const port = intParam(p, 'port', DEFAULT_PORT, decl.loc);
  if (port < 1 || port > 65535) throw new TlsConfigError(getParam(p, 'port')?.loc ?? decl.loc, `port="${port}": expected 1…65535`);
  const protocol = (str(p, 'protocol') ?? 'udp').toLowerCase();
  if (protocol !== 'udp' && protocol !== 'tcp') throw new TlsConfigError(getParam(p, 'protocol')?.loc ?? decl.loc, `protocol="${protocol}": expected udp or tcp`);
  const framingRaw = (str(p, 'tcp_framing') ?? 'traditional').toLowerCase();
  if (framingRaw !== 'traditional' && framingRaw !== 'octet-counted') throw new TlsConfigError(getParam(p, 'tcp_framing')?.loc ?? decl.loc, `TCP_Framing="${framingRaw}": expected traditional or octet-counted`);
  const tls = resolveTlsSettings([{ params: p, names: OMFWD_NAMES }, { params: moduleParams, names: OMFWD_NAMES }, { params: globals, names: { driver: GLOBAL_NAMES.driver, caFile: GLOBAL_NAMES.caFile, certFile: GLOBAL_NAMES.certFile, keyFile: GLOBAL_NAMES.keyFile, crlFile: GLOBAL_NAMES.crlFile } }], decl.loc);
  if (tls.mode === 1 && protocol === 'udp') throw new TlsConfigError(decl.loc, 'TLS (StreamDriverMode="1") needs protocol="tcp"');
  if (tls.mode === 1) secureContextOptions(tls, 'client'); // read the files now: errors belong to config load
  return {
    host, port, protocol, framing: framingRaw, delimiter: intParam(p, 'tcp_framedelimiter', LF, decl.loc),
    localAddress: str(p, 'address'), tls: tls.mode === 1 ? tls : null,
  };
}

export const forwardAction: ActionFactory = {
  spec: forwardSpec,
  create(decl: ActionDecl, moduleParams: Params, ctx: RuntimeContext): Action {
    const t = forwardTarget(decl, moduleParams, ctx.config.globals);
    const tplName = str(decl.params, 'template') ?? str(moduleParams, 'template') ?? DEFAULT_TEMPLATE;
    const tpl = ctx.templates.get(tplName.toLowerCase());
    if (!tpl) throw new TlsConfigError(getParam(decl.params, 'template')?.loc ?? decl.loc, `template "${tplName}" is not defined`);
    const zip = intParam(decl.params, 'ziplevel', 0, decl.loc);
    const cmode = str(decl.params, 'compression.mode');
    if (zip > 0 || (cmode && cmode.toLowerCase() !== 'none')) {
      ctx.logger.notice('LW_FORWARD_NO_COMPRESSION', 'omfwd compression is not implemented; sending uncompressed (rsyslog receivers accept both)', { target: t.host });
    }
    const name = str(decl.params, 'name') ?? `omfwd#${t.host}:${t.port}`;
    const resend = /^(on|yes|true|1)$/i.test(str(decl.params, 'resendlastmsgonreconnect') ?? str(moduleParams, 'resendlastmsgonreconnect') ?? 'off');
    return new ForwardAction(name, t, tpl, intParam(decl.params, 'rebindinterval', 0, decl.loc), ctx.maxMessageSize, ctx.logger, resend);
  },
};

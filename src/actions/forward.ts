// Forwarding action — rsyslog's omfwd: sends rendered messages over UDP, TCP or TLS (StreamDriver mode 1) with
// traditional (LF) or octet-counted framing (RFC 6587 §3.4), one corked write per batch.
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
import { encodeRaw } from '../util/raw-text';

/** omfwd's default port is 514 for every protocol, TLS included (tools/omfwd.c). */
const DEFAULT_PORT = 514;
const DEFAULT_TEMPLATE = 'RSYSLOG_TraditionalForwardFormat';
const CONNECT_TIMEOUT_MS = 10_000;
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
      if (err) reject(err); else resolve();
    });
    sock.uncork();
  });
}

class ForwardAction implements Action {
  readonly stats: ActionStats = { delivered: 0, failed: 0 };
  /** Datagrams shortened to maxMessageSize. */
  truncated = 0;
  private stream: Socket | null = null;
  private udp: UdpSocket | null = null;
  private sinceRebind = 0;

  constructor(readonly name: string, private readonly t: ForwardTarget, private readonly tpl: CompiledTemplate,
    private readonly rebindInterval: number, private readonly maxSize: number, private readonly log: Logger) {}

  async deliver(batch: Message[]): Promise<void> {
    if (batch.length === 0) return;
    const texts = batch.map((m) => encodeRaw(this.tpl.render(m)));
    if (this.t.protocol === 'udp') await this.sendUdp(texts);
    else await this.sendStream(texts);
    this.stats.delivered += batch.length;
    this.sinceRebind += batch.length;
    if (this.rebindInterval > 0 && this.sinceRebind >= this.rebindInterval) this.reopen();
  }

  private async sendStream(texts: Buffer[]): Promise<void> {
    if (!this.stream || this.stream.destroyed) {
      this.stream = null;
      const s = await openStream(this.t, this.log);
      s.on('error', (err) => this.log.notice('LW_FORWARD_CONNECTION_LOST', 'forward connection error', { action: this.name, target: `${this.t.host}:${this.t.port}`, error: err.message }));
      s.on('close', () => { if (this.stream === s) this.stream = null; });
      s.on('data', () => undefined); // syslog receivers send nothing; drain anything so the socket never stalls
      this.stream = s;
      this.sinceRebind = 0;
    }
    const sock = this.stream;
    try {
      await writeFrames(sock, texts.map((b) => frameMessage(b, this.t.framing, this.t.delimiter)));
    } catch (e) {
      sock.destroy();
      this.stream = null;
      throw e;
    }
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

  reopen(): void {
    this.stream?.end();
    this.stream = null;
    this.udp?.close();
    this.udp = null;
  }

  async close(): Promise<void> {
    const s = this.stream;
    this.stream = null;
    if (s && !s.destroyed) await new Promise<void>((r) => { s.once('close', () => r()); s.end(); setTimeout(() => s.destroy(), 2000).unref(); });
    this.udp?.close();
    this.udp = null;
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
    return new ForwardAction(name, t, tpl, intParam(decl.params, 'rebindinterval', 0, decl.loc), ctx.maxMessageSize, ctx.logger);
  },
};

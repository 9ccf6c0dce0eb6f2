// imrelp: RELP listener, plain or TLS (tls="on", librelp's tls.* parameters), one RelpServerSession per
// connection. TLS peers are authorised with the same rules as the TLS syslog input (src/tls/auth.ts).
import { watch, type FSWatcher } from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { ComponentSpec, Input, InputFactory, MessageSink, ParamSpec } from '../components';
import { DEFAULT_RULESET, type InputDecl, type Params } from '../config/model';
import type { Logger } from '../log';
import type { Origin } from '../message';
import type { ParseOptions } from '../parse/options';
import { RELP_TLS_PARAMS, relpServerOptions, relpTlsSettings } from '../relp/tls';
import { RelpServerSession } from '../relp/server-session';
import type { RuntimeContext } from '../runtime/context';
import { authorize } from '../tls/auth';
import type { TlsSettings } from '../tls/config';
import { InputConfigError, inputParseOptions, paramBool, paramInt, paramOptional, paramString } from './params';
import { normaliseAddress, type HostResolver } from './resolve';
import { resolverFor } from './tcp';
import { gateReasons, InputCounters, peerRefusalReason, type InputMetrics } from '../metrics/input-counters';
import { connPolicyParams, ConnectionGate, DEFAULT_MAX_SESSIONS, readConnPolicy, type Conn, type ConnPolicy } from './conn-gate';
import { peerLog } from '../log-limit';
import { onHandshakeFailure, type HandshakeFailures } from '../tls/handshake-errors';

const MAX_PORT = 65535;
const RELOAD_DEBOUNCE_MS = 500;

const INPUT_PARAMS: ParamSpec[] = [
  { name: 'port', type: 'int', required: true, doc: 'TCP port to listen on (0 picks a free one; 2514 and 20514 are usual).' },
  { name: 'address', type: 'string', doc: 'Address to bind; all IPv4 and IPv6 addresses when absent.' },
  { name: 'name', type: 'string', default: 'imrelp', doc: 'Value of the inputname property.' },
  { name: 'ruleset', type: 'ruleset', doc: 'Ruleset the messages are bound to (default: the module\'s ruleset).' },
  { name: 'maxDataSize', type: 'size', unit: 'bytes', doc: 'Largest syslog DATA accepted (default and minimum: global maxMessageSize).' },
  { name: 'oversizeMode', type: 'word', values: ['truncate', 'abort', 'accept'], default: 'truncate', doc: 'Longer DATA: truncate it, or abort the session; "accept" is read as truncate (memory stays bounded).' },
  { name: 'flowControl', type: 'word', values: ['none', 'light', 'full'], default: 'light', doc: 'rsyslog flow-control class', ignored: 'Logwarden always pauses RELP sessions while a queue is congested' },
  { name: 'keepAlive', type: 'binary', default: false, doc: 'TCP keep-alive on sessions.' },
  { name: 'MaxSessions', type: 'int', default: DEFAULT_MAX_SESSIONS, doc: 'Logwarden extension: concurrent sessions, counted from accept; when reached, the oldest silent or idle session makes room, else the new one is refused.' },
  ...connPolicyParams(true),
  { name: 'keepAlive.time', type: 'int', unit: 'seconds', doc: 'Idle time before the first keep-alive probe (with keepAlive="on").' },
  { name: 'keepAlive.probes', type: 'int', doc: 'keep-alive probe count', ignored: 'Node cannot set TCP_KEEPCNT; the kernel default applies' },
  { name: 'keepAlive.interval', type: 'int', unit: 'seconds', doc: 'keep-alive probe interval', ignored: 'Node cannot set TCP_KEEPINTVL; the kernel default applies' },
  { name: 'tls.dhbits', type: 'int', doc: 'DH parameter size', ignored: 'node:tls uses ECDHE and built-in DH groups' },
  ...RELP_TLS_PARAMS,
];

const MODULE_PARAMS: ParamSpec[] = [
  { name: 'ruleset', type: 'ruleset', doc: 'Default ruleset of imrelp inputs.' },
  { name: 'tls.tlslib', type: 'word', values: ['openssl', 'gnutls'], doc: 'librelp TLS library', ignored: 'Logwarden always uses node:tls (OpenSSL)' },
];

export const relpInputSpec: ComponentSpec = { name: 'relp', aliases: ['imrelp'], kind: 'input', params: INPUT_PARAMS, moduleParams: MODULE_PARAMS };

interface RelpInputSettings {
  port: number;
  address: string | undefined;
  name: string;
  ruleset: string;
  maxDataSize: number;
  oversize: 'truncate' | 'abort';
  keepAlive: boolean;
  keepAliveMs: number;
  tls: TlsSettings | null;
  policy: ConnPolicy;
}

function readSettings(decl: InputDecl, mod: Params, ctx: RuntimeContext): RelpInputSettings {
  const at = `${decl.loc.file}:${decl.loc.line}:${decl.loc.col}`;
  if (!decl.params.has('port')) throw new InputConfigError(`${at}: input type="imrelp" needs a port`);
  const none = new Map();
  const oversizeRaw = paramString(decl.params, none, 'oversizeMode', 'truncate').toLowerCase();
  if (!['truncate', 'abort', 'accept'].includes(oversizeRaw)) throw new InputConfigError(`${at}: oversizeMode="${oversizeRaw}": expected truncate, abort or accept`);
  const tlsSettings = relpTlsSettings(decl.params, decl.loc);
  if (tlsSettings) relpServerOptions(tlsSettings); // read certificate files now: errors belong to config load
  return {
    port: paramInt(decl.params, none, 'port', 0, 0, MAX_PORT),
    address: paramOptional(decl.params, none, 'address'),
    name: paramString(decl.params, none, 'name', 'imrelp'),
    ruleset: paramString(decl.params, mod, 'ruleset', DEFAULT_RULESET),
    maxDataSize: Math.max(ctx.maxMessageSize, paramInt(decl.params, none, 'maxDataSize', ctx.maxMessageSize, 1)),
    oversize: oversizeRaw === 'abort' ? 'abort' : 'truncate',
    keepAlive: paramBool(decl.params, none, 'keepAlive', false),
    keepAliveMs: 1000 * paramInt(decl.params, none, 'keepAlive.time', 0, 0),
    tls: tlsSettings,
    policy: tlsSettings ? readConnPolicy(decl.params, none, true) : { ...readConnPolicy(decl.params, none, false), handshakeTimeoutMs: 0 },
  };
}

export class RelpInput implements Input {
  readonly name: string;
  private server: net.Server | null = null;
  private readonly sessions = new Set<RelpServerSession>();
  private readonly parse: ParseOptions;
  private readonly log: Logger;
  private readonly watchers: FSWatcher[] = [];
  private reloadTimer: NodeJS.Timeout | null = null;
  /** Sessions counted from accept; counters: gate.counters (accepted, refused by reason, closed by reason). */
  readonly gate: ConnectionGate;
  /** Failed TLS handshakes by kind. */
  readonly handshakesFailed: HandshakeFailures = { notTls: 0, timeout: 0, other: 0 };

  constructor(private readonly s: RelpInputSettings, ctx: RuntimeContext, private readonly sink: MessageSink, private readonly resolver: HostResolver) {
    this.name = s.name;
    this.parse = inputParseOptions(ctx);
    this.log = ctx.logger;
    this.gate = new ConnectionGate(s.policy, { input: s.name, logger: ctx.logger });
  }

  /** Sessions open now, counted from accept. */
  get sessionsOpen(): number {
    return this.gate.open;
  }

  private readonly counters = new InputCounters();

  /** Session and handshake counters for the metrics registry (src/metrics). */
  metrics(): InputMetrics {
    return this.counters.metrics(this.gate.open, gateReasons(this.gate.counters));
  }

  async start(): Promise<void> {
    const t = this.s.tls;
    let server: net.Server;
    if (t) {
      const ts = tls.createServer({
        ...relpServerOptions(t), requestCert: t.authMode !== 'anon', rejectUnauthorized: false,
        handshakeTimeout: this.s.policy.handshakeTimeoutMs > 0 ? this.s.policy.handshakeTimeoutMs : undefined,
      });
      ts.on('connection', (socket: net.Socket) => { this.gate.admitHandshake(socket, normaliseAddress(socket.remoteAddress)); });
      ts.on('secureConnection', (socket: tls.TLSSocket) => this.onSecure(socket));
      ts.on('tlsClientError', (err: Error, socket: net.Socket) => {
        this.counters.tlsFailure(err);
        onHandshakeFailure(err, socket, this.handshakesFailed, this.log, this.name,
        'non-TLS data on a TLS RELP port (a plain RELP sender? set tls="on" on the sender); connection closed');
      });
      server = ts;
      this.watchFiles(t);
    } else {
      server = net.createServer({ pauseOnConnect: true }, (socket) => this.accept(socket));
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: this.s.port, host: this.s.address }, () => { server.off('error', reject); resolve(); });
    }).catch((err: NodeJS.ErrnoException) => {
      throw Object.assign(new Error(`${this.name}: cannot listen on ${this.s.address ?? '*'}:${this.s.port}: ${err.message}`), { code: 'LW_ERR_LISTEN' });
    });
    server.on('error', (err) => peerLog(this.log).log('error', 'LW_ERR_LISTEN', '*', `listener error: ${err.message}`, { input: this.name }));
    this.server = server;
    this.log.info('LW_RELP_LISTENING', 'RELP listener started', { input: this.name, ...this.addresses()[0], tls: t ? t.authMode : 'off' });
  }

  async stop(): Promise<void> {
    for (const w of this.watchers.splice(0)) w.close();
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all([...this.sessions].map((s) => s.stop()));
    await closed;
    this.gate.stop();
  }

  /** Drop the listener and every session at once without acknowledging more, as a crash would (tests). */
  abort(): void {
    const server = this.server;
    this.server = null;
    server?.close();
    for (const s of this.sessions) s.abort();
  }

  addresses(): Array<{ protocol: string; address: string; port: number }> {
    const a = this.server?.address();
    if (!a || typeof a === 'string') return [];
    return [{ protocol: 'relp', address: a.address, port: a.port }];
  }

  /** Re-read certificate, key and CA; established sessions keep theirs. */
  reload(): void {
    const t = this.s.tls;
    if (!t || !(this.server instanceof tls.Server)) return;
    try {
      this.server.setSecureContext(relpServerOptions(t));
      this.log.info('LW_TLS_RELOADED', 'TLS certificates reloaded', { input: this.name });
    } catch (e) {
      this.log.error('LW_ERR_TLS_RELOAD', 'TLS certificate reload failed; keeping the previous ones', { input: this.name, error: (e as Error).message });
    }
  }

  private watchFiles(t: TlsSettings): void {
    for (const f of [t.certFile, t.keyFile, t.caFile]) {
      if (!f) continue;
      try {
        const w = watch(f, { persistent: false }, () => {
          if (this.reloadTimer) clearTimeout(this.reloadTimer);
          this.reloadTimer = setTimeout(() => { this.reloadTimer = null; this.reload(); }, RELOAD_DEBOUNCE_MS);
          this.reloadTimer.unref();
        });
        w.on('error', () => undefined);
        this.watchers.push(w);
      } catch (e) {
        this.log.notice('LW_TLS_WATCH_FAILED', 'cannot watch certificate file; reload on SIGHUP only', { file: f, error: (e as Error).message });
      }
    }
  }

  private onSecure(socket: tls.TLSSocket): void {
    const ip = normaliseAddress(socket.remoteAddress);
    const peer = `${ip}:${socket.remotePort}`;
    socket.on('error', (err) => this.log.debug('LW_TLS_SOCKET_ERROR', 'TLS socket error', { input: this.name, peer, error: err.message }));
    const conn = this.gate.handshakeDone(socket);
    if (conn === null) {
      socket.destroy(); // closed by the gate meanwhile (evicted or timed out)
      return;
    }
    const v = authorize(socket, this.s.tls!, false);
    if (!v.ok) {
      peerLog(this.log).warn('LW_WARN_TLS_PEER_REFUSED', ip, 'TLS peer refused', { input: this.name, peer, subject: v.identity?.subject ?? '(no certificate)', rule: v.rule, reason: v.reason });
      this.counters.refuse(peerRefusalReason(v));
      socket.destroy();
      return;
    }
    socket.pause();
    this.resolveThenOpen(socket, ip, conn);
  }

  private accept(socket: net.Socket): void {
    const ip = normaliseAddress(socket.remoteAddress);
    const conn = this.gate.admit(socket, ip);
    if (conn === null) return;
    conn.authenticated = true;
    this.resolveThenOpen(socket, ip, conn);
  }

  private resolveThenOpen(socket: net.Socket, ip: string, conn: Conn): void {
    if (this.s.keepAlive) socket.setKeepAlive(true, this.s.keepAliveMs);
    const known = this.resolver.cached(ip);
    if (known !== undefined) return this.open(socket, ip, known, conn);
    const early = (err: Error): void => this.log.debug('LW_RELP_SOCKET_ERROR', 'RELP connection error', { input: this.name, peer: ip, error: err.message });
    socket.on('error', early);
    void this.resolver.resolve(ip).then((name) => {
      socket.off('error', early);
      if (!socket.destroyed) this.open(socket, ip, name, conn);
    });
  }

  private open(socket: net.Socket, ip: string, fromhost: string, conn: Conn): void {
    if (!this.server) {
      socket.destroy();
      return;
    }
    const origin: Origin = { inputname: this.name, fromhostIp: ip, fromhost, ruleset: this.s.ruleset };
    const session: RelpServerSession = new RelpServerSession(socket, origin, this.sink, {
      maxDataSize: this.s.maxDataSize, oversize: this.s.oversize, parse: this.parse, logger: this.log,
      onClose: () => this.sessions.delete(session),
    });
    conn.watch(() => session.submitted);
    this.sessions.add(session);
    this.counters.sessionsOpened++;
    socket.resume();
  }
}

export const relpInput: InputFactory = {
  spec: relpInputSpec,
  create(decl: InputDecl, moduleParams: Params, ctx: RuntimeContext, sink: MessageSink): Input {
    return new RelpInput(readSettings(decl, moduleParams, ctx), ctx, sink, resolverFor(ctx));
  },
};

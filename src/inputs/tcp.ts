// imtcp / imptcp: plain TCP syslog listener (RFC 6587 framing) on IPv4 and IPv6, one StreamSession per
// connection, peer names resolved once per connection. TLS (StreamDriver.Mode=1) belongs to the tls input.
import * as net from 'node:net';
import type { InputDecl, Params } from '../config/model';
import { DEFAULT_RULESET } from '../config/model';
import type { ComponentSpec, Input, InputFactory, MessageSink, ParamSpec } from '../components';
import type { Logger } from '../log';
import type { Origin } from '../message';
import type { RuntimeContext } from '../runtime/context';
import type { ParseOptions } from '../parse/options';
import type { FramerOptions } from '../framing/stream-framer';
import { HostResolver, normaliseAddress } from './resolve';
import { InputConfigError, inputParseOptions, paramBool, paramInt, paramOptional, paramPlace, paramString } from './params';
import { closeStreamServer, stopAccepting, StreamServerTracker } from './stream';
import { gateReasons, InputCounters, type InputMetrics } from '../metrics/input-counters';
import { allowListFor, type AllowList } from './allowed-senders';
import { connPolicyParams, ConnectionGate, type Conn, DEFAULT_MAX_SESSIONS, readConnPolicy, type ConnPolicy } from './conn-gate';
import { peerLog } from '../log-limit';
import { LISTENER_RATE_LIMIT_PARAMS, listenerRateLimit, rateLimited, type RateLimit } from './ratelimit';

const MAX_PORT = 65535;

const INPUT_PARAMS: ParamSpec[] = [
  { name: 'port', type: 'int', required: true, doc: 'TCP port to listen on (0 picks a free one).' },
  { name: 'address', type: 'string', doc: 'Address to bind; all IPv4 and IPv6 addresses when absent.' },
  { name: 'name', type: 'string', doc: 'Value of the inputname property (default "imtcp" / "imptcp").' },
  { name: 'ruleset', type: 'ruleset', doc: 'Ruleset the messages are bound to.' },
  { name: 'supportOctetCountedFraming', type: 'binary', default: true, doc: 'Accept RFC 6587 octet-counted frames.' },
  { name: 'maxSessions', type: 'int', default: DEFAULT_MAX_SESSIONS, doc: 'Concurrent connections, counted from accept; when reached, the oldest silent or idle session makes room, else the new one is refused.' },
  ...connPolicyParams(false),
  { name: 'discardTruncatedMsg', type: 'binary', default: false, doc: 'Skip the rest of an oversize frame (off, as rsyslog: deliver it as more messages, losing the byte at each split).' },
  { name: 'addtlFrameDelimiter', type: 'int', doc: 'An extra frame delimiter byte value (e.g. 0 for NUL).' },
  { name: 'maxFrameSize', type: 'int', default: 200000, unit: 'bytes', doc: 'Largest trusted octet count.' },
  { name: 'streamDriver.mode', type: 'int', default: 0, doc: '0 only here; TLS (1) is served by the tls input.' },
  ...LISTENER_RATE_LIMIT_PARAMS,
];

const MODULE_PARAMS: ParamSpec[] = [
  { name: 'maxSessions', type: 'int', default: DEFAULT_MAX_SESSIONS, doc: 'Default maxSessions for this module\'s inputs.' },
  ...connPolicyParams(false),
  { name: 'discardTruncatedMsg', type: 'binary', default: false, doc: 'Default for inputs.' },
  { name: 'addtlFrameDelimiter', type: 'int', doc: 'Default for inputs.' },
  { name: 'maxFrameSize', type: 'int', default: 200000, unit: 'bytes', doc: 'Default for inputs.' },
  { name: 'streamDriver.mode', type: 'int', default: 0, doc: 'TLS is served by the tls input.' },
  { name: 'streamDriver.name', type: 'string', doc: 'Accepted for compatibility.', ignored: 'plain TCP only; TLS is the tls input' },
  { name: 'keepAlive', type: 'binary', default: false, doc: 'Enable TCP keep-alive on sessions.' },
];

export const tcpSpec: ComponentSpec = { name: 'tcp', aliases: ['imtcp', 'imptcp'], kind: 'input', params: INPUT_PARAMS, moduleParams: MODULE_PARAMS };

interface TcpSettings {
  port: number;
  address: string | undefined;
  name: string;
  ruleset: string;
  policy: ConnPolicy;
  keepAlive: boolean;
  framing: Partial<FramerOptions>;
  /** RateLimit.Interval/Burst: one limiter per listener (rsyslog tcpsrv), every severity counts. */
  rateLimit: RateLimit | null;
}

function readSettings(decl: InputDecl, mod: Params): TcpSettings {
  const mode = paramInt(decl.params, mod, 'streamDriver.mode', 0, 0, 1);
  if (mode !== 0) {
    const at = paramPlace(decl.params, 'streamDriver.mode') ?? `${decl.loc.file}:${decl.loc.line}:${decl.loc.col}`;
    throw new InputConfigError(`${at}: imtcp with StreamDriver.Mode=1 (TLS) is served by the tls input, not the tcp input`);
  }
  if (!decl.params.has('port')) throw new InputConfigError(`${decl.loc.file}:${decl.loc.line}:${decl.loc.col}: input type="${decl.type}" needs a port`);
  const delim = paramOptional(decl.params, mod, 'addtlFrameDelimiter');
  return {
    port: paramInt(decl.params, mod, 'port', 0, 0, MAX_PORT),
    address: paramOptional(decl.params, mod, 'address'),
    name: paramString(decl.params, new Map(), 'name', decl.type === 'imptcp' ? 'imptcp' : 'imtcp'),
    ruleset: paramString(decl.params, new Map(), 'ruleset', DEFAULT_RULESET),
    policy: readConnPolicy(decl.params, mod, false),
    keepAlive: paramBool(decl.params, mod, 'keepAlive', false),
    framing: {
      octetCounting: paramBool(decl.params, mod, 'supportOctetCountedFraming', true),
      discardTruncated: paramBool(decl.params, mod, 'discardTruncatedMsg', false),
      extraDelimiter: delim === undefined ? -1 : paramInt(decl.params, mod, 'addtlFrameDelimiter', -1, 0, 255),
      maxFrameSize: paramInt(decl.params, mod, 'maxFrameSize', 200000, 1),
    },
    rateLimit: listenerRateLimit(decl.params),
  };
}

export class TcpInput implements Input {
  readonly name: string;
  private readonly s: TcpSettings;
  private readonly sink: MessageSink;
  private readonly logger: Logger;
  private readonly maxMessageSize: number;
  private readonly parse: ParseOptions;
  private readonly resolver: HostResolver;
  private readonly tracker = new StreamServerTracker();
  private server: net.Server | null = null;
  private closing: Promise<void> | null = null;
  /** $AllowedSender TCP, … (null: everyone); checked once per connection. */
  private readonly acl: AllowList | null;
  /** Sessions counted from accept; counters: gate.counters (accepted, refused by reason, closed by reason). */
  readonly gate: ConnectionGate;
  /** Connections closed because they began with a TLS ClientHello (a TLS sender on this plain port). */
  tlsOnPlainPort = 0;

  constructor(s: TcpSettings, ctx: RuntimeContext, sink: MessageSink, resolver: HostResolver) {
    this.s = s;
    this.name = s.name;
    this.sink = sink;
    this.logger = ctx.logger;
    this.maxMessageSize = ctx.maxMessageSize;
    this.parse = inputParseOptions(ctx, s.ruleset);
    this.resolver = resolver;
    this.acl = allowListFor(ctx, 'tcp', s.name);
    this.gate = new ConnectionGate(s.policy, { input: s.name, logger: ctx.logger, fullCode: 'LW_WARN_TCP_MAX_SESSIONS' });
  }

  /** Sessions open now, counted from accept. */
  get sessionsOpen(): number {
    return this.gate.open;
  }

  /** Connections refused by $AllowedSender. */
  get refused(): number {
    return this.acl?.refused ?? 0;
  }

  private readonly counters = new InputCounters();

  /** Connection counters for the metrics registry (src/metrics). */
  metrics(): InputMetrics {
    return this.counters.metrics(this.gate.open, { allowed_sender: this.refused, tls_on_plain_port: this.tlsOnPlainPort, ...gateReasons(this.gate.counters) });
  }

  async start(): Promise<void> {
    const server = net.createServer({ pauseOnConnect: true }, (socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // No address: '::' is dual-stack and takes IPv4 too (mapped addresses are normalised).
      server.listen({ port: this.s.port, host: this.s.address ?? '::' }, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch(async (err: NodeJS.ErrnoException) => {
      if (this.s.address === undefined && (err.code === 'EAFNOSUPPORT' || err.code === 'EADDRNOTAVAIL')) {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ port: this.s.port, host: '0.0.0.0' }, () => resolve());
        });
        return;
      }
      throw Object.assign(new Error(`${this.name}: cannot listen on ${this.s.address ?? '*'}:${this.s.port}: ${err.message}`), { code: 'LW_ERR_LISTEN' });
    });
    // accept() failures (EMFILE under a low descriptor limit) do not stop the listener; libuv sheds the pending
    // connection. They are logged at most a few times per window.
    server.on('error', (err) => peerLog(this.logger).log('error', 'LW_ERR_LISTEN', '*', `listener error: ${err.message}`, { input: this.name }));
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await closeStreamServer(server, this.tracker, this.closing);
    this.gate.stop();
  }

  /** Reload: stop accepting here; open sessions go on reading until their peers close (or stop()). */
  async stopListening(): Promise<void> {
    if (this.server && !this.closing) this.closing = stopAccepting(this.server);
  }

  addresses(): Array<{ protocol: string; address: string; port: number }> {
    const a = this.server?.address();
    if (!a || typeof a === 'string') return [];
    return [{ protocol: 'tcp', address: a.address, port: a.port }];
  }

  private accept(socket: net.Socket): void {
    const ip = normaliseAddress(socket.remoteAddress);
    if (this.acl !== null && this.acl.byAddress(ip) === false) {
      this.acl.refuse(ip, 'connection');
      socket.destroy();
      return;
    }
    const conn = this.gate.admit(socket, ip);
    if (conn === null) return;
    conn.authenticated = true;
    if (this.s.keepAlive) socket.setKeepAlive(true);
    const known = this.resolver.cached(ip);
    if (known !== undefined) {
      this.open(socket, ip, known, conn);
      return;
    }
    // Resolve once per connection; the socket stays paused (kernel-buffered) meanwhile.
    const early = (err: Error): void => this.logger.warn('LW_ERR_STREAM', `connection error: ${err.message}`, { input: this.name, peer: ip });
    socket.on('error', early);
    void this.resolver.resolve(ip).then((name) => {
      socket.off('error', early);
      if (socket.destroyed) return;
      this.open(socket, ip, name, conn);
    });
  }

  private open(socket: net.Socket, ip: string, fromhost: string, conn: Conn): void {
    if (!this.server) {
      socket.destroy();
      return;
    }
    if (this.acl !== null && this.acl.byAddress(ip) !== true && !this.acl.byName(ip, fromhost)) {
      this.acl.refuse(ip, 'connection');
      socket.destroy();
      return;
    }
    const origin: Origin = { inputname: this.name, fromhostIp: ip, fromhost, ruleset: this.s.ruleset };
    this.counters.sessionsOpened++;
    const session = this.tracker.open(socket, origin, this.sink, {
      maxMessageSize: this.maxMessageSize, parse: this.parse, logger: this.logger, framing: this.s.framing,
      onTlsClientHello: () => {
        this.tlsOnPlainPort++;
        peerLog(this.logger).warn('LW_WARN_PROTOCOL_MISMATCH', ip, 'TLS client on a plain port: set StreamDriver.Mode=1 on this input or send without TLS; connection closed, nothing stored', { input: this.name, peer: `${ip}:${socket.remotePort ?? ''}` }, 1);
      },
    });
    conn.watch(() => session.framer.frames);
    socket.resume();
  }
}

/** Shared by all network inputs of a process so each address is looked up once. */
export const sharedResolver = new HostResolver();
const noDnsResolver = new HostResolver({ enabled: false });

/** The resolver for a config: global net.enableDNS="off" (or $DNSCache off) means fromhost = the address. */
export function resolverFor(ctx: RuntimeContext): HostResolver {
  const v = ctx.config.globals.get('net.enabledns')?.value;
  const off = v !== undefined && ['off', 'no', 'false', '0'].includes(String(v).toLowerCase());
  return off ? noDnsResolver : sharedResolver;
}

export const tcpInput: InputFactory = {
  spec: tcpSpec,
  create(decl: InputDecl, moduleParams: Params, ctx: RuntimeContext, sink: MessageSink): Input {
    const s = readSettings(decl, moduleParams);
    return new TcpInput(s, ctx, rateLimited(sink, s.rateLimit, ctx.logger, s.name), resolverFor(ctx));
  },
};

// TLS syslog listener (RFC 5425) — rsyslog's imtcp with StreamDriver.Mode=1 (gtls/ossl): authorises each peer
// with the configured auth mode, then hands the socket to the shared StreamSession (framing, parsing, batching).
import { watch, type FSWatcher } from 'node:fs';
import { createSecureContext, createServer, type Server, type TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import type { ComponentSpec, Input, InputFactory, MessageSink, ParamSpec } from '../components';
import { DEFAULT_RULESET, getParam, type InputDecl, type Params } from '../config/model';
import type { Logger } from '../log';
import type { Origin } from '../message';
import type { RuntimeContext } from '../runtime/context';
import type { ParseOptions } from '../parse';
import { normaliseAddress } from './resolve';
import { closeStreamServer, stopAccepting, StreamServerTracker, StreamSession } from './stream';
import { inputParseOptions } from './params';
import { LISTENER_RATE_LIMIT_PARAMS, listenerRateLimit, rateLimited } from './ratelimit';
import { authorize, invalidWildcard } from '../tls/auth';
import { GLOBAL_NAMES, IMTCP_NAMES, resolveTlsSettings, TlsConfigError, type TlsSettings } from '../tls/config';
import { secureContextOptions } from '../tls/context';
import { gateReasons, InputCounters, peerRefusalReason, type InputMetrics } from '../metrics/input-counters';
import { allowListFor } from './allowed-senders';
import { connPolicyParams, ConnectionGate, DEFAULT_MAX_SESSIONS, readConnPolicy } from './conn-gate';
import { peerLog } from '../log-limit';
import { onHandshakeFailure, type HandshakeFailures } from '../tls/handshake-errors';

/** Wait for editors/cert tools to finish writing before reloading changed files. */
const RELOAD_DEBOUNCE_MS = 500;

const TLS_PARAMS: ParamSpec[] = [
  { name: 'StreamDriver.Name', type: 'word', values: ['gtls', 'ossl', 'ptcp'], doc: 'netstream driver; gtls and ossl both use OpenSSL via node:tls' },
  { name: 'StreamDriver.Mode', type: 'int', default: 0, doc: '1 = TLS (RFC 5425), 0 = plain TCP' },
  { name: 'StreamDriver.AuthMode', type: 'word', values: ['anon', 'x509/certvalid', 'x509/name', 'x509/fingerprint'], doc: 'how the client is authenticated (default x509/name, as rsyslog)' },
  { name: 'PermittedPeer', type: 'array', doc: 'permitted client names (x509/name, wildcards *.example.net) or SHA1:/SHA256: fingerprints (rsyslog imtcp)' },
  { name: 'StreamDriver.PermittedPeers', type: 'array', rsyslogSpelling: 'PermittedPeer', doc: 'same as PermittedPeer (Logwarden also accepts this spelling; rsyslogd 8.2302 rejects it in imtcp)' },
  { name: 'StreamDriver.CAFile', type: 'path', doc: 'CA bundle to verify clients (default: global DefaultNetstreamDriverCAFile)' },
  { name: 'StreamDriver.CertFile', type: 'path', doc: 'server certificate (default: global DefaultNetstreamDriverCertFile)' },
  { name: 'StreamDriver.KeyFile', type: 'path', doc: 'server key (default: global DefaultNetstreamDriverKeyFile)' },
  { name: 'StreamDriver.CRLFile', type: 'path', doc: 'certificate revocation list (PEM)' },
  { name: 'StreamDriver.KeyPassphraseFile', type: 'path', doc: 'Logwarden extension: file whose first line decrypts an encrypted KeyFile' },
  { name: 'StreamDriver.TlsVerifyDepth', type: 'int', doc: 'maximum certificate chain depth' },
  { name: 'StreamDriver.PrioritizeSAN', type: 'binary', default: false, doc: 'x509/name: ignore the CN when the certificate has a SAN (RFC 6125)' },
  { name: 'StreamDriver.CheckExtendedKeyUsage', type: 'binary', default: false, doc: 'require the clientAuth EKU on client certificates' },
  { name: 'StreamDriver.PermitExpiredCerts', type: 'word', values: ['off'], doc: 'only "off": expired certificates are always refused' },
  { name: 'gnutlsPriorityString', type: 'string', doc: 'GnuTLS priority; NORMAL/SECURE* and ±VERS-TLS1.2/1.3 are mapped, other tokens are refused' },
  { name: 'StreamDriver.TlsCfgCmd', type: 'string', doc: 'OpenSSL commands: MinProtocol, MaxProtocol, CipherString, Ciphersuites, Groups, SignatureAlgorithms' },
  { name: 'tls.tlscfgcmd', type: 'string', doc: 'alias of StreamDriver.TlsCfgCmd (rsyslog ossl spelling)' },
  ...connPolicyParams(true),
  ...LISTENER_RATE_LIMIT_PARAMS,
];

export const tlsSpec: ComponentSpec = {
  name: 'tls',
  aliases: [],
  kind: 'input',
  params: [
    { name: 'port', type: 'int', required: true, doc: 'TCP port to listen on (6514 is the RFC 5425 port)' },
    { name: 'address', type: 'string', doc: 'address to bind (default: all)' },
    { name: 'name', type: 'string', default: 'imtcp', doc: 'inputname property of received messages' },
    { name: 'ruleset', type: 'ruleset', doc: 'ruleset the messages go to' },
    { name: 'MaxSessions', type: 'int', default: DEFAULT_MAX_SESSIONS, doc: 'concurrent TLS sessions, counted from accept (handshakes included); when reached, the oldest unauthenticated, silent or idle session makes room, else the new one is refused' },
    ...TLS_PARAMS,
  ],
  moduleParams: [
    ...TLS_PARAMS,
    { name: 'MaxSessions', type: 'int', default: DEFAULT_MAX_SESSIONS, doc: 'default for inputs' },
  ],
};

function paramStr(p: Params, name: string): string | undefined {
  const v = getParam(p, name)?.value;
  return v === undefined ? undefined : String(v);
}

/** The peer address as rsyslog prints it ("::ffff:192.0.2.1" → "192.0.2.1"). */
const peerAddress = normaliseAddress;

/** Resolve and validate the TLS settings of one imtcp TLS input (throws TlsConfigError naming file:line:col). */
export function tlsInputSettings(decl: InputDecl, moduleParams: Params, globals: Params): TlsSettings {
  const s = resolveTlsSettings([
    { params: decl.params, names: IMTCP_NAMES },
    { params: moduleParams, names: IMTCP_NAMES },
    { params: globals, names: GLOBAL_NAMES },
  ], decl.loc);
  if (s.mode !== 1) throw new TlsConfigError(decl.loc, 'the TLS input needs StreamDriver.Mode="1"');
  for (const p of s.permittedPeers) {
    const bad = s.authMode === 'x509/fingerprint'
      ? (/^SHA(1|256):([0-9A-Fa-f]{2}:)*[0-9A-Fa-f]{2}$/.test(p) ? null : `"${p}": expected SHA1:XX:… or SHA256:XX:… fingerprint`)
      : invalidWildcard(p);
    if (bad) throw new TlsConfigError(decl.loc, `PermittedPeer ${bad}`);
  }
  return s;
}

class TlsInput implements Input {
  readonly name: string;
  private server: Server | null = null;
  private closing: Promise<void> | null = null;
  private readonly sessions = new StreamServerTracker();
  private readonly watchers: FSWatcher[] = [];
  private reloadTimer: NodeJS.Timeout | null = null;
  private readonly origin: Origin;
  private readonly parse: ParseOptions;
  private readonly port: number;
  private readonly address: string | undefined;
  private readonly handshakeTimeoutMs: number;
  private readonly log: Logger;
  /** Sessions counted from accept; counters: gate.counters (accepted, refused by reason, closed by reason). */
  readonly gate: ConnectionGate;
  /** Failed handshakes by kind (notTls: plain text or garbage on this port; timeout; other). */
  readonly handshakesFailed: HandshakeFailures = { notTls: 0, timeout: 0, other: 0 };

  constructor(private readonly settings: TlsSettings, decl: InputDecl, moduleParams: Params, private readonly ctx: RuntimeContext, private readonly sink: MessageSink) {
    this.name = paramStr(decl.params, 'name') ?? 'imtcp';
    this.port = Number(paramStr(decl.params, 'port') ?? NaN);
    if (!Number.isInteger(this.port) || this.port < 0 || this.port > 65535) throw new TlsConfigError(decl.loc, 'input needs port="0…65535"');
    this.address = paramStr(decl.params, 'address');
    const policy = readConnPolicy(decl.params, moduleParams, true);
    this.handshakeTimeoutMs = policy.handshakeTimeoutMs;
    this.gate = new ConnectionGate(policy, { input: this.name, logger: ctx.logger, fullCode: 'LW_WARN_TLS_MAX_SESSIONS' });
    this.origin = { inputname: this.name, fromhostIp: '', fromhost: '', ruleset: paramStr(decl.params, 'ruleset') ?? DEFAULT_RULESET };
    this.parse = inputParseOptions(ctx, this.origin.ruleset);
    this.log = ctx.logger;
    secureContextOptions(settings, 'server'); // fail at config load, not at start
  }

  /** For `check`: build the TLS context as start() would (a key that does not match its certificate throws). */
  /** The private key file this listener serves with (check: its mode), if any. */
  keyFile(): string | undefined {
    return this.settings.keyFile;
  }

  checkContext(): void {
    createSecureContext(secureContextOptions(this.settings, 'server'));
  }

  private readonly counters = new InputCounters();
  private acl: { refused: number } | null = null;

  /** Connection and handshake counters for the metrics registry (src/metrics). */
  metrics(): InputMetrics {
    return this.counters.metrics(this.gate.open, { allowed_sender: this.acl?.refused ?? 0, ...gateReasons(this.gate.counters) });
  }

  start(): Promise<void> {
    const server = createServer({
      ...secureContextOptions(this.settings, 'server'),
      requestCert: this.settings.authMode !== 'anon',
      // OpenSSL's chain/date result is read in authorize() so that refusals can name the subject and rule.
      rejectUnauthorized: false,
      // node's own timer only reports (tlsClientError); the gate's sweep closes the socket, counted.
      handshakeTimeout: this.handshakeTimeoutMs > 0 ? this.handshakeTimeoutMs : undefined,
    });
    this.server = server;
    const acl = allowListFor(this.ctx, 'tcp', this.name);
    this.acl = acl;
    // Counted from accept, before the handshake: stalled handshakes hold sessions (and descriptors) too.
    server.on('connection', (socket: Socket) => {
      const ip = peerAddress(socket.remoteAddress);
      // $AllowedSender TCP: refused before the handshake (TLS peers are named by address: fromhost = fromhost-ip)
      if (acl !== null && acl.byAddress(ip) !== true && !acl.byName(ip, ip)) {
        acl.refuse(ip, 'connection');
        socket.destroy();
        return;
      }
      this.gate.admitHandshake(socket, ip);
    });
    server.on('secureConnection', (socket: TLSSocket) => this.onSecure(socket));
    // Plaintext, garbage, a stalled handshake or a scanner on the TLS port: counted, a line per peer and window.
    server.on('tlsClientError', (err: Error, socket: Socket) => {
      this.counters.tlsFailure(err);
      onHandshakeFailure(err, socket, this.handshakesFailed, this.log, this.name,
        'non-TLS data on a TLS port (a plain TCP sender? send with TLS, StreamDriver.Mode=1, or to a plain port); connection closed, nothing stored');
    });
    server.on('error', (err) => peerLog(this.log).log('error', 'LW_ERR_TLS_SERVER', '*', 'TLS listener error', { input: this.name, error: err.message }));
    this.watchFiles();
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.address, () => {
        server.off('error', reject);
        this.log.info('LW_TLS_LISTENING', 'TLS syslog listener started', { input: this.name, ...this.addresses()[0], authMode: this.settings.authMode });
        resolve();
      });
    });
  }

  private onSecure(socket: TLSSocket): void {
    const ip = peerAddress(socket.remoteAddress);
    const peer = `${ip}:${socket.remotePort}`;
    socket.on('error', (err) => this.log.debug('LW_TLS_SOCKET_ERROR', 'TLS socket error', { input: this.name, peer, error: err.message }));
    const conn = this.gate.handshakeDone(socket);
    if (conn === null) {
      refuse(socket); // closed by the gate meanwhile (evicted or timed out)
      return;
    }
    const v = authorize(socket, this.settings, false);
    if (!v.ok) {
      // Nothing was read from this socket yet and nothing will be: the refusal happens before any session exists.
      peerLog(this.log).warn('LW_WARN_TLS_PEER_REFUSED', ip, 'TLS peer refused', { input: this.name, peer, subject: v.identity?.subject ?? '(no certificate)', rule: v.rule, reason: v.reason });
      this.counters.refuse(peerRefusalReason(v));
      refuse(socket);
      return;
    }
    this.log.debug('LW_TLS_PEER_ACCEPTED', 'TLS peer accepted', { input: this.name, peer, subject: v.identity?.subject, protocol: socket.getProtocol() });
    const origin: Origin = { ...this.origin, fromhostIp: ip, fromhost: ip, tlsPeer: v.identity?.subject ?? '' };
    this.counters.sessionsOpened++;
    const session: StreamSession = new StreamSession(socket, origin, this.sink, {
      maxMessageSize: this.ctx.maxMessageSize, parse: this.parse, logger: this.log,
      onClose: () => this.sessions.release(session),
    });
    conn.watch(() => session.framer.frames);
    this.sessions.add(session);
  }

  private watchFiles(): void {
    const s = this.settings;
    for (const f of [s.certFile, s.keyFile, s.caFile, s.crlFile]) {
      if (!f) continue;
      try {
        const w = watch(f, { persistent: false }, () => this.scheduleReload());
        w.on('error', () => undefined);
        this.watchers.push(w);
      } catch (e) {
        this.log.notice('LW_TLS_WATCH_FAILED', 'cannot watch certificate file; reload on SIGHUP only', { file: f, error: (e as Error).message });
      }
    }
  }

  private scheduleReload(): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => { this.reloadTimer = null; this.reload(); }, RELOAD_DEBOUNCE_MS);
    this.reloadTimer.unref();
  }

  /** Re-read certificate, key, CA and CRL; established sessions keep their keys, new handshakes use the new ones. */
  reload(): void {
    if (!this.server) return;
    try {
      this.server.setSecureContext(secureContextOptions(this.settings, 'server'));
      this.log.info('LW_TLS_RELOADED', 'TLS certificates reloaded', { input: this.name });
    } catch (e) {
      this.log.error('LW_ERR_TLS_RELOAD', 'TLS certificate reload failed; keeping the previous ones', { input: this.name, error: (e as Error).message });
    }
  }

  async stop(): Promise<void> {
    for (const w of this.watchers.splice(0)) w.close();
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    const server = this.server;
    if (!server) return;
    this.server = null;
    await closeStreamServer(server, this.sessions, this.closing);
    this.gate.stop();
  }

  /** Sessions open now, counted from accept (TLS handshakes in progress included). */
  get sessionsOpen(): number {
    return this.gate.open;
  }

  /** Reload: stop accepting here; open sessions go on reading until their peers close (or stop()). */
  async stopListening(): Promise<void> {
    if (this.server && !this.closing) this.closing = stopAccepting(this.server);
  }

  addresses(): Array<{ protocol: string; address: string; port: number }> {
    const a = this.server?.address();
    if (!a || typeof a === 'string') return [];
    return [{ protocol: 'tls', address: a.address, port: a.port }];
  }
}

/**
 * Close a refused peer with a TCP reset so its sender sees the refusal instead of a clean end of stream. A
 * server-side TLSSocket's own handle is the TLS wrap, so the reset goes through the TCP socket it wraps
 * (`_parent`, undocumented but present since Node 0.11); a plain destroy is the fallback.
 */
function refuse(socket: TLSSocket): void {
  const parent = (socket as unknown as { _parent?: { resetAndDestroy?: () => void } })._parent;
  try {
    if (parent && typeof parent.resetAndDestroy === 'function') {
      // The TLS socket closes by itself once its TCP socket is gone. Destroying it as well after the reset
      // crashes Node 20 (SIGSEGV in the TLS wrap), so it must not be touched again.
      parent.resetAndDestroy();
      return;
    }
  } catch { /* already closed or not a TCP handle: plain destroy */ }
  socket.destroy();
}

export const tlsInput: InputFactory = {
  spec: tlsSpec,
  create(decl: InputDecl, moduleParams: Params, ctx: RuntimeContext, sink: MessageSink): Input {
    const settings = tlsInputSettings(decl, moduleParams, ctx.config.globals);
    return new TlsInput(settings, decl, moduleParams, ctx, rateLimited(sink, listenerRateLimit(decl.params), ctx.logger, paramStr(decl.params, 'name') ?? 'imtcp'));
  },
};

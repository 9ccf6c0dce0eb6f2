// imuxsock: local log socket (default /dev/log). Node cannot bind AF_UNIX SOCK_DGRAM: by default this listens with
// SOCK_STREAM (glibc's syslog() falls back to it and ends each message with NUL; logger(1) uses LF); with
// socketType="dgram" the native helper (unixsock-dgram.ts) binds a datagram socket, as rsyslog does.
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { InputDecl, Params } from '../config/model';
import { DEFAULT_RULESET } from '../config/model';
import type { ComponentSpec, Input, InputFactory, MessageSink, ParamSpec } from '../components';
import type { Logger } from '../log';
import type { Message, Origin } from '../message';
import type { RuntimeContext } from '../runtime/context';
import type { ParseOptions } from '../parse/options';
import { configuredHostname, inputParseOptions, paramBool, paramInt, paramString } from './params';
import { type RateLimit, RateLimitSink } from './ratelimit';
import { closeStreamServer, stopAccepting, StreamServerTracker } from './stream';
import { DgramReceiver, dgramHelperAvailable, UXDGRAM_HELPER } from './unixsock-dgram';

const DEFAULT_SOCKET = '/dev/log';
const NUL = 0;
const SOCKET_MODE = 0o666;

const INPUT_PARAMS: ParamSpec[] = [
  { name: 'socket', type: 'path', default: DEFAULT_SOCKET, doc: 'Path of the local log socket (stream type, see docs).' },
  { name: 'name', type: 'string', doc: 'Value of the inputname property (default "imuxsock").' },
  { name: 'ruleset', type: 'ruleset', doc: 'Ruleset the messages are bound to.' },
  { name: 'ignoreTimestamp', type: 'binary', default: true, doc: 'Use the reception time instead of the message timestamp (rsyslog default).' },
  { name: 'parseHostname', type: 'binary', default: false, doc: 'Take a HOSTNAME from the message (default: the local host name).' },
  { name: 'hostName', type: 'string', doc: 'Host name to use instead of the local one.' },
  { name: 'RateLimit.Interval', type: 'int', default: 0, unit: 'seconds', doc: 'Rate-limit window in seconds (0: no limit).' },
  { name: 'RateLimit.Burst', type: 'int', default: 200, unit: 'messages', doc: 'Messages allowed per window.' },
  { name: 'RateLimit.Severity', type: 'int', default: 1, doc: 'Only messages of this severity number or less urgent are limited.' },
  { name: 'socketType', type: 'word', default: 'stream', values: ['stream', 'dgram'], doc: 'Logwarden extension: stream (default) or dgram (a datagram socket as rsyslog binds; needs the native helper dist/native/lw_uxdgram).' },
];
const MODULE_PARAMS: ParamSpec[] = [
  { name: 'sysSock.name', type: 'path', default: DEFAULT_SOCKET, doc: 'Path of the system log socket.' },
  { name: 'sysSock.ignoreTimestamp', type: 'binary', default: true, doc: 'As ignoreTimestamp, for the system socket.' },
  { name: 'sysSock.use', type: 'binary', default: true, doc: 'Listen on the system socket.' },
  { name: 'SysSock.RateLimit.Interval', type: 'int', default: 0, unit: 'seconds', doc: 'RateLimit.Interval of the system socket.' },
  { name: 'SysSock.RateLimit.Burst', type: 'int', default: 200, unit: 'messages', doc: 'RateLimit.Burst of the system socket.' },
  { name: 'SysSock.RateLimit.Severity', type: 'int', default: 1, doc: 'RateLimit.Severity of the system socket.' },
  { name: 'sysSock.type', type: 'word', default: 'stream', values: ['stream', 'dgram'], doc: 'Logwarden extension: socketType of the system socket.' },
];

export const unixSockSpec: ComponentSpec = { name: 'unixsock', aliases: ['imuxsock'], kind: 'input', params: INPUT_PARAMS, moduleParams: MODULE_PARAMS };

interface UnixSettings {
  path: string;
  name: string;
  ruleset: string;
  ignoreTimestamp: boolean;
  hostname: string;
  parseHostname: boolean;
  dgram: boolean;
  rateLimit: RateLimit | null;
}

/** A sink wrapper that applies imuxsock's ignoreTimestamp to each batch (decided once, not per message). */
class TimestampResetSink implements MessageSink {
  constructor(private readonly inner: MessageSink) {}
  submit(batch: Message[]): void {
    for (const m of batch) {
      m.timereported = m.timegenerated;
      m.parsedWith = null; // no longer what the frame parses to
    }
    this.inner.submit(batch);
  }
  get congested(): boolean {
    return this.inner.congested;
  }
  onceDrained(cb: () => void): void {
    this.inner.onceDrained(cb);
  }
}

export class UnixSockInput implements Input {
  readonly name: string;
  private readonly s: UnixSettings;
  private readonly sink: MessageSink;
  private readonly logger: Logger;
  private readonly maxMessageSize: number;
  private readonly parse: ParseOptions;
  private readonly origin: Origin;
  private readonly tracker = new StreamServerTracker();
  private server: net.Server | null = null;
  private closing: Promise<void> | null = null;
  private dgram: DgramReceiver | null = null;

  constructor(s: UnixSettings, ctx: RuntimeContext, sink: MessageSink) {
    this.s = s;
    this.name = s.name;
    const limited = s.rateLimit === null ? sink : new RateLimitSink(sink, s.rateLimit, ctx.logger, s.name);
    this.sink = s.ignoreTimestamp ? new TimestampResetSink(limited) : limited;
    this.logger = ctx.logger;
    this.maxMessageSize = ctx.maxMessageSize;
    this.parse = { ...inputParseOptions(ctx, s.ruleset), parseHostname: s.parseHostname };
    // Local messages: fromhost is this host, fromhost-ip 127.0.0.1, as rsyslog imuxsock sets them.
    this.origin = { inputname: s.name, fromhostIp: '127.0.0.1', fromhost: s.hostname, ruleset: s.ruleset };
  }

  async start(): Promise<void> {
    removeStaleSocket(this.s.path);
    if (this.s.dgram) {
      if (!dgramHelperAvailable()) throw Object.assign(new Error(`${this.name}: socketType="dgram" needs ${UXDGRAM_HELPER} (scripts/build-native.mjs builds it with cc)`), { code: 'LW_ERR_LISTEN' });
      const d = new DgramReceiver(this.s.path, this.origin, this.sink, this.parse, this.maxMessageSize, this.logger);
      await d.start(SOCKET_MODE);
      this.dgram = d;
      return;
    }
    const server = net.createServer((socket) => {
      this.tracker.open(socket, this.origin, this.sink, {
        maxMessageSize: this.maxMessageSize, parse: this.parse, logger: this.logger,
        framing: { extraDelimiter: NUL },
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(Object.assign(new Error(`${this.name}: cannot listen on ${this.s.path}: ${err.message}`), { code: 'LW_ERR_LISTEN' })));
      server.listen(this.s.path, () => resolve());
    });
    fs.chmodSync(this.s.path, SOCKET_MODE); // every local program may log, as with rsyslog's /dev/log
    this.server = server;
  }

  async stop(): Promise<void> {
    const d = this.dgram;
    this.dgram = null;
    if (d !== null) await d.stop();
    const server = this.server;
    if (!server) return;
    this.server = null;
    await closeStreamServer(server, this.tracker, this.closing);
  }

  /** Reload: stop accepting here; open sessions go on reading until their peers close (or stop()). */
  async stopListening(): Promise<void> {
    if (this.server && !this.closing) this.closing = stopAccepting(this.server);
  }

  addresses(): Array<{ protocol: string; address: string; port: number }> {
    if (this.dgram) return [{ protocol: 'unixgram', address: this.s.path, port: 0 }];
    return this.server ? [{ protocol: 'unix', address: this.s.path, port: 0 }] : [];
  }
}

/** A socket file left by a previous run is removed; any other existing file is an error. */
function removeStaleSocket(path: string): void {
  let st: fs.Stats;
  try { st = fs.lstatSync(path); } catch { return; }
  if (!st.isSocket()) throw Object.assign(new Error(`imuxsock: ${path} exists and is not a socket`), { code: 'LW_ERR_LISTEN' });
  fs.unlinkSync(path);
}

function readSettings(decl: InputDecl, mod: Params, globals: Params): UnixSettings {
  const p = decl.params;
  const none: Params = new Map();
  return {
    path: paramString(p, none, 'socket', paramString(mod, none, 'sysSock.name', DEFAULT_SOCKET)),
    name: paramString(p, none, 'name', 'imuxsock'),
    ruleset: paramString(p, none, 'ruleset', DEFAULT_RULESET),
    ignoreTimestamp: paramBool(p, none, 'ignoreTimestamp', paramBool(mod, none, 'sysSock.ignoreTimestamp', true)),
    parseHostname: paramBool(p, none, 'parseHostname', false),
    hostname: paramString(p, none, 'hostName', configuredHostname(globals)),
    rateLimit: rateLimitOf(p, mod),
    dgram: paramString(p, none, 'socketType', paramString(mod, none, 'sysSock.type', 'stream')).toLowerCase() === 'dgram',
  };
}

function rateLimitOf(p: Params, mod: Params): RateLimit | null {
  const none: Params = new Map();
  const interval = paramInt(p, none, 'RateLimit.Interval', paramInt(mod, none, 'SysSock.RateLimit.Interval', 0));
  if (interval === 0) return null;
  return {
    intervalMs: interval * 1000,
    burst: paramInt(p, none, 'RateLimit.Burst', paramInt(mod, none, 'SysSock.RateLimit.Burst', 200)),
    severity: paramInt(p, none, 'RateLimit.Severity', paramInt(mod, none, 'SysSock.RateLimit.Severity', 1), 0, 7),
  };
}

export const unixSockInput: InputFactory = {
  spec: unixSockSpec,
  create(decl: InputDecl, moduleParams: Params, ctx: RuntimeContext, sink: MessageSink): Input {
    return new UnixSockInput(readSettings(decl, moduleParams, ctx.config.globals), ctx, sink);
  },
};

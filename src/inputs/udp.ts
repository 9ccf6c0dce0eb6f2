// imudp: one datagram = one message, IPv4 and IPv6 sockets, peer names resolved once per address (datagrams
// from a new address wait for that lookup, bounded). Reception: the native helper native/lw_udprecv
// (src/inputs/udp-helper.ts) drains the sockets with recvmmsg(2) and each pipe read, hundreds of datagrams, is
// one batch; without it (not built, not Linux, or LW_UDP_NO_HELPER=1) Node's dgram sockets, whose datagrams of
// one event-loop turn make one batch.
import * as dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import * as net from 'node:net';
import type { InputDecl, Params } from '../config/model';
import { DEFAULT_RULESET } from '../config/model';
import type { ComponentSpec, Input, InputFactory, MessageSink, ParamSpec } from '../components';
import type { Logger } from '../log';
import type { RuntimeContext } from '../runtime/context';
import { Message, Origin } from '../message';
import { SyslogTime } from '../time';
import { parseSyslog } from '../parse/index';
import type { ParseOptions } from '../parse/options';
import { HostResolver, normaliseAddress } from './resolve';
import { InputConfigError, inputParseOptions, paramInt, paramOptional, paramString } from './params';
import { resolverFor } from './tcp';
import { InputCounters, type InputMetrics } from '../metrics/input-counters';
import { allowListFor, type AllowList } from './allowed-senders';
import { UdpHelper, udpHelperUsable, type BindReport } from './udp-helper';

const MAX_PORT = 65535;
/** Datagrams held per unresolved address; beyond this they go out with the address as fromhost. */
const MAX_PENDING_PER_ADDRESS = 1000;
/** Event-loop turns stop() waits at most for the dgram sockets to be read empty. */
const STOP_DRAIN_TURNS = 1000;

const INPUT_PARAMS: ParamSpec[] = [
  { name: 'port', type: 'int', default: 514, doc: 'UDP port (0 picks a free one).' },
  { name: 'address', type: 'string', doc: 'Address to bind; all IPv4 and IPv6 addresses when absent.' },
  { name: 'name', type: 'string', doc: 'Value of the inputname property (default "imudp").' },
  { name: 'ruleset', type: 'ruleset', doc: 'Ruleset the messages are bound to.' },
  { name: 'rcvbufSize', type: 'size', unit: 'bytes', doc: 'Socket receive buffer (SO_RCVBUFFORCE, else SO_RCVBUF, as rsyslog).' },
];
const MODULE_PARAMS: ParamSpec[] = [
  { name: 'threads', type: 'int', doc: 'Accepted for compatibility.', ignored: 'one event loop serves all sockets' },
  { name: 'batchSize', type: 'int', doc: 'Accepted for compatibility.', ignored: 'batches are what one read of the receive helper (recvmmsg) or one event-loop turn brings' },
  { name: 'timeRequery', type: 'int', doc: 'Accepted for compatibility.', ignored: 'time is taken per batch' },
];

export const udpSpec: ComponentSpec = { name: 'udp', aliases: ['imudp'], kind: 'input', params: INPUT_PARAMS, moduleParams: MODULE_PARAMS };

interface UdpSettings {
  port: number;
  address: string | undefined;
  name: string;
  ruleset: string;
  rcvbufSize: number | undefined;
}

interface Pending {
  frames: Buffer[];
  times: SyslogTime[];
}

export class UdpInput implements Input {
  readonly name: string;
  /** Datagrams cut to maxMessageSize. */
  truncated = 0;
  private readonly s: UdpSettings;
  private readonly sink: MessageSink;
  private readonly logger: Logger;
  private readonly maxMessageSize: number;
  private readonly parse: ParseOptions;
  private readonly resolver: HostResolver;
  private readonly sockets: dgram.Socket[] = [];
  /** The recvmmsg helper and what it bound (null: Node dgram sockets). */
  private helper: UdpHelper | null = null;
  private bound: BindReport['bound'] = [];
  /** The helper's batch time, as a SyslogTime made once per distinct millisecond. */
  private lastMs = -1;
  private helperTime: SyslogTime | null = null;
  /** Datagrams read from the dgram sockets (the stop drain watches it). */
  private received = 0;
  private readonly origins = new Map<string, Origin>();
  private readonly pending = new Map<string, Pending>();
  private batch: Message[] = [];
  private flushScheduled = false;
  private now: SyslogTime | null = null;
  private readonly flushBound = (): void => this.flush();
  /** $AllowedSender UDP, … (null: everyone); decided once per source address. */
  private readonly acl: AllowList | null;

  constructor(s: UdpSettings, ctx: RuntimeContext, sink: MessageSink, resolver: HostResolver) {
    this.s = s;
    this.name = s.name;
    this.sink = sink;
    this.logger = ctx.logger;
    this.maxMessageSize = ctx.maxMessageSize;
    this.parse = inputParseOptions(ctx, s.ruleset);
    this.resolver = resolver;
    this.acl = allowListFor(ctx, 'udp', s.name);
  }

  /** Datagrams refused by $AllowedSender. */
  get refused(): number {
    return this.acl?.refused ?? 0;
  }

  private readonly counters = new InputCounters();

  /** Counters for the metrics registry (src/metrics), with the bound sockets for the kernel drop counters. */
  metrics(): InputMetrics {
    const m = this.counters.metrics(undefined, { allowed_sender: this.refused });
    m.truncated = this.truncated;
    m.udpSockets = this.addresses().map((a) => ({ address: a.address, port: a.port, family: net.isIPv6(a.address) ? 6 as const : 4 as const }));
    return m;
  }

  /** The receive helper's pid (undefined: dgram sockets, or the helper is restarting), for tests. */
  get helperPid(): number | undefined {
    return this.helper?.pid;
  }

  async start(): Promise<void> {
    if (udpHelperUsable()) {
      const started = await this.startHelper();
      if (started) return;
    }
    if (this.s.address !== undefined) {
      await this.bind(net.isIPv6(this.s.address) ? 'udp6' : 'udp4', this.s.address, this.s.port);
      return;
    }
    const port = await this.bind('udp4', '0.0.0.0', this.s.port);
    try {
      await this.bind('udp6', '::', port);
    } catch (err) {
      this.logger.notice('LW_UDP_NO_IPV6', `no IPv6 UDP socket: ${(err as Error).message}`, { input: this.name });
    }
  }

  /**
   * Bind through the helper; false when it cannot run at all (then the dgram sockets are used). A name as
   * address is looked up first (the helper takes literals), as Node's bind would.
   */
  private async startHelper(): Promise<boolean> {
    let addresses = ['0.0.0.0', '::'];
    if (this.s.address !== undefined) {
      const a = net.isIP(this.s.address) !== 0 ? this.s.address : (await lookup(this.s.address).catch(() => null))?.address;
      if (a === undefined) return false; // Node's bind reports the lookup failure
      addresses = [a];
    }
    const helper = new UdpHelper({ name: this.name, addresses, port: this.s.port, rcvbufSize: this.s.rcvbufSize, slot: this.maxMessageSize }, {
      datagram: (data, ip, truncated, timeMs) => {
        if (data.length === 0) return; // rsyslog ignores empty datagrams
        if (truncated) this.truncated++;
        if (timeMs !== this.lastMs || this.helperTime === null) {
          this.lastMs = timeMs;
          this.helperTime = SyslogTime.fromEpochMs(timeMs);
        }
        this.accept(data, ip, this.helperTime);
      },
      control: () => undefined,
      endOfRead: () => this.afterHelperRead(),
    }, this.logger);
    let report: BindReport;
    try {
      report = await helper.start();
    } catch (err) {
      if ((err as { spawnFailed?: boolean }).spawnFailed !== true) throw err;
      this.logger.warn('LW_WARN_UDP_HELPER_UNUSABLE', 'UDP receive helper cannot run; using Node dgram sockets', { input: this.name, detail: (err as Error).message });
      return false;
    }
    for (const f of report.failed) this.logger.notice('LW_UDP_NO_IPV6', `no IPv6 UDP socket: ${f.reason}`, { input: this.name, address: f.address });
    helper.pin(report);
    this.helper = helper;
    this.bound = report.bound;
    return true;
  }

  /** One pipe read decoded: submit it; while the pipeline is congested the helper's pipe is not read. */
  private afterHelperRead(): void {
    this.flush();
    const h = this.helper;
    if (h !== null && this.sink.congested && !h.isPaused) {
      h.pause();
      this.sink.onceDrained(() => h.resume());
    }
  }

  /** SIGHUP: a helper waiting to be restarted after a crash is started now. */
  reload(): void {
    this.helper?.restartNow();
  }

  async stop(): Promise<void> {
    const helper = this.helper;
    this.helper = null;
    this.bound = [];
    if (helper !== null) await helper.stop();
    else await this.drainSockets();
    await Promise.all(this.sockets.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
    for (const ip of [...this.pending.keys()]) this.release(ip, ip);
    this.flush();
  }

  /**
   * Dgram path, before closing: let the event loop read what the kernel already queued on the sockets (turns
   * until one brings no datagram, at most STOP_DRAIN_TURNS), so a stop does not discard accepted datagrams.
   */
  private async drainSockets(): Promise<void> {
    for (let turn = 0; turn < STOP_DRAIN_TURNS && this.sockets.length > 0; turn++) {
      const before = this.received;
      await new Promise<void>((r) => setImmediate(r));
      await new Promise<void>((r) => setImmediate(r));
      if (this.received === before) return;
    }
  }

  addresses(): Array<{ protocol: string; address: string; port: number }> {
    if (this.helper !== null) return this.bound.map((b) => ({ protocol: 'udp', address: b.address, port: b.port }));
    return this.sockets.map((s) => {
      const a = s.address();
      return { protocol: 'udp', address: a.address, port: a.port };
    });
  }

  private bind(type: 'udp4' | 'udp6', address: string, port: number): Promise<number> {
    const sock = dgram.createSocket({ type, ipv6Only: type === 'udp6', reuseAddr: false });
    return new Promise<number>((resolve, reject) => {
      sock.once('error', (err) => {
        sock.close();
        reject(Object.assign(new Error(`${this.name}: cannot bind ${address}:${port}: ${err.message}`), { code: 'LW_ERR_LISTEN' }));
      });
      sock.bind(port, address, () => {
        sock.removeAllListeners('error');
        sock.on('error', (err) => this.logger.warn('LW_ERR_UDP', `socket error: ${err.message}`, { input: this.name }));
        if (this.s.rcvbufSize !== undefined) sock.setRecvBufferSize(this.s.rcvbufSize);
        sock.on('message', (m: Buffer, r: dgram.RemoteInfo) => this.onDatagram(m, r));
        this.sockets.push(sock);
        resolve(sock.address().port);
      });
    });
  }

  /** A datagram from a dgram socket (the fallback path); those of one event-loop turn are one batch. */
  private onDatagram(data: Buffer, rinfo: dgram.RemoteInfo): void {
    this.received++;
    if (data.length === 0) return; // rsyslog ignores empty datagrams
    let frame = data;
    if (frame.length > this.maxMessageSize) {
      frame = frame.subarray(0, this.maxMessageSize); // imudp reads at most maxMessageSize bytes
      this.truncated++;
    }
    if (this.now === null) this.now = SyslogTime.now();
    this.accept(frame, normaliseAddress(rinfo.address), this.now);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushBound);
    }
  }

  /** A datagram of either path, already cut to maxMessageSize; it joins this.batch (the caller flushes). */
  private accept(frame: Buffer, ip: string, time: SyslogTime): void {
    const origin = this.origins.get(ip);
    if (origin) {
      this.add(frame, origin, time);
      return;
    }
    if (this.acl !== null && this.acl.byAddress(ip) === false) {
      this.acl.refuse(ip, 'datagram');
      return;
    }
    const name = this.resolver.cached(ip);
    if (name !== undefined) {
      const o = this.originFor(ip, name);
      if (o !== null) this.add(frame, o, time);
      else this.acl?.refuse(ip, 'datagram');
      return;
    }
    this.hold(ip, frame, time);
  }

  private hold(ip: string, frame: Buffer, time: SyslogTime): void {
    let p = this.pending.get(ip);
    if (!p) {
      p = { frames: [], times: [] };
      this.pending.set(ip, p);
      void this.resolver.resolve(ip).then((name) => this.release(ip, name));
    }
    if (p.frames.length >= MAX_PENDING_PER_ADDRESS) {
      if (this.acl?.byAddress(ip) === null) return void this.acl.refuse(ip, 'datagram'); // name not known yet
      this.add(frame, { inputname: this.name, fromhostIp: ip, fromhost: ip, ruleset: this.s.ruleset }, time);
      return;
    }
    p.frames.push(frame);
    p.times.push(time);
  }

  private release(ip: string, name: string): void {
    const p = this.pending.get(ip);
    this.pending.delete(ip);
    const origin = this.originFor(ip, name);
    if (!p) return;
    if (origin === null) return void this.acl?.refuse(ip, 'datagram', p.frames.length);
    for (let i = 0; i < p.frames.length; i++) this.add(p.frames[i], origin, p.times[i]);
    this.flush();
  }

  /** The origin of an allowed sender (created once), or null when $AllowedSender refuses it by name. */
  private originFor(ip: string, name: string): Origin | null {
    let o = this.origins.get(ip);
    if (!o) {
      if (this.acl !== null && this.acl.byAddress(ip) !== true && !this.acl.byName(ip, name)) return null;
      o = { inputname: this.name, fromhostIp: ip, fromhost: name, ruleset: this.s.ruleset };
      this.origins.set(ip, o);
    }
    return o;
  }

  private add(frame: Buffer, origin: Origin, time: SyslogTime): void {
    const msg = new Message(frame, origin, time);
    parseSyslog(frame, msg, this.parse);
    this.batch.push(msg);
  }

  private flush(): void {
    this.flushScheduled = false;
    this.now = null;
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.sink.submit(batch);
  }
}

function readSettings(decl: InputDecl, mod: Params): UdpSettings {
  const rcv = paramOptional(decl.params, mod, 'rcvbufSize');
  if (decl.params.get('port') && Array.isArray(decl.params.get('port')?.value)) {
    const p = decl.params.get('port')!;
    throw new InputConfigError(`${p.loc.file}:${p.loc.line}:${p.loc.col}: give each UDP port its own input() (port arrays are not supported)`);
  }
  return {
    port: paramInt(decl.params, new Map(), 'port', 514, 0, MAX_PORT),
    address: paramOptional(decl.params, new Map(), 'address'),
    name: paramString(decl.params, new Map(), 'name', 'imudp'),
    ruleset: paramString(decl.params, new Map(), 'ruleset', DEFAULT_RULESET),
    rcvbufSize: rcv === undefined ? undefined : paramInt(decl.params, mod, 'rcvbufSize', 0, 1),
  };
}


export const udpInput: InputFactory = {
  spec: udpSpec,
  create(decl: InputDecl, moduleParams: Params, ctx: RuntimeContext, sink: MessageSink): Input {
    return new UdpInput(readSettings(decl, moduleParams), ctx, sink, resolverFor(ctx));
  },
};

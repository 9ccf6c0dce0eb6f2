// Connection policy of a stream listener (tcp, tls, relp): every accepted socket is counted from accept (TLS
// handshakes included) against the listener's MaxSessions, a per-address MaxSessionsPerIP and the process's file
// descriptor budget. When a limit is reached, the oldest session that has not yet delivered a message (a stalled
// handshake, a silent or 1-byte-a-second peer), else the longest idle one, is closed to admit the new peer: a
// well-behaved sender always gets in while attackers hold idle sockets. Sessions that stay unauthenticated past
// HandshakeTimeout, or idle past IdleTimeout, are closed. TLS handshakes are rate-limited by a token bucket.
import { readFileSync } from 'node:fs';
import type { ParamSpec } from '../components';
import type { Params } from '../config/model';
import type { Logger } from '../log';
import { peerLog, type LogLimiter } from '../log-limit';
import { paramInt } from './params';

export interface ConnPolicy {
  maxSessions: number;
  /** Sessions one address may hold (0: no limit beyond maxSessions). */
  maxSessionsPerIp: number;
  /** Close sessions not authenticated (TLS handshake done) within this (0: never). */
  handshakeTimeoutMs: number;
  /** Close sessions that delivered no message for this long (0: never, as rsyslog). */
  idleTimeoutMs: number;
  /** New connections per second admitted (token bucket, burst one second's worth; 0: unlimited). */
  handshakesPerSecond: number;
}

/** A session that delivered messages counts as idle, for eviction, after this long without one. */
export const IDLE_EVICT_AFTER_MS = 5000;
/** Descriptors kept free for files, queues, the store and outgoing connections (at least). */
export const FD_RESERVE_MIN = 64;
const SWEEP_MS = 1000;

export type RefuseReason = 'maxSessions' | 'maxSessionsPerIP' | 'handshakeRate' | 'fdBudget';
export type CloseReason = 'evicted' | 'handshakeTimeout' | 'idleTimeout';

/** Per-listener counters (plain fields, for the metrics registry). */
export interface GateCounters {
  accepted: number;
  refused: Record<RefuseReason, number>;
  closed: Record<CloseReason, number>;
}

/** Closable handle of one admitted connection. */
export interface GateSocket {
  destroy(): unknown;
  once(event: 'close', cb: () => void): unknown;
  readonly remotePort?: number;
}

export class Conn {
  readonly openedAt: number;
  lastActive: number;
  authenticated = false;
  private progress: (() => number) | null = null;
  private seen = 0;
  released = false;

  constructor(readonly ip: string, readonly socket: GateSocket, now: number) {
    this.openedAt = now;
    this.lastActive = now;
  }

  /** Messages (frames) delivered so far by this connection's session. */
  watch(progress: () => number): void {
    this.progress = progress;
  }

  /** True once the session delivered a message; refreshes lastActive. */
  poll(now: number): boolean {
    const p = this.progress?.() ?? 0;
    if (p !== this.seen) {
      this.seen = p;
      this.lastActive = now;
    }
    return this.seen > 0;
  }
}

/** The process's descriptor budget shared by all listeners: soft RLIMIT_NOFILE less a reserve. */
export class FdBudget {
  open = 0;
  constructor(readonly limit: number) {}

  static fromProc(): FdBudget {
    let soft = Infinity;
    try {
      const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
      if (m && m[1] !== 'unlimited') soft = Number(m[1]);
    } catch { /* not Linux: no budget */ }
    return new FdBudget(soft === Infinity ? Infinity : Math.max(16, soft - Math.max(FD_RESERVE_MIN, Math.ceil(soft / 10))));
  }
}

let processBudget: FdBudget | null = null;
export function fdBudget(): FdBudget {
  processBudget ??= FdBudget.fromProc();
  return processBudget;
}

export interface GateOptions {
  input: string;
  logger: Logger;
  /** Code logged for a refusal at maxSessions (tcp and tls keep their historical codes). */
  fullCode?: string;
  budget?: FdBudget;
  now?: () => number;
}

export class ConnectionGate {
  readonly counters: GateCounters = {
    accepted: 0,
    refused: { maxSessions: 0, maxSessionsPerIP: 0, handshakeRate: 0, fdBudget: 0 },
    closed: { evicted: 0, handshakeTimeout: 0, idleTimeout: 0 },
  };
  private readonly conns = new Set<Conn>();
  /** Admitted TLS connections by "address:port" until their handshake completes (node gives the raw socket
   * at 'connection' and the TLSSocket at 'secureConnection'; both know the same peer address and port). */
  private readonly handshaking = new Map<string, Conn>();
  private readonly byIp = new Map<string, Set<Conn>>();
  private readonly budget: FdBudget;
  private readonly now: () => number;
  private readonly log: LogLimiter;
  private tokens: number;
  private refilledAt: number;
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly policy: ConnPolicy, private readonly o: GateOptions) {
    this.budget = o.budget ?? fdBudget();
    this.now = o.now ?? Date.now;
    this.log = peerLog(o.logger);
    this.tokens = policy.handshakesPerSecond;
    this.refilledAt = this.now();
    if (policy.handshakeTimeoutMs > 0 || policy.idleTimeoutMs > 0) {
      this.timer = setInterval(() => this.sweep(), SWEEP_MS);
      this.timer.unref();
    }
  }

  /** Sessions open now (from accept). */
  get open(): number {
    return this.conns.size;
  }

  /**
   * A socket was accepted: admit it (closing an older idle or unauthenticated one if a limit is reached) or
   * close it. The connection leaves the count when its socket closes.
   */
  admit(socket: GateSocket, ip: string): Conn | null {
    const now = this.now();
    if (!this.takeToken(now)) return this.refuse(socket, ip, 'handshakeRate');
    const perIp = this.policy.maxSessionsPerIp;
    const mine = this.byIp.get(ip);
    if (perIp > 0 && perIp < this.policy.maxSessions && mine !== undefined && mine.size >= perIp && !this.evictFrom(mine, now)) return this.refuse(socket, ip, 'maxSessionsPerIP');
    if (this.conns.size >= this.policy.maxSessions && !this.evictFrom(this.conns, now)) return this.refuse(socket, ip, 'maxSessions');
    if (this.budget.open >= this.budget.limit && !this.evictFrom(this.conns, now)) return this.refuse(socket, ip, 'fdBudget');
    const c = new Conn(ip, socket, now);
    this.conns.add(c);
    let set = this.byIp.get(ip);
    if (!set) this.byIp.set(ip, (set = new Set()));
    set.add(c);
    this.budget.open++;
    this.counters.accepted++;
    socket.once('close', () => this.release(c));
    return c;
  }

  /** Admit a raw socket of a TLS server ('connection' event); the handshake is then pending. */
  admitHandshake(socket: GateSocket & { remoteAddress?: string }, ip: string): Conn | null {
    const conn = this.admit(socket, ip);
    if (conn === null) return null;
    const key = `${socket.remoteAddress}:${socket.remotePort}`;
    this.handshaking.set(key, conn);
    socket.once('close', () => { if (this.handshaking.get(key) === conn) this.handshaking.delete(key); });
    return conn;
  }

  /** The handshake of this TLSSocket completed: its connection, now authenticated, or null if it was closed. */
  handshakeDone(socket: { remoteAddress?: string; remotePort?: number }): Conn | null {
    const key = `${socket.remoteAddress}:${socket.remotePort}`;
    const conn = this.handshaking.get(key);
    this.handshaking.delete(key);
    if (conn === undefined || conn.released) return null;
    conn.authenticated = true;
    return conn;
  }

  /** Close every session that is past its handshake or idle timeout (runs each second; tests call it). */
  sweep(): void {
    const now = this.now();
    const { handshakeTimeoutMs: hs, idleTimeoutMs: idle } = this.policy;
    for (const c of this.conns) {
      if (hs > 0 && !c.authenticated && now - c.openedAt >= hs) this.close(c, 'handshakeTimeout');
      else if (idle > 0) {
        c.poll(now);
        if (now - c.lastActive >= idle) this.close(c, 'idleTimeout');
      }
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private takeToken(now: number): boolean {
    const rate = this.policy.handshakesPerSecond;
    if (rate <= 0) return true;
    this.tokens = Math.min(rate, this.tokens + ((now - this.refilledAt) / 1000) * rate);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }

  /** Close the best victim in `scope`: the oldest session without a message yet, else the longest idle. */
  private evictFrom(scope: Set<Conn>, now: number): boolean {
    let idle: Conn | null = null;
    for (const c of scope) {
      if (!c.poll(now)) { // sets are in accept order: the first silent one is the oldest
        this.close(c, 'evicted');
        return true;
      }
      if (now - c.lastActive >= IDLE_EVICT_AFTER_MS && (idle === null || c.lastActive < idle.lastActive)) idle = c;
    }
    if (idle === null) return false;
    this.close(idle, 'evicted');
    return true;
  }

  private close(c: Conn, reason: CloseReason): void {
    this.counters.closed[reason]++;
    this.log.notice('LW_SESSION_CLOSED', c.ip, `session closed: ${reason}`, {
      input: this.o.input, peer: `${c.ip}:${c.socket.remotePort ?? ''}`, reason, open: this.conns.size, maxSessions: this.policy.maxSessions,
    });
    this.release(c);
    c.socket.destroy();
  }

  private release(c: Conn): void {
    if (c.released) return;
    c.released = true;
    this.conns.delete(c);
    const set = this.byIp.get(c.ip);
    set?.delete(c);
    if (set?.size === 0) this.byIp.delete(c.ip);
    this.budget.open--;
  }

  private refuse(socket: GateSocket, ip: string, reason: RefuseReason): null {
    this.counters.refused[reason]++;
    const code = reason === 'maxSessions' && this.o.fullCode ? this.o.fullCode : 'LW_WARN_SESSION_REFUSED';
    this.log.warn(code, ip, `connection refused: ${reason} reached`, {
      input: this.o.input, peer: `${ip}:${socket.remotePort ?? ''}`, reason,
      limit: reason === 'maxSessions' ? this.policy.maxSessions : reason === 'maxSessionsPerIP' ? this.policy.maxSessionsPerIp
        : reason === 'handshakeRate' ? this.policy.handshakesPerSecond : this.budget.limit,
    });
    socket.destroy();
    return null;
  }
}

/** rsyslog imtcp's MaxSessions default. */
export const DEFAULT_MAX_SESSIONS = 200;
export const DEFAULT_HANDSHAKE_TIMEOUT_SECS = 10;
export const DEFAULT_HANDSHAKES_PER_SECOND = 200;

/** Connection-policy parameters of a listener; `tls` adds the handshake ones. */
export function connPolicyParams(tls: boolean): ParamSpec[] {
  const p: ParamSpec[] = [
    { name: 'MaxSessionsPerIP', type: 'int', doc: 'Logwarden extension: sessions one address may hold (default: half of MaxSessions; 0 = no limit); when reached, its oldest silent or idle session makes room' },
    { name: 'IdleTimeout', type: 'int', unit: 'seconds', default: 0, doc: 'Logwarden extension: close sessions that delivered no message for this long (0 = never, as rsyslog; a full listener still closes its oldest idle session for a new peer)' },
  ];
  if (tls) {
    p.push(
      { name: 'HandshakeTimeout', type: 'int', unit: 'seconds', default: DEFAULT_HANDSHAKE_TIMEOUT_SECS, doc: 'Logwarden extension: close peers that do not finish the TLS handshake in time (0 = never)' },
      { name: 'MaxHandshakesPerSecond', type: 'int', default: DEFAULT_HANDSHAKES_PER_SECOND, doc: 'Logwarden extension: new TLS connections accepted per second (token bucket, one second of burst; 0 = unlimited)' },
    );
  }
  return p;
}

/** Read a listener's connection policy (input() value, else module() value, else default). */
export function readConnPolicy(params: Params, moduleParams: Params, tls: boolean, maxSessionsDefault = DEFAULT_MAX_SESSIONS): ConnPolicy {
  const maxSessions = paramInt(params, moduleParams, 'maxSessions', maxSessionsDefault, 1);
  return {
    maxSessions,
    maxSessionsPerIp: paramInt(params, moduleParams, 'maxSessionsPerIP', Math.ceil(maxSessions / 2), 0),
    idleTimeoutMs: 1000 * paramInt(params, moduleParams, 'idleTimeout', 0, 0),
    handshakeTimeoutMs: tls ? 1000 * paramInt(params, moduleParams, 'handshakeTimeout', DEFAULT_HANDSHAKE_TIMEOUT_SECS, 0) : 0,
    handshakesPerSecond: tls ? paramInt(params, moduleParams, 'maxHandshakesPerSecond', DEFAULT_HANDSHAKES_PER_SECOND, 0) : 0,
  };
}

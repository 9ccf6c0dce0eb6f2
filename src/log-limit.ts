// Rate limit for Logwarden's own log lines about peers (refusals, handshake failures, protocol mismatches): per
// code, peer and message text, the first few lines of each window are written, the rest counted and summarised once when the
// window ends ("1800 more LW_WARN_TCP_MAX_SESSIONS from 127.0.0.1 in the last 10 s"). A hostile peer cannot
// turn Logwarden's stderr into its amplifier.
import type { Level, Logger } from './log';

export interface LogLimitOptions {
  /** Lines written per code and peer in one window (default 5). */
  burst?: number;
  /** Window length in ms (default 10 s). */
  windowMs?: number;
  /** Distinct code+peer keys tracked per window; past this, peers share one "*" key (default 10,000). */
  maxKeys?: number;
}

interface Entry { level: Level; code: string; peer: string; message: string; written: number; suppressed: number; burst: number }

const DEFAULTS = { burst: 5, windowMs: 10_000, maxKeys: 10_000 };

export class LogLimiter {
  /** Lines suppressed since start (all codes and peers). */
  suppressedTotal = 0;
  private readonly logger: Logger;
  private readonly o: Required<LogLimitOptions>;
  private entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | null = null;

  constructor(logger: Logger, opts: LogLimitOptions = {}) {
    this.logger = logger;
    this.o = { ...DEFAULTS, ...opts };
  }

  /**
   * Log one line about `peer` (an address, not address:port), unless this code+peer is over its burst (`burst`
   * overrides the limiter's for this code, e.g. 1 for "once per peer and window").
   */
  log(level: Level, code: string, peer: string, message: string, fields: Record<string, unknown> = {}, burst = this.o.burst): void {
    let key = `${code}\u0000${peer}\u0000${message}`;
    let e = this.entries.get(key);
    if (e === undefined) {
      if (this.entries.size >= this.o.maxKeys) {
        key = `${code}\u0000*\u0000${message}`;
        e = this.entries.get(key);
      }
      if (e === undefined) {
        e = { level, code, peer: this.entries.size >= this.o.maxKeys ? '*' : peer, message, written: 0, suppressed: 0, burst };
        this.entries.set(key, e);
      }
      this.arm();
    }
    if (e.written < e.burst) {
      e.written++;
      this.logger.log(level, code, message, fields);
      return;
    }
    e.suppressed++;
    this.suppressedTotal++;
  }

  warn(code: string, peer: string, message: string, fields?: Record<string, unknown>, burst?: number): void { this.log('warn', code, peer, message, fields, burst); }
  notice(code: string, peer: string, message: string, fields?: Record<string, unknown>, burst?: number): void { this.log('notice', code, peer, message, fields, burst); }

  /** End the window: one summary line per code+peer that had lines suppressed; counts restart. */
  flush(): void {
    const secs = Math.round(this.o.windowMs / 1000);
    const entries = this.entries;
    this.entries = new Map();
    for (const e of entries.values()) {
      if (e.suppressed === 0) continue;
      this.logger.log(e.level, e.code, `${e.suppressed} more "${e.message}" from ${e.peer} in the last ${secs} s (not logged one by one)`, {
        peer: e.peer, suppressed: e.suppressed, windowSecs: secs,
      });
    }
    if (this.entries.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** Stop the window timer, writing the pending summaries. */
  close(): void {
    this.flush();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private arm(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.flush(), this.o.windowMs);
    this.timer.unref();
  }
}

const shared = new WeakMap<Logger, LogLimiter>();

/** The limiter shared by every input logging to `logger` (one window per process and logger). */
export function peerLog(logger: Logger): LogLimiter {
  let l = shared.get(logger);
  if (!l) {
    l = new LogLimiter(logger);
    shared.set(logger, l);
  }
  return l;
}

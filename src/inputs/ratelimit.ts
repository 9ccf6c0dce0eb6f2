// rsyslog's ratelimiter for local inputs (imuxsock RateLimit.*, SysSock.RateLimit.*): at most `burst` messages per
// `interval` seconds; messages of severity below `severity` (more urgent, e.g. emerg) always pass. After a window
// that dropped messages, the next message that passes is preceded by a notice counting them, as rsyslog logs
// "imuxsock begins to drop messages … due to rate-limiting". One limiter per input (rsyslog keys it by sender
// PID, which a socket without SCM_CREDENTIALS does not tell).
import type { MessageSink, ParamSpec } from '../components';
import type { Params } from '../config/model';
import { paramInt } from './params';
import type { Logger } from '../log';
import type { Message } from '../message';

export interface RateLimit {
  intervalMs: number;
  burst: number;
  severity: number;
}

export class RateLimitSink implements MessageSink {
  private windowStart = 0;
  private inWindow = 0;
  private dropped = 0;

  constructor(private readonly inner: MessageSink, private readonly rl: RateLimit, private readonly logger: Logger, private readonly input: string) {}

  submit(batch: Message[]): void {
    const now = Date.now();
    let out: Message[] | null = null;
    for (let i = 0; i < batch.length; i++) {
      const m = batch[i];
      if (now - this.windowStart >= this.rl.intervalMs) {
        if (this.dropped > 0) {
          this.logger.warn('LW_WARN_RATE_LIMITED', 'messages dropped by the input rate limit', { input: this.input, dropped: this.dropped, intervalSeconds: this.rl.intervalMs / 1000, burst: this.rl.burst });
          this.dropped = 0;
        }
        this.windowStart = now;
        this.inWindow = 0;
      }
      const limited = m.severity >= this.rl.severity;
      if (limited && this.inWindow >= this.rl.burst) {
        if (out === null) out = batch.slice(0, i);
        this.dropped++;
        continue;
      }
      if (limited) this.inWindow++;
      if (out !== null) out.push(m);
    }
    const pass = out ?? batch;
    if (pass.length > 0) this.inner.submit(pass);
  }

  get congested(): boolean {
    return this.inner.congested;
  }

  onceDrained(cb: () => void): void {
    this.inner.onceDrained(cb);
  }
}

/** imtcp's RateLimit.* (plain and TLS listeners): one limiter per listener (rsyslog tcpsrv), every severity counts. */
export const LISTENER_RATE_LIMIT_PARAMS: ParamSpec[] = [
  { name: 'RateLimit.Interval', type: 'int', default: 0, unit: 'seconds', doc: 'Rate-limit window of this listener in seconds (0: no limit); all its connections share it, as in rsyslog.' },
  { name: 'RateLimit.Burst', type: 'int', default: 10000, unit: 'messages', doc: 'Messages the listener passes per window; the rest are dropped.' },
];

export function listenerRateLimit(p: Params): RateLimit | null {
  const none: Params = new Map();
  const interval = paramInt(p, none, 'RateLimit.Interval', 0, 0);
  if (interval === 0) return null;
  return { intervalMs: interval * 1000, burst: paramInt(p, none, 'RateLimit.Burst', 10000, 1), severity: 0 };
}

/** The sink itself without a limit, else a RateLimitSink in front of it. */
export function rateLimited(sink: MessageSink, rl: RateLimit | null, logger: Logger, input: string): MessageSink {
  return rl === null ? sink : new RateLimitSink(sink, rl, logger, input);
}

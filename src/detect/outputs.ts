// Alert outputs: NDJSON file, webhook, exec program, syslog re-injection. Each output delivers one alert at a
// time from a queue of its own, so a slow or dead receiver never blocks ingest or the other outputs:
//  - under `run`, an ActionQueue (src/queue), disk-assisted by default (file lw-alert-<detect>-<kind> in the
//    work directory): alerts wait on disk while a receiver is down, survive a restart, and are retried with
//    the queue's backoff (useQueue(); the alert travels as an RFC 5424 Message, the Alert itself in `$!alert`);
//  - otherwise (outputs built directly, e.g. by tests) a bounded in-memory queue; a full queue drops the alert
//    and counts it.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { hostname } from 'node:os';
import { DeliveryFailure, type Action, type ActionStats } from '../actions/action';
import type { Logger } from '../log';
import { Message } from '../message';
import { parseSyslog } from '../parse';
import { parseOptions } from '../parse/options';
import { ActionQueue, type QueueOptions } from '../queue/action-queue';
import { SyslogTime } from '../time';
import type { Alert } from './alerts';

export interface OutputStats {
  queued: number;
  delivered: number;
  failed: number;
  dropped: number;
}

export const DEFAULT_OUTPUT_QUEUE = 1000;

/** JSON form of an alert for every output. */
export function alertJson(a: Alert): Record<string, unknown> {
  return {
    id: a.id, rule: a.rule, title: a.title, level: a.level, key: a.key,
    first: new Date(a.firstMs).toISOString(), last: new Date(a.lastMs).toISOString(), count: a.count,
    reason: a.reason, refs: a.refs, status: a.status, observer: hostname(),
  };
}

const ALERT_ORIGIN = { inputname: 'detect', fromhostIp: '127.0.0.1', fromhost: hostname(), ruleset: '' };
const ALERT_PARSE = parseOptions();

/** The alert as a Message for the queue stage: its RFC 5424 line, parsed, with the Alert in `$!alert`. */
export function alertMessage(a: Alert): Message {
  const m = new Message(Buffer.from(alertSyslogLine(a), 'utf8'), ALERT_ORIGIN, SyslogTime.now());
  parseSyslog(m.rawmsg, m, ALERT_PARSE);
  m.json = { alert: { ...a } };
  return m;
}

/** The Alert back from alertMessage()'s Message (after a trip through the disk queue). */
export function alertOfMessage(m: Message): Alert {
  const a = m.json?.alert;
  if (a === null || typeof a !== 'object') throw new Error('queued alert message carries no $!alert');
  return a as Alert;
}

/** The Action an alert output's ActionQueue delivers to: one alert at a time, in order. */
class AlertAction implements Action {
  readonly stats: ActionStats = { delivered: 0, failed: 0 };
  constructor(readonly name: string, private readonly out: AlertOutput) {}

  async deliver(batch: Message[]): Promise<void> {
    for (let i = 0; i < batch.length; i++) {
      const a = alertOfMessage(batch[i]!);
      try {
        await this.out.sendAlert(a);
      } catch (err) {
        this.stats.failed++;
        this.out.noteFailure(a, err);
        throw new DeliveryFailure((err as Error).message, { done: i, code: this.out.code(), cause: err });
      }
      this.stats.delivered++;
      this.out.stats.delivered++;
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** One delivery at a time from a queue: an ActionQueue (useQueue) or a bounded in-memory one. */
export abstract class AlertOutput {
  /** file, webhook, exec or syslog: names the output's queue file. */
  abstract readonly kind: string;
  readonly stats: OutputStats = { queued: 0, delivered: 0, failed: 0, dropped: 0 };
  private readonly queue: Alert[] = [];
  private busy = false;
  private idleWaiters: Array<() => void> = [];
  private lastDropLog = 0;
  private aq: ActionQueue | null = null;

  constructor(readonly name: string, protected readonly logger: Logger, private readonly cap = DEFAULT_OUTPUT_QUEUE) {}

  protected abstract send(a: Alert): Promise<void>;

  /** For AlertAction. */
  sendAlert(a: Alert): Promise<void> {
    return this.send(a);
  }

  /** For AlertAction: log one failed attempt (the queue keeps the alert and retries). */
  noteFailure(a: Alert, err: unknown): void {
    this.stats.failed++;
    this.logger.error(this.failCode(), 'alert not delivered', { output: this.name, alert: a.id, rule: a.rule, error: (err as Error).message });
  }

  code(): string {
    return this.failCode();
  }

  /**
   * Deliver through an ActionQueue from now on (disk-backed when opts say so). `after`: on a reload, the
   * queue of the outputs this one replaces must have closed (released its files) first.
   */
  useQueue(opts: QueueOptions, after?: Promise<unknown>): void {
    this.aq = new ActionQueue(new AlertAction(this.name, this), opts, this.logger, () => undefined, after);
  }

  /** Counters with `queued` brought up to date. */
  snapshot(): OutputStats {
    if (this.aq !== null) this.stats.queued = this.aq.total;
    return { ...this.stats };
  }

  /** The ActionQueue behind this output, if any (its counters are the queue metrics). */
  get actionQueue(): ActionQueue | null {
    return this.aq;
  }

  /** Stop: a queued output saves what it holds (disk-backed) and says what was lost. */
  async close(timeoutMs: number): Promise<void> {
    if (this.aq !== null) {
      await this.aq.close(timeoutMs);
      return;
    }
    let t: NodeJS.Timeout | undefined;
    await Promise.race([this.whenIdle(), new Promise((r) => { t = setTimeout(r, timeoutMs); t.unref(); })]);
    clearTimeout(t);
  }

  push(a: Alert): void {
    if (this.aq !== null) {
      const before = this.aq.stats.refused + this.aq.stats.discarded;
      this.aq.push(alertMessage(a));
      if (this.aq.stats.refused + this.aq.stats.discarded > before) this.stats.dropped++;
      this.stats.queued = this.aq.total;
      return;
    }
    if (this.queue.length >= this.cap) {
      this.stats.dropped++;
      const now = Date.now();
      if (now - this.lastDropLog > 10_000) {
        this.lastDropLog = now;
        this.logger.warn('LW_WARN_ALERT_OUTPUT_DROPPED', 'alert output queue full; alert dropped', { output: this.name, dropped: this.stats.dropped });
      }
      return;
    }
    this.queue.push(a);
    this.stats.queued = this.queue.length;
    if (!this.busy) void this.pump();
  }

  private async pump(): Promise<void> {
    this.busy = true;
    while (this.queue.length > 0) {
      const a = this.queue.shift()!;
      this.stats.queued = this.queue.length;
      try {
        await this.send(a);
        this.stats.delivered++;
      } catch (err) {
        this.stats.failed++;
        this.logger.error(this.failCode(), 'alert not delivered', { output: this.name, alert: a.id, rule: a.rule, error: (err as Error).message });
      }
    }
    this.busy = false;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  protected abstract failCode(): string;

  whenIdle(): Promise<void> {
    if (this.aq !== null) return this.aq.whenIdle();
    if (!this.busy && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }
}

export class FileOutput extends AlertOutput {
  readonly kind = 'file';
  constructor(private readonly path: string, logger: Logger, cap?: number) {
    super(`file:${path}`, logger, cap);
  }

  protected send(a: Alert): Promise<void> {
    return appendFile(this.path, `${JSON.stringify(alertJson(a))}\n`, { mode: 0o640 });
  }

  protected failCode(): string {
    return 'LW_ERR_ALERT_FILE';
  }
}

export interface WebhookOptions {
  url: string;
  /** HMAC-SHA256 key; the hex digest of the body goes in X-Logwarden-Signature as "sha256=<hex>". */
  secret?: string;
  timeoutMs?: number;
  /** Attempts after the first. */
  retries?: number;
  /** First backoff; doubles per retry. */
  backoffMs?: number;
}

export class WebhookOutput extends AlertOutput {
  readonly kind = 'webhook';
  private readonly o: Required<Omit<WebhookOptions, 'secret'>> & { secret?: string };

  constructor(opts: WebhookOptions, logger: Logger, cap?: number) {
    super(`webhook:${new URL(opts.url).host}`, logger, cap);
    this.o = { timeoutMs: 5000, retries: 3, backoffMs: 500, ...opts };
  }

  protected async send(a: Alert): Promise<void> {
    const body = JSON.stringify(alertJson(a));
    let last: Error = new Error('not sent');
    for (let attempt = 0; attempt <= this.o.retries; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, this.o.backoffMs * 2 ** (attempt - 1)));
      try {
        await this.post(body);
        return;
      } catch (err) {
        last = err as Error;
      }
    }
    throw last;
  }

  /** One POST; resolves on a 2xx answer. */
  post(body: string): Promise<void> {
    const url = new URL(this.o.url);
    const headers: Record<string, string | number> = {
      'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'logwarden-detect',
    };
    if (this.o.secret) headers['x-logwarden-signature'] = `sha256=${createHmac('sha256', this.o.secret).update(body).digest('hex')}`;
    const req = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const r = req(url, { method: 'POST', headers, timeout: this.o.timeoutMs }, (res) => {
        res.resume();
        res.on('end', () => {
          const s = res.statusCode ?? 0;
          if (s >= 200 && s < 300) resolve();
          else reject(new Error(`HTTP ${s} from ${url.host}`));
        });
        res.on('error', reject);
      });
      r.on('timeout', () => r.destroy(new Error(`no answer from ${url.host} within ${this.o.timeoutMs} ms`)));
      r.on('error', reject);
      r.end(body);
    });
  }

  protected failCode(): string {
    return 'LW_ERR_ALERT_WEBHOOK';
  }
}

export class ExecOutput extends AlertOutput {
  readonly kind = 'exec';
  constructor(private readonly program: string, private readonly timeoutMs: number, logger: Logger, cap?: number) {
    super(`exec:${program}`, logger, cap);
  }

  protected send(a: Alert): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.program, [], { stdio: ['pipe', 'ignore', 'ignore'], timeout: this.timeoutMs });
      child.on('error', reject);
      child.on('close', (code, signal) => {
        if (code === 0) resolve();
        else reject(new Error(signal ? `killed by ${signal}` : `exit status ${code}`));
      });
      child.stdin.on('error', () => { /* the program may exit without reading; its status decides */ });
      child.stdin.end(`${JSON.stringify(alertJson(a))}\n`);
    });
  }

  protected failCode(): string {
    return 'LW_ERR_ALERT_EXEC';
  }
}

/** RFC 5424 §6.3.3: in PARAM-VALUE, '"', '\' and ']' are escaped with '\'. */
function sdValue(s: string): string {
  return s.replace(/[\\"\]]/g, (c) => `\\${c}`);
}

/** PEN 32473 is the RFC 5612 documentation enterprise number; the SD-ID is ours by the "@" convention. */
export const ALERT_SD_ID = 'lwalert@32473';

/**
 * The alert as an RFC 5424 line: APP-NAME logwarden, MSGID ALERT, SD [lwalert@32473 rule= key= level= count=
 * id=], MSG the title and reason. Facility security/auth (4, RFC 5424 table 1), severity from the level.
 */
export function alertSyslogLine(a: Alert): string {
  const sev = { critical: 2, high: 3, medium: 4, low: 5, info: 6 }[a.level] ?? 4;
  const pri = 4 * 8 + sev;
  const sd = `[${ALERT_SD_ID} id="${a.id}" rule="${sdValue(a.rule)}" key="${sdValue(a.key)}" level="${a.level}" count="${a.count}"]`;
  return `<${pri}>1 ${new Date(a.firstMs).toISOString()} ${hostname()} logwarden - ALERT ${sd} ${a.title}: ${a.reason}${a.key ? ` (${a.key})` : ''}`;
}

export class SyslogOutput extends AlertOutput {
  readonly kind = 'syslog';
  constructor(private readonly inject: (line: string) => void, logger: Logger, cap?: number) {
    super('syslog', logger, cap);
  }

  protected send(a: Alert): Promise<void> {
    this.inject(alertSyslogLine(a));
    return Promise.resolve();
  }

  protected failCode(): string {
    return 'LW_ERR_ALERT_SYSLOG';
  }
}

// omrelp: sends rendered messages as RELP `syslog` commands, keeps up to windowSize unacknowledged, and
// resolves a batch only when every message got its `rsp` (200 = delivered, other codes = refused as poison).
// On connection loss it reconnects with backoff and resends exactly the unacknowledged messages (counted in
// `resent`: the receiver may have taken them already, so RELP is at-least-once across a receiver crash).
import type { Action, ActionStats, DeliveryReport, Rejection } from './action';
import { DeliveryFailure } from './action';
import type { ActionFactory, ComponentSpec } from '../components';
import { getParam, type ActionDecl, type Params, type SourceLoc } from '../config/model';
import type { Logger } from '../log';
import type { Message } from '../message';
import type { CompiledTemplate, RuntimeContext } from '../runtime/context';
import { RelpConnection, type RelpResponse } from '../relp/client';
import { RELP_TLS_PARAMS, relpTlsSettings } from '../relp/tls';
import { TlsConfigError } from '../tls/config';
import { secureContextOptions } from '../tls/context';
import type { ForwardTarget } from './forward';

/** omrelp's defaults (rsyslog omrelp.c / librelp). */
const DEFAULT_PORT = 514;
const DEFAULT_TEMPLATE = 'RSYSLOG_ForwardFormat';
const DEFAULT_TIMEOUT_S = 90;
const DEFAULT_CONN_TIMEOUT_S = 10;
/** librelp's default window (RELP_DFLT_WINDOW_SIZE). */
export const DEFAULT_WINDOW = 128;
/** Reconnect attempts inside one deliver() before it reports partial progress to the queue. */
const RECONNECT_DELAYS_MS = [100, 250, 500, 1000, 2000, 4000];

export const relpActionSpec: ComponentSpec = {
  name: 'relp',
  aliases: ['omrelp'],
  kind: 'action',
  params: [
    { name: 'target', type: 'string', required: true, doc: 'RELP server host name or address' },
    { name: 'port', type: 'int', default: DEFAULT_PORT, doc: 'RELP server port (514 as rsyslog; 2514/20514 are usual)' },
    { name: 'template', type: 'template', default: DEFAULT_TEMPLATE, doc: 'message format' },
    { name: 'timeout', type: 'int', unit: 'seconds', default: DEFAULT_TIMEOUT_S, doc: 'a session with unacknowledged messages and no response for this long is dropped and reconnected' },
    { name: 'conn.timeout', type: 'int', unit: 'seconds', default: DEFAULT_CONN_TIMEOUT_S, doc: 'connect (and open handshake) timeout' },
    { name: 'windowSize', type: 'int', default: 0, doc: 'unacknowledged messages in flight (0 = librelp default 128)' },
    { name: 'rebindInterval', type: 'int', default: 0, doc: 'reconnect after this many messages (0 = never)' },
    { name: 'localClientIp', type: 'string', doc: 'local address to connect from' },
    { name: 'name', type: 'string', doc: 'action name for logs and stats' },
    ...RELP_TLS_PARAMS,
  ],
  moduleParams: [
    { name: 'tls.tlslib', type: 'word', values: ['openssl', 'gnutls'], doc: 'librelp TLS library', ignored: 'Logwarden always uses node:tls (OpenSSL)' },
  ],
};

interface RelpActionSettings {
  target: ForwardTarget;
  windowSize: number;
  timeoutMs: number;
  connTimeoutMs: number;
  rebindInterval: number;
  /** Backoff between reconnect attempts inside one deliver(); its length is the attempt budget. */
  reconnectDelaysMs: readonly number[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class RelpAction implements Action {
  readonly stats: ActionStats = { delivered: 0, failed: 0 };
  /** Frames sent again after a connection loss (each may be a duplicate at the receiver). */
  resent = 0;
  /** Messages the server answered with a non-200 response. */
  refused = 0;
  reconnects = 0;
  private conn: RelpConnection | null = null;
  private sinceRebind = 0;
  private closing = false;
  /** Messages acknowledged during a deliver() that then failed part way: never sent again if retried. */
  private readonly ackedEarlier = new WeakSet<Message>();

  constructor(readonly name: string, private readonly s: RelpActionSettings, private readonly tpl: CompiledTemplate, private readonly log: Logger) {}

  async deliver(batch: Message[]): Promise<DeliveryReport | void> {
    const n = batch.length;
    if (n === 0) return;
    const data: Buffer[] = new Array<Buffer>(n);
    const finished = new Uint8Array(n); // 1 = acknowledged, 2 = refused, 3 = acknowledged in an earlier failed deliver()
    const rejected: Rejection[] = [];
    let todo: number[] = [];
    let earlier = 0;
    for (let i = 0; i < n; i++) {
      if (this.ackedEarlier.has(batch[i])) { finished[i] = 3; earlier++; continue; }
      data[i] = Buffer.from(this.tpl.render(batch[i]), 'utf8');
      todo.push(i);
    }
    let attempt = 0;
    const delays = this.s.reconnectDelaysMs;
    const everSent = new Uint8Array(n);
    while (todo.length > 0) {
      let conn: RelpConnection;
      try {
        conn = await this.connection();
      } catch (e) {
        if (this.closing || attempt >= delays.length) throw this.partial(batch, finished, rejected, e as Error);
        this.log.notice('LW_RELP_CONNECT_FAILED', 'RELP connect failed; retrying', { action: this.name, target: `${this.s.target.host}:${this.s.target.port}`, retryInMs: delays[attempt], error: (e as Error).message });
        await sleep(delays[attempt++]);
        continue;
      }
      const sent = await this.run(conn, todo, data, finished, rejected, everSent);
      if (sent.lost === null) { todo = []; break; }
      // Connection lost: everything sent and not answered goes again, in order, on a new connection.
      this.reconnects++;
      todo = todo.filter((i) => finished[i] === 0);
      if (sent.progress) attempt = 0;
      this.log.notice('LW_RELP_CONNECTION_LOST', 'RELP connection lost; resending unacknowledged messages', { action: this.name, target: `${this.s.target.host}:${this.s.target.port}`, pending: todo.length, error: sent.lost.message });
      if (this.closing || attempt >= delays.length) throw this.partial(batch, finished, rejected, sent.lost);
      await sleep(delays[attempt++]);
    }
    this.stats.delivered += n - rejected.length - earlier; // the earlier ones were counted when acknowledged
    this.sinceRebind += n;
    if (this.s.rebindInterval > 0 && this.sinceRebind >= this.s.rebindInterval) await this.rebind();
    return rejected.length > 0 ? { rejected } : undefined;
  }

  /** Send `todo` through one connection with the window; resolves when all are answered or the connection is lost. */
  private run(conn: RelpConnection, todo: number[], data: Buffer[], finished: Uint8Array, rejected: Rejection[], everSent: Uint8Array): Promise<{ lost: Error | null; progress: boolean }> {
    return new Promise((resolve) => {
      const inflight = new Map<number, number>(); // txnr → batch index
      let pos = 0;
      let progress = false;
      let timer: NodeJS.Timeout | null = null;
      const window = this.s.windowSize;
      // One timer per session, not per response: it re-arms itself for what is left of `timeout` since the
      // last response, and fires only when the server was silent that long with messages outstanding.
      let lastResponse = Date.now();
      const check = (): void => {
        timer = null;
        if (inflight.size === 0) return;
        const left = lastResponse + this.s.timeoutMs - Date.now();
        if (left > 0) { timer = setTimeout(check, left); return; }
        conn.destroy();
        finish(Object.assign(new Error(`no RELP response for ${this.s.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
      };
      const armTimer = (): void => {
        if (timer === null && inflight.size > 0) timer = setTimeout(check, this.s.timeoutMs);
      };
      const finish = (lost: Error | null): void => {
        if (timer) clearTimeout(timer);
        conn.onResponse = () => undefined;
        conn.onLost = () => { if (this.conn === conn) this.conn = null; };
        if (lost && this.conn === conn) this.conn = null;
        resolve({ lost, progress });
      };
      const pump = (): void => {
        if (inflight.size >= window || pos >= todo.length) {
          if (inflight.size === 0 && pos >= todo.length) finish(null);
          return;
        }
        const idx: number[] = [];
        const bufs: Buffer[] = [];
        while (inflight.size + idx.length < window && pos < todo.length) {
          const i = todo[pos++];
          if (everSent[i] === 1) this.resent++;
          everSent[i] = 1;
          idx.push(i);
          bufs.push(data[i]);
        }
        const txnrs: number[] = [];
        conn.sendSyslog(bufs, txnrs);
        for (let k = 0; k < idx.length; k++) inflight.set(txnrs[k], idx[k]);
        armTimer();
      };
      conn.onResponse = (r: RelpResponse) => {
        const i = inflight.get(r.txnr);
        if (i === undefined) {
          conn.destroy();
          finish(Object.assign(new Error(`RELP response for unknown txnr ${r.txnr}`), { code: 'EPROTO' }));
          return;
        }
        inflight.delete(r.txnr);
        progress = true;
        lastResponse = Date.now();
        if (r.code === 200) finished[i] = 1;
        else {
          finished[i] = 2;
          this.refused++;
          rejected.push({ index: i, code: `RELP_${r.code || 'BAD_RSP'}`, reason: `RELP server refused the message: ${r.code} ${r.text}` });
        }
        pump();
      };
      conn.onLost = (why) => finish(why);
      if (!conn.alive) { finish(new Error('connection already closed')); return; }
      pump();
    });
  }

  /** A DeliveryFailure with the honest leading `done`; acknowledged messages past it are remembered. */
  private partial(batch: Message[], finished: Uint8Array, rejected: Rejection[], cause: Error): DeliveryFailure {
    let done = 0;
    while (done < batch.length && finished[done] !== 0) done++;
    for (let i = 0; i < batch.length; i++) {
      if (finished[i] === 1) { this.ackedEarlier.add(batch[i]); this.stats.delivered++; }
    }
    return new DeliveryFailure(`RELP delivery to ${this.s.target.host}:${this.s.target.port} failed after ${done} of ${batch.length}: ${cause.message}`, {
      done, rejected: rejected.filter((r) => r.index < done), code: 'LW_ERR_RELP_DELIVERY', cause,
    });
  }

  private async connection(): Promise<RelpConnection> {
    if (this.conn?.alive) return this.conn;
    this.conn = null;
    const c = await RelpConnection.connect(this.s.target, this.s.connTimeoutMs, this.log);
    this.conn = c;
    this.sinceRebind = 0;
    return c;
  }

  private async rebind(): Promise<void> {
    const c = this.conn;
    this.conn = null;
    this.sinceRebind = 0;
    if (c) await c.close();
  }

  reopen(): void {
    const c = this.conn;
    this.conn = null;
    void c?.close();
  }

  async close(): Promise<void> {
    this.closing = true;
    const c = this.conn;
    this.conn = null;
    if (c) await c.close();
  }
}

function str(p: Params, name: string): string | undefined {
  const v = getParam(p, name)?.value;
  return v === undefined ? undefined : Array.isArray(v) ? v.join(',') : String(v);
}

function intParam(p: Params, name: string, dflt: number, loc: SourceLoc, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = str(p, name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new TlsConfigError(getParam(p, name)?.loc ?? loc, `${name}="${v}": expected a whole number in ${min}…${max}`);
  return n;
}

export function relpActionSettings(decl: ActionDecl): RelpActionSettings {
  const p = decl.params;
  const host = str(p, 'target');
  if (!host) throw new TlsConfigError(decl.loc, 'omrelp needs target="host"');
  const port = intParam(p, 'port', DEFAULT_PORT, decl.loc, 1, 65535);
  const tls = relpTlsSettings(p, decl.loc);
  if (tls) secureContextOptions(tls, 'client'); // read the files now: errors belong to config load
  const window = intParam(p, 'windowsize', 0, decl.loc, 0, 1_000_000);
  return {
    target: { host, port, protocol: 'tcp', framing: 'traditional', delimiter: 0x0a, localAddress: str(p, 'localclientip'), tls },
    windowSize: window === 0 ? DEFAULT_WINDOW : window,
    timeoutMs: 1000 * intParam(p, 'timeout', DEFAULT_TIMEOUT_S, decl.loc, 1),
    connTimeoutMs: 1000 * intParam(p, 'conn.timeout', DEFAULT_CONN_TIMEOUT_S, decl.loc, 1),
    rebindInterval: intParam(p, 'rebindinterval', 0, decl.loc),
    reconnectDelaysMs: RECONNECT_DELAYS_MS,
  };
}

export const relpAction: ActionFactory = {
  spec: relpActionSpec,
  create(decl: ActionDecl, _moduleParams: Params, ctx: RuntimeContext): Action {
    const s = relpActionSettings(decl);
    const tplName = str(decl.params, 'template') ?? DEFAULT_TEMPLATE;
    const tpl = ctx.templates.get(tplName.toLowerCase());
    if (!tpl) throw new TlsConfigError(getParam(decl.params, 'template')?.loc ?? decl.loc, `template "${tplName}" is not defined`);
    const name = str(decl.params, 'name') ?? `omrelp#${s.target.host}:${s.target.port}`;
    return new RelpAction(name, s, tpl, ctx.logger);
  },
};

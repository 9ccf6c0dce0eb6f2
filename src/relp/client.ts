// One RELP client connection (omrelp side): connect (TCP or TLS, via the omfwd connector), `open` handshake,
// numbered commands, responses matched by txnr, `close`. Knows nothing of batches or retries.
import type { Socket } from 'node:net';
import { openStream, type ForwardTarget } from '../actions/forward';
import type { Logger } from '../log';
import { encodeFrame, nextTxnr, parseOffers, parseRsp, RELP_SOFTWARE, RELP_VERSION, RelpFrameParser, type RelpFrame } from './frame';

/** Responses carry at most a status line and offers; anything bigger is a broken peer. */
const MAX_RSP_DATA = 64 * 1024;
const CLOSE_WAIT_MS = 2000;

export interface RelpResponse { txnr: number; code: number; text: string }

export class RelpConnection {
  /** Called for every response to a command sent with send(). */
  onResponse: (r: RelpResponse) => void = () => undefined;
  /** Called once when the connection is gone (error, peer close, serverclose, protocol error). */
  onLost: (why: Error) => void = () => undefined;
  private txnr = 1;
  private lost: Error | null = null;
  private openWaiter: ((r: RelpResponse) => void) | null = null;
  private closeWaiter: { txnr: number; done: () => void } | null = null;
  private readonly parser: RelpFrameParser;

  private constructor(private readonly sock: Socket, private readonly peer: string) {
    this.parser = new RelpFrameParser({ onFrame: (f) => this.onFrame(f) }, MAX_RSP_DATA, 'abort');
    sock.on('data', (chunk: Buffer) => {
      try { this.parser.push(chunk); } catch (e) { this.fail(e as Error); }
    });
    sock.on('error', (err) => this.fail(err));
    sock.on('close', () => this.fail(Object.assign(new Error(`RELP connection to ${peer} closed`), { code: 'ECONNRESET' })));
  }

  /** Connect and run the `open` handshake; the server must accept relp_version and the syslog command. */
  static async connect(target: ForwardTarget, timeoutMs: number, logger: Logger | null): Promise<RelpConnection> {
    const sock = await openStream(target, logger, timeoutMs);
    sock.setNoDelay(true);
    const c = new RelpConnection(sock, `${target.host}:${target.port}`);
    const offers = `relp_version=${RELP_VERSION}\nrelp_software=${RELP_SOFTWARE}\ncommands=syslog`;
    const rsp = await new Promise<RelpResponse>((resolve, reject) => {
      const timer = setTimeout(() => { c.destroy(); reject(Object.assign(new Error(`RELP open to ${c.peer}: no response in ${timeoutMs} ms`), { code: 'LW_ERR_RELP_OPEN' })); }, timeoutMs);
      c.openWaiter = (r) => { clearTimeout(timer); resolve(r); };
      c.onLost = (why) => { clearTimeout(timer); reject(why); };
      sock.write(encodeFrame(c.takeTxnr(), 'open', offers));
    });
    c.onLost = () => undefined;
    const offered = parseOffers(rspRest(rsp));
    if (rsp.code !== 200 || !offered.has('relp_version') || !(offered.get('commands') ?? '').split(',').map((s) => s.trim()).includes('syslog')) {
      c.destroy();
      throw Object.assign(new Error(`RELP server ${c.peer} refused the session: ${rsp.code} ${rsp.text.split('\n')[0]}`), { code: 'LW_ERR_RELP_OPEN' });
    }
    return c;
  }

  get alive(): boolean {
    return this.lost === null;
  }

  /** Send `syslog` frames as one buffer (one write); their transaction numbers are appended to `txnrs`. */
  sendSyslog(datas: Buffer[], txnrs: number[]): void {
    const heads: string[] = new Array<string>(datas.length);
    let total = 0;
    for (let k = 0; k < datas.length; k++) {
      const t = this.takeTxnr();
      txnrs.push(t);
      const len = datas[k].length;
      heads[k] = len === 0 ? `${t} syslog 0` : `${t} syslog ${len} `;
      total += heads[k].length + len + 1;
    }
    const out = Buffer.allocUnsafe(total);
    let o = 0;
    for (let k = 0; k < datas.length; k++) {
      o += out.write(heads[k], o, 'latin1');
      o += datas[k].copy(out, o);
      out[o++] = 0x0a;
    }
    this.sock.write(out);
  }

  /** Graceful end: `close`, wait (bounded) for its response, then end the socket. */
  async close(): Promise<void> {
    if (this.lost) return;
    const t = this.takeTxnr();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CLOSE_WAIT_MS);
      timer.unref();
      this.closeWaiter = { txnr: t, done: () => { clearTimeout(timer); resolve(); } };
      this.onLost = () => { clearTimeout(timer); resolve(); };
      this.sock.write(encodeFrame(t, 'close'));
    });
    this.destroy();
  }

  destroy(): void {
    this.lost ??= new Error('closed');
    this.sock.destroy();
  }

  private takeTxnr(): number {
    const t = this.txnr;
    this.txnr = nextTxnr(t);
    return t;
  }

  private onFrame(f: RelpFrame): void {
    if (f.command === 'rsp') {
      const { code, text, rest } = parseRsp(f.data);
      const r: RelpResponse = { txnr: f.txnr, code, text: rest ? `${text}\n${rest}` : text };
      if (this.openWaiter) { const w = this.openWaiter; this.openWaiter = null; w(r); return; }
      if (this.closeWaiter && this.closeWaiter.txnr === f.txnr) { this.closeWaiter.done(); return; }
      this.onResponse(r);
      return;
    }
    if (f.command === 'serverclose') {
      this.fail(Object.assign(new Error(`RELP server ${this.peer} closed the session (serverclose)`), { code: 'ECONNRESET' }));
      return;
    }
    // Other hints are ignored (RELP: hints are never answered).
  }

  private fail(err: Error): void {
    if (this.lost && this.lost.message !== 'closed') return;
    const first = this.lost === null;
    this.lost = err;
    this.sock.destroy();
    if (first) this.onLost(err);
  }
}

function rspRest(r: RelpResponse): string {
  const lf = r.text.indexOf('\n');
  return lf < 0 ? '' : r.text.slice(lf + 1);
}

// omrelp against a scripted RELP server: a non-200 response is poison (reported, not retried); a server that
// dies after acknowledging K messages and stays down makes deliver() fail with done = K; retrying the whole batch
// (as the in-memory queue does) never sends the K acknowledged messages again; a silent server hits `timeout`.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { DeliveryFailure } from '../../src/actions/action';
import { RelpAction, relpActionSettings } from '../../src/actions/relp';
import { Message } from '../../src/message';
import { parseOptions, parseSyslog } from '../../src/parse';
import { encodeFrame, RelpFrameParser, type RelpFrame } from '../../src/relp/frame';
import { builtinTemplates } from '../../src/templates';
import { SyslogTime } from '../../src/time';
import { context, params } from './tls-helpers';

const LOC = { file: 't.conf', line: 1, col: 1 };
const cleanup: Array<() => Promise<void> | void> = [];
after(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });

/** Decides the response to each syslog frame: a status line, or null to kill the connection instead. */
type Script = (seq: number, data: string) => string | null | 'silent';

class FakeServer {
  readonly received: number[] = [];
  sessions = 0;
  server: Server | null = null;
  port = 0;
  private readonly sockets = new Set<Socket>();
  constructor(private readonly script: Script) {}
  async start(port = 0): Promise<void> {
    const srv = createServer((s) => this.session(s));
    await new Promise<void>((r) => srv.listen(port, '127.0.0.1', () => r()));
    this.server = srv;
    this.port = (srv.address() as { port: number }).port;
    cleanup.push(() => this.stop());
  }
  stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const srv = this.server;
    this.server = null;
    return srv ? new Promise((r) => srv.close(() => r())) : Promise.resolve();
  }
  private session(s: Socket): void {
    this.sessions++;
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => undefined);
    const p = new RelpFrameParser({
      onFrame: (f: RelpFrame) => {
        if (f.command === 'open') { s.write(encodeFrame(f.txnr, 'rsp', '200 OK\nrelp_version=0\nrelp_software=fake\ncommands=syslog')); return; }
        if (f.command === 'close') { s.end(`${f.txnr} rsp 0\n0 serverclose 0\n`); return; }
        const text = f.data.toString();
        const seq = Number(/seq=(\d+)/.exec(text)?.[1]);
        this.received.push(seq);
        const r = this.script(seq, text);
        if (r === 'silent') return;
        if (r === null) { s.destroy(); return; }
        s.write(encodeFrame(f.txnr, 'rsp', r));
      },
    }, 65536);
    s.on('data', (d: Buffer) => { try { p.push(d); } catch { s.destroy(); } });
  }
}

const opts = parseOptions();
function messages(from: number, to: number): Message[] {
  const out: Message[] = [];
  for (let i = from; i < to; i++) {
    const raw = Buffer.from(`<13>Jan  2 03:04:05 h1 app: seq=${i}`);
    const m = new Message(raw, { inputname: 't', fromhostIp: '127.0.0.1', fromhost: 'x', ruleset: 'RSYSLOG_DefaultRuleset' }, SyslogTime.now());
    parseSyslog(raw, m, opts);
    out.push(m);
  }
  return out;
}

function action(port: number, extra: Record<string, string> = {}, delays: number[] = [10, 20, 40]): RelpAction {
  const ctx = context({}, [...builtinTemplates().values()]);
  const s = { ...relpActionSettings({ type: 'omrelp', params: params({ target: '127.0.0.1', port: String(port), ...extra }), loc: LOC }), reconnectDelaysMs: delays };
  const a = new RelpAction('omrelp#test', s, ctx.templates.get('rsyslog_forwardformat')!, ctx.logger);
  cleanup.push(() => a.close());
  return a;
}

describe('omrelp failure handling', () => {
  it('a 500 response is poison: reported in the DeliveryReport, the rest delivered, nothing retried', async () => {
    const srv = new FakeServer((seq) => (seq === 3 || seq === 7 ? '500 no thanks' : '200 OK'));
    await srv.start();
    const a = action(srv.port);
    const report = await a.deliver(messages(0, 10));
    assert.deepEqual(report?.rejected.map((r) => [r.index, r.code]), [[3, 'RELP_500'], [7, 'RELP_500']]);
    assert.match(report!.rejected[0].reason, /500 no thanks/);
    assert.equal(a.stats.delivered, 8);
    assert.deepEqual(srv.received, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(a.refused, 2);
  });

  it('server dies after acknowledging 25 and stays down: DeliveryFailure done=25; a whole-batch retry skips them', async () => {
    let acked = 0;
    const srv = new FakeServer(() => (acked < 25 ? (acked++, '200 OK') : null));
    await srv.start();
    const port = srv.port;
    const a = action(port, { windowSize: '10' });
    const batch = messages(0, 60);
    const err = await a.deliver(batch).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof DeliveryFailure, String(err));
    assert.equal(err.done, 25);
    assert.equal(err.code, 'LW_ERR_RELP_DELIVERY');
    await srv.stop();
    // The queue (in this branch) retries the whole batch: the 25 acknowledged are not sent again.
    const again = new FakeServer(() => '200 OK');
    await again.start(port);
    await a.deliver(batch);
    assert.deepEqual(again.received, Array.from({ length: 35 }, (_, i) => i + 25));
    assert.ok(a.resent >= 1, 'messages sent before the crash and unacknowledged count as resent');
    assert.equal(a.stats.delivered, 60);
  });

  it('connection drops mid-window and comes back: exactly the unacknowledged are resent, in order', async () => {
    let n = 0;
    const srv = new FakeServer(() => (++n === 15 ? null : '200 OK'));
    await srv.start();
    const a = action(srv.port, { windowSize: '8' });
    await a.deliver(messages(0, 40));
    const seen = srv.received;
    const firstSend = seen.indexOf(14);
    assert.ok(firstSend >= 0);
    // everything after the drop is the unacknowledged tail 14… sent again in order, then the rest
    const after = seen.slice(seen.lastIndexOf(14));
    assert.deepEqual(after, Array.from({ length: 26 }, (_, i) => i + 14));
    for (let i = 0; i < 14; i++) assert.equal(seen.filter((x) => x === i).length, 1, `acknowledged ${i} sent once`);
    assert.equal(a.stats.delivered, 40);
    assert.equal(a.reconnects, 1);
  });

  it('a server that stops answering is dropped after `timeout` and the messages go again on a new session', async () => {
    let silent = true;
    const srv = new FakeServer(() => (silent ? 'silent' : '200 OK'));
    await srv.start();
    const a = action(srv.port, { timeout: '1' });
    const p = a.deliver(messages(0, 5));
    setTimeout(() => { silent = false; }, 200);
    await p;
    assert.equal(a.stats.delivered, 5);
    assert.ok(a.resent >= 5);
  });

  it('rebindInterval reopens the session (with close/serverclose) after that many messages; nothing is resent', async () => {
    const srv = new FakeServer(() => '200 OK');
    await srv.start();
    const a = action(srv.port, { rebindInterval: '10' });
    for (let i = 0; i < 30; i += 5) await a.deliver(messages(i, i + 5));
    assert.deepEqual(srv.received, Array.from({ length: 30 }, (_, i) => i));
    assert.equal(srv.sessions, 3);
    assert.equal(a.resent, 0);
  });
});

// Logwarden omrelp → Logwarden imrelp, plain and TLS: numbered messages arrive in order; the receiver is
// killed twice mid-stream (its sessions dropped right after it took messages, before acknowledging them) and
// restarted: every sequence number arrives, acknowledged ones are never sent again, duplicates are counted.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { relpAction, RelpAction } from '../../src/actions/relp';
import type { MessageSink } from '../../src/components';
import { RelpInput, relpInput } from '../../src/inputs/relp';
import { Message } from '../../src/message';
import { parseOptions, parseSyslog } from '../../src/parse';
import { ActionQueue, DEFAULT_QUEUE_OPTIONS } from '../../src/queue/action-queue';
import { builtinTemplates } from '../../src/templates';
import { SyslogTime } from '../../src/time';
import { CA, context, params, pki, SERVER_CERT, SERVER_KEY, waitFor } from './tls-helpers';

const WAIT_MS = 120_000;
const LOC = { file: 't.conf', line: 1, col: 1 };
const cleanup: Array<() => Promise<void> | void> = [];
after(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });

/** Collects messages; `onSubmit` runs inside submit(), i.e. after acceptance and before the acknowledgement. */
class Sink implements MessageSink {
  readonly msgs: string[] = [];
  congested = false;
  onSubmit: (() => void) | null = null;
  submit(batch: Message[]): void {
    for (const m of batch) this.msgs.push(m.rawmsg.toString('utf8'));
    this.onSubmit?.();
  }
  onceDrained(cb: () => void): void { setImmediate(cb); }
}

type Mode = 'plain' | 'tls';
const SERVER_TLS = { tls: 'on', 'tls.authmode': 'name', 'tls.permittedpeer': ['client.example.net'], 'tls.cacert': CA, 'tls.mycert': SERVER_CERT, 'tls.myprivkey': SERVER_KEY };
const CLIENT_TLS = { tls: 'on', 'tls.authmode': 'name', 'tls.permittedpeer': ['localhost'], 'tls.cacert': CA, 'tls.mycert': pki('client.example.net.pem'), 'tls.myprivkey': pki('client.example.net-key.pem') };

async function receiver(mode: Mode, port: number, sink: Sink): Promise<RelpInput> {
  const ctx = context();
  const input = relpInput.create({ type: 'imrelp', params: params({ port: String(port), address: '127.0.0.1', ...(mode === 'tls' ? SERVER_TLS : {}) }), loc: LOC }, new Map(), ctx, sink) as RelpInput;
  await input.start();
  cleanup.push(() => input.stop());
  return input;
}

function sender(mode: Mode, port: number, extra: Record<string, string> = {}): RelpAction {
  const ctx = context({}, [...builtinTemplates().values()]);
  const a = relpAction.create({ type: 'omrelp', params: params({ target: '127.0.0.1', port: String(port), ...(mode === 'tls' ? CLIENT_TLS : {}), ...extra }), loc: LOC }, new Map(), ctx) as RelpAction;
  cleanup.push(() => a.close());
  return a;
}

const opts = parseOptions();
function messages(tag: string, from: number, to: number): Message[] {
  const out: Message[] = [];
  for (let i = from; i < to; i++) {
    const raw = Buffer.from(`<13>Jan  2 03:04:05 h1 app: ${tag} seq=${i}`);
    const m = new Message(raw, { inputname: 't', fromhostIp: '127.0.0.1', fromhost: 'x', ruleset: 'RSYSLOG_DefaultRuleset' }, SyslogTime.now());
    parseSyslog(raw, m, opts);
    out.push(m);
  }
  return out;
}

const seqOf = (msg: string): number => Number(/seq=(\d+)/.exec(msg)?.[1] ?? -1);

for (const mode of ['plain', 'tls'] as const) {
  describe(`omrelp → imrelp (${mode})`, () => {
    it('numbered messages arrive complete and in order, acknowledged per batch', async () => {
      const sink = new Sink();
      const input = await receiver(mode, 0, sink);
      const port = input.addresses()[0].port;
      const a = sender(mode, port, { windowSize: '64' });
      const N = 5000;
      for (let i = 0; i < N; i += 500) await a.deliver(messages('ord', i, i + 500)); // resolves only when all are acknowledged
      assert.equal(sink.msgs.length, N);
      assert.deepEqual(sink.msgs.map(seqOf), Array.from({ length: N }, (_, i) => i));
      assert.match(sink.msgs[0], /^<13>\S+ h1 app: ord seq=0$/); // RSYSLOG_ForwardFormat
      assert.equal(a.stats.delivered, N);
      assert.equal(a.resent, 0);
    });

    it('receiver killed twice mid-stream and restarted: every sequence number arrives, duplicates counted', async () => {
      const sink = new Sink();
      let input = await receiver(mode, 0, sink);
      const port = input.addresses()[0].port;
      const N = mode === 'tls' ? 20_000 : 40_000;
      const a = sender(mode, port);
      const ctx = context();
      const q = new ActionQueue(a, { ...DEFAULT_QUEUE_OPTIONS, batchSize: 2000, retryInitialMs: 50, retryMaxMs: 500 }, ctx.logger, () => undefined);
      cleanup.push(async () => { await q.close(5000); });
      const kills = [Math.floor(N / 3), Math.floor((2 * N) / 3)];
      let restarting: Promise<void> | null = null;
      const arm = (): void => {
        sink.onSubmit = () => {
          if (kills.length === 0 || sink.msgs.length < kills[0]) return;
          kills.shift();
          const dead = input;
          dead.abort(); // inside submit: these messages were taken but will never be acknowledged
          restarting = (async () => {
            await new Promise((r) => setTimeout(r, 300));
            input = await receiver(mode, port, sink);
            arm();
          })();
          sink.onSubmit = null;
        };
      };
      arm();
      for (const m of messages('kill', 0, N)) q.push(m);
      await waitFor(() => kills.length === 0 && restarting !== null, WAIT_MS, `two kills (have ${sink.msgs.length} msgs)`);
      await restarting;
      await q.whenIdle();
      const seen = new Map<number, number>();
      for (const s of sink.msgs.map(seqOf)) seen.set(s, (seen.get(s) ?? 0) + 1);
      const missing = Array.from({ length: N }, (_, i) => i).filter((i) => !seen.has(i));
      const dups = [...seen.values()].reduce((x, c) => x + c - 1, 0);
      // eslint-disable-next-line no-console
      console.log(`# relp ${mode} receiver-kill: sent ${N}, received ${sink.msgs.length}, distinct ${seen.size}, duplicates ${dups}, resent ${a.resent}, reconnects ${a.reconnects}`);
      assert.deepEqual(missing, []);
      assert.ok(dups > 0, 'messages taken but not acknowledged at the kills come again');
      assert.ok(dups <= a.resent, 'a duplicate is always a resent frame, never an acknowledged one sent again');
      assert.equal(a.stats.delivered, N);
    });
  });
}

describe('imrelp session protocol', () => {
  function raw(port: number, wire: string, tillClose = true): Promise<string> {
    return new Promise((resolve) => {
      let got = '';
      const s = connect(port, '127.0.0.1', () => s.write(wire));
      s.on('data', (d) => { got += d.toString(); if (!tillClose) { s.destroy(); resolve(got); } });
      s.on('error', () => undefined);
      s.on('close', () => resolve(got));
    });
  }
  const OPEN = 'relp_version=0\nrelp_software=t\ncommands=syslog';

  it('open → offers; syslog → 200 OK after submit; close → rsp 0 + serverclose, then the server closes', async () => {
    const sink = new Sink();
    const input = await receiver('plain', 0, sink);
    const got = await raw(input.addresses()[0].port, `1 open ${OPEN.length} ${OPEN}\n2 syslog 5 hello\n3 close 0\n`);
    assert.match(got, /^1 rsp \d+ 200 OK\nrelp_version=0\nrelp_software=logwarden[^\n]*\ncommands=syslog\n\n2 rsp 6 200 OK\n3 rsp 0\n0 serverclose 0\n$/);
    assert.deepEqual(sink.msgs, ['hello']);
  });

  it('a malformed frame closes the session with one log line naming the peer; complete frames before it are acknowledged', async () => {
    const sink = new Sink();
    const ctx = context();
    const input = relpInput.create({ type: 'imrelp', params: params({ port: '0', address: '127.0.0.1' }), loc: LOC }, new Map(), ctx, sink) as RelpInput;
    await input.start();
    cleanup.push(() => input.stop());
    const got = await raw(input.addresses()[0].port, `1 open ${OPEN.length} ${OPEN}\n2 syslog 3 abc\n3 syslog 2 abc\n`);
    assert.match(got, /2 rsp 6 200 OK\n0 serverclose 0\n$/);
    assert.deepEqual(sink.msgs, ['abc']);
    const lines = ctx.logger.records!.filter((r) => r.code === 'LW_ERR_RELP_FRAME');
    assert.equal(lines.length, 1);
    assert.match(String(lines[0].fields.peer), /^127\.0\.0\.1:\d+$/);
  });

  it('syslog before open is a protocol error; unknown commands get 500 and the session goes on', async () => {
    const sink = new Sink();
    const input = await receiver('plain', 0, sink);
    const port = input.addresses()[0].port;
    assert.equal(await raw(port, '1 syslog 3 abc\n'), '0 serverclose 0\n');
    const got = await raw(port, `1 open ${OPEN.length} ${OPEN}\n2 starttls 0\n3 syslog 1 x\n4 close 0\n`);
    assert.match(got, /2 rsp \d+ 500 command starttls not supported\n3 rsp 6 200 OK\n4 rsp 0\n0 serverclose 0\n$/);
    assert.deepEqual(sink.msgs, ['x']);
  });

  it('a congested sink pauses reading, so acknowledgements stop until it drains', async () => {
    const sink = new Sink();
    let drained: (() => void) | null = null;
    sink.onceDrained = (cb) => { drained = cb; };
    const input = await receiver('plain', 0, sink);
    sink.congested = true;
    const a = sender('plain', input.addresses()[0].port, { windowSize: '4' });
    let done = false;
    const p = a.deliver(messages('bp', 0, 200)).then(() => { done = true; });
    await waitFor(() => drained !== null, WAIT_MS, 'the session to wait for drain');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(done, false);
    assert.ok(sink.msgs.length < 200);
    sink.congested = false;
    (drained as unknown as () => void)();
    sink.onceDrained = (cb) => setImmediate(cb);
    await p;
    assert.equal(sink.msgs.length, 200);
  });
});

// omfwd over plain TCP, counted at the receiver with numbered messages: a receiver that closes the connection
// between batches is noticed before the next write (reconnect, nothing lost); with ResendLastMSGOnReconnect a
// batch the receiver dropped unread is resent and counted; close() with data still buffered (a receiver that
// stopped reading) waits until the bytes are out before resolving; a receiver that never reads again is
// reported (LW_ERR_FORWARD_UNSENT) instead of silently dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { forwardAction } from '../../src/actions/forward';
import type { Action } from '../../src/actions/action';
import type { ActionDecl, ConfigModel, Param, Params } from '../../src/config/model';
import { StreamLogger } from '../../src/log';
import { Message } from '../../src/message';
import type { RuntimeContext } from '../../src/runtime/context';
import { SyslogTime } from '../../src/time';
import { builtinTemplates, compileTemplate } from '../../src/templates';
import { waitFor } from '../helpers/util';

const LOC = { file: 'test.conf', line: 2, col: 1 };
const ORIGIN = { inputname: 'test', fromhostIp: '127.0.0.1', fromhost: 'src', ruleset: 'RSYSLOG_DefaultRuleset' };

interface ForwardInternals extends Action { resent: number; reconnects: number; closeDeadlineMs: number }

function create(port: number, extra: Record<string, string> = {}): { a: ForwardInternals; logger: StreamLogger } {
  const p: Params = new Map<string, Param>();
  for (const [k, v] of Object.entries({ target: '127.0.0.1', port: String(port), protocol: 'tcp', template: 'line', ...extra })) {
    p.set(k.toLowerCase(), { name: k, value: v, loc: LOC });
  }
  const templates = builtinTemplates();
  templates.set('line', compileTemplate({ name: 'line', type: 'string', string: '%msg%', options: new Map(), loc: LOC }));
  const logger = new StreamLogger({ out: null, keep: true });
  const ctx: RuntimeContext = { config: { globals: new Map() } as unknown as ConfigModel, logger, templates, dataDir: '/tmp', maxMessageSize: 8192 };
  const decl: ActionDecl = { type: 'omfwd', params: p, loc: LOC };
  return { a: forwardAction.create(decl, new Map(), ctx) as ForwardInternals, logger };
}

function batch(from: number, n: number, pad = 0): Message[] {
  return Array.from({ length: n }, (_, k) => {
    const m = new Message(Buffer.alloc(0), ORIGIN, SyslogTime.now());
    m.msg = `m${String(from + k).padStart(6, '0')}`.padEnd(pad, 'x');
    return m;
  });
}

/** A receiver that splits what each connection sends into lines (the number before any padding). */
interface Receiver { server: Server; port: number; conns: Socket[]; lines: string[][]; all(): string[] }
async function receiver(onConn?: (s: Socket, index: number) => void): Promise<Receiver> {
  const r: Receiver = {
    server: createServer(), port: 0, conns: [], lines: [],
    all: () => r.lines.flat(),
  };
  r.server.on('connection', (s) => {
    const idx = r.conns.length;
    r.conns.push(s);
    r.lines.push([]);
    let rest = '';
    s.on('data', (d) => {
      const parts = (rest + d.toString('latin1')).split('\n');
      rest = parts.pop()!;
      for (const l of parts) r.lines[idx]!.push(l.slice(0, 7));
    });
    s.on('error', () => undefined);
    onConn?.(s, idx);
  });
  await new Promise<void>((res) => r.server.listen(0, '127.0.0.1', () => res()));
  r.port = (r.server.address() as AddressInfo).port;
  return r;
}

const ids = (from: number, n: number): string[] => batch(from, n).map((m) => m.msg);

test('receiver closes between batches: the next batch reconnects first, every message once', async () => {
  const rx = await receiver();
  const { a } = create(rx.port);
  try {
    await a.deliver(batch(1, 10));
    await waitFor(() => rx.all().length === 10, 'first batch at the receiver');
    rx.conns[0]!.end(); // the receiver hangs up (idle timeout, restart …)
    await a.deliver(batch(11, 10)); // no wait: the FIN is noticed before writing
    await waitFor(() => rx.all().length >= 20, 'second batch at the receiver');
    assert.deepEqual(rx.all(), ids(1, 20));
    assert.deepEqual(rx.lines[1], ids(11, 10), 'the second batch went on a new connection');
    assert.equal(a.reconnects, 1);
    assert.equal(a.resent, 0);
    assert.equal(a.stats.delivered, 20);
  } finally {
    await a.close();
    rx.server.close();
  }
});

test('ResendLastMSGOnReconnect: a batch the receiver dropped unread is resent on the new connection and counted', async () => {
  // the first connection is reset as soon as data arrives: what it did not read is lost on the wire
  const rx = await receiver((s, i) => { if (i === 0) s.once('data', () => s.resetAndDestroy()); });
  const { a, logger } = create(rx.port, { ResendLastMSGOnReconnect: 'on' });
  try {
    await a.deliver(batch(1, 10));
    await waitFor(() => rx.conns[0]?.destroyed === true, 'the receiver reset the first connection');
    await a.deliver(batch(11, 10)).catch(() => a.deliver(batch(11, 10))); // a queue would retry a failed write
    await waitFor(() => (rx.lines[1]?.length ?? 0) >= 20, 'resent and new batch on the second connection');
    assert.deepEqual(rx.lines[1], [...ids(1, 10), ...ids(11, 10)], 'batch 1 resent before batch 2');
    assert.equal(a.resent, 10);
    for (const id of ids(1, 20)) assert.ok(rx.all().includes(id), `${id} arrived`);
    const dup = rx.all().length - 20;
    assert.ok(dup <= a.resent, `duplicates (${dup}) are at most what was counted as resent`);
    assert.ok((logger.records ?? []).some((r) => r.code === 'LW_FORWARD_RESENT' && r.fields.count === 10));
  } finally {
    await a.close();
    rx.server.close();
  }
});

test('without the option nothing is resent (the default, as rsyslog)', async () => {
  const rx = await receiver((s, i) => { if (i === 0) s.once('data', () => s.resetAndDestroy()); });
  const { a } = create(rx.port);
  try {
    await a.deliver(batch(1, 5));
    await waitFor(() => rx.conns[0]?.destroyed === true, 'reset');
    await a.deliver(batch(6, 5)).catch(() => a.deliver(batch(6, 5)));
    await waitFor(() => (rx.lines[1]?.length ?? 0) >= 5, 'second batch');
    assert.deepEqual(rx.lines[1], ids(6, 5));
    assert.equal(a.resent, 0);
  } finally {
    await a.close();
    rx.server.close();
  }
});

test('close() with data still buffered waits until the receiver took all of it', async () => {
  // The receiver stops reading, so a big batch stays in our buffers (the write has not completed). It starts
  // reading again 2.5 s after close() began — later than the old 2 s destroy, which lost such data.
  const N = 40_000;
  const rx = await receiver((s) => s.pause());
  const { a } = create(rx.port);
  const sending = a.deliver(batch(1, N, 199)); // 200-byte lines: 8 MB, more than the loopback socket buffers
  await waitFor(() => rx.conns.length === 1, 'connected');
  const started = Date.now();
  const closing = a.close();
  const resume = setTimeout(() => rx.conns[0]!.resume(), 2500);
  try {
    await closing;
    await sending;
    assert.ok(Date.now() - started >= 2000, 'close() waited for the receiver');
    await waitFor(() => rx.conns[0]!.readableEnded || rx.all().length >= N, 'every line at the receiver');
    await waitFor(() => rx.all().length >= N, `${N} lines (have ${rx.all().length})`);
    assert.equal(rx.all().length, N);
    assert.equal(new Set(rx.all()).size, N, 'each once');
  } finally {
    clearTimeout(resume);
    for (const c of rx.conns) c.destroy();
    rx.server.close();
  }
});

test('close() against a receiver that never reads again gives up after its deadline and reports the loss', async () => {
  const rx = await receiver((s) => s.pause());
  const { a, logger } = create(rx.port);
  a.closeDeadlineMs = 300;
  try {
    const sending = a.deliver(batch(1, 40_000, 199)).then(() => 'sent', () => 'failed');
    await waitFor(() => rx.conns.length === 1, 'connected');
    await a.close();
    assert.equal(await sending, 'failed', 'the batch was not handed over: the queue keeps it');
    const rec = (logger.records ?? []).find((r) => r.code === 'LW_ERR_FORWARD_UNSENT');
    assert.ok(rec, 'the unsent data is reported');
    assert.ok(Number(rec.fields.bytes) > 0);
    assert.equal(rec.fields.messages, 40_000);
  } finally {
    for (const c of rx.conns) c.destroy();
    rx.server.close();
  }
});

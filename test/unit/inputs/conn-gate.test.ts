// The connection gate of stream listeners: limits counted from accept, eviction of the oldest silent or idle
// session for a new peer, per-address limit, timeouts, handshake rate and the descriptor budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { StreamLogger } from '../../../src/log';
import { ConnectionGate, FdBudget, IDLE_EVICT_AFTER_MS, type ConnPolicy, type Conn } from '../../../src/inputs/conn-gate';

class FakeSocket extends EventEmitter {
  destroyed = false;
  constructor(readonly remotePort: number) { super(); }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('close');
  }
}

const POLICY: ConnPolicy = { maxSessions: 4, maxSessionsPerIp: 0, handshakeTimeoutMs: 0, idleTimeoutMs: 0, handshakesPerSecond: 0 };

function gate(p: Partial<ConnPolicy> = {}, budget = new FdBudget(Infinity)): { g: ConnectionGate; clock: { t: number }; logger: StreamLogger } {
  const clock = { t: 1_000_000 };
  const logger = new StreamLogger({ keep: true, out: null });
  const g = new ConnectionGate({ ...POLICY, ...p }, { input: 't', logger, budget, now: () => clock.t });
  return { g, clock, logger };
}

let port = 1;
function connect(g: ConnectionGate, ip = '192.0.2.1'): { s: FakeSocket; c: Conn | null } {
  const s = new FakeSocket(port++);
  return { s, c: g.admit(s, ip) };
}

test('a full listener of silent sessions closes the oldest one for a new peer', () => {
  const { g } = gate();
  const silent = [connect(g), connect(g), connect(g), connect(g)];
  const good = connect(g);
  assert.ok(good.c);
  assert.equal(silent[0].s.destroyed, true);
  assert.equal(silent.slice(1).filter((x) => x.s.destroyed).length, 0);
  assert.equal(g.open, 4);
  assert.equal(g.counters.closed.evicted, 1);
  g.stop();
});

test('sessions delivering messages are kept; the new peer is refused when nobody is idle', () => {
  const { g, clock } = gate();
  const busy = [connect(g), connect(g), connect(g), connect(g)];
  let frames = 0;
  for (const b of busy) b.c!.watch(() => ++frames);
  const late = connect(g);
  assert.equal(late.c, null);
  assert.equal(late.s.destroyed, true);
  assert.equal(g.counters.refused.maxSessions, 1);
  // After IDLE_EVICT_AFTER_MS without a message, the longest idle one makes room.
  const still = busy.map((b) => b.c!);
  still.forEach((c) => c.watch(() => 1));
  g.admit(new FakeSocket(9), 'x'); // poll: everyone progressed to 1 now, lastActive = now
  clock.t += IDLE_EVICT_AFTER_MS;
  still[2].watch(() => 2); // one of them sent another message just now
  const next = connect(g);
  assert.ok(next.c);
  assert.equal(busy[2].s.destroyed, false);
  g.stop();
});

test('per-address limit: an address that is full gives up its own oldest silent session, others are untouched', () => {
  const { g } = gate({ maxSessions: 10, maxSessionsPerIp: 2 });
  const other = connect(g, '198.51.100.7');
  const a1 = connect(g, '203.0.113.9');
  const a2 = connect(g, '203.0.113.9');
  a2.c!.watch(() => 1);
  const a3 = connect(g, '203.0.113.9');
  assert.ok(a3.c);
  assert.equal(a1.s.destroyed, true);
  assert.equal(a2.s.destroyed, false);
  assert.equal(other.s.destroyed, false);
  a3.c!.watch(() => 1);
  assert.equal(connect(g, '203.0.113.9').c, null);
  assert.equal(g.counters.refused.maxSessionsPerIP, 1);
  g.stop();
});

test('handshake and idle timeouts close, counted', () => {
  const { g, clock } = gate({ handshakeTimeoutMs: 10_000, idleTimeoutMs: 60_000, maxSessions: 10 });
  const stalled = connect(g);
  const idle = connect(g);
  idle.c!.authenticated = true;
  clock.t += 10_000;
  g.sweep();
  assert.equal(stalled.s.destroyed, true);
  assert.equal(idle.s.destroyed, false);
  clock.t += 50_000;
  g.sweep();
  assert.equal(idle.s.destroyed, true);
  assert.deepEqual(g.counters.closed, { evicted: 0, handshakeTimeout: 1, idleTimeout: 1 });
  assert.equal(g.open, 0);
  g.stop();
});

test('handshake rate: a bucket of one second, refilled over time', () => {
  const { g, clock } = gate({ handshakesPerSecond: 3, maxSessions: 100 });
  const r = Array.from({ length: 5 }, () => connect(g).c !== null);
  assert.deepEqual(r, [true, true, true, false, false]);
  clock.t += 1000;
  assert.ok(connect(g).c);
  assert.equal(g.counters.refused.handshakeRate, 2);
  g.stop();
});

test('descriptor budget is shared by listeners; a full budget evicts within the listener or refuses', () => {
  const budget = new FdBudget(3);
  const a = gate({ maxSessions: 100 }, budget).g;
  const b = gate({ maxSessions: 100 }, budget).g;
  const x = [connect(a), connect(a)];
  x.forEach((c) => c.c!.watch(() => 1));
  connect(b);
  assert.equal(budget.open, 3);
  assert.equal(connect(a).c, null); // a's sessions are active: nobody to evict
  assert.equal(a.counters.refused.fdBudget, 1);
  assert.ok(connect(b).c); // b's silent one makes room
  assert.equal(budget.open, 3);
  a.stop(); b.stop();
});

test('refusals are logged at most 5 times per peer and window', () => {
  const { g, logger } = gate({ maxSessions: 1 });
  connect(g).c!.watch(() => 1);
  for (let i = 0; i < 100; i++) connect(g);
  assert.equal(logger.records!.filter((r) => r.code === 'LW_WARN_SESSION_REFUSED' || r.code === 'LW_WARN_TCP_MAX_SESSIONS').length, 5);
  g.stop();
});

test('property: open never exceeds the limits and equals the live sockets', () => {
  fc.assert(fc.property(fc.array(fc.record({
    op: fc.constantFrom('connect', 'close', 'talk', 'tick'),
    ip: fc.constantFrom('a', 'b', 'c'),
    k: fc.nat(20),
  }), { maxLength: 200 }), (ops) => {
    const budget = new FdBudget(7);
    const { g, clock } = gate({ maxSessions: 5, maxSessionsPerIp: 3, handshakeTimeoutMs: 3000, idleTimeoutMs: 0 }, budget);
    const live: Array<{ s: FakeSocket; c: Conn; n: number }> = [];
    for (const o of ops) {
      if (o.op === 'connect') {
        const x = connect(g, o.ip);
        if (x.c) {
          const e = { s: x.s, c: x.c, n: 0 };
          x.c.authenticated = o.k % 2 === 0;
          x.c.watch(() => e.n);
          live.push(e);
        }
      } else if (o.op === 'close' && live.length) live[o.k % live.length].s.destroy();
      else if (o.op === 'talk' && live.length) live[o.k % live.length].n++;
      else if (o.op === 'tick') { clock.t += o.k * 300; g.sweep(); }
      const alive = live.filter((e) => !e.s.destroyed);
      const perIp = new Map<string, number>();
      for (const e of alive) perIp.set(e.c.ip, (perIp.get(e.c.ip) ?? 0) + 1);
      if (g.open !== alive.length || g.open > 5 || budget.open !== alive.length || [...perIp.values()].some((n) => n > 3)) return false;
    }
    g.stop();
    return true;
  }), { numRuns: 300 });
});

// Login attempts per peer address: a token bucket of BURST attempts refilled at one per REFILL_MS, so five tries
// at once and then one every twelve seconds. Every time a peer is refused, its next refill waits twice as long
// (up to MAX_BACKOFF_MS): a guesser slows down exponentially; a success resets the address. Bounded: past
// MAX_PEERS the oldest entry is forgotten.
export const BURST = 5;
export const REFILL_MS = 12_000;
const MAX_BACKOFF_MS = 15 * 60_000;
const MAX_PEERS = 10_000;

interface Bucket {
  tokens: number;
  atMs: number;
  refillMs: number;
}

export class LoginLimiter {
  private readonly peers = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Take one attempt for `peer`: 0 when allowed, else the seconds until the next attempt is allowed. */
  take(peer: string): number {
    const t = this.now();
    let b = this.peers.get(peer);
    if (b === undefined) {
      b = { tokens: BURST, atMs: t, refillMs: REFILL_MS };
      this.peers.set(peer, b);
      while (this.peers.size > MAX_PEERS) this.peers.delete(this.peers.keys().next().value!);
    }
    const earned = Math.floor((t - b.atMs) / b.refillMs);
    if (earned > 0) {
      b.tokens = Math.min(BURST, b.tokens + earned);
      b.atMs += earned * b.refillMs;
      if (b.tokens === BURST) b.atMs = t;
    }
    if (b.tokens > 0) {
      b.tokens--;
      return 0;
    }
    const wait = Math.ceil((b.atMs + b.refillMs - t) / 1000);
    b.refillMs = Math.min(MAX_BACKOFF_MS, b.refillMs * 2);
    return Math.max(1, wait);
  }

  /** A successful login forgets the peer's failures. */
  succeeded(peer: string): void {
    this.peers.delete(peer);
  }
}

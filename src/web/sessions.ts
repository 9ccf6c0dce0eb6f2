// Server-side console sessions: a random 256-bit id (the cookie) maps to the user and a CSRF token. A session
// ends after IDLE_MS without a request, ABSOLUTE_MS after login, on logout, or when its user is deleted. The
// table is bounded; past the cap the least recently used session goes. Sessions live in memory: a restart logs
// everyone out, which is the safe direction.
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'lw_session';
export const IDLE_MS = 30 * 60_000;
export const ABSOLUTE_MS = 12 * 3_600_000;
const MAX_SESSIONS = 10_000;

export interface Session {
  id: string;
  user: string;
  csrf: string;
  createdMs: number;
  seenMs: number;
}

export class SessionTable {
  /** Insertion order is recency order: a touched session is moved to the end. */
  private readonly byId = new Map<string, Session>();

  constructor(private readonly now: () => number = Date.now) {}

  create(user: string): Session {
    const t = this.now();
    const s: Session = { id: randomBytes(32).toString('base64url'), user, csrf: randomBytes(32).toString('base64url'), createdMs: t, seenMs: t };
    this.byId.set(s.id, s);
    while (this.byId.size > MAX_SESSIONS) this.byId.delete(this.byId.keys().next().value!);
    return s;
  }

  /** The live session for a cookie value, touched; undefined when unknown or expired (then it is removed). */
  get(id: string | undefined): Session | undefined {
    if (id === undefined || id === '') return undefined;
    const s = this.byId.get(id);
    if (s === undefined) return undefined;
    const t = this.now();
    if (t - s.seenMs > IDLE_MS || t - s.createdMs > ABSOLUTE_MS) {
      this.byId.delete(id);
      return undefined;
    }
    s.seenMs = t;
    this.byId.delete(id);
    this.byId.set(id, s);
    return s;
  }

  delete(id: string): void {
    this.byId.delete(id);
  }

  get size(): number {
    return this.byId.size;
  }
}

/** Constant-time comparison of a presented CSRF token with the session's. */
export function csrfMatches(s: Session, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(s.csrf);
  return a.length === b.length && timingSafeEqual(a, b);
}

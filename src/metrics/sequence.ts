// Per-sender sequence-number tracking: gaps (missing messages), repeats, late arrivals and restarts, for messages
// that carry a number: RFC 5424 `[meta sequenceId="N"]` (RFC 5424 §7.3.1: 1..2147483647, wraps to 1) and Cisco
// IOS `service sequence-numbers` (`<189>123: …`, the number parsed as the tag). Only such messages pay anything.
import type { Message } from '../message';

/** RFC 5424 §7.3.1: sequenceId is 1..2^31-1 and wraps to 1. Cisco's counter is given the same range. */
export const SEQUENCE_MAX = 2147483647;
/** Default cap on tracked senders; beyond it new senders are counted as untracked. */
export const DEFAULT_MAX_SENDERS = 10_000;

export interface SenderSequence {
  /** Last accepted sequence number. */
  last: number;
  gaps: number;
  repeats: number;
  outOfOrder: number;
  restarts: number;
}

export interface SequenceTotals {
  gaps: number;
  repeats: number;
  outOfOrder: number;
  restarts: number;
  senders: number;
  untracked: number;
}

/**
 * What one number says about a sender whose last number was `last`, in a sequence 1..max that wraps to 1:
 * - the next number (last+1, or 1 after max): in order;
 * - the same number: a repeat;
 * - 0 or 1 otherwise: the sender restarted (a reset, not a gap of nearly 2^31);
 * - ahead by d ≤ max/2 (modulo the wrap): d-1 messages are missing (a gap);
 * - otherwise it is behind: a late or replayed message; `last` stays.
 */
export function classify(last: number, n: number, max: number): { kind: 'next' | 'repeat' | 'restart' | 'gap' | 'late'; missing: number } {
  const c = classifyCode(last, n, max);
  if (c > 0) return { kind: 'gap', missing: c };
  return { kind: c === NEXT ? 'next' : c === REPEAT ? 'repeat' : c === RESTART ? 'restart' : 'late', missing: 0 };
}

const NEXT = 0;
const REPEAT = -1;
const RESTART = -2;
const LATE = -3;

/** classify() without an allocation: NEXT, REPEAT, RESTART, LATE, or the number of missing messages (> 0). */
function classifyCode(last: number, n: number, max: number): number {
  if (n === last) return REPEAT;
  if (n === (last >= max ? 1 : last + 1)) return NEXT;
  if (n <= 1) return RESTART;
  const ahead = n > last ? n - last : max - last + n; // steps forward from last to n (the wrap goes max → 1)
  return ahead <= Math.floor(max / 2) ? ahead - 1 : LATE;
}

export class SequenceTracker {
  private readonly senders = new Map<string, SenderSequence>();
  private readonly byIp = new Map<string, Map<string, Map<string, SenderSequence>>>();
  private readonly totals: SequenceTotals = { gaps: 0, repeats: 0, outOfOrder: 0, restarts: 0, senders: 0, untracked: 0 };

  constructor(private readonly maxSenders = DEFAULT_MAX_SENDERS, private readonly max = SEQUENCE_MAX) {}

  /** Record number `n` from `sender`. */
  observe(sender: string, n: number): void {
    const s = this.senders.get(sender);
    if (s === undefined) {
      if (this.senders.size >= this.maxSenders) {
        this.totals.untracked++;
        return;
      }
      this.senders.set(sender, { last: n, gaps: 0, repeats: 0, outOfOrder: 0, restarts: 0 });
      return;
    }
    this.step(s, n);
  }

  /**
   * observe() for a message's (fromhost-ip, hostname, app) without building the key string per message: the
   * entry is found through a small per-ip cache of (hostname + app) and shared with the flat table.
   */
  private observeEntry(ip: string, host: string, app: string, n: number): void {
    let byIp = this.byIp.get(ip);
    if (byIp === undefined) {
      if (this.byIp.size >= this.maxSenders) this.byIp.clear(); // only a cache: the flat table is the truth
      this.byIp.set(ip, (byIp = new Map()));
    }
    let byHost = byIp.get(host);
    if (byHost === undefined) byIp.set(host, (byHost = new Map()));
    const s = byHost.get(app);
    if (s !== undefined) return this.step(s, n);
    this.observe(`${ip}/${host}/${app}`, n);
    const created = this.senders.get(`${ip}/${host}/${app}`);
    if (created !== undefined) byHost.set(app, created);
  }

  private step(s: SenderSequence, n: number): void {
    const c = classifyCode(s.last, n, this.max);
    if (c === NEXT) s.last = n;
    else if (c > 0) {
      s.gaps += c;
      this.totals.gaps += c;
      s.last = n;
    } else if (c === REPEAT) {
      s.repeats++;
      this.totals.repeats++;
    } else if (c === RESTART) {
      s.restarts++;
      this.totals.restarts++;
      s.last = n;
    } else {
      s.outOfOrder++;
      this.totals.outOfOrder++;
    }
  }

  /** Look at one parsed message: only RFC 5424 messages with SD and RFC 3164 ones with a numeric tag do work. */
  observeMessage(m: Message): void {
    let n = -1;
    let app: string;
    if (m.protocolVersion === '1') {
      if (m.structuredData === '-') return;
      n = rfc5424SequenceId(m.structuredData);
      app = m.appName;
    } else {
      const c = m.syslogtag.charCodeAt(0);
      if (c < 48 || c > 57) return;
      n = ciscoSequence(m.syslogtag);
      app = 'cisco';
    }
    if (n < 0) return;
    this.observeEntry(m.fromhostIp, m.hostname, app, n);
  }

  get(sender: string): Readonly<SenderSequence> | undefined {
    return this.senders.get(sender);
  }

  snapshot(): SequenceTotals {
    return { ...this.totals, senders: this.senders.size };
  }

  /** The `n` senders with the most missing messages (ties: name order), for bounded label cardinality. */
  top(n: number): Array<{ sender: string } & SenderSequence> {
    const out: Array<{ sender: string } & SenderSequence> = [];
    for (const [sender, s] of this.senders) if (s.gaps > 0) out.push({ sender, ...s });
    out.sort((a, b) => b.gaps - a.gaps || (a.sender < b.sender ? -1 : 1));
    return out.slice(0, n);
  }
}

const SEQ_PARAM = ' sequenceId="';

/** sequenceId of the `meta` SD element (RFC 5424 §7.3.1), -1 when absent or out of range. No regex, no copy. */
export function rfc5424SequenceId(sd: string): number {
  const at = sd.indexOf(SEQ_PARAM);
  if (at < 0) return -1;
  const el = sd.lastIndexOf('[meta ', at);
  if (el < 0 || sd.lastIndexOf(']', at) > el) return -1; // the parameter belongs to another element
  let n = 0;
  let i = at + SEQ_PARAM.length;
  const start = i;
  for (; i < sd.length && i - start <= 10; i++) {
    const c = sd.charCodeAt(i);
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  if (i === start || sd.charCodeAt(i) !== 34) return -1;
  return n >= 1 && n <= SEQUENCE_MAX ? n : -1;
}

/** Cisco IOS `service sequence-numbers`: the tag is the number and a colon ("000123:"), -1 otherwise. */
export function ciscoSequence(tag: string): number {
  const end = tag.length - 1;
  if (end < 1 || end > 10 || tag.charCodeAt(end) !== 58) return -1;
  let n = 0;
  for (let i = 0; i < end; i++) {
    const c = tag.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  return n <= SEQUENCE_MAX ? n : -1;
}

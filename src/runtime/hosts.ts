// Every source seen by this process: first/last seen, messages per minute over the last hour, the inputs it used,
// and its clock skew (received − reported) from a bounded sample. Fed once per message by the runtime (a map
// lookup and a few stores; the clock is read once per batch, the reported time on one message in 8); bounded
// to MAX_HOSTS sources, beyond which new ones are only counted (`capped`).
// Persisted to <dataDir>/console/hosts.json on stop and every few minutes, and read back at start, so a restart
// keeps first-seen times (docs/console.md, "Hosts").
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Message } from '../message';

export const MAX_HOSTS = 10_000;
const MINUTES = 60;
const SKEW_SAMPLE = 256;
const MAX_INPUTS = 8;
/** Skew and input names are sampled on one message in SKEW_EVERY per host. */
const SKEW_EVERY = 8;
export const SKEW_THRESHOLD_MS = 2000;
export const SILENT_AFTER_MIN = 15;

interface HostEntry {
  host: string;
  fromhostIp: string;
  firstSeenUs: number;
  lastSeenUs: number;
  /** Counts per minute, a ring indexed by (epoch minute % 60); `minuteOf` tells which minute each slot holds. */
  counts: Uint32Array;
  minuteOf: Float64Array;
  inputs: string[];
  /** The TLS certificate subject the host last sent with, or '' (plain inputs). */
  tlsPeer: string;
  /** Last SKEW_SAMPLE skews in ms (received − reported), a ring. */
  skew: Float64Array;
  skewN: number;
  /** Messages counted since start (drives the sampling). */
  seen: number;
}

export interface HostView {
  host: string;
  fromhostIp: string;
  tlsPeer: string | null;
  firstSeenUs: number;
  lastSeenUs: number;
  perMinute: number[];
  inputs: string[];
  skewMedianMs: number | null;
  skewP95Ms: number | null;
  skewed: boolean;
  silent: boolean;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export class HostTracker {
  private readonly hosts = new Map<string, HostEntry>();
  /** Messages from sources not tracked because MAX_HOSTS was reached. */
  capped = 0;

  constructor(private readonly maxHosts = MAX_HOSTS) {}

  /**
   * Count one message. `recvUs` is the batch's arrival time (one clock read per batch, not per message); the
   * skew (received − reported) is sampled on every SKEW_EVERY-th message of a host, which keeps the cost of
   * reading the reported time off most messages.
   */
  observe(m: Message, recvUs: number): void {
    const name = m.hostname;
    let e = this.hosts.get(name);
    if (e === undefined) {
      if (this.hosts.size >= this.maxHosts) {
        this.capped++;
        return;
      }
      e = {
        host: name, fromhostIp: m.fromhostIp, firstSeenUs: recvUs, lastSeenUs: recvUs, counts: new Uint32Array(MINUTES),
        minuteOf: new Float64Array(MINUTES).fill(-1), inputs: [], tlsPeer: '', skew: new Float64Array(SKEW_SAMPLE), skewN: 0, seen: 0,
      };
      this.hosts.set(name, e);
    }
    if (recvUs > e.lastSeenUs) e.lastSeenUs = recvUs;
    if (e.fromhostIp !== m.fromhostIp) e.fromhostIp = m.fromhostIp;
    if (m.tlsPeer !== '' && e.tlsPeer !== m.tlsPeer) e.tlsPeer = m.tlsPeer;
    const minute = Math.floor(recvUs / 60_000_000);
    const slot = minute % MINUTES;
    if (e.minuteOf[slot] !== minute) {
      e.minuteOf[slot] = minute;
      e.counts[slot] = 0;
    }
    e.counts[slot]++;
    if (e.seen++ % SKEW_EVERY === 0) {
      if (e.inputs.length < MAX_INPUTS && !e.inputs.includes(m.inputname)) e.inputs.push(m.inputname);
      e.skew[e.skewN++ % SKEW_SAMPLE] = (recvUs - m.timereported.toEpochMicros()) / 1000;
    }
  }

  /** Count a batch that arrived now. */
  observeBatch(batch: readonly Message[]): void {
    const nowUs = Date.now() * 1000;
    for (let i = 0; i < batch.length; i++) this.observe(batch[i]!, nowUs);
  }

  get size(): number {
    return this.hosts.size;
  }

  snapshot(nowMs = Date.now()): HostView[] {
    const nowMinute = Math.floor(nowMs / 60_000);
    const out: HostView[] = [];
    for (const e of this.hosts.values()) {
      const perMinute: number[] = [];
      for (let m = nowMinute - MINUTES + 1; m <= nowMinute; m++) {
        const slot = ((m % MINUTES) + MINUTES) % MINUTES;
        perMinute.push(e.minuteOf[slot] === m ? e.counts[slot]! : 0);
      }
      const n = Math.min(e.skewN, SKEW_SAMPLE);
      const sorted = Array.from(e.skew.subarray(0, n)).sort((a, b) => a - b);
      const median = n > 0 ? quantile(sorted, 0.5) : null;
      const p95 = n > 0 ? quantile(sorted, 0.95) : null;
      out.push({
        host: e.host, fromhostIp: e.fromhostIp, tlsPeer: e.tlsPeer === '' ? null : e.tlsPeer, firstSeenUs: e.firstSeenUs, lastSeenUs: e.lastSeenUs, perMinute,
        inputs: [...e.inputs], skewMedianMs: median, skewP95Ms: p95, skewed: median !== null && Math.abs(median) > SKEW_THRESHOLD_MS,
        silent: nowMs * 1000 - e.lastSeenUs > SILENT_AFTER_MIN * 60_000_000,
      });
    }
    return out.sort((a, b) => a.host.localeCompare(b.host));
  }

  /** Write the first/last seen times and inputs (counts and skew samples start afresh after a restart). */
  save(file: string): void {
    const rows = [...this.hosts.values()].map((e) => ({ host: e.host, fromhostIp: e.fromhostIp, firstSeenUs: e.firstSeenUs, lastSeenUs: e.lastSeenUs, inputs: e.inputs, tlsPeer: e.tlsPeer }));
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(`${file}.tmp`, JSON.stringify({ version: 1, hosts: rows }), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }

  /** Read a file written by save(); a missing or unreadable file starts empty (returns false). */
  load(file: string): boolean {
    let parsed: { version?: number; hosts?: Array<{ host: string; fromhostIp: string; firstSeenUs: number; lastSeenUs: number; inputs: string[]; tlsPeer?: string }> };
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return false;
    }
    if (parsed.version !== 1 || !Array.isArray(parsed.hosts)) return false;
    for (const h of parsed.hosts) {
      if (this.hosts.size >= this.maxHosts || typeof h.host !== 'string' || this.hosts.has(h.host)) continue;
      this.hosts.set(h.host, {
        host: h.host, fromhostIp: String(h.fromhostIp), firstSeenUs: Number(h.firstSeenUs), lastSeenUs: Number(h.lastSeenUs),
        counts: new Uint32Array(MINUTES), minuteOf: new Float64Array(MINUTES).fill(-1),
        inputs: Array.isArray(h.inputs) ? h.inputs.slice(0, MAX_INPUTS).map(String) : [], tlsPeer: typeof h.tlsPeer === 'string' ? h.tlsPeer : '', skew: new Float64Array(SKEW_SAMPLE), skewN: 0, seen: 0,
      });
    }
    return true;
  }
}

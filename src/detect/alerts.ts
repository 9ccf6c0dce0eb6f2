// Alerts: one row per (rule, key) episode in SQLite under the work directory (detect/alerts.db). A firing
// within `suppress` of the episode's last firing joins it (count, last time, capped message references);
// a later one opens a new alert. Only a new alert goes to the outputs, so a burst notifies once.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DetectEvent } from './event';
import type { Detection } from './rule';

export type AlertStatus = 'open' | 'acknowledged';

export interface Alert {
  id: number;
  rule: string;
  title: string;
  level: string;
  key: string;
  firstMs: number;
  lastMs: number;
  count: number;
  reason: string;
  /** The raw lines of the first messages that fired it (at most MAX_REFS). */
  refs: string[];
  status: AlertStatus;
}

export const MAX_REFS = 10;
const MAX_REF_LENGTH = 2048;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS alerts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  rule TEXT NOT NULL,
  title TEXT NOT NULL,
  level TEXT NOT NULL,
  key TEXT NOT NULL,
  first_ms INTEGER NOT NULL,
  last_ms INTEGER NOT NULL,
  count INTEGER NOT NULL,
  reason TEXT NOT NULL,
  refs TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open'
);
CREATE INDEX IF NOT EXISTS alerts_rule_key ON alerts(rule, key, last_ms);
`;

interface Row {
  id: number; rule: string; title: string; level: string; key: string; first_ms: number; last_ms: number;
  count: number; reason: string; refs: string; status: AlertStatus;
}

function fromRow(r: Row): Alert {
  return {
    id: r.id, rule: r.rule, title: r.title, level: r.level, key: r.key, firstMs: r.first_ms, lastMs: r.last_ms,
    count: r.count, reason: r.reason, refs: JSON.parse(r.refs) as string[], status: r.status,
  };
}

/** What a detection references: its raw line (ids come with the durable queue stage). */
export function detectionRef(d: Detection): string | null {
  return eventRef(d.event);
}

function eventRef(ev: DetectEvent | null): string | null {
  if (ev === null) return null;
  const raw = ev.row.raw;
  return raw.length > MAX_REF_LENGTH ? raw.slice(0, MAX_REF_LENGTH) : raw;
}

/** Episodes kept in memory so a firing that joins one costs no SQLite write; flushed about once a second. */
const MAX_CACHED = 10_000;

interface Episode {
  alert: Alert;
  dirty: boolean;
}

export class AlertStore {
  private readonly db: Database.Database;
  private readonly findOpen: Database.Statement;
  private readonly insert: Database.Statement;
  private readonly bump: Database.Statement;
  private readonly cache = new Map<string, Episode>();

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 2000');
    this.db.exec(SCHEMA);
    this.findOpen = this.db.prepare('SELECT * FROM alerts WHERE rule = ? AND key = ? ORDER BY last_ms DESC LIMIT 1');
    this.insert = this.db.prepare(`INSERT INTO alerts (rule, title, level, key, first_ms, last_ms, count, reason, refs, status)
      VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, 'open')`);
    this.bump = this.db.prepare('UPDATE alerts SET last_ms = ?, count = ?, refs = ? WHERE id = ?');
  }

  /**
   * Record a firing. Returns the alert and whether it is new (to notify) or joined an episode (suppressed).
   * An acknowledged alert still absorbs firings within its suppression window (acknowledging silences it).
   */
  record(d: Detection): { alert: Alert; created: boolean } {
    const k = `${d.rule.id}\u0000${d.key}`;
    let ep = this.cache.get(k);
    if (ep === undefined) {
      const row = this.findOpen.get(d.rule.id, d.key) as Row | undefined;
      if (row !== undefined) ep = this.remember(k, fromRow(row));
    }
    if (ep !== undefined && d.timeMs - ep.alert.lastMs <= d.rule.suppressMs && d.timeMs >= ep.alert.firstMs) {
      const a = ep.alert;
      a.count++;
      if (d.timeMs > a.lastMs) a.lastMs = d.timeMs;
      if (a.refs.length < MAX_REFS) {
        const ref = detectionRef(d);
        if (ref !== null) a.refs.push(ref);
      }
      ep.dirty = true;
      return { alert: a, created: false };
    }
    const ref = detectionRef(d);
    const refs = ref === null ? [] : [ref];
    const info = this.insert.run(d.rule.id, d.rule.title, d.rule.level, d.key, d.timeMs, d.timeMs, d.reason, JSON.stringify(refs));
    const alert: Alert = {
      id: Number(info.lastInsertRowid), rule: d.rule.id, title: d.rule.title, level: d.rule.level, key: d.key,
      firstMs: d.timeMs, lastMs: d.timeMs, count: 1, reason: d.reason, refs, status: 'open',
    };
    this.remember(k, alert);
    return { alert, created: true };
  }

  /**
   * The engine's repeat fast path: join the cached open episode of rule+key when `timeMs` is within its
   * suppression window; false (nothing done) when there is none, and the caller records a full detection.
   */
  repeat(ruleId: string, key: string, timeMs: number, suppressMs: number, ev: DetectEvent): boolean {
    const ep = this.cache.get(`${ruleId}\u0000${key}`);
    if (ep === undefined) return false;
    const a = ep.alert;
    if (timeMs - a.lastMs > suppressMs || timeMs < a.firstMs) return false;
    a.count++;
    if (timeMs > a.lastMs) a.lastMs = timeMs;
    if (a.refs.length < MAX_REFS) {
      const ref = eventRef(ev);
      if (ref !== null) a.refs.push(ref);
    }
    ep.dirty = true;
    return true;
  }

  private remember(k: string, alert: Alert): Episode {
    const old = this.cache.get(k);
    if (old?.dirty) this.write(old);
    this.cache.delete(k);
    if (this.cache.size >= MAX_CACHED) {
      const [firstKey, first] = this.cache.entries().next().value as [string, Episode];
      if (first.dirty) this.write(first);
      this.cache.delete(firstKey);
    }
    const ep = { alert, dirty: false };
    this.cache.set(k, ep);
    return ep;
  }

  private write(ep: Episode): void {
    this.bump.run(ep.alert.lastMs, ep.alert.count, JSON.stringify(ep.alert.refs), ep.alert.id);
    ep.dirty = false;
  }

  /** Write what joined open episodes since the last flush (one transaction). */
  flush(): void {
    const dirty = [...this.cache.values()].filter((e) => e.dirty);
    if (dirty.length === 0) return;
    this.db.transaction(() => { for (const e of dirty) this.write(e); })();
  }

  list(opts: { status?: AlertStatus; rule?: string; limit?: number } = {}): Alert[] {
    this.flush();
    const where: string[] = [];
    const params: unknown[] = [];
    if (opts.status) { where.push('status = ?'); params.push(opts.status); }
    if (opts.rule) { where.push('rule = ?'); params.push(opts.rule); }
    const sql = `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...params, opts.limit ?? 100) as Row[]).map(fromRow);
  }

  get(id: number): Alert | undefined {
    this.flush();
    const r = this.db.prepare('SELECT * FROM alerts WHERE id = ?').get(id) as Row | undefined;
    return r === undefined ? undefined : fromRow(r);
  }

  /** Acknowledge alerts by id; returns how many changed. */
  ack(ids: number[]): number {
    this.flush();
    const st = this.db.prepare("UPDATE alerts SET status = 'acknowledged' WHERE id = ? AND status = 'open'");
    let n = 0;
    for (const id of ids) n += st.run(id).changes;
    for (const ep of this.cache.values()) if (ids.includes(ep.alert.id)) ep.alert.status = 'acknowledged';
    return n;
  }

  close(): void {
    this.flush();
    this.db.close();
  }
}

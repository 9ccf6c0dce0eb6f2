// One detection service per detect action and work directory: the engine, the alert store and the outputs.
// It outlives a config reload (the new graph's detect action re-acquires it), so windows, new_value state
// and counters survive SIGHUP; new rules are validated first and a broken set keeps the old one running.
import { join } from 'node:path';
import { formatDiagnostics } from '../config/diagnostics';
import type { Logger } from '../log';
import type { Message } from '../message';
import { AlertStore } from './alerts';
import { DetectEngine, type RuleMetrics } from './engine';
import { reuseEvent, toEvent, type ReusableEvent } from './event';
import { loadRuleFiles } from './load';
import type { AlertOutput, OutputStats } from './outputs';
import type { CompiledRule, Detection } from './rule';

/** Marks messages the detection service made itself (alerts re-injected as syslog): never evaluated again. */
export const DETECT_INPUT_NAME = 'detect';
const TICK_MS = 1000;

export interface DetectServiceOptions {
  dataDir: string;
  rules: string[];
  /** Base for relative rule paths. */
  base?: string;
  logger: Logger;
  /** Alert database (default <dataDir>/detect/alerts.db). */
  database?: string;
}

export class DetectService {
  readonly engine: DetectEngine;
  readonly alerts: AlertStore;
  outputs: AlertOutput[] = [];
  private readonly timer: NodeJS.Timeout;
  refs = 0;

  constructor(rules: CompiledRule[], readonly opts: DetectServiceOptions) {
    const dir = join(opts.dataDir, 'detect');
    this.alerts = new AlertStore(opts.database ?? join(dir, 'alerts.db'));
    this.engine = new DetectEngine(rules, {
      stateDir: dir,
      onDetect: (d) => this.onDetect(d),
      onRepeat: (rule, key, t, ev) => this.alerts.repeat(rule.id, key, t, rule.suppressMs, ev),
    });
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  /** keysDropped per rule at the last warning, so a cap that keeps dropping is reported about once a minute. */
  private readonly droppedSeen = new Map<string, { dropped: number; at: number }>();

  private tick(): void {
    const now = Date.now();
    this.engine.tick(now);
    for (const [id, m] of Object.entries(this.engine.metrics())) {
      const seen = this.droppedSeen.get(id) ?? { dropped: 0, at: 0 };
      if (m.keysDropped > seen.dropped && now - seen.at >= 60_000) {
        this.opts.logger.warn('LW_WARN_DETECT_KEYS_DROPPED', 'a rule reached its key cap; the least recently active keys were dropped', {
          rule: id, dropped: m.keysDropped - seen.dropped, droppedTotal: m.keysDropped, held: m.keysHeld,
        });
        this.droppedSeen.set(id, { dropped: m.keysDropped, at: now });
      }
    }
    try {
      this.alerts.flush();
    } catch (err) {
      this.opts.logger.error('LW_ERR_ALERT_STORE', 'alert updates could not be stored', { error: (err as Error).message });
    }
  }

  private onDetect(d: Detection): void {
    let rec;
    try {
      rec = this.alerts.record(d);
    } catch (err) {
      this.opts.logger.error('LW_ERR_ALERT_STORE', 'alert could not be stored', { rule: d.rule.id, key: d.key, error: (err as Error).message });
      return;
    }
    if (!rec.created) {
      this.engine.noteSuppressed(d.rule.id);
      return;
    }
    for (const o of this.outputs) o.push(rec.alert);
  }

  process(batch: Message[]): void {
    // Inputs share one timegenerated object among the messages of a read; convert it once (Date.UTC is slow).
    let lastTime: Message['timegenerated'] | null = null;
    let lastMs = 0;
    let ev: ReusableEvent | null = null;
    for (let i = 0; i < batch.length; i++) {
      const m = batch[i]!;
      if (m.inputname === DETECT_INPUT_NAME) continue;
      if (m.timegenerated !== lastTime) {
        lastTime = m.timegenerated;
        lastMs = lastTime.toEpochMs();
      }
      // One event object per batch, pointed at each message in turn: the engine and the alert store
      // are done with an event when process() returns (a Detection's event is read during onDetect only).
      if (ev === null) ev = toEvent(m, lastMs) as ReusableEvent;
      else reuseEvent(ev, m, lastMs);
      this.engine.process(ev);
    }
  }

  metrics(): { rules: Record<string, RuleMetrics>; outputs: Record<string, OutputStats> } {
    const outputs: Record<string, OutputStats> = {};
    for (const o of this.outputs) outputs[o.name] = o.snapshot();
    return { rules: this.engine.metrics(), outputs };
  }

  async whenIdle(): Promise<void> {
    await Promise.all(this.outputs.map((o) => o.whenIdle()));
  }

  async close(timeoutMs = 5000): Promise<void> {
    clearInterval(this.timer);
    this.engine.close();
    // Each output drains for at most timeoutMs; a disk-backed one then keeps the rest for the next start.
    await Promise.all(this.outputs.map((o) => o.close(timeoutMs)));
    this.alerts.close();
  }
}

const services = new Map<string, DetectService>();

/** Running services (for metrics and the HTTP API). */
export function detectServices(): DetectService[] {
  return [...services.values()];
}

export class RuleLoadError extends Error {
  readonly code = 'LW_ERR_RULE_INVALID';
}

/**
 * Get the service for `key`, loading the rules. First start: rule errors throw. Reload: rule errors are
 * logged (LW_ERR_DETECT_RELOAD, naming file:line) and the running rules stay.
 */
export function acquireDetectService(key: string, opts: DetectServiceOptions): DetectService {
  const set = loadRuleFiles(opts.rules, opts.base);
  const errors = set.diagnostics.filter((d) => d.severity === 'error');
  for (const w of set.diagnostics.filter((d) => d.severity !== 'error')) opts.logger.warn(w.code, w.message, { at: `${w.loc.file}:${w.loc.line}:${w.loc.col}` });
  let svc = services.get(key);
  if (svc === undefined) {
    if (errors.length > 0) throw new RuleLoadError(`detection rules rejected:\n${formatDiagnostics(errors)}`);
    svc = new DetectService(set.rules, opts);
    services.set(key, svc);
    opts.logger.info('LW_INFO_DETECT_STARTED', 'detection rules loaded', { rules: set.rules.length, files: set.files.length });
  } else if (errors.length > 0) {
    const first = errors[0]!;
    opts.logger.error('LW_ERR_DETECT_RELOAD', 'new detection rules rejected; the running rules stay', {
      at: `${first.loc.file}:${first.loc.line}:${first.loc.col}`, errors: errors.length, detail: formatDiagnostics(errors),
    });
  } else {
    svc.engine.setRules(set.rules);
    opts.logger.info('LW_INFO_DETECT_RELOADED', 'detection rules reloaded', { rules: set.rules.length });
  }
  svc.refs++;
  return svc;
}

export async function releaseDetectService(key: string, svc: DetectService): Promise<void> {
  if (--svc.refs > 0) return;
  if (services.get(key) === svc) services.delete(key);
  await svc.close();
}

// Collects a running server's numbers at scrape time: inputs (sessions, refusals, TLS failures, UDP kernel
// drops), action queues, actions (RELP), detection rules. Reads what each component counts anyway.
import type { Input } from '../components';
import type { ActionQueue, QueueStats } from '../queue/action-queue';
import type { RuleMetrics } from '../detect/engine';
import { loadedDetectServices as detectServices } from '../runtime/registry'; // not detect/service: loads the engine
import type { Scrape } from './exposition';
import type { InputMetrics } from './input-counters';
import { readUdpTables, udpDrops } from './udp-drops';

export interface RuntimeView {
  /** Running inputs (retired ones still draining included). */
  inputs(): Input[];
  /** Action queues of the current graph. */
  queues(): readonly ActionQueue[];
}

/** An input that reports connection counters (optional part of the Input contract). */
type MeteredInput = Input & { metrics?(): InputMetrics };

export function collectInputs(s: Scrape, inputs: MeteredInput[]): void {
  let tables: ReturnType<typeof readUdpTables> | undefined;
  for (const i of inputs) {
    const m = i.metrics?.();
    if (m === undefined) continue;
    const input = i.name;
    if (m.sessionsOpen !== undefined) {
      s.add('logwarden_input_sessions_open', { input }, m.sessionsOpen);
      s.add('logwarden_input_sessions_opened_total', { input }, m.sessionsOpened);
    }
    for (const [reason, n] of Object.entries(m.refused)) s.add('logwarden_input_sessions_refused_total', { input, reason }, n);
    for (const [reason, n] of Object.entries(m.tlsFailed)) s.add('logwarden_input_tls_handshakes_failed_total', { input, reason }, n);
    s.add('logwarden_input_truncated_total', { input }, m.truncated);
    for (const sock of m.udpSockets ?? []) {
      tables ??= readUdpTables();
      const drops = udpDrops(sock.port, sock.family, tables);
      if (drops !== undefined) s.add('logwarden_udp_kernel_drops_total', { input, address: sock.address, port: String(sock.port) }, drops);
    }
  }
}

interface RelpCounters { resent: number; refused: number; reconnects: number }

function isRelp(a: unknown): a is RelpCounters {
  const r = a as Partial<RelpCounters>;
  return typeof r.resent === 'number' && typeof r.reconnects === 'number' && typeof r.refused === 'number';
}

/** Queue counters by family: each reads one field of QueueStats. */
const QUEUE_FAMILIES: ReadonlyArray<[string, (st: QueueStats) => number]> = [
  ['logwarden_queue_size', (st) => st.size],
  ['logwarden_queue_peak', (st) => st.peak],
  ['logwarden_queue_disk_size', (st) => st.diskSize],
  ['logwarden_queue_disk_bytes', (st) => st.diskBytes],
  ['logwarden_queue_oldest_age_seconds', (st) => st.oldestAgeMs / 1000],
  ['logwarden_queue_enqueued_total', (st) => st.enqueued],
  ['logwarden_queue_spilled_total', (st) => st.spilled],
  ['logwarden_queue_full_total', (st) => st.refused],
  ['logwarden_queue_discarded_total', (st) => st.discarded],
  ['logwarden_queue_poisoned_total', (st) => st.poisoned],
  ['logwarden_queue_lost_at_recovery_total', (st) => st.lostAtRecovery],
  ['logwarden_action_delivered_total', (st) => st.delivered],
  ['logwarden_action_retries_total', (st) => st.retries],
  ['logwarden_action_gave_up_total', (st) => st.gaveUp],
];

const RULE_FAMILIES: ReadonlyArray<[string, (m: RuleMetrics) => number]> = [
  ['logwarden_detect_rule_evaluations_total', (m) => m.evaluations],
  ['logwarden_detect_rule_matches_total', (m) => m.matches],
  ['logwarden_detect_rule_alerts_total', (m) => m.alerts],
  ['logwarden_detect_rule_suppressed_total', (m) => m.suppressed],
  ['logwarden_detect_rule_keys', (m) => m.keysHeld],
  ['logwarden_detect_rule_keys_dropped_total', (m) => m.keysDropped],
];

export function collectQueues(s: Scrape, queues: readonly ActionQueue[]): void {
  for (const q of queues) {
    const l = { action: q.action.name };
    const st = q.snapshot();
    for (const [family, read] of QUEUE_FAMILIES) s.add(family, l, read(st));
    s.add('logwarden_action_suspended', l, q.suspended ? 1 : 0);
    if (isRelp(q.action)) {
      s.add('logwarden_relp_resent_total', l, q.action.resent);
      s.add('logwarden_relp_refused_total', l, q.action.refused);
      s.add('logwarden_relp_reconnects_total', l, q.action.reconnects);
    }
  }
}

export function collectDetect(s: Scrape): void {
  for (const svc of detectServices()) {
    for (const [rule, m] of Object.entries(svc.metrics().rules)) {
      for (const [family, read] of RULE_FAMILIES) s.add(family, { rule }, read(m));
    }
  }
}

export function runtimeCollector(view: RuntimeView): (s: Scrape) => void {
  return (s) => {
    collectInputs(s, view.inputs());
    collectQueues(s, view.queues());
    collectDetect(s);
  };
}

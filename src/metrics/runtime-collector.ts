// Collects a running server's numbers at scrape time: inputs (sessions, refusals, TLS failures, UDP kernel
// drops), action queues, actions (RELP), detection rules. Reads what each component counts anyway.
import type { Input } from '../components';
import type { ActionQueue } from '../queue/action-queue';
import { detectServices } from '../detect/service';
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

export function collectQueues(s: Scrape, queues: readonly ActionQueue[]): void {
  for (const q of queues) {
    const action = q.action.name;
    const st = q.snapshot();
    const l = { action };
    s.add('logwarden_queue_size', l, st.size);
    s.add('logwarden_queue_peak', l, st.peak);
    s.add('logwarden_queue_disk_size', l, st.diskSize);
    s.add('logwarden_queue_disk_bytes', l, st.diskBytes);
    s.add('logwarden_queue_oldest_age_seconds', l, st.oldestAgeMs / 1000);
    s.add('logwarden_queue_enqueued_total', l, st.enqueued);
    s.add('logwarden_queue_spilled_total', l, st.spilled);
    s.add('logwarden_queue_full_total', l, st.refused);
    s.add('logwarden_queue_discarded_total', l, st.discarded);
    s.add('logwarden_queue_poisoned_total', l, st.poisoned);
    s.add('logwarden_queue_lost_at_recovery_total', l, st.lostAtRecovery);
    s.add('logwarden_action_delivered_total', l, st.delivered);
    s.add('logwarden_action_retries_total', l, st.retries);
    s.add('logwarden_action_gave_up_total', l, st.gaveUp);
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
      const l = { rule };
      s.add('logwarden_detect_rule_evaluations_total', l, m.evaluations);
      s.add('logwarden_detect_rule_matches_total', l, m.matches);
      s.add('logwarden_detect_rule_alerts_total', l, m.alerts);
      s.add('logwarden_detect_rule_suppressed_total', l, m.suppressed);
      s.add('logwarden_detect_rule_keys', l, m.keysHeld);
      s.add('logwarden_detect_rule_keys_dropped_total', l, m.keysDropped);
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

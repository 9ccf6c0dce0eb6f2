// Every metric family Logwarden exposes, declared once: name, type, labels and meaning. The exposition
// (exposition.ts) refuses undeclared names and docs/metrics.md is checked against this table by a unit test.
export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface FamilySpec {
  name: string;
  type: MetricType;
  labels: readonly string[];
  help: string;
}

const F = (name: string, type: MetricType, labels: readonly string[], help: string): FamilySpec => ({ name, type, labels, help });

const LIST: FamilySpec[] = [
  // inputs and listeners
  F('logwarden_input_received_total', 'counter', ['input'], 'Messages (frames, datagrams) an input handed to the pipeline.'),
  F('logwarden_input_parsed_total', 'counter', ['input'], 'Messages whose syslog header was recognised (RFC 5424 or RFC 3164).'),
  F('logwarden_input_parse_failures_total', 'counter', ['input'], 'Messages without a recognisable syslog header (kept whole as msg).'),
  F('logwarden_input_bytes_total', 'counter', ['input'], 'Bytes of the messages an input handed to the pipeline (after framing).'),
  F('logwarden_input_sessions_open', 'gauge', ['input'], 'Connections open now (stream and RELP inputs).'),
  F('logwarden_input_sessions_opened_total', 'counter', ['input'], 'Connections accepted since start.'),
  F('logwarden_input_sessions_refused_total', 'counter', ['input', 'reason'], 'Connections or datagrams refused, by reason (allowed_sender, max_sessions, peer_not_permitted, ...).'),
  F('logwarden_input_tls_handshakes_failed_total', 'counter', ['input', 'reason'], 'TLS handshakes that failed, by reason (timeout, not_tls, no_shared_cipher, bad_certificate, other, ...).'),
  F('logwarden_input_truncated_total', 'counter', ['input'], 'Datagrams or frames cut to maxMessageSize.'),
  F('logwarden_udp_kernel_drops_total', 'counter', ['input', 'address', 'port'], 'Datagrams the kernel dropped on this UDP socket (receive buffer full): the drops column of /proc/net/udp{,6}.'),
  // queues and actions
  F('logwarden_queue_size', 'gauge', ['action'], 'Messages in the memory part of the action queue now.'),
  F('logwarden_queue_peak', 'gauge', ['action'], 'Largest memory queue size reached since start.'),
  F('logwarden_queue_disk_size', 'gauge', ['action'], 'Messages in the disk part of the queue now.'),
  F('logwarden_queue_disk_bytes', 'gauge', ['action'], 'Bytes of the disk queue segments now.'),
  F('logwarden_queue_oldest_age_seconds', 'gauge', ['action'], 'Age of the oldest queued message (0 when empty).'),
  F('logwarden_queue_enqueued_total', 'counter', ['action'], 'Messages accepted into the queue.'),
  F('logwarden_queue_spilled_total', 'counter', ['action'], 'Messages written to the disk part of the queue.'),
  F('logwarden_queue_full_total', 'counter', ['action'], 'Messages refused because the queue was full.'),
  F('logwarden_queue_discarded_total', 'counter', ['action'], 'Messages discarded by queue.discardMark / queue.discardSeverity.'),
  F('logwarden_queue_poisoned_total', 'counter', ['action'], 'Messages the action refused for good (poison), not retried.'),
  F('logwarden_queue_lost_at_recovery_total', 'counter', ['action'], 'Disk queue records found damaged when the queue was opened.'),
  F('logwarden_action_delivered_total', 'counter', ['action'], 'Messages whose delivery the action confirmed.'),
  F('logwarden_action_retries_total', 'counter', ['action'], 'Failed delivery attempts (each followed by a backoff).'),
  F('logwarden_action_gave_up_total', 'counter', ['action'], 'Messages given up after action.resumeRetryCount retries.'),
  F('logwarden_action_suspended', 'gauge', ['action'], '1 while the action is failing and its queue waits to retry (rsyslog "suspended").'),
  F('logwarden_relp_resent_total', 'counter', ['action'], 'RELP frames sent again after a connection loss (possible duplicates at the receiver).'),
  F('logwarden_relp_refused_total', 'counter', ['action'], 'RELP messages the server answered with a non-200 response.'),
  F('logwarden_relp_reconnects_total', 'counter', ['action'], 'RELP reconnections.'),
  // per-sender sequence numbers
  F('logwarden_sender_sequence_gaps_total', 'counter', ['sender'], 'Messages missing by sequence number, for the senders with the most gaps (top 10).'),
  F('logwarden_sequence_gaps_total', 'counter', [], 'Messages missing by sequence number, all senders.'),
  F('logwarden_sequence_repeats_total', 'counter', [], 'Messages repeating the previous sequence number of their sender.'),
  F('logwarden_sequence_out_of_order_total', 'counter', [], 'Messages whose sequence number is behind their sender\'s last one (late or replayed).'),
  F('logwarden_sequence_restarts_total', 'counter', [], 'Sender restarts: a sequence number reset to 1 (or 0) that is not a wrap-around.'),
  F('logwarden_sequence_senders', 'gauge', [], 'Senders whose sequence numbers are tracked now.'),
  F('logwarden_sequence_untracked_total', 'counter', [], 'Messages with a sequence number not tracked because the sender table was full.'),
  // detection
  F('logwarden_detect_rule_evaluations_total', 'counter', ['rule'], 'Events a detection rule looked at.'),
  F('logwarden_detect_rule_matches_total', 'counter', ['rule'], 'Events that matched a detection rule\'s selection.'),
  F('logwarden_detect_rule_alerts_total', 'counter', ['rule'], 'Alerts a detection rule raised.'),
  F('logwarden_detect_rule_suppressed_total', 'counter', ['rule'], 'Firings folded into an open alert (suppression window).'),
  F('logwarden_detect_rule_keys', 'gauge', ['rule'], 'Keys (group-by values) a detection rule holds state for now.'),
  F('logwarden_detect_rule_keys_dropped_total', 'counter', ['rule'], 'Keys dropped at the rule\'s key cap.'),
  // store and search
  F('logwarden_store_rows', 'gauge', [], 'Rows in the store.'),
  F('logwarden_store_bytes', 'gauge', [], 'Bytes of the store on disk.'),
  F('logwarden_store_partitions', 'gauge', [], 'Store partitions (one per day).'),
  F('logwarden_store_inserted_total', 'counter', [], 'Rows inserted by this process.'),
  F('logwarden_search_duration_seconds', 'histogram', ['outcome'], 'Search latency (queueing included), by outcome (ok, bad_query, timeout, error).'),
  F('logwarden_search_queue_depth', 'gauge', [], 'Searches waiting for a worker now.'),
  F('logwarden_search_rejected_total', 'counter', ['reason'], 'Searches refused before they ran (queue_full).'),
  F('logwarden_search_workers', 'gauge', [], 'Search worker threads configured.'),
  // process
  F('logwarden_process_resident_memory_bytes', 'gauge', [], 'Resident set size of the process.'),
  F('logwarden_process_heap_used_bytes', 'gauge', [], 'V8 heap in use.'),
  F('logwarden_process_start_time_seconds', 'gauge', [], 'Start time of the process, Unix seconds.'),
  F('logwarden_scrape_duration_seconds', 'gauge', [], 'How long the previous scrape took to collect.'),
];

export const FAMILIES: ReadonlyMap<string, FamilySpec> = new Map(LIST.map((f) => [f.name, f]));

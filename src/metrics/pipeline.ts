// Message counters taken where every input's batches meet (the Runtime's sink): received, parsed, parse
// failures and bytes per input, and per-sender sequence numbers. One map lookup per run of messages from
// the same input (a batch comes from one input), a few additions per message.
import type { Message } from '../message';
import type { Scrape } from './exposition';
import { SequenceTracker } from './sequence';

interface InputTotals {
  received: number;
  parseFailures: number;
  bytes: number;
}

/** Senders named in logwarden_sender_sequence_gaps_total (label cardinality stays bounded). */
export const TOP_SENDERS = 10;

export class PipelineCounters {
  private readonly inputs = new Map<string, InputTotals>();
  readonly sequences: SequenceTracker;

  constructor(sequences = new SequenceTracker()) {
    this.sequences = sequences;
  }

  count(batch: readonly Message[]): void {
    let name: string | null = null;
    let t: InputTotals | undefined;
    const seq = this.sequences;
    for (let i = 0; i < batch.length; i++) {
      const m = batch[i];
      if (m.inputname !== name) {
        name = m.inputname;
        t = this.inputs.get(name);
        if (t === undefined) {
          t = { received: 0, parseFailures: 0, bytes: 0 };
          this.inputs.set(name, t);
        }
      }
      t!.received++;
      t!.bytes += m.rawmsg.length;
      if (m.parseFailed) t!.parseFailures++;
      else seq.observeMessage(m);
    }
  }

  collect(s: Scrape): void {
    for (const [input, t] of this.inputs) {
      s.add('logwarden_input_received_total', { input }, t.received);
      s.add('logwarden_input_parsed_total', { input }, t.received - t.parseFailures);
      s.add('logwarden_input_parse_failures_total', { input }, t.parseFailures);
      s.add('logwarden_input_bytes_total', { input }, t.bytes);
    }
    const q = this.sequences.snapshot();
    for (const top of this.sequences.top(TOP_SENDERS)) s.add('logwarden_sender_sequence_gaps_total', { sender: top.sender }, top.gaps);
    s.add('logwarden_sequence_gaps_total', {}, q.gaps);
    s.add('logwarden_sequence_repeats_total', {}, q.repeats);
    s.add('logwarden_sequence_out_of_order_total', {}, q.outOfOrder);
    s.add('logwarden_sequence_restarts_total', {}, q.restarts);
    s.add('logwarden_sequence_senders', {}, q.senders);
    s.add('logwarden_sequence_untracked_total', {}, q.untracked);
  }

  /** The /api/stats view of sequence tracking: totals and the top senders. */
  sequenceStats(): { totals: ReturnType<SequenceTracker['snapshot']>; top: ReturnType<SequenceTracker['top']> } {
    return { totals: this.sequences.snapshot(), top: this.sequences.top(TOP_SENDERS) };
  }
}

// `$RepeatedMsgReduction on` (Ubuntu's default): rsyslog's input rate limiter (runtime/ratelimit.c,
// doLastMessageRepeatedNTimes) drops a message equal to the previous one of the same input — same MSG, HOSTNAME,
// PROCID and APP-NAME — and counts it. When a different message arrives (or the input stops), the count is
// emitted first: for one repeat the repeated message itself, for more a copy of the last repeat whose MSG is
// " message repeated N times: [MSG]" (checked byte for byte against rsyslogd 8.2302).
import type { MessageSink } from '../components';
import type { Message } from '../message';

/** rsyslog formats the repeated text with `%.800s`. */
const MAX_REPEATED_TEXT = 800;

const same = (a: Message, b: Message): boolean =>
  a.msg === b.msg && a.hostname === b.hostname && a.procid === b.procid && a.appName === b.appName;

function repeatMessage(last: Message, n: number): Message {
  if (n === 1) return last;
  const copy = Object.assign(Object.create(Object.getPrototypeOf(last) as object) as Message, last);
  copy.msg = ` message repeated ${n} times: [${last.msg.slice(0, MAX_REPEATED_TEXT)}]`;
  copy.parsedWith = null; // msg no longer what the frame parses to
  return copy;
}

/** A sink wrapper for one input: reduces runs of equal messages before they reach the rules. */
export class RepeatReducer implements MessageSink {
  private last: Message | null = null;
  private suppressed = 0;

  constructor(private readonly sink: MessageSink) {}

  get congested(): boolean {
    return this.sink.congested;
  }

  onceDrained(cb: () => void): void {
    this.sink.onceDrained(cb);
  }

  submit(batch: Message[]): void {
    const out: Message[] = [];
    for (const m of batch) {
      if (this.last !== null && same(m, this.last)) {
        this.suppressed++;
        this.last = m; // the newest repeat is kept: its timestamp goes out with the count
        continue;
      }
      if (this.last !== null && this.suppressed > 0) out.push(repeatMessage(this.last, this.suppressed));
      this.suppressed = 0;
      this.last = m;
      out.push(m);
    }
    if (out.length > 0) this.sink.submit(out);
  }

  /** The input stopped: emit a pending count (rsyslog does so when the rate limiter is destroyed). */
  flush(): void {
    if (this.last !== null && this.suppressed > 0) this.sink.submit([repeatMessage(this.last, this.suppressed)]);
    this.suppressed = 0;
    this.last = null;
  }
}

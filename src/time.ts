// Syslog timestamps kept the way rsyslog keeps them: broken-down fields plus the sender's UTC offset, so a
// timestamp is written back exactly as it was received (RFC 5424 §6.2.3, RFC 3339 §5.6).

/** Where a timestamp came from; decides how it prints in RFC 3164 form and whether its year was guessed. */
export const enum TimeSource {
  /** RFC 3339 / RFC 5424 TIMESTAMP, with an explicit offset. */
  Rfc3339 = 0,
  /** RFC 3164 "Mmm dd hh:mm:ss": no year, no zone; the receiver's year and zone were assumed. */
  Rfc3164 = 1,
  /** Made by this process (timegenerated, or a message with no usable timestamp). */
  Local = 2,
}

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
export const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
/** 10 ** n, from a table for the precisions timestamps have (0..9). */
function pow10(n: number): number {
  return POW10[n] ?? 10 ** n;
}

/**
 * Date.UTC(year, month - 1, day, hour, minute, second) for integer fields with year 100..9999 and month 1..12
 * (others — never made by the parsers — go to Date.UTC itself): days from the civil date in plain arithmetic
 * (H. Hinnant's algorithm), about 4× faster than the builtin, which every stored or detected message calls.
 * Out-of-range day/hour/minute/second values carry over linearly, as Date.UTC's do.
 */
export function utcMs(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  if (!(year >= 100 && year <= 9999 && month >= 1 && month <= 12) || !Number.isInteger(year + month + day + hour + minute + second)) {
    return Date.UTC(year, month - 1, day, hour, minute, second);
  }
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const days = era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
  return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000;
}

/**
 * The last two minutes converted to epoch time, as their fields and the UTC ms of their start: consecutive
 * messages nearly always share their minute, and a store row or a detection converts two times a message (the
 * reported one and the received one), so most conversions compare numbers instead of doing the calendar
 * arithmetic. Only minutes of utcMs's arithmetic path are kept (year 100..9999, month 1..12, integer fields),
 * where the minute's start plus whole seconds is exactly utcMs's own sum.
 */
interface MinuteMemo { year: number; month: number; day: number; hour: number; minute: number; offsetMinutes: number; startMs: number }
const memos: [MinuteMemo, MinuteMemo] = [
  { year: Number.NaN, month: 0, day: 0, hour: 0, minute: 0, offsetMinutes: 0, startMs: 0 },
  { year: Number.NaN, month: 0, day: 0, hour: 0, minute: 0, offsetMinutes: 0, startMs: 0 },
];
/** The memo the next miss replaces (the one not hit last). */
let memoNext = 0;

function sameMinute(m: MinuteMemo, t: SyslogTime): boolean {
  return t.minute === m.minute && t.hour === m.hour && t.day === m.day && t.month === m.month && t.year === m.year && t.offsetMinutes === m.offsetMinutes;
}

/** utcMs(t's fields) − t's offset, in ms (no fraction). */
function wallMs(t: SyslogTime): number {
  const s = t.second;
  if (s >= 0 && s <= 60 && (s | 0) === s) {
    if (sameMinute(memos[0], t)) {
      memoNext = 1;
      return memos[0].startMs + s * 1000;
    }
    if (sameMinute(memos[1], t)) {
      memoNext = 0;
      return memos[1].startMs + s * 1000;
    }
  }
  const { year, month, day, hour, minute, offsetMinutes } = t;
  const wall = utcMs(year, month, day, hour, minute, s) - offsetMinutes * 60_000;
  if (year >= 100 && year <= 9999 && month >= 1 && month <= 12 && Number.isInteger(day) && Number.isInteger(hour)
    && Number.isInteger(minute) && Number.isInteger(s) && Number.isInteger(offsetMinutes)) {
    const m = memos[memoNext];
    memoNext ^= 1;
    m.year = year;
    m.month = month;
    m.day = day;
    m.hour = hour;
    m.minute = minute;
    m.offsetMinutes = offsetMinutes;
    m.startMs = wall - s * 1000;
  }
  return wall;
}

/**
 * One instant with the wall-clock fields and offset it was expressed in. `secfrac` is an integer holding
 * `secfracPrecision` decimal digits (e.g. 123 with precision 3 is .123), as rsyslog's syslogTime does.
 */
export class SyslogTime {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
  hour: number;
  minute: number;
  second: number;
  secfrac: number;
  secfracPrecision: number;
  /** Minutes east of UTC (e.g. -420 for -07:00). */
  offsetMinutes: number;
  source: TimeSource;
  /**
   * The sender wrote the zone as "Z" (RFC 3339 §5.6). rsyslog keeps that and prints "Z" back (and "-" for
   * date-tzoffsdirection); parsers set it, everything else leaves it false.
   */
  zulu = false;
  /**
   * The timestamp's text as received, kept by the RFC 5424 parser when formatRfc3339 prints exactly those
   * characters (canonical layout): the common output templates then copy it instead of formatting seven
   * numbers a message; formatRfc3339 keeps what it printed too. Private, so not part of equality or JSON;
   * fields are never changed after parsing (or after construction).
   */
  #rfc3339: string | null = null;
  /** formatted "Mmm dd hh:mm:ss" (templates/dates.ts format3164), kept once printed: a time is often shared. */
  #rfc3164: string | null = null;

  constructor(
    year: number, month: number, day: number, hour: number, minute: number, second: number,
    secfrac: number, secfracPrecision: number, offsetMinutes: number, source: TimeSource,
  ) {
    this.year = year;
    this.month = month;
    this.day = day;
    this.hour = hour;
    this.minute = minute;
    this.second = second;
    this.secfrac = secfrac;
    this.secfracPrecision = secfracPrecision;
    this.offsetMinutes = offsetMinutes;
    this.source = source;
  }

  /** Remember the received RFC 3339 text; the caller guarantees formatRfc3339 would print the same. */
  keepRfc3339Text(text: string): void {
    this.#rfc3339 = text;
  }

  /** The received RFC 3339 text when kept (see keepRfc3339Text), else null. */
  get rfc3339Text(): string | null {
    return this.#rfc3339;
  }

  /** The RFC 3164 text printed earlier for this time (see format3164), else null. */
  get rfc3164Text(): string | null {
    return this.#rfc3164;
  }

  /** Remember the RFC 3164 text printed for this time; the caller guarantees format3164 prints the same. */
  keepRfc3164Text(text: string): void {
    this.#rfc3164 = text;
  }

  /** Milliseconds since the Unix epoch (UTC). */
  toEpochMs(): number {
    const fracMs = this.secfracPrecision === 0 ? 0 : Math.floor((this.secfrac * 1000) / pow10(this.secfracPrecision));
    return wallMs(this) + fracMs;
  }

  /** Microseconds since the epoch, for stores that keep sub-millisecond order. */
  toEpochMicros(): number {
    const fracUs = this.secfracPrecision === 0 ? 0 : Math.floor((this.secfrac * 1_000_000) / pow10(this.secfracPrecision));
    return wallMs(this) * 1000 + fracUs;
  }

  /** The same instant expressed in UTC (offset 0), keeping the fraction. */
  toUtc(): SyslogTime {
    if (this.offsetMinutes === 0) return this;
    const d = new Date(Date.UTC(this.year, this.month - 1, this.day, this.hour, this.minute, this.second) - this.offsetMinutes * 60_000);
    return new SyslogTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(),
      d.getUTCSeconds(), this.secfrac, this.secfracPrecision, 0, this.source);
  }

  /** Now, in the machine's local zone, with microsecond precision as rsyslog's timegenerated has. */
  static now(source: TimeSource = TimeSource.Local): SyslogTime {
    return SyslogTime.fromEpochMs(Date.now(), source);
  }

  /** An epoch time in the machine's local zone (the zone rsyslog prints timegenerated in). */
  static fromEpochMs(ms: number, source: TimeSource = TimeSource.Local): SyslogTime {
    const d = new Date(ms);
    const micros = (ms % 1000 + 1000) % 1000 * 1000;
    return new SyslogTime(d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(),
      micros, 6, 0 - d.getTimezoneOffset(), source); // "0 - x", not "-x": never -0 ("-00:00")
  }
}

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n));

function pad(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

/** "Oct 11 22:14:15": RFC 3164 §4.1.2; a day below 10 is space-padded ("Oct  1"). */
export function formatRfc3164(t: SyslogTime): string {
  const day = t.day < 10 ? ' ' + t.day : String(t.day);
  return `${MONTHS[t.month - 1]} ${day} ${pad2(t.hour)}:${pad2(t.minute)}:${pad2(t.second)}`;
}

/** The zone designator of RFC 3339 §5.6: "Z" only is never produced (rsyslog writes +00:00), "+hh:mm" always. */
export function formatOffset(offsetMinutes: number): string {
  // -0 is "-00:00": RFC 3339 §4.3's "offset unknown"; rsyslog keeps the sign as received.
  const sign = offsetMinutes < 0 || Object.is(offsetMinutes, -0) ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** "2003-10-11T22:14:15.003-07:00": RFC 3339 with the fraction at its received precision (none if 0 digits). */
export function formatRfc3339(t: SyslogTime): string {
  const kept = t.rfc3339Text;
  if (kept !== null) return kept;
  const frac = t.secfracPrecision > 0 ? '.' + pad(t.secfrac, t.secfracPrecision) : '';
  const zone = t.zulu && t.offsetMinutes === 0 ? 'Z' : formatOffset(t.offsetMinutes);
  const text = `${pad(t.year, 4)}-${pad2(t.month)}-${pad2(t.day)}T${pad2(t.hour)}:${pad2(t.minute)}:${pad2(t.second)}${frac}${zone}`;
  // Kept for the next print of the same time: the RFC 3164 parser shares one SyslogTime between the messages
  // of a second, and an input shares its reception time between the messages of a read.
  t.keepRfc3339Text(text);
  return text;
}

// Syslog timestamp scanners with rsyslog's exact acceptance rules: RFC 3339 (RFC 5424 §6.2.3) and the
// BSD "Mmm dd hh:mm:ss" of RFC 3164 §4.1.2 with the real-world variants rsyslog tolerates.
import { SyslogTime, TimeSource } from '../time';

/** Position and remaining length, as rsyslog tracks them (they may disagree by one in a quirk we copy). */
export interface Cursor {
  pos: number;
  len: number;
}

const INT_SCAN_LIMIT = 214748363; // rsyslog stops accumulating digits at INT_MAX/10-1
/** Fractions of up to 8 digits stay below INT_SCAN_LIMIT, so their value prints back as the same digits. */
const MAX_KEPT_PRECISION = 8;
/** "+hh:mm": a zone of this length was read as two 2-digit numbers around ':'. */
const ZONE_LEN = 6;
const SP = 0x20;
const MAX_YEAR_3339 = 2100;
const MIN_YEAR_3164 = 1970;
const MAX_YEAR_3164 = 2100;

/** Byte at i, or 0 past the end (rsyslog reads the terminating NUL there). */
export function at(buf: Buffer, i: number): number {
  return i < buf.length ? buf[i] : 0;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** rsyslog srSLMGParseInt32: digits while length remains; 0 when there are none. */
function scanInt(buf: Buffer, c: Cursor): number {
  let n = 0;
  while (c.len > 0 && isDigit(at(buf, c.pos)) && n < INT_SCAN_LIMIT) {
    n = n * 10 + buf[c.pos] - 0x30;
    c.pos++;
    c.len--;
  }
  return n;
}

/** Consume one expected byte; false if absent or no length left. */
function expect(buf: Buffer, c: Cursor, ch: number): boolean {
  if (c.len === 0 || at(buf, c.pos) !== ch) return false;
  c.pos++;
  c.len--;
  return true;
}

/** Length of "YYYY-MM-DDThh:mm:ss" (RFC 3339 §5.6 full-date "T" partial-time without fraction). */
const FIXED_3339_LEN = 19;
/** Separator offsets in the fixed layout; every other offset below FIXED_3339_LEN holds a digit. */
const FIXED_3339_SEPARATORS: ReadonlyArray<readonly [number, number]> = [[4, 0x2d], [7, 0x2d], [10, 0x54], [13, 0x3a], [16, 0x3a]];

/** True when buf[p..p+19) is exactly 4-2-2T2:2:2 digits (the general scan then reads the same values). */
function fixedLayout3339(buf: Buffer, p: number): boolean {
  for (let k = 0; k < FIXED_3339_SEPARATORS.length; k++) {
    const sep = FIXED_3339_SEPARATORS[k];
    if (buf[p + sep[0]] !== sep[1]) return false;
  }
  for (let k = 0; k < FIXED_3339_LEN; k++) {
    if (k === 4 || k === 7 || k === 10 || k === 13 || k === 16) continue;
    const d = buf[p + k];
    if (d < 0x30 || d > 0x39) return false;
  }
  // A 20th digit would make the general scan read a longer seconds field: leave that to it.
  const next = buf[p + FIXED_3339_LEN];
  return next < 0x30 || next > 0x39;
}

/**
 * RFC 3339 timestamp (RFC 5424 §6.2.3): "YYYY-MM-DDThh:mm:ss[.frac](Z|±hh:mm)" followed by SP or the end.
 * Returns null (cursor untouched) when rsyslog would reject it. Like rsyslog, one-digit fields are accepted.
 * `fixedLayoutFastPath` = false forces the digit-by-digit scan (tests compare both paths).
 */
export function scanRfc3339(buf: Buffer, cur: Cursor, fixedLayoutFastPath = true, text: string | null = null): SyslogTime | null {
  const c: Cursor = { pos: cur.pos, len: cur.len };
  let year: number;
  let month: number;
  let day: number;
  let hour: number;
  let minute: number;
  let second: number;
  const p = c.pos;
  let fixed = false;
  if (fixedLayoutFastPath && c.len > FIXED_3339_LEN && fixedLayout3339(buf, p)) {
    fixed = true;
    // Canonical "YYYY-MM-DDThh:mm:ss" read at fixed offsets (1M-msg bench: the digit-by-digit scan with its
    // cursor updates was 6% of the socket thread). Same values and checks as the general scan below.
    year = ((buf[p] - 0x30) * 10 + buf[p + 1] - 0x30) * 100 + (buf[p + 2] - 0x30) * 10 + buf[p + 3] - 0x30;
    month = (buf[p + 5] - 0x30) * 10 + buf[p + 6] - 0x30;
    day = (buf[p + 8] - 0x30) * 10 + buf[p + 9] - 0x30;
    hour = (buf[p + 11] - 0x30) * 10 + buf[p + 12] - 0x30;
    minute = (buf[p + 14] - 0x30) * 10 + buf[p + 15] - 0x30;
    second = (buf[p + 17] - 0x30) * 10 + buf[p + 18] - 0x30;
    if (year >= MAX_YEAR_3339 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
    c.pos += FIXED_3339_LEN;
    c.len -= FIXED_3339_LEN;
  } else {
    year = scanInt(buf, c);
    if (year >= MAX_YEAR_3339 || !expect(buf, c, 0x2d)) return null;
    month = scanInt(buf, c);
    if (month < 1 || month > 12 || !expect(buf, c, 0x2d)) return null;
    day = scanInt(buf, c);
    if (day < 1 || day > 31 || !expect(buf, c, 0x54 /* T */)) return null;
    hour = scanInt(buf, c);
    if (hour > 23 || !expect(buf, c, 0x3a)) return null;
    minute = scanInt(buf, c);
    if (minute > 59 || !expect(buf, c, 0x3a)) return null;
    second = scanInt(buf, c);
    if (second > 60) return null; // 60: leap second, RFC 3339 §5.7
  }
  let secfrac = 0;
  let precision = 0;
  if (c.len > 0 && at(buf, c.pos) === 0x2e) {
    c.pos++;
    c.len--;
    const start = c.pos;
    secfrac = scanInt(buf, c);
    precision = c.pos - start;
  }
  if (c.len === 0) return null; // a zone designator is mandatory
  let offset = 0;
  const zoneStart = c.pos;
  const z = at(buf, c.pos);
  const zulu = z === 0x5a; /* Z */
  if (zulu) {
    c.pos++;
    c.len--;
  } else if (z === 0x2b || z === 0x2d) {
    c.pos++;
    c.len--;
    const oh = scanInt(buf, c);
    if (oh > 23 || !expect(buf, c, 0x3a)) return null;
    const om = scanInt(buf, c);
    if (om > 59) return null;
    offset = (z === 0x2d ? -1 : 1) * (oh * 60 + om);
  } else {
    return null;
  }
  const end = c.pos;
  if (c.len > 0) {
    if (at(buf, c.pos) !== SP) return null;
    c.pos++;
    c.len--;
  }
  cur.pos = c.pos;
  cur.len = c.len;
  const t = new SyslogTime(year, month, day, hour, minute, second, secfrac, precision, offset, TimeSource.Rfc3339);
  // rsyslog remembers a received "Z" and prints it back as "Z", not "+00:00" (RFC 3339 §5.6 allows both).
  t.zulu = zulu;
  // Canonical text (fixed "YYYY-MM-DDThh:mm:ss", a fraction short enough to be read whole, "Z" or "±hh:mm"
  // with two-digit parts) is what formatRfc3339 prints back: keep it when the frame is already a string.
  if (text !== null && fixed && precision <= MAX_KEPT_PRECISION && (precision > 0 || buf[p + FIXED_3339_LEN] !== 0x2e) && (zulu || end - zoneStart === ZONE_LEN)) {
    t.keepRfc3339Text(text.substring(p, end));
  }
  return t;
}

/** Month from three letters, case-insensitive as rsyslog; 0 if none. */
function scanMonth(buf: Buffer, p: number): number {
  const a = at(buf, p) | 0x20;
  const b = at(buf, p + 1) | 0x20;
  const d = at(buf, p + 2) | 0x20;
  const key = String.fromCharCode(a, b, d);
  return MONTH_KEYS.indexOf(key) + 1;
}
const MONTH_KEYS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Fields of a BSD timestamp; year 0 when the sender gave none. */
export interface Bsd3164 {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  secfrac: number;
  precision: number;
}

/**
 * RFC 3164 §4.1.2 timestamp with rsyslog's extensions: "[yyyy ]Mmm [d]d [yyyy ]hh:mm:ss[.frac][:]" then SP
 * or end; a year after the time when `detectYearAfter`. Returns null (cursor untouched) if rejected.
 */
export function scanRfc3164(buf: Buffer, cur: Cursor, detectYearAfter: boolean, tzString = false): Bsd3164 | null {
  const c: Cursor = { pos: cur.pos, len: cur.len };
  if (c.len < 3) return null;
  let year = 0;
  if (isDigit(at(buf, c.pos))) {
    // Leading year (Brocade). rsyslog skips the SP after it without decrementing the length: copied.
    year = scanInt(buf, c);
    if (year < MIN_YEAR_3164 || year > MAX_YEAR_3164 || at(buf, c.pos) !== SP) return null;
    c.pos++;
  }
  const month = scanMonth(buf, c.pos);
  if (month === 0) return null;
  c.pos += 3;
  c.len -= 3;
  if (!expect(buf, c, SP)) return null;
  if (at(buf, c.pos) === SP) { // one-digit day padded with a second SP ("Oct  1")
    c.pos++;
    c.len--;
  }
  const day = scanInt(buf, c);
  if (day < 1 || day > 31 || !expect(buf, c, SP)) return null;
  let hour = scanInt(buf, c);
  if (year === 0 && hour > MIN_YEAR_3164 && hour < MAX_YEAR_3164) { // Cisco "Mmm dd yyyy hh:mm:ss"
    year = hour;
    if (!expect(buf, c, SP)) return null;
    hour = scanInt(buf, c);
  }
  if (hour > 23 || !expect(buf, c, 0x3a)) return null;
  const minute = scanInt(buf, c);
  if (minute > 59 || !expect(buf, c, 0x3a)) return null;
  const second = scanInt(buf, c);
  if (second > 60) return null;
  let secfrac = 0;
  let precision = 0;
  if (c.len > 0 && at(buf, c.pos) === 0x2e) {
    c.pos++;
    c.len--;
    const start = c.pos;
    secfrac = scanInt(buf, c);
    precision = c.pos - start;
  }
  if (tzString && c.len > 2 && at(buf, c.pos) === SP) {
    // rsyslog PARSE3164_TZSTRING (pmciscoios): a zone name ("UTC") after the time. rsyslog applies it only when a
    // timezone() object defines it; Logwarden has none, so the name is skipped and the time stays local.
    c.pos++;
    c.len--;
    for (let i = 0; c.len > 0 && i < 15 && at(buf, c.pos) !== 0x3a && at(buf, c.pos) !== SP; i++) { c.pos++; c.len--; }
  }
  if (detectYearAfter && year === 0 && c.len > 5 && at(buf, c.pos) === SP) {
    let y = 0;
    for (let j = 1; j < 5; j++) {
      const d = at(buf, c.pos + j);
      if (!isDigit(d)) break;
      y = y * 10 + d - 0x30;
    }
    if (c.len > 6 && at(buf, c.pos + 5) !== SP) y = 0;
    if (y >= 2000 && y < 2100) {
      year = y;
      c.pos += 5;
      c.len -= 5;
    }
  }
  if (c.len > 0 && at(buf, c.pos) === 0x3a) { // Cisco's stray ':' after the time
    c.pos++;
    c.len--;
  }
  if (c.len > 0) {
    if (at(buf, c.pos) !== SP) return null;
    c.pos++;
    c.len--;
  }
  cur.pos = c.pos;
  cur.len = c.len;
  return { year, month, day, hour, minute, second, secfrac, precision };
}

const DAY_MS = 86_400_000;
const ROLLOVER_FUTURE_MS = 31 * DAY_MS;
const ROLLOVER_PAST_MS = 334 * DAY_MS;

/**
 * A BSD timestamp as a SyslogTime in the receiver's zone (RFC 3164 has no year nor zone). Without a year in
 * the frame the reception year is used, corrected across New Year when `rollover` is set.
 */
export function bsdToSyslogTime(t: Bsd3164, received: SyslogTime, rollover: boolean): SyslogTime {
  let year = t.year > 0 ? t.year : received.year;
  // Same month as the reception: never more than 31 days apart, no rollover (skips two Date.UTC a message).
  if (t.year === 0 && rollover && t.month !== received.month) {
    const recv = Date.UTC(received.year, received.month - 1, received.day, received.hour, received.minute, received.second);
    const cand = Date.UTC(year, t.month - 1, t.day, t.hour, t.minute, t.second);
    if (cand - recv > ROLLOVER_FUTURE_MS) year--;
    else if (recv - cand > ROLLOVER_PAST_MS) year++;
  }
  return new SyslogTime(year, t.month, t.day, t.hour, t.minute, t.second, t.secfrac, t.precision,
    received.offsetMinutes, TimeSource.Rfc3164);
}

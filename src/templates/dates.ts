// Date formats of the property replacer (date-mysql, date-rfc3339, …), byte-compatible with rsyslog's
// datetime.c / msg.c getTimeReported, applied to a SyslogTime that keeps the sender's offset.
import { formatRfc3339, MONTHS, SyslogTime, WEEKDAYS } from '../time';

export type DateFormat =
  | 'default' | 'mysql' | 'pgsql' | 'rfc3164' | 'rfc3164-buggyday' | 'rfc3339' | 'unixtimestamp' | 'subseconds'
  | 'wdayname' | 'wday' | 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'tzoffshour' | 'tzoffsmin'
  | 'tzoffsdirection' | 'ordinal' | 'week' | 'iso-week' | 'iso-week-year';

/** Option words (after "date-") that select a format. */
export const DATE_FORMATS: ReadonlySet<string> = new Set<DateFormat>([
  'mysql', 'pgsql', 'rfc3164', 'rfc3164-buggyday', 'rfc3339', 'unixtimestamp', 'subseconds', 'wdayname', 'wday',
  'year', 'month', 'day', 'hour', 'minute', 'second', 'tzoffshour', 'tzoffsmin', 'tzoffsdirection', 'ordinal',
  'week', 'iso-week', 'iso-week-year',
]);

const SECONDS_PER_DAY = 86400;
/** rsyslog's years[] table covers 1967..2099 only (msg.c). */
const YEAR_MIN = 1967;
const YEAR_MAX = 2099;

const p4 = (n: number): string => String(n).padStart(4, '0');

/** Weekday number 0=Sunday, with rsyslog's integer formula (datetime.c getWeekdayNbr). */
export function weekdayNumber(t: SyslogTime): number {
  let g = t.year;
  let f: number;
  if (t.month < 3) {
    g--;
    f = t.month + 13;
  } else {
    f = t.month + 1;
  }
  return (Math.floor((36525 * g) / 100) + Math.floor((306 * f) / 10) + t.day - 621049) % 7;
}

function epochSeconds(t: SyslogTime): number {
  return Math.floor(t.toEpochMs() / 1000);
}

/** Zero-based day of year as rsyslog computes it, including its off-by-one-second quirk for '+' offsets. */
function ordinalDay(t: SyslogTime): number {
  if (t.year < 1970 || t.year > 2100) return 0;
  const abs = Math.abs(t.offsetMinutes) * 60;
  const adj = t.offsetMinutes >= 0 ? abs - 1 : abs;
  const jan1 = Date.UTC(t.year, 0, 1) / 1000 + adj;
  return Math.floor((epochSeconds(t) - jan1) / SECONDS_PER_DAY);
}

function weekOfYear(t: SyslogTime): number {
  const jan1 = new SyslogTime(t.year, 1, 1, 0, 0, 0, 0, 0, t.offsetMinutes, t.source);
  let week = Math.floor((ordinalDay(t) + 6) / 7);
  if (weekdayNumber(t) < weekdayNumber(jan1)) week++;
  return week;
}

/** ISO 8601 week and week-year of the wall-clock date. */
function isoWeek(t: SyslogTime): { week: number; year: number } {
  const d = new Date(Date.UTC(t.year, t.month - 1, t.day));
  const dow = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - dow);
  const year = d.getUTCFullYear();
  const week = Math.ceil(((d.getTime() - Date.UTC(year, 0, 1)) / 86400000 + 1) / 7);
  return { week, year };
}

/** "Oct 11 22:14:15"; the buggy-day variant zero-pads the day ("Oct 01") as some old parsers expect. */
export function format3164(t: SyslogTime, buggyDay: boolean): string {
  const tens = Math.floor(t.day / 10) % 10;
  if (!buggyDay || tens > 0) {
    const kept = t.rfc3164Text; // the same for both variants when the day has two digits
    if (kept !== null) return kept;
  }
  const day = (buggyDay || tens > 0 ? String(tens) : ' ') + (t.day % 10);
  const text = `${MONTHS[(t.month - 1) % 12]} ${day} ${pad2(t.hour)}:${pad2(t.minute)}:${pad2(t.second)}`;
  if (!buggyDay || tens > 0) t.keepRfc3164Text(text); // a shared time prints once (see formatRfc3339)
  return text;
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** The fraction digits as received, "0" when there are none (datetime.c formatTimestampSecFrac). */
function secFrac(t: SyslogTime): string {
  if (t.secfracPrecision <= 0) return '0';
  return String(t.secfrac).padStart(t.secfracPrecision, '0');
}

function yearText(y: number): string {
  return y >= YEAR_MIN && y <= YEAR_MAX ? String(y) : 'YEAR OUT OF RANGE(1967-2099)';
}

/** Render a time in one of the replacer formats; 'default' is RFC 3164 as rsyslog's tplFmtDefault. */
export function formatDate(t: SyslogTime, fmt: DateFormat): string {
  switch (fmt) {
    case 'default':
    case 'rfc3164': return format3164(t, false);
    case 'rfc3164-buggyday': return format3164(t, true);
    case 'rfc3339': return formatRfc3339(t);
    case 'mysql': return `${p4(t.year)}${pad2(t.month)}${pad2(t.day)}${pad2(t.hour)}${pad2(t.minute)}${pad2(t.second)}`;
    case 'pgsql': return `${p4(t.year)}-${pad2(t.month)}-${pad2(t.day)} ${pad2(t.hour)}:${pad2(t.minute)}:${pad2(t.second)}`;
    case 'unixtimestamp': return String(epochSeconds(t) >>> 0);
    case 'subseconds': return secFrac(t);
    case 'wdayname': return WEEKDAYS[weekdayNumber(t)];
    case 'wday': return String(weekdayNumber(t));
    case 'year': return yearText(t.year);
    case 'month': return pad2(t.month);
    case 'day': return pad2(t.day);
    case 'hour': return pad2(t.hour);
    case 'minute': return pad2(t.minute);
    case 'second': return pad2(t.second);
    case 'tzoffshour': return pad2(Math.floor(Math.abs(t.offsetMinutes) / 60));
    case 'tzoffsmin': return pad2(Math.abs(t.offsetMinutes) % 60);
    // rsyslog prints '+' only for an explicit '+' offset; "Z" counts as '-' (msg.c tplFmtTZOffsDirection).
    case 'tzoffsdirection': return t.offsetMinutes < 0 || t.zulu ? '-' : '+';
    case 'ordinal': return String(ordinalDay(t) + 1).padStart(3, '0');
    case 'week': return pad2(weekOfYear(t));
    case 'iso-week':
    case 'iso-week-year': {
      if (t.year < 1970 || t.year > YEAR_MAX) return 'YEAR OUT OF RANGE(1970-2099)';
      const w = isoWeek(t);
      return fmt === 'iso-week' ? pad2(w.week) : String(w.year);
    }
  }
}

const MICRO_DIGITS = 6;

/**
 * The instant in UTC with microsecond precision, as rsyslog's date-utc (datetime.c timeConvertToUTC) prints
 * it. rsyslog copies the raw fraction digits as microseconds (".5" → ".000005"); we scale them correctly.
 */
export function toUtcMicros(t: SyslogTime): SyslogTime {
  const u = t.toUtc();
  const micros = t.secfracPrecision === 0 ? 0
    : t.secfracPrecision <= MICRO_DIGITS ? t.secfrac * 10 ** (MICRO_DIGITS - t.secfracPrecision)
      : Math.floor(t.secfrac / 10 ** (t.secfracPrecision - MICRO_DIGITS));
  return new SyslogTime(u.year, u.month, u.day, u.hour, u.minute, u.second, micros, MICRO_DIGITS, 0, t.source);
}

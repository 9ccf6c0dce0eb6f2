// RainerScript numbers are C int64_t in rsyslog (grammar/rainerscript.c: `long long` in var2Number, str2num,
// COMP_NUM_BINOP): + - * wrap around modulo 2^64, str2num accumulates digits with the same wrap-around, and
// x / 0 and x % 0 are 0. Logwarden keeps a number as a JS double while it is a safe integer (|n| < 2^53), the
// only values nearly every rule ever sees, and as a bigint beyond that: an Int is never a bigint in the safe
// range, so === compares Ints exactly and < > compare across the two types. The common path therefore stays
// on Smis/doubles (one isSafeInteger check per operation); BigInt is only paid for by values that need it.
// INT64_MIN / -1 (a SIGFPE in rsyslog) gives INT64_MIN here, INT64_MIN % -1 gives 0.

export type Int = number | bigint;

/** A bigint result wrapped to int64 and narrowed back to a number when it is safe. */
export function norm(b: bigint): Int {
  const w = BigInt.asIntN(64, b);
  return w >= -9007199254740991n && w <= 9007199254740991n ? Number(w) : w;
}

const big = (a: Int): bigint => (typeof a === 'bigint' ? a : BigInt(a));

export function add(a: Int, b: Int): Int {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  return norm(big(a) + big(b));
}

export function sub(a: Int, b: Int): Int {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (Number.isSafeInteger(r)) return r;
  }
  return norm(big(a) - big(b));
}

export function mul(a: Int, b: Int): Int {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b;
    if (Number.isSafeInteger(r)) return r === 0 ? 0 : r; // no -0
  }
  return norm(big(a) * big(b));
}

/** C division: truncates toward zero; by zero gives 0 (COMP_NUM_BINOP_DIV). */
export function div(a: Int, b: Int): Int {
  if (typeof a === 'number' && typeof b === 'number') {
    if (b === 0) return 0;
    // |a| < 2^31: the double quotient rounds the exact one, never across an integer
    if (a < 2147483648 && a > -2147483648) return Math.trunc(a / b) + 0;
  } else if (b === 0) return 0;
  return norm(big(a) / big(b));
}

/** C remainder: the sign of the dividend; by zero gives 0. */
export function mod(a: Int, b: Int): Int {
  if (typeof a === 'number' && typeof b === 'number') return b === 0 ? 0 : (a % b) + 0;
  if (b === 0) return 0;
  return norm(big(a) % big(b));
}

export function neg(a: Int): Int {
  return typeof a === 'number' ? 0 - a : norm(-a);
}

/** Number value for callers that want a plain number (positions, counts): exact in the safe range. */
export function intToNumber(a: Int): number {
  return typeof a === 'number' ? a : Number(a);
}

/** strtoll's saturation, for a literal in the config (the lexer's NUMBER). */
export function saturate(n: number): Int {
  if (Number.isSafeInteger(n)) return n;
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 0 : n > 0 ? 9223372036854775807n : -9223372036854775808n;
  const b = BigInt(Math.trunc(n));
  return b > 9223372036854775807n ? 9223372036854775807n : b < -9223372036854775808n ? -9223372036854775808n : norm(b);
}

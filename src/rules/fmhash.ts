// rsyslog's fmhash module (contrib/fmhash/fmhash.c) as built in rsyslogd 8.2302 without xxhash: hash32 is FNV-1
// (32-bit, the seed as offset basis), hash64 is djb2 over *signed* chars (bytes >= 0x80 sign-extend before the
// xor) plus the seed. Both hash the argument's C string (up to its first NUL byte). The result is the uint64
// hash stored in rsyslog's signed 64-bit number, so hash64 values >= 2^63 come out negative.
// hashXXmod(s, mod[, seed]) is the hash modulo mod (unsigned). A seed or mod that is not a number, or mod 0,
// gives 0 (rsyslog logs a parser warning).
import type { ComponentSpec } from '../components';
import { encodeRaw } from '../util/raw-text';
import { norm, type Int } from './int64';
import { convertsToNumber, toInt, toStr, type Value } from './values';

/** module(load="fmhash"): provides the functions, takes no parameters. */
export const fmhashSpec: ComponentSpec = { name: 'fmhash', aliases: [], kind: 'service', params: [], moduleParams: [] };

const U64 = (1n << 64n) - 1n;

/** The bytes rsyslog hashes: the value's text up to its first NUL (strlen). */
function cBytes(s: string): Buffer {
  const b = encodeRaw(s);
  const z = b.indexOf(0);
  return z < 0 ? b : b.subarray(0, z);
}

export function fnv32(b: Uint8Array, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < b.length; i++) {
    h = Math.imul(h, 0x01000193) >>> 0; // h += (h<<1)+(h<<4)+(h<<7)+(h<<8)+(h<<24) is h * 16777619
    h = (h ^ b[i]) >>> 0;
  }
  return h;
}

export function djb64(b: Uint8Array, seed: number): bigint {
  let h = 5381n;
  for (let i = 0; i < b.length; i++) {
    const c = b[i] >= 0x80 ? BigInt(b[i] - 256) & U64 : BigInt(b[i]);
    h = ((33n * h) & U64) ^ c;
  }
  return (h + BigInt(seed >>> 0)) & U64;
}

/** The uint64 as rsyslog's signed number. */
function asInt64(u: bigint): Int {
  return norm(u >= 1n << 63n ? u - (1n << 64n) : u);
}

/** A seed argument as rsyslog's uint32 seed_t, or null when it does not convert to a number. */
function seedOf(v: Value | undefined): number | null {
  if (v === undefined) return 0;
  if (!convertsToNumber(v)) return null;
  return Number(BigInt(toInt(v)) & 0xffffffffn);
}

function hashU64(bits: 32 | 64, s: Value, seed: Value | undefined): bigint | null {
  const sd = seedOf(seed);
  if (sd === null) return null;
  const b = cBytes(toStr(s));
  return bits === 32 ? BigInt(fnv32(b, sd)) : djb64(b, sd);
}

/** hash32(s[, seed]) / hash64(s[, seed]). */
export function hashValue(bits: 32 | 64, s: Value, seed?: Value): Int {
  const h = hashU64(bits, s, seed);
  return h === null ? 0 : asInt64(h);
}

/** hash32mod(s, mod[, seed]) / hash64mod(s, mod[, seed]). */
export function hashModValue(bits: 32 | 64, s: Value, mod: Value, seed?: Value): Int {
  if (!convertsToNumber(mod)) return 0;
  const m = BigInt(toInt(mod)) & U64;
  if (m === 0n) return 0;
  const h = hashU64(bits, s, seed);
  return h === null ? 0 : asInt64(h % m);
}

// IP addresses in a sortable 16-byte form (IPv4 as IPv4-mapped IPv6, RFC 4291 §2.5.5.2), so CIDR membership is
// a byte-range test any store can index: lo <= key <= hi.
import { isIPv4, isIPv6 } from 'node:net';

const V4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function v4Bytes(text: string, out: Buffer, at: number): void {
  const parts = text.split('.');
  for (let i = 0; i < 4; i++) out[at + i] = Number(parts[i]);
}

/** The 16-byte key of an address, or null for text that is not an IP address (e.g. "localhost"). */
export function ipToKey(text: string): Buffer | null {
  const zone = text.indexOf('%'); // RFC 4007 §11 zone index: not part of the address
  const ip = zone >= 0 ? text.slice(0, zone) : text;
  const key = Buffer.alloc(16);
  if (isIPv4(ip)) {
    for (let i = 0; i < 12; i++) key[i] = V4_MAPPED_PREFIX[i]!;
    v4Bytes(ip, key, 12);
    return key;
  }
  if (!isIPv6(ip)) return null;
  // RFC 4291 §2.2: groups of hex, one "::" for a run of zero groups, an optional dotted IPv4 tail.
  let s = ip.toLowerCase();
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) > 0) {
    const t = Buffer.alloc(4);
    v4Bytes(s.slice(lastColon + 1), t, 0);
    s = `${s.slice(0, lastColon + 1)}${t.readUInt16BE(0).toString(16)}:${t.readUInt16BE(2).toString(16)}`;
  }
  const dbl = s.indexOf('::');
  const groupsOf = (p: string): number[] => (p.length > 0 ? p.split(':').map((g) => parseInt(g, 16)) : []);
  let groups: number[];
  if (dbl < 0) groups = groupsOf(s);
  else {
    const h = groupsOf(s.slice(0, dbl));
    const r = groupsOf(s.slice(dbl + 2));
    groups = [...h, ...new Array<number>(Math.max(0, 8 - h.length - r.length)).fill(0), ...r];
  }
  if (groups.length !== 8) return null;
  for (let i = 0; i < 8; i++) key.writeUInt16BE(groups[i]!, i * 2);
  return key;
}

export interface CidrRange {
  /** Normalised "addr/len" text. */
  cidr: string;
  lo: Buffer;
  hi: Buffer;
}

/** Parse "10.0.0.0/8" or "2001:db8::/32" (a bare address is a /32 or /128); null when malformed. */
export function parseCidr(text: string): CidrRange | null {
  const slash = text.indexOf('/');
  const addr = slash >= 0 ? text.slice(0, slash) : text;
  const key = ipToKey(addr);
  if (key === null) return null;
  const v4 = isIPv4(addr);
  const maxLen = v4 ? 32 : 128;
  const lenText = slash >= 0 ? text.slice(slash + 1) : String(maxLen);
  if (!/^\d{1,3}$/.test(lenText)) return null;
  const len = Number(lenText);
  if (len > maxLen) return null;
  const bits = v4 ? 96 + len : len; // IPv4 lengths count from the mapped prefix
  const lo = Buffer.from(key);
  const hi = Buffer.from(key);
  for (let bit = bits; bit < 128; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    lo[byte] = lo[byte]! & ~mask;
    hi[byte] = hi[byte]! | mask;
  }
  return { cidr: `${keyToText(lo, v4)}/${len}`, lo, hi };
}

/** Text of a key: dotted IPv4 for mapped addresses when `v4`, else full (uncompressed) IPv6 groups. */
export function keyToText(key: Buffer, v4: boolean): string {
  if (v4) return `${key[12]}.${key[13]}.${key[14]}.${key[15]}`;
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(key.readUInt16BE(i * 2).toString(16));
  return groups.join(':');
}

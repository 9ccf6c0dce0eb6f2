// mmanon (rsyslog plugins/mmanon, 8.2302): anonymises IPv4, IPv6 and IPv6-with-embedded-IPv4 addresses in MSG.
// The scan is rsyslog's, ported step by step so the same text is taken for an address: every byte position is
// tried (an address may start inside a longer number: "256.1.1.1" holds "56.1.1.1"), each enabled kind in the
// order embedded, IPv4, IPv6, and after a replacement the scan goes on one byte past the address.
import type { ComponentSpec } from '../../components';
import { getParam, type ActionDecl } from '../../config/model';
import type { Message } from '../../message';
import { msgBytes, setMsgBytes } from './msg-bytes';

export const mmanonSpec: ComponentSpec = {
  name: 'mmanon',
  aliases: [],
  kind: 'action',
  moduleParams: [],
  params: [
    { name: 'ipv4.enable', type: 'binary', default: true, doc: 'Anonymise IPv4 addresses.' },
    { name: 'ipv4.mode', type: 'string', default: 'zero', values: ['zero', 'random', 'simple', 'rewrite', 'random-consistent'], doc: 'zero: clear the low bits; random: random low bits; simple: replace the last digits with ipv4.replaceChar; random-consistent: the same random value for the same address.' },
    { name: 'mode', type: 'string', values: ['zero', 'random', 'simple', 'rewrite', 'random-consistent'], doc: 'Old name of ipv4.mode.' },
    { name: 'ipv4.bits', type: 'int', default: 16, doc: 'Low bits anonymised (simple mode: 8, 16, 24 or 32).' },
    { name: 'ipv4.replaceChar', type: 'string', default: 'x', doc: 'Character written over the digits in simple mode.' },
    { name: 'replacementChar', type: 'string', doc: 'Old name of ipv4.replaceChar.' },
    { name: 'ipv6.enable', type: 'binary', default: true, doc: 'Anonymise IPv6 addresses.' },
    { name: 'ipv6.anonmode', type: 'string', default: 'zero', values: ['zero', 'random', 'random-consistent'], doc: 'How the low ipv6.bits are replaced.' },
    { name: 'ipv6.bits', type: 'int', default: 96, doc: 'Low bits of an IPv6 address anonymised.' },
    { name: 'embeddedipv4.enable', type: 'binary', default: true, doc: 'Anonymise IPv6 addresses with an embedded IPv4 part (::ffff:192.0.2.1).' },
    { name: 'embeddedipv4.anonmode', type: 'string', default: 'zero', values: ['zero', 'random', 'random-consistent'], doc: 'How the low embeddedipv4.bits are replaced.' },
    { name: 'embeddedipv4.bits', type: 'int', default: 96, doc: 'Low bits of such an address anonymised.' },
    { name: 'name', type: 'string', doc: 'Action name.' },
  ],
};

type Mode = 'zero' | 'random' | 'simple';
interface Part { enable: boolean; mode: Mode; consistent: boolean; bits: number }
export interface AnonConfig { ipv4: Part & { replaceChar: number }; ipv6: Part; embedded: Part }

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** The message bytes with rsyslog's NUL terminator (and beyond) read as 0. */
class Bytes {
  constructor(public b: Buffer) {}
  at(i: number): number { return i >= 0 && i < this.b.length ? this.b[i] : 0; }
}

function isPosByte(s: Bytes, from: number, len: number): { ok: boolean; n: number } {
  let val = 0;
  let i = 0;
  for (; i < len; i++) {
    const c = s.at(from + i);
    if (!isDigit(c)) break;
    if (i < 4) val = val * 10 + c - 0x30;
  }
  return { ok: i > 0 && i < 4 && val <= 255, n: i };
}

/** rsyslog syntax_ipv4: the length of the dotted quad at `from`, or 0. */
export function ipv4At(s: Bytes, from: number, len: number): number {
  let r = isPosByte(s, from, len);
  if (!r.ok) return 0;
  let i = r.n;
  for (let part = 0; part < 3; part++) {
    if (i >= len || s.at(from + i) !== 0x2e) return 0;
    i++;
    if (!isDigit(s.at(from + i))) return 0;
    r = isPosByte(s, from + i, len - i);
    if (!r.ok) return 0;
    i += r.n;
  }
  return i;
}

/** rsyslog isValidHexNum: hex digits (up to 5) counted, -1 for a consumed ':', -2 for a consumed '.'. */
function hexNum(s: Bytes, from: number, len: number, pos: { n: number }, handleDot: boolean): number {
  let cyc = 0;
  for (let idx = 0; idx < len; idx++) {
    const c = s.at(from + idx);
    if (hexVal(c) >= 0) {
      cyc++;
      pos.n++;
      if (cyc === 5) return cyc;
    } else if (c === 0x2e) {
      if (handleDot && cyc === 0) { pos.n++; cyc = -2; }
      return cyc;
    } else if (c === 0x3a) {
      if (cyc === 0) { pos.n++; cyc = -1; }
      return cyc;
    } else return cyc;
  }
  return cyc;
}

/** rsyslog syntax_ipv6: the length of the IPv6 address at `from`, or 0. */
function ipv6At(s: Bytes, from: number, len: number): number {
  const pos = { n: 0 };
  let lastSep = false;
  let hadAbbrev = false;
  let lastAbbrev = false;
  let parts = 0;
  while (pos.n < len) {
    const num = hexNum(s, from + pos.n, len - pos.n, pos, false);
    if (num > 0 && num < 5) {
      if ((parts === 7 && hadAbbrev) || parts > 7) return 0;
      if (parts === 0 && lastSep && !hadAbbrev) return 0;
      lastSep = false;
      lastAbbrev = false;
      parts++;
    } else if (num < 0) {
      if (lastSep) {
        if (hadAbbrev) return 0;
        hadAbbrev = true;
        lastAbbrev = true;
      }
      lastSep = true;
    } else if (num === 5) {
      return hadAbbrev && parts >= 2 ? pos.n - 6 : 0; // a port after "::"-form: back off ":" and 5 digits
    } else {
      if (lastSep) return lastAbbrev && parts < 8 ? pos.n : 0;
      return (parts === 8 && !hadAbbrev) || (parts < 8 && hadAbbrev) ? pos.n : 0;
    }
    if (parts === 8 && !hadAbbrev) return pos.n;
  }
  return (!lastSep && parts === 8 && !hadAbbrev) || (parts < 8 && hadAbbrev) ? pos.n : 0;
}

/** rsyslog syntax_embedded: [length, offset of the IPv4 part] of the address at `from`, or null. */
function embeddedAt(s: Bytes, from: number, len: number): [number, number] | null {
  const pos = { n: 0 };
  let lastSep = false;
  let hadAbbrev = false;
  let parts = 0;
  while (pos.n < len) {
    const num = hexNum(s, from + pos.n, len - pos.n, pos, true);
    if (num > 0) {
      if ((parts === 6 && hadAbbrev) || parts > 6) return null;
      if (parts === 0 && lastSep && !hadAbbrev) return null;
      lastSep = false;
      parts++;
    } else if (num === -1) {
      if (lastSep) {
        if (hadAbbrev) return null;
        hadAbbrev = true;
      }
      lastSep = true;
    } else if (num === -2) {
      if (lastSep || (parts === 0 && hadAbbrev) || (parts <= 6 && !hadAbbrev)) return null;
      let d = pos.n - 1; // findV4Start: back to the ':' before the IPv4 part
      while (d > 0 && s.at(from + d) !== 0x3a) d--;
      if (d <= 0) return null;
      const v4 = d + 1;
      const n4 = ipv4At(s, from + v4, s.b.length - from - v4 + 1);
      return n4 > 0 ? [v4 + n4, v4] : null;
    } else return null;
  }
  return null;
}

function ipv4Num(t: string): number {
  const n = [0, 0, 0, 0];
  let cyc = 0;
  for (const ch of t) {
    if (ch === '.') cyc++;
    else if (ch >= '0' && ch <= '9') n[cyc] = (n[cyc] * 10 + ch.charCodeAt(0) - 48) >>> 0;
  }
  return (((n[0] * 16777216) + (n[1] * 65536) + (n[2] * 256) + n[3]) >>> 0);
}

const num2ipv4 = (v: number): string => `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;

/** rsyslog rand_r()/RAND_MAX scaled to [0, max]: any uniform source will do, the values are random anyway. */
const rnd = (max: number): number => Math.floor(Math.random() * (max + 1));

function hexGroups(t: string, end: number, groups: number): number[] {
  // rsyslog ipv62num/embedded2num: groups left of "::" from the front, right of it from the back
  const num = new Array<number>(8).fill(0);
  let cyc = 0;
  let dots = 0;
  let i = 0;
  for (; i < end && dots < 2; i++) {
    const v = hexVal(t.charCodeAt(i));
    if (v === -1) {
      dots++;
      if (dots < 2) cyc++;
    } else {
      num[cyc] = num[cyc] * 16 + v;
      dots = 0;
    }
  }
  if (dots === 2 && i < end) {
    let shift = 0;
    cyc = groups - 1;
    for (let j = end - 1; j >= i; j--) {
      const v = hexVal(t.charCodeAt(j));
      if (v === -1) { cyc--; shift = 0; } else { num[cyc] += v << shift; shift += 4; }
    }
  }
  return num.map((x) => x & 0xffff);
}

const M64 = (1n << 64n) - 1n;

function toBig(num: number[]): [bigint, bigint] {
  let hi = 0n;
  let lo = 0n;
  for (let i = 0; i < 4; i++) hi = (hi << 16n) | BigInt(num[i]);
  for (let i = 4; i < 8; i++) lo = (lo << 16n) | BigInt(num[i]);
  return [hi, lo];
}

function fromBig(hi: bigint, lo: bigint): number[] {
  const out: number[] = [];
  for (let i = 3; i >= 0; i--) out.push(Number((hi >> BigInt(i * 16)) & 0xffffn));
  for (let i = 3; i >= 0; i--) out.push(Number((lo >> BigInt(i * 16)) & 0xffffn));
  return out;
}

/** rsyslog code_ipv6_int. */
function code6(hi: bigint, lo: bigint, p: Part): [bigint, bigint] {
  let bits = p.bits;
  if (bits === 128) { hi = 0n; lo = 0n; }
  else if (bits > 64) { lo = 0n; hi = (hi >> BigInt(bits - 64)) << BigInt(bits - 64); }
  else if (bits === 64) lo = 0n;
  else lo = ((lo >> BigInt(bits)) << BigInt(bits)) & M64;
  if (p.mode !== 'random') return [hi, lo];
  const bytes = (n: number): bigint => { let r = 0n; for (let k = 0; k < n; k++) r = (r << 8n) | BigInt(rnd(0xff)); return r; };
  if (bits === 128) return [bytes(8), bytes(8)];
  if (bits >= 64) {
    lo = bytes(8);
    if (bits === 64) return [hi, lo];
    bits -= 64;
    const r = (bytes(Math.floor(bits / 8)) << BigInt(bits % 8)) | BigInt(rnd((1 << (bits % 8)) - 1));
    return [hi | r, lo];
  }
  const r = (bytes(Math.floor(bits / 8)) << BigInt(bits % 8)) | BigInt(rnd((1 << (bits % 8)) - 1));
  return [hi, (lo | r) & M64];
}

/** One compiled mmanon instance: `anonymise(bytes)` returns the new MSG bytes, or null when nothing matched. */
export function compileAnon(cfg: AnonConfig): (b: Buffer) => Buffer | null {
  const seen4 = new Map<number, string>();
  const seen6 = new Map<string, string>();
  const seenE = new Map<string, string>();
  const v4 = (t: string): string => {
    const num = ipv4Num(t);
    const known = cfg.ipv4.consistent ? seen4.get(num) : undefined;
    if (known !== undefined) return known;
    const bits = cfg.ipv4.bits;
    let v = bits >= 32 ? 0 : Number((BigInt(num) >> BigInt(bits)) << BigInt(bits));
    if (cfg.ipv4.mode === 'random') v += Math.floor(Math.random() * (2 ** bits - 1));
    const out = num2ipv4(v >>> 0);
    if (cfg.ipv4.consistent) seen4.set(num, out);
    return out;
  };
  const v6 = (t: string, embedded: number): string => {
    const p = embedded >= 0 ? cfg.embedded : cfg.ipv6;
    const seen = embedded >= 0 ? seenE : seen6;
    let groups: number[];
    if (embedded >= 0) {
      groups = hexGroups(t, embedded, 6);
      const n4 = ipv4Num(t.slice(embedded));
      groups[6] = n4 >>> 16;
      groups[7] = n4 & 0xffff;
    } else groups = hexGroups(t, t.length, 8);
    const key = groups.join(':');
    const known = p.consistent ? seen.get(key) : undefined;
    if (known !== undefined) return known;
    const [hi, lo] = code6(...toBig(groups), p);
    const g = fromBig(hi, lo).map((x) => x.toString(16));
    const out = embedded >= 0
      ? `${g.slice(0, 6).join(':')}:${fromBig(hi, lo)[6] >> 8}.${fromBig(hi, lo)[6] & 255}.${fromBig(hi, lo)[7] >> 8}.${fromBig(hi, lo)[7] & 255}`
      : g.join(':');
    if (p.consistent) seen.set(key, out);
    return out;
  };
  return (input) => {
    const s = new Bytes(input);
    let changed = false;
    const replace = (i: number, n: number, text: string): number => {
      s.b = Buffer.concat([s.b.subarray(0, i), Buffer.from(text, 'latin1'), s.b.subarray(i + n)]);
      changed = true;
      return i + text.length;
    };
    for (let i = 0; i <= s.b.length - 2; i++) {
      if (cfg.embedded.enable) {
        const e = embeddedAt(s, i, s.b.length - i);
        if (e !== null) i = replace(i, e[0], v6(s.b.toString('latin1', i, i + e[0]), e[1]));
      }
      if (cfg.ipv4.enable) {
        const n = ipv4At(s, i, s.b.length - i);
        if (n > 0) {
          if (cfg.ipv4.mode === 'simple') {
            // rsyslog simpleAnon: from the end, bits/8 digit groups become replaceChar
            const max = i + n - 1;
            let j = -1;
            for (let k = Math.floor(cfg.ipv4.bits / 8); k > 0; k--) {
              j++;
              while (isDigit(s.at(max - j))) {
                s.b = s.b === input ? Buffer.from(input) : s.b;
                s.b[max - j] = cfg.ipv4.replaceChar;
                changed = true;
                j++;
              }
            }
            i += n;
          } else i = replace(i, n, v4(s.b.toString('latin1', i, i + n)));
        }
      }
      if (cfg.ipv6.enable) {
        const n = ipv6At(s, i, s.b.length - i);
        if (n > 0) i = replace(i, n, v6(s.b.toString('latin1', i, i + n), -1));
      }
    }
    return changed ? s.b : null;
  };
}

const on = (v: unknown): boolean => v === true || /^(on|yes|1|true)$/i.test(String(v));

function modeOf(v: string | undefined, simple: boolean): { mode: Mode; consistent: boolean } {
  switch (v) {
    case 'random': return { mode: 'random', consistent: false };
    case 'random-consistent': return { mode: 'random', consistent: true };
    case 'simple': case 'rewrite': return simple ? { mode: 'simple', consistent: false } : { mode: 'zero', consistent: false };
    default: return { mode: 'zero', consistent: false }; // rsyslog: unknown → "zero" (with an error message)
  }
}

/** The instance's settings from its parameters, with rsyslog's defaults and corrections. */
export function anonConfig(decl: ActionDecl): AnonConfig {
  const str = (n: string): string | undefined => { const p = getParam(decl.params, n); return p === undefined ? undefined : String(p.value); };
  const num = (n: string, def: number, max: number): number => { const v = str(n); return v === undefined ? def : Math.min(Number(v), max); };
  const flag = (n: string): boolean => { const p = getParam(decl.params, n); return p === undefined ? true : on(p.value); };
  const repl = str('ipv4.replacechar') ?? str('replacementchar');
  const ipv4 = { enable: flag('ipv4.enable'), ...modeOf(str('ipv4.mode') ?? str('mode'), true), bits: num('ipv4.bits', 16, 32), replaceChar: repl === undefined || repl === '' ? 0x78 : repl.charCodeAt(0) & 0xff };
  if (ipv4.mode === 'simple') ipv4.bits = ipv4.bits <= 8 ? 8 : ipv4.bits <= 16 ? 16 : ipv4.bits <= 24 ? 24 : 32;
  return {
    ipv4,
    ipv6: { enable: flag('ipv6.enable'), ...modeOf(str('ipv6.anonmode'), false), bits: num('ipv6.bits', 96, 128) },
    embedded: { enable: flag('embeddedipv4.enable'), ...modeOf(str('embeddedipv4.anonmode'), false), bits: num('embeddedipv4.bits', 96, 128) },
  };
}

export function compileMmanon(decl: ActionDecl): (m: Message) => void {
  const anon = compileAnon(anonConfig(decl));
  return (m) => {
    const prev = msgBytes(m);
    const next = anon(prev);
    if (next !== null) setMsgBytes(m, prev, next);
  };
}

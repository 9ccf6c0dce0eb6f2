// The batch stream of native/lw_udprecv (imudp's recvmmsg helper), little-endian:
//   frame: u32 body length, u32 datagram count, u64 receive time (ms since the epoch), then the body
//   count == 0: a control frame whose body is text; else `count` datagrams, each
//   u32 length, u16 source port, u8 family (4|6), u8 flags (1: truncated), u8[16] source address, the bytes.
// The decoder takes the pipe's chunks as they come (a frame or a datagram may straddle reads) and hands each
// datagram as a view into the chunk, with its source address as text (cached per address).

export const FRAME_HEADER = 16;
export const DATAGRAM_HEADER = 24;
export const FLAG_TRUNCATED = 1;
/** Distinct source addresses whose text is cached; the caches start over beyond this. */
const ADDRESS_CACHE_MAX = 4096;

/** Little-endian reads without Buffer's per-call argument checks (the decoder has checked the bounds). */
function u32(b: Buffer, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16)) + b[i + 3] * 0x100_0000;
}
function u16(b: Buffer, i: number): number {
  return b[i] | (b[i + 1] << 8);
}

export interface BatchHandler {
  /** One datagram: `ip` is normalised (an IPv4-mapped IPv6 source prints as IPv4), `timeMs` its batch's time. */
  datagram(data: Buffer, ip: string, truncated: boolean, timeMs: number, port: number): void;
  /** A control frame (the helper's bind report). */
  control(text: string): void;
}

export class UdpBatchDecoder {
  private carry: Buffer | null = null;
  /** Datagrams still expected in the current frame. */
  private left = 0;
  private timeMs = 0;
  private readonly v4 = new Map<number, string>();
  private readonly v6 = new Map<string, string>();

  /** Bytes held back waiting for the rest of a frame or datagram. */
  get pending(): number {
    return this.carry === null ? 0 : this.carry.length;
  }

  push(chunk: Buffer, h: BatchHandler): void {
    const buf = this.carry === null ? chunk : Buffer.concat([this.carry, chunk]);
    this.carry = null;
    const end = buf.length;
    let i = 0;
    for (;;) {
      if (this.left === 0) {
        if (end - i < FRAME_HEADER) break;
        const body = u32(buf, i);
        const count = u32(buf, i + 4);
        if (count === 0) {
          if (end - i - FRAME_HEADER < body) break;
          h.control(buf.toString('latin1', i + FRAME_HEADER, i + FRAME_HEADER + body));
          i += FRAME_HEADER + body;
          continue;
        }
        this.left = count;
        this.timeMs = u32(buf, i + 8) + u32(buf, i + 12) * 0x1_0000_0000;
        i += FRAME_HEADER;
        continue;
      }
      if (end - i < DATAGRAM_HEADER) break;
      const len = u32(buf, i);
      const start = i + DATAGRAM_HEADER;
      if (end - start < len) break;
      h.datagram(buf.subarray(start, start + len), this.address(buf, i), (buf[i + 7] & FLAG_TRUNCATED) !== 0, this.timeMs, u16(buf, i + 4));
      this.left--;
      i = start + len;
    }
    if (i < end) this.carry = buf.subarray(i);
  }

  private address(buf: Buffer, at: number): string {
    if (buf[at + 6] === 4) {
      const key = (buf[at + 8] * 0x100_0000) + ((buf[at + 9] << 16) | (buf[at + 10] << 8) | buf[at + 11]);
      let s = this.v4.get(key);
      if (s === undefined) {
        if (this.v4.size >= ADDRESS_CACHE_MAX) this.v4.clear();
        s = `${buf[at + 8]}.${buf[at + 9]}.${buf[at + 10]}.${buf[at + 11]}`;
        this.v4.set(key, s);
      }
      return s;
    }
    const key = buf.toString('latin1', at + 8, at + 24);
    let s = this.v6.get(key);
    if (s === undefined) {
      if (this.v6.size >= ADDRESS_CACHE_MAX) this.v6.clear();
      s = ipv6Text(buf.subarray(at + 8, at + 24));
      this.v6.set(key, s);
    }
    return s;
  }
}

/**
 * An IPv6 address as text (RFC 5952: lower-case hex, no leading zeros, the first longest run of two or more
 * zero groups as ::). An IPv4-mapped address (::ffff:a.b.c.d) is printed as plain IPv4, as normaliseAddress does.
 */
export function ipv6Text(a: Buffer): string {
  const g: number[] = [];
  for (let k = 0; k < 8; k++) g.push(a.readUInt16BE(2 * k));
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) return `${a[12]}.${a[13]}.${a[14]}.${a[15]}`;
  let best = -1, bestLen = 0;
  for (let k = 0; k < 8;) {
    if (g[k] !== 0) { k++; continue; }
    let e = k;
    while (e < 8 && g[e] === 0) e++;
    if (e - k > bestLen) { best = k; bestLen = e - k; }
    k = e;
  }
  const hex = (from: number, to: number): string => g.slice(from, to).map((x) => x.toString(16)).join(':');
  if (bestLen < 2) return hex(0, 8);
  return `${hex(0, best)}::${hex(best + bestLen, 8)}`;
}

export interface EncodedDatagram {
  data: Buffer;
  port: number;
  family: 4 | 6;
  /** 4 or 16 bytes. */
  address: Buffer;
  truncated: boolean;
}

/** One frame as the helper writes it (for tests and tools; the helper itself is C). */
export function encodeUdpFrame(datagrams: EncodedDatagram[], timeMs: number): Buffer {
  const body = datagrams.reduce((n, d) => n + DATAGRAM_HEADER + d.data.length, 0);
  const out = Buffer.alloc(FRAME_HEADER + body);
  out.writeUInt32LE(body, 0);
  out.writeUInt32LE(datagrams.length, 4);
  out.writeUInt32LE(timeMs % 0x1_0000_0000, 8);
  out.writeUInt32LE(Math.floor(timeMs / 0x1_0000_0000), 12);
  let i = FRAME_HEADER;
  for (const d of datagrams) {
    out.writeUInt32LE(d.data.length, i);
    out.writeUInt16LE(d.port, i + 4);
    out[i + 6] = d.family;
    out[i + 7] = d.truncated ? FLAG_TRUNCATED : 0;
    d.address.copy(out, i + 8);
    d.data.copy(out, i + DATAGRAM_HEADER);
    i += DATAGRAM_HEADER + d.data.length;
  }
  return out;
}

/** A control frame (count 0) carrying text. */
export function encodeControlFrame(text: string, timeMs: number): Buffer {
  const body = Buffer.from(text, 'latin1');
  const head = Buffer.alloc(FRAME_HEADER);
  head.writeUInt32LE(body.length, 0);
  head.writeUInt32LE(timeMs % 0x1_0000_0000, 8);
  head.writeUInt32LE(Math.floor(timeMs / 0x1_0000_0000), 12);
  return Buffer.concat([head, body]);
}

// `$AllowedSender UDP|TCP, 127.0.0.1, 192.0.2.0/24, [::1]/128, *.example.net` (rsyslog net.c): an allow-list
// compiled once at start, checked once per connection (TCP) or per source address (UDP, cached). A refused
// sender is counted and logged, rate limited, with its address.
import * as net from 'node:net';
import type { Logger } from '../log';
import type { RuntimeContext } from '../runtime/context';

interface Cidr {
  v6: boolean;
  /** Address as a bigint (32 or 128 bits) and the prefix mask. */
  addr: bigint;
  mask: bigint;
}

/** How often a refusal is logged at most (the rest are counted into the next record). */
const LOG_EVERY_MS = 10_000;
/** Cached verdicts per address, bounded (a spoofed UDP flood must not grow memory). */
const CACHE_MAX = 10_000;

function v4ToBig(ip: string): bigint {
  return ip.split('.').reduce((a, o) => (a << 8n) | BigInt(Number(o)), 0n);
}

function v6ToBig(ip: string): bigint {
  let s = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const n = v4ToBig(v4[1]);
    s = s.slice(0, -v4[1].length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, null];
  const h = head === '' ? [] : head.split(':');
  const t = tail === null || tail === '' ? [] : tail.split(':');
  const groups = tail === null ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n);
}

export class AllowList {
  /** Refused datagrams/connections since start. */
  refused = 0;
  private readonly cidrs: Cidr[] = [];
  /** `*.example.net` → `.example.net`; a plain name must equal the peer's resolved name. */
  private readonly suffixes: string[] = [];
  private readonly names: string[] = [];
  private readonly cache = new Map<string, boolean>();
  private lastLog = 0;
  private unlogged = 0;

  /** Throws on an entry that is neither an address, a network nor a host name. */
  constructor(entries: readonly string[], private readonly logger: Logger, private readonly input: string) {
    for (const raw of entries) {
      const e = raw.trim();
      const m = /^\[?([^\]/]+)\]?(?:\/(\d+))?$/.exec(e);
      const host = m?.[1] ?? '';
      const bits = m?.[2] === undefined ? undefined : Number(m[2]);
      if (net.isIPv4(host)) {
        const b = bits ?? 32;
        if (b > 32) throw new Error(`allowed sender \`${e}\`: an IPv4 prefix is at most /32`);
        this.cidrs.push({ v6: false, addr: v4ToBig(host), mask: ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - b)) - 1n) });
      } else if (net.isIPv6(host)) {
        const b = bits ?? 128;
        if (b > 128) throw new Error(`allowed sender \`${e}\`: an IPv6 prefix is at most /128`);
        this.cidrs.push({ v6: true, addr: v6ToBig(host), mask: ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - b)) - 1n) });
      } else if (/^\*\.[a-z0-9.-]+$/i.test(e)) {
        this.suffixes.push(e.slice(1).toLowerCase());
      } else if (/^[a-z0-9][a-z0-9.-]*$/i.test(e)) {
        this.names.push(e.toLowerCase());
      } else {
        throw new Error(`allowed sender \`${e}\` is not an address, network (a.b.c.d/bits, [v6]/bits) or host name (*.domain)`);
      }
    }
  }

  /** Whether some entry needs the peer's name (decided after the reverse lookup). */
  get needsName(): boolean {
    return this.suffixes.length > 0 || this.names.length > 0;
  }

  /** true = allowed by address; false = refused (no name rule could allow it); null = decide by name. */
  byAddress(ip: string): boolean | null {
    const hit = this.cache.get(ip);
    if (hit !== undefined) return hit;
    const v6 = net.isIPv6(ip);
    let v: bigint | null = null;
    if (v6 || net.isIPv4(ip)) v = v6 ? v6ToBig(ip) : v4ToBig(ip);
    const ok = v !== null && this.cidrs.some((c) => c.v6 === v6 && (v! & c.mask) === (c.addr & c.mask));
    if (ok || !this.needsName) this.remember(ip, ok);
    return ok ? true : this.needsName ? null : false;
  }

  /** Decide by the resolved name (after byAddress returned null). */
  byName(ip: string, name: string): boolean {
    const n = name.toLowerCase();
    const ok = this.names.includes(n) || this.suffixes.some((s) => n.endsWith(s));
    this.remember(ip, ok);
    return ok;
  }

  /** Count a refusal; log it with the peer address at most every LOG_EVERY_MS. */
  refuse(ip: string, what: 'datagram' | 'connection', count = 1): void {
    this.refused += count;
    this.unlogged += count;
    const now = Date.now();
    if (now - this.lastLog < LOG_EVERY_MS) return;
    this.logger.warn('LW_WARN_INPUT_SENDER_REFUSED', `${what} from ${ip} refused: not an allowed sender ($AllowedSender)`, {
      input: this.input, peer: ip, refused: this.unlogged, total: this.refused,
    });
    this.lastLog = now;
    this.unlogged = 0;
  }

  private remember(ip: string, ok: boolean): void {
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(ip, ok);
  }
}

/**
 * The allow-list of a protocol (`udp` or `tcp`) from global `allowedSender.udp|tcp` ($AllowedSender), or
 * null when none is configured (rsyslog then accepts every sender).
 */
export function allowListFor(ctx: RuntimeContext, protocol: 'udp' | 'tcp', input: string): AllowList | null {
  const p = ctx.config.globals.get(`allowedsender.${protocol}`);
  if (p === undefined) return null;
  const list = Array.isArray(p.value) ? p.value.map(String) : String(p.value).split(',');
  try {
    return new AllowList(list, ctx.logger, input);
  } catch (err) {
    throw Object.assign(new Error(`${p.loc.file}:${p.loc.line}:${p.loc.col}: ${(err as Error).message}`), { code: 'LW_ERR_CONFIG' });
  }
}

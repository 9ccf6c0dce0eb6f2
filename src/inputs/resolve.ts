// fromhost / fromhost-ip for network inputs: rsyslog-style reverse DNS, cached per address, never blocking
// the message path (callers wait per connection or hold per-address datagrams while a lookup runs).
import * as dns from 'node:dns';
import * as net from 'node:net';
import * as os from 'node:os';

const MAPPED_V4_PREFIX = '::ffff:';
const CACHE_MAX = 10_000;
/** A lookup slower than this gives up and uses the address as the name. */
export const RESOLVE_TIMEOUT_MS = 2000;

/**
 * The address as rsyslog prints fromhost-ip. rsyslog listens on separate IPv4 and IPv6 sockets, so it never
 * sees IPv4-mapped IPv6 addresses; Node's dual-stack sockets do, and we print them as plain IPv4 likewise.
 */
export function normaliseAddress(address: string | undefined): string {
  if (!address) return '127.0.0.1';
  if (address.startsWith(MAPPED_V4_PREFIX) && net.isIPv4(address.slice(MAPPED_V4_PREFIX.length))) {
    return address.slice(MAPPED_V4_PREFIX.length);
  }
  return address;
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.');
}

/** rsyslog drops the local domain from resolved names unless preserveFQDN is on. */
function localDomain(): string {
  const h = os.hostname();
  const dot = h.indexOf('.');
  return dot < 0 ? '' : h.slice(dot);
}

export interface ResolverOptions {
  /** Reverse-resolve peers (rsyslog default on; global net.enableDNS / $DNSCache). */
  enabled: boolean;
  preserveFqdn: boolean;
}

/** Reverse lookups through the system resolver (getnameinfo: /etc/hosts first, as rsyslog), cached. */
export class HostResolver {
  private readonly cache = new Map<string, string>();
  private readonly pending = new Map<string, Promise<string>>();
  private readonly o: ResolverOptions;
  private readonly domain: string;

  constructor(opts: Partial<ResolverOptions> = {}) {
    this.o = { enabled: true, preserveFqdn: false, ...opts };
    this.domain = localDomain();
  }

  /** The name if already known (or if no lookup is needed), else undefined. */
  cached(ip: string): string | undefined {
    if (!this.o.enabled) return ip;
    if (isLoopback(ip)) return 'localhost';
    return this.cache.get(ip);
  }

  /** Resolve (once per address; concurrent callers share the lookup). Never rejects. */
  resolve(ip: string): Promise<string> {
    const known = this.cached(ip);
    if (known !== undefined) return Promise.resolve(known);
    let p = this.pending.get(ip);
    if (!p) {
      p = this.lookup(ip).then((name) => {
        this.pending.delete(ip);
        if (this.cache.size >= CACHE_MAX) this.cache.clear();
        this.cache.set(ip, name);
        return name;
      });
      this.pending.set(ip, p);
    }
    return p;
  }

  private lookup(ip: string): Promise<string> {
    return new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve(ip), RESOLVE_TIMEOUT_MS);
      timer.unref();
      dns.lookupService(ip, 0, (err, hostname) => {
        clearTimeout(timer);
        if (err || !hostname || hostname === ip) return resolve(ip);
        resolve(this.shorten(hostname));
      });
    });
  }

  private shorten(name: string): string {
    if (this.o.preserveFqdn || !this.domain) return name;
    return name.endsWith(this.domain) ? name.slice(0, -this.domain.length) : name;
  }
}

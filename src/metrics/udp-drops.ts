// Kernel drops per UDP socket: Linux counts datagrams it could not queue (receive buffer full) in the `drops`
// column of /proc/net/udp and /proc/net/udp6 (net/ipv4/udp.c, udp4_format_sock). Read at scrape time only.
import { readFileSync } from 'node:fs';

export interface UdpSocketRow {
  /** Local port. */
  port: number;
  /** Local address as hex, as the kernel prints it (00000000 = any). */
  localHex: string;
  inode: number;
  drops: number;
}

/** Parse one /proc/net/udp{,6} table (header line first; `drops` is the last column). */
export function parseProcNetUdp(text: string): UdpSocketRow[] {
  const rows: UdpSocketRow[] = [];
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i].trim().split(/\s+/);
    if (f.length < 13) continue;
    const [addr, port] = f[1].split(':');
    rows.push({ localHex: addr, port: parseInt(port, 16), inode: Number(f[9]), drops: Number(f[f.length - 1]) });
  }
  return rows;
}

function read(path: string): UdpSocketRow[] {
  try {
    return parseProcNetUdp(readFileSync(path, 'latin1'));
  } catch {
    return []; // not Linux, or /proc not mounted: no drop counters
  }
}

/** Kernel drops for the socket bound to this port (IPv4 table for family 4, IPv6 for 6); undefined if not found. */
export function udpDrops(port: number, family: 4 | 6, tables?: { udp: UdpSocketRow[]; udp6: UdpSocketRow[] }): number | undefined {
  const t = tables ?? readUdpTables();
  const rows = family === 4 ? t.udp : t.udp6;
  let found: number | undefined;
  for (const r of rows) if (r.port === port) found = (found ?? 0) + r.drops;
  return found;
}

export function readUdpTables(): { udp: UdpSocketRow[]; udp6: UdpSocketRow[] } {
  return { udp: read('/proc/net/udp'), udp6: read('/proc/net/udp6') };
}

// Deterministic message fixture for the store differential test: varied hosts, apps, severities, facilities,
// JSON payloads, key=value pairs, nginx lines, RFC 5424 structured data, IPv4/IPv6 peers and non-ASCII text,
// spread over several days. Same seed, same rows, on every machine.
import type { StoredRow } from '../../src/store/backend';
import { extractFields } from '../../src/parse/extract';

/** 2025-01-13T00:00:00Z: the fixture's first reported time. */
export const FIXTURE_START_US = Date.UTC(2025, 0, 13) * 1000;
/** Five days of reported times. */
export const FIXTURE_SPAN_US = 5 * 86_400_000_000;
/** Multiplier of the permutation i → (i * P) mod n that spreads reported times (prime, so coprime with n). */
const PERMUTE = 7919;

/** mulberry32: a tiny seeded PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTS = ['web-01', 'web-02', 'web-03', 'web-10', 'db-1', 'db-2', 'fw.example.com', 'mail', 'Web-01'];
const USERS = ['alice', 'bob', 'carol', 'dave', 'root', 'admin', 'älice', 'o\'brien'];
const PATHS = ['/api/v1/items', '/login', '/static/app.js', '/admin', '/search?q=caf%C3%A9'];
const STATUS = [200, 200, 200, 201, 301, 404, 500, 503];
const WORDS = ['Café crème', 'naïve déjà vu', 'Jürgen', 'STRASSE straße', 'Øresund', 'ERROR error Error', 'timeout'];

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

function ipv4(r: () => number): string {
  const octet = (): number => Math.floor(r() * 256);
  return pick(r, [`10.0.${octet()}.${octet()}`, `10.1.2.${octet()}`, `192.168.1.${octet()}`, `172.16.5.${octet()}`]);
}

function peer(r: () => number): string {
  const x = r();
  if (x < 0.1) return `2001:db8::${Math.floor(r() * 65535).toString(16)}`;
  if (x < 0.13) return `fe80::1:${Math.floor(r() * 255).toString(16)}`;
  if (x < 0.16) return '127.0.0.1';
  return ipv4(r);
}

interface Shape { app: string; msg: string; sd?: string; msgid?: string; facility: number }

function shape(r: () => number, i: number): Shape {
  const user = pick(r, USERS);
  const ip = peer(r);
  switch (i % 9) {
    case 0: return { app: 'sshd', facility: 4, msg: `Failed password for invalid user ${user} from ${ip} port ${1024 + (i % 50000)} ssh2` };
    case 1: return { app: 'sshd', facility: 4, msg: `Accepted publickey for ${user} from ${ip} port ${2000 + (i % 999)} ssh2` };
    case 2: {
      const st = pick(r, STATUS);
      return { app: 'nginx', facility: 23, msg: `${ip} - - [13/Jan/2025:10:00:${String(i % 60).padStart(2, '0')} +0000] "GET ${pick(r, PATHS)} HTTP/1.1" ${st} ${i % 5000} "-" "curl/8.${i % 9}"` };
    }
    case 3: {
      const status = pick(r, STATUS);
      const payload = { event: pick(r, ['login', 'logout', 'purchase']), user, status: i % 11 === 0 ? String(status) : status,
        latency: Math.round(r() * 2000) / 100, ok: status < 400, params: { username: pick(r, USERS), page: i % 7 } };
      return { app: 'app-api', facility: 16, msg: `${JSON.stringify(payload)}` };
    }
    case 4: return { app: 'firewall', facility: 0, msg: `action=${pick(r, ['drop', 'accept', 'reject'])} src=${ipv4(r)} dst=${ipv4(r)} proto=${pick(r, ['tcp', 'udp'])} bytes=${Math.floor(r() * 3000)} user="${user}"` };
    case 5: return { app: 'CRON', facility: 9, msg: `(root) CMD (run-parts /etc/cron.${pick(r, ['hourly', 'daily'])})` };
    case 6: return { app: 'kernel', facility: 0, msg: `Out of memory: Killed process ${i % 30000} (${pick(r, ['java', 'node', 'postgres'])}) ${pick(r, WORDS)}` };
    case 7: return {
      app: 'evntslog', facility: 20, msgid: `ID${i % 50}`,
      sd: `[exampleSDID@32473 iut="${i % 4}" eventSource="${pick(r, ['Application', 'System'])}" eventID="${1000 + (i % 20)}"]`,
      msg: `An application event log entry ${pick(r, WORDS)}`,
    };
    default: return { app: pick(r, ['su', 'sudo']), facility: 10, msg: `${pick(r, WORDS)}: user ${user} on tty${i % 8} ${pick(r, ['OK', 'FAILED'])} 10.0.0.1` };
  }
}

/**
 * The fixture: `n` rows with distinct reported times (a permutation of n slots across FIXTURE_SPAN_US, so no
 * two rows tie and both stores must order them the same whatever their ids), received a few seconds later.
 */
export function makeFixture(n: number, seed = 42): StoredRow[] {
  const r = rng(seed);
  const step = Math.floor(FIXTURE_SPAN_US / n);
  const rows: StoredRow[] = new Array<StoredRow>(n);
  for (let i = 0; i < n; i++) {
    const s = shape(r, i);
    const tsReported = FIXTURE_START_US + ((i * PERMUTE) % n) * step + (i % 997);
    const sd = s.sd ?? '-';
    rows[i] = {
      tsReported, tsReceived: tsReported + Math.floor(r() * 5_000_000),
      host: pick(r, HOSTS), fromhostIp: peer(r), app: s.app, procid: i % 5 === 0 ? '-' : String(100 + (i % 900)),
      msgid: s.msgid ?? '-', facility: s.facility, severity: Math.floor(r() * 8), structuredData: sd, msg: s.msg,
      fields: extractFields(s.msg, sd, null), raw: i % 3 === 0 ? `<${s.facility * 8}>${s.msg}` : null,
    };
  }
  return rows;
}

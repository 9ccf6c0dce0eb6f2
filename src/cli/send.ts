// `logwarden send`: send syslog messages over UDP, TCP or TLS, like util-linux logger (reads stdin lines when no
// message is given). Exits non-zero with a clear error when the connection or the peer is refused.
import { parseArgs } from 'node:util';
import { hostname } from 'node:os';
import type { Socket } from 'node:net';
import { facilityFromName, severityFromName } from '../message';
import { frameMessage, openStream, writeFrames, type ForwardTarget } from '../actions/forward';
import { createSocket } from 'node:dgram';
import type { AuthMode, TlsSettings } from '../tls/config';
import { fileSource, stdinSource, streamLines } from './send-stream';

const USAGE = `usage: logwarden send [--udp|--tcp|--tls] [--host H] [--port P] [--ca F --cert F --key F]
       [--auth-mode anon|x509/certvalid|x509/name|x509/fingerprint] [--permitted-peer P]...
       [--facility local0] [--severity info] [--tag T] [--rfc3164|--rfc5424] [--octet-count]
       [--file PATH [--follow]] [MESSAGE...]
  Default: UDP to localhost:514 (TCP 514, TLS 6514), RFC 5424. Without MESSAGE, each stdin line (or each line of
  --file) is a message, sent as soon as it is read (\`tail -F f | logwarden send\` streams). --follow keeps reading
  the file as it grows and across rotation, like tail -F. A lost TCP/TLS connection is re-opened.
  TLS: --auth-mode defaults to x509/name (server name must match --host or a --permitted-peer) when --ca is given,
  else anon (the server is not authenticated).
`;

const OPTIONS = {
  udp: { type: 'boolean' }, tcp: { type: 'boolean' }, tls: { type: 'boolean' }, host: { type: 'string' },
  port: { type: 'string' }, ca: { type: 'string' }, cert: { type: 'string' }, key: { type: 'string' },
  'auth-mode': { type: 'string' }, 'permitted-peer': { type: 'string', multiple: true }, facility: { type: 'string' },
  severity: { type: 'string' }, tag: { type: 'string' }, rfc3164: { type: 'boolean' }, rfc5424: { type: 'boolean' },
  'octet-count': { type: 'boolean' }, file: { type: 'string' }, follow: { type: 'boolean', short: 'F' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** How long to wait for the server to close after we finished sending, to catch a late refusal. */
const CLOSE_WAIT_MS = 5_000;

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** RFC 5424 §6.2.3 timestamp with the local offset, e.g. 2024-05-01T10:00:00.123+02:00. */
export function rfc5424Time(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 3164 §4.1.2 timestamp: "Mmm dd hh:mm:ss", day padded with a space. */
export function rfc3164Time(d: Date): string {
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export interface Format { pri: number; tag: string; host: string; rfc3164: boolean }

export function formatMessage(f: Format, text: string, now = new Date()): string {
  if (f.rfc3164) return `<${f.pri}>${rfc3164Time(now)} ${f.host} ${f.tag}: ${text}`;
  return `<${f.pri}>1 ${rfc5424Time(now)} ${f.host} ${f.tag} - - - ${text}`;
}

class UsageError extends Error {}

function target(v: ReturnType<typeof parse>['values']): ForwardTarget {
  const proto = v.tls ? 'tls' : v.tcp ? 'tcp' : 'udp';
  if (Number(!!v.udp) + Number(!!v.tcp) + Number(!!v.tls) > 1) throw new UsageError('choose one of --udp, --tcp, --tls');
  const port = v.port === undefined ? (proto === 'tls' ? 6514 : 514) : Number(v.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port ${v.port}: expected 1…65535`);
  const host = v.host ?? 'localhost';
  let tls: TlsSettings | null = null;
  if (proto === 'tls') {
    const mode = (v['auth-mode'] ?? (v.ca ? 'x509/name' : 'anon')) as AuthMode;
    if (!['anon', 'x509/certvalid', 'x509/name', 'x509/fingerprint'].includes(mode)) throw new UsageError(`--auth-mode ${mode}: unknown mode`);
    if (mode === 'anon') process.stderr.write('logwarden send: warning: --auth-mode anon: the server is not authenticated\n');
    tls = {
      driver: 'ossl', mode: 1, authMode: mode, permittedPeers: v['permitted-peer'] ?? [], caFile: v.ca, certFile: v.cert,
      keyFile: v.key, minVersion: 'TLSv1.2', prioritizeSan: false, checkExtendedKeyUsage: false,
      loc: { file: '<command line>', line: 0, col: 0 },
    };
  }
  return { host, port, protocol: proto === 'udp' ? 'udp' : 'tcp', framing: v['octet-count'] ? 'octet-counted' : 'traditional', delimiter: 0x0a, tls };
}

function parse(args: string[]) {
  return parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
}

async function sendUdp(t: ForwardTarget, msgs: Buffer[]): Promise<void> {
  const sock = createSocket(t.host.includes(':') ? 'udp6' : 'udp4');
  try {
    for (const m of msgs) await new Promise<void>((res, rej) => sock.send(m, t.port, t.host, (e) => (e ? rej(e) : res())));
  } finally {
    sock.close();
  }
}

/** Send, half-close, and wait for the server's close: a reset or TLS alert at this point means we were refused. */
async function sendStream(t: ForwardTarget, msgs: Buffer[]): Promise<void> {
  const sock: Socket = await openStream(t, null);
  let late: Error | null = null;
  sock.on('error', (e) => { late = e; });
  sock.on('data', () => undefined);
  await writeFrames(sock, msgs.map((m) => frameMessage(m, t.framing)));
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => { sock.destroy(); resolve(); }, CLOSE_WAIT_MS);
    sock.once('close', () => { clearTimeout(timer); resolve(); });
    sock.end();
  });
  if (late) throw Object.assign(new Error(`connection to ${t.host}:${t.port} was reset after sending: the server refused us? (${(late as Error).message})`), { code: 'LW_ERR_SEND_REFUSED' });
}

/** Entry point of `logwarden send …`; returns the exit code (0 sent, 1 failed, 2 usage). */
export async function sendMain(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  let t: ForwardTarget;
  let fmt: Format;
  try {
    parsed = parse(args);
    if (parsed.values.help) { process.stdout.write(USAGE); return 0; }
    const v = parsed.values;
    t = target(v);
    const fac = facilityFromName(v.facility ?? 'user');
    const sev = severityFromName(v.severity ?? 'notice');
    if (fac === undefined) throw new UsageError(`--facility ${v.facility}: unknown facility`);
    if (sev === undefined) throw new UsageError(`--severity ${v.severity}: unknown severity`);
    if (v.rfc3164 && v.rfc5424) throw new UsageError('choose one of --rfc3164, --rfc5424');
    fmt = { pri: fac * 8 + sev, tag: v.tag ?? (process.env.USER || 'logwarden'), host: hostname().split('.')[0] || '-', rfc3164: !!v.rfc3164 };
  } catch (e) {
    process.stderr.write(`logwarden send: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  try {
    if (parsed.positionals.length === 0) {
      const v = parsed.values;
      const src = v.file !== undefined ? fileSource(v.file, !!v.follow) : stdinSource();
      if (v.follow && v.file === undefined) throw new UsageError('--follow needs --file PATH');
      let stopping = false;
      const onSignal = (): void => { if (!stopping) { stopping = true; src.stop(); } };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        await streamLines(src, {
          target: t, format: (m) => formatMessage(fmt, m), maxReconnects: v.follow ? Infinity : 5,
          log: (text) => process.stderr.write(`logwarden send: ${text}\n`),
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      return 0;
    }
    const texts = [parsed.positionals.join(' ')];
    const msgs = texts.map((m) => Buffer.from(formatMessage(fmt, m), 'utf8'));
    if (msgs.length === 0) return 0;
    if (t.protocol === 'udp') await sendUdp(t, msgs); else await sendStream(t, msgs);
    return 0;
  } catch (e) {
    const code = (e as { code?: string }).code;
    process.stderr.write(`logwarden send: ${code ? `${code}: ` : ''}${(e as Error).message}\n`);
    return 1;
  }
}

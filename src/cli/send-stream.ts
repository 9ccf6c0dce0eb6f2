// `logwarden send` streaming: lines from stdin (or a followed file) are sent as they arrive, not when the input
// ends, so `tail -F app.log | logwarden send --tcp …` works. A lost TCP/TLS connection is re-opened with
// backoff; while it is down at most MAX_PENDING lines wait and the reader is paused (no unbounded buffer).
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { frameMessage, openStream, writeFrames, type ForwardTarget } from '../actions/forward';
import { rawDecoder } from '../inputs/imfile/decode';
import { Tailer, type TailRecord } from '../inputs/imfile/tailer';

/** Lines waiting while the connection is down; the reader pauses at this many. */
export const MAX_PENDING = 10_000;
const BACKOFF_START_MS = 250;
const BACKOFF_MAX_MS = 30_000;
/** How often a followed file is looked at besides fs events. */
const FOLLOW_POLL_MS = 200;
const CLOSE_WAIT_MS = 5_000;

export interface StreamOptions {
  target: ForwardTarget;
  format: (text: string) => string;
  /** Reconnect attempts after a connection was lost (Infinity with --follow). */
  maxReconnects: number;
  log: (text: string) => void;
}

/** A line source: pushes lines, can be paused while the sender is behind, resolves when it ends. */
interface Source {
  start(onLines: (lines: string[]) => void): Promise<void>;
  pause(): void;
  resume(): void;
  stop(): void;
}

export function stdinSource(input: NodeJS.ReadableStream = process.stdin): Source {
  const rl = createInterface({ input, crlfDelay: Infinity });
  return {
    start(onLines) {
      rl.on('line', (l) => { if (l.length > 0) onLines([l]); });
      return new Promise((resolve) => rl.once('close', () => resolve()));
    },
    pause: () => rl.pause(),
    resume: () => rl.resume(),
    stop: () => rl.close(),
  };
}

/** A file, from its start; with `follow`, appended lines too, across rotation (tail -F), until stop(). */
export function fileSource(path: string, follow: boolean): Source {
  const t = new Tailer(path, rawDecoder, { maxLine: 64 * 1024, discardTruncated: false, reopenOnTruncate: true,
    multi: { readMode: 0, startRegex: null, endRegex: null, joiner: '\n' } });
  let paused = false;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let done: (() => void) | null = null;
  let ending = false;
  const out: TailRecord[] = [];
  return {
    start(onLines) {
      return new Promise<void>((resolve, reject) => {
        done = resolve;
        if (!t.open(0)) {
          if (!follow) return reject(Object.assign(new Error(`cannot open ${path}`), { code: 'LW_ERR_SEND_INPUT' }));
        }
        const tick = (): void => {
          timer = null;
          if (stopped) return resolve();
          if (!paused) {
            const change = t.check();
            if (change === 'truncated') t.truncated();
            if (change === 'rotated' || change === 'deleted') ending = true;
            let n: number;
            do {
              n = t.read(out, 1000, ending || !follow);
              if (out.length > 0) onLines(out.splice(0).map((r) => r.text));
            } while (n > 0 && !paused);
            if (n === 0 && ending) {
              ending = false;
              t.switchToPath();
            }
            if (!follow && n === 0) return resolve();
          }
          timer = setTimeout(tick, FOLLOW_POLL_MS);
        };
        tick();
      });
    },
    pause: () => { paused = true; },
    resume: () => { paused = false; },
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      t.closeFd();
      done?.();
    },
  };
}

/** Send lines from `src` as they arrive; resolves with the number of lines sent when the source ends. */
export async function streamLines(src: Source, o: StreamOptions): Promise<number> {
  const t = o.target;
  const pending: string[] = [];
  let sent = 0;
  let wake: (() => void) | null = null;
  let ended = false;
  let udp: UdpSocket | null = null;
  let sock: Socket | null = null;
  let lastError: Error | null = null;
  let reconnects = 0;

  const connect = async (): Promise<Socket> => {
    const s = await openStream(t, null);
    s.on('error', (e) => { lastError = e; });
    s.on('close', () => { if (sock === s) sock = null; });
    s.on('data', () => undefined);
    return s;
  };

  const sendBatch = async (lines: string[]): Promise<void> => {
    const bufs = lines.map((l) => Buffer.from(o.format(l), 'utf8'));
    if (t.protocol === 'udp') {
      udp ??= createSocket(t.host.includes(':') ? 'udp6' : 'udp4');
      for (const b of bufs) await new Promise<void>((res, rej) => udp!.send(b, t.port, t.host, (e) => (e ? rej(e) : res())));
      return;
    }
    let backoff = BACKOFF_START_MS;
    for (;;) {
      try {
        if (sock === null) {
          const first = sent === 0 && reconnects === 0;
          try {
            sock = await connect();
          } catch (e) {
            if (first) throw e; // the first connection failing is an error, as for a single message
            throw Object.assign(e as Error, { retry: true });
          }
        }
        await writeFrames(sock, bufs.map((b) => frameMessage(b, t.framing)));
        return;
      } catch (e) {
        if ((e as { retry?: boolean }).retry !== true && sock === null && sent === 0 && reconnects === 0) throw e;
        sock?.destroy();
        sock = null;
        if (++reconnects > o.maxReconnects) throw e;
        o.log(`connection to ${t.host}:${t.port} lost (${(e as Error).message}); reconnecting in ${backoff} ms`);
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
      }
    }
  };

  const ended$ = src.start((lines) => {
    pending.push(...lines);
    if (pending.length >= MAX_PENDING) src.pause();
    const w = wake;
    wake = null;
    w?.();
  }).then(() => {
    ended = true;
    const w = wake;
    wake = null;
    w?.();
  });

  try {
    for (;;) {
      if (pending.length === 0) {
        if (ended) break;
        await new Promise<void>((r) => { wake = r; });
        continue;
      }
      const batch = pending.splice(0, 1000);
      await sendBatch(batch);
      sent += batch.length;
      if (pending.length < MAX_PENDING / 2) src.resume();
    }
    await ended$;
  } finally {
    src.stop();
    (udp as UdpSocket | null)?.close();
  }
  const last = sock as Socket | null;
  if (last !== null) {
    // Half-close and wait for the server's close: a reset or TLS alert now means the server refused us.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { last.destroy(); resolve(); }, CLOSE_WAIT_MS);
      last.once('close', () => { clearTimeout(timer); resolve(); });
      last.end();
    });
    if (lastError) throw Object.assign(new Error(`connection to ${t.host}:${t.port} was reset after sending: the server refused us? (${(lastError as Error).message})`), { code: 'LW_ERR_SEND_REFUSED' });
  }
  return sent;
}

// Side-by-side harness: one config text runs in the real rsyslogd and in Logwarden; the same frames go to
// both over TCP; the files each wrote are returned for comparison. `{DIR}` and `{PORT}` in the config are
// replaced per side. A sentinel rule is prepended so each side is known to have read every frame before it is
// stopped (a clean stop drains both sides' queues and closes their files).
import { connect } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRsyslog, tcpAccepts } from '../helpers/rsyslog';
import { startLogwarden } from '../helpers/logwarden';
import { freePort, readLines, tempDir, waitFor } from '../helpers/util';

export interface SideCase {
  /** Config body; `{DIR}` = the side's temp dir, `{PORT}` = its imtcp port (the harness adds the input). */
  conf: string;
  /** Syslog frames (without newline), sent over one TCP connection. */
  frames: string[];
  /** Output file names (relative to `{DIR}`) to read back. */
  files: string[];
  /** Extra parameters of the harness's imtcp input(), e.g. `ruleset="r"`. */
  inputParams?: string;
}

export type SideOutput = Record<string, string | null>;

/** RFC 5424, so that rulesets limited to either parser still see it (an RFC 3164 parser keeps it in msg). */
const SENTINEL = '<190>1 2026-10-11T22:14:15Z host1 sentinel - - - sbs-sentinel';

function render(c: SideCase, dir: string, port: number): string {
  const sentinel = `if $msg contains "sbs-sentinel" then { action(type="omfile" file="${dir}/sentinel.out") stop }`;
  const head = ['module(load="imtcp")', `input(type="imtcp" port="${port}" ${c.inputParams ?? ''})`];
  // `{SENTINEL}` places the sentinel rule (e.g. inside the ruleset the input is bound to); default: first rule
  if (!c.conf.includes('{SENTINEL}')) head.push(sentinel);
  const body = c.conf.replaceAll('{DIR}', dir).replaceAll('{PORT}', String(port)).replaceAll('{SENTINEL}', sentinel);
  return `${head.join('\n')}\n${body}\n`;
}

function send(port: number, frames: string[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', () => sock.end([...frames, SENTINEL].map((f) => f + '\n').join('')));
    sock.once('error', reject);
    sock.once('close', () => resolve());
  });
}

function collect(dir: string, files: string[]): SideOutput {
  const out: SideOutput = {};
  for (const f of files) {
    const p = join(dir, f);
    out[f] = existsSync(p) ? readFileSync(p, 'utf8') : null;
  }
  return out;
}

/** Run the case in rsyslogd; returns the files it wrote (null = not created). */
export async function runRsyslogd(c: SideCase): Promise<SideOutput> {
  const tmp = tempDir('lw-sbs-r-');
  try {
    const port = await freePort();
    const peer = await startRsyslog(tmp.dir, render(c, tmp.dir, port), () => tcpAccepts(port));
    try {
      await send(port, c.frames);
      await waitFor(() => readLines(join(tmp.dir, 'sentinel.out')).length > 0, 'the sentinel to pass rsyslogd', 30_000);
    } finally {
      await peer.stop();
    }
    return collect(tmp.dir, c.files);
  } finally {
    tmp.cleanup();
  }
}

/** Run the case in Logwarden (in-process); returns the files it wrote and the start-up diagnostics. */
export async function runLogwarden(c: SideCase): Promise<SideOutput> {
  const tmp = tempDir('lw-sbs-l-');
  try {
    const port = await freePort();
    const lw = await startLogwarden(tmp.dir, render(c, tmp.dir, port));
    try {
      await send(port, c.frames);
      await waitFor(() => readLines(join(tmp.dir, 'sentinel.out')).length > 0, 'the sentinel to pass Logwarden', 30_000);
    } finally {
      await lw.stop();
    }
    return collect(tmp.dir, c.files);
  } finally {
    tmp.cleanup();
  }
}

/** `<PRI>` frame with a fixed header and the given text. */
export function frame(pri: number, text: string, tag = 'app:'): string {
  return `<${pri}>Oct 11 22:14:15 host1 ${tag} ${text}`;
}

// Shared test helpers: temp dirs, free loopback ports, condition waits (never fixed sleeps), file reads.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'lw-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Ports handed out are taken below the kernel's ephemeral range (32768-60999 on Linux), which port 0 binds and
 * every outgoing connection draw from: with suites that open thousands of client sockets at once (hostile-peer
 * tests), a port found free there was often taken by some client's local end before the daemon bound it.
 */
const PORT_MIN = 20000;
const PORT_MAX = 32767;
const handedOut = new Set<number>();

function bindable(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => {
      const u = createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
    }));
  });
}

/** A loopback port free for both TCP and UDP at the time of asking (for peers that cannot bind port 0). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = PORT_MIN + Math.floor(Math.random() * (PORT_MAX - PORT_MIN + 1));
    if (handedOut.has(port)) continue;
    if (await bindable(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free port found');
}

/** Poll `cond` every `intervalMs` until it returns a truthy value or `timeoutMs` passes (then throw with `what`). */
export async function waitFor<T>(cond: () => T | Promise<T>, what: string, timeoutMs = 15_000, intervalMs = 25): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v as Exclude<T, false | null | undefined | 0 | ''>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Lines of a file (without the final empty one); [] if it does not exist yet. */
export function readLines(file: string): string[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Wait until a file has at least `n` lines and then stops growing for `settleMs`; returns its lines. */
export async function waitForLines(file: string, n: number, timeoutMs = 20_000, settleMs = 150): Promise<string[]> {
  await waitFor(() => readLines(file).length >= n, `${n} lines in ${file} (have ${readLines(file).length})`, timeoutMs);
  let prev = -1;
  for (;;) {
    const cur = readLines(file).length;
    if (cur === prev) return readLines(file);
    prev = cur;
    await new Promise((r) => setTimeout(r, settleMs));
  }
}

/** Whether interop peers are required (CI sets LW_REQUIRE_PEERS=1); otherwise a missing peer skips. */
export function peersRequired(): boolean {
  return process.env.LW_REQUIRE_PEERS === '1';
}

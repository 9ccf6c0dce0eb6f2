// Runs a real, unprivileged rsyslogd as a test peer: own config, work dir and pid file; stopped in after().
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { peersRequired, waitFor } from './util';

export const RSYSLOGD = '/usr/sbin/rsyslogd';

/** Skip reason when rsyslogd is absent and peers are optional; throws when CI requires peers. */
export function rsyslogMissing(): string | false {
  if (existsSync(RSYSLOGD)) return false;
  if (peersRequired()) throw new Error(`${RSYSLOGD} is required (LW_REQUIRE_PEERS=1): run scripts/install-test-deps.sh`);
  return 'rsyslogd not installed (scripts/install-test-deps.sh installs it)';
}

export interface RsyslogPeer {
  proc: ChildProcess;
  dir: string;
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Start rsyslogd with `conf` (global workDirectory is prepended). `ready` is awaited before returning, e.g. a
 * check that its listener accepts connections.
 */
export async function startRsyslog(dir: string, conf: string, ready?: () => Promise<boolean> | boolean): Promise<RsyslogPeer> {
  const confFile = join(dir, 'rsyslog.conf');
  const pidFile = join(dir, 'rsyslogd.pid');
  writeFileSync(confFile, `global(workDirectory="${dir}")\n${conf}\n`);
  const check = spawnSync(RSYSLOGD, ['-N1', '-f', confFile], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`rsyslogd -N1 rejected the test config:\n${check.stderr}${check.stdout}\n--- config ---\n${conf}`);
  let err = '';
  const proc = spawn(RSYSLOGD, ['-n', '-f', confFile, '-i', pidFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  proc.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
  try {
    await waitFor(() => proc.exitCode !== null || (existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== ''), 'rsyslogd pid file', 15_000);
    if (proc.exitCode !== null) throw new Error(`rsyslogd exited with ${proc.exitCode}: ${err}`);
    if (ready) await waitFor(ready, 'rsyslogd to be ready', 15_000);
  } catch (e) {
    // never leave a daemon (and its stderr pipe, which keeps the test process alive) behind a failed start
    proc.kill('SIGKILL');
    throw e;
  }
  return {
    proc,
    dir,
    stderr: () => err,
    stop: () => new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
      setTimeout(() => proc.kill('SIGKILL'), 5000).unref();
    }),
  };
}

/** True once something accepts TCP connections on 127.0.0.1:port. */
export function tcpAccepts(port: number): Promise<boolean> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const net = require('node:net') as typeof import('node:net');
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

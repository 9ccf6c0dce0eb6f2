// Test helper: a private clickhouse-server in a temp dir on free loopback ports, started and stopped per suite.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian's package puts the server; PATH is searched too. */
const BINARY_CANDIDATES = ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server'];
/** A cold start of 18.16 on a loaded 2-core box takes a few seconds; allow generous headroom. */
const START_DEADLINE_MS = 60_000;
const STOP_DEADLINE_MS = 20_000;
const POLL_MS = 100;

/** User with a password, so tests exercise the action's credentials path. */
export const TEST_USER = 'logwarden';
export const TEST_PASSWORD = 'lw-test-secret';

export interface ClickHouseServer {
  /** Base URL of the HTTP interface, e.g. "http://127.0.0.1:41234". */
  readonly url: string;
  readonly httpPort: number;
  readonly user: string;
  readonly password: string;
  readonly dir: string;
  /** Run one SQL statement over HTTP and return the response body (throws on a non-200 answer). */
  sql(statement: string): Promise<string>;
  stop(): Promise<void>;
}

/** Path of clickhouse-server, or null when it is not installed. */
export function clickhouseBinary(): string | null {
  for (const p of BINARY_CANDIDATES) if (existsSync(p)) return p;
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'clickhouse-server'))) return join(dir, 'clickhouse-server');
  }
  return null;
}

/**
 * A `skip` value for describe()/test(): a reason when the binary is absent and peers are optional, else false.
 * With LW_REQUIRE_PEERS=1 (CI) it never skips, so a missing binary fails in startClickHouse().
 */
export function clickhouseSkip(): string | false {
  if (clickhouseBinary() !== null || process.env.LW_REQUIRE_PEERS === '1') return false;
  return 'clickhouse-server is not installed (set LW_REQUIRE_PEERS=1 to make this a failure)';
}

/** A free loopback TCP port: bind port 0, read it, release it (clickhouse has no port-0 support). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function usersXml(): string {
  // Both users only from loopback; `default` stays passwordless for the harness's own probes.
  const net = '<networks><ip>127.0.0.1</ip><ip>::1</ip></networks>';
  return `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>1000000000</max_memory_usage><max_threads>1</max_threads></default></profiles>
  <users>
    <default><password></password>${net}<profile>default</profile><quota>default</quota></default>
    <${TEST_USER}><password>${TEST_PASSWORD}</password>${net}<profile>default</profile><quota>default</quota></${TEST_USER}>
  </users>
  <quotas><default></default></quotas>
</yandex>
`;
}

function configXml(dir: string, httpPort: number, tcpPort: number): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/error.log</errorlog><console>0</console></logger>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <users_config>${dir}/users.xml</users_config>
  <mark_cache_size>16777216</mark_cache_size>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <max_concurrent_queries>20</max_concurrent_queries>
</yandex>
`;
}

async function httpSql(url: string, statement: string, auth = ''): Promise<string> {
  const res = await fetch(url + '/', { method: 'POST', body: statement, headers: auth ? { authorization: auth } : {} });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`clickhouse ${res.status}: ${text.trim()}`);
  return text;
}

async function ping(url: string): Promise<boolean> {
  try {
    const res = await fetch(url + '/ping');
    return res.status === 200 && (await res.text()).startsWith('Ok');
  } catch {
    return false;
  }
}

function tail(path: string): string {
  try { return readFileSync(path, 'utf8').split('\n').slice(-15).join('\n'); } catch { return '(no log)'; }
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => { clearTimeout(timer); resolve(true); });
  });
}

/** Start a private server; resolves once /ping answers. Throws (with the server's log tail) otherwise. */
export async function startClickHouse(): Promise<ClickHouseServer> {
  const bin = clickhouseBinary();
  if (bin === null) throw new Error('clickhouse-server not found (LW_REQUIRE_PEERS=1 demands it)');
  const dir = mkdtempSync(join(tmpdir(), 'lw-clickhouse-'));
  const httpPort = await freePort();
  const tcpPort = await freePort();
  writeFileSync(join(dir, 'users.xml'), usersXml());
  writeFileSync(join(dir, 'config.xml'), configXml(dir, httpPort, tcpPort));
  const child = spawn(bin, [`--config-file=${join(dir, 'config.xml')}`], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { if (stderr.length < 8192) stderr += d.toString(); });
  const url = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + START_DEADLINE_MS;
  const cleanup = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitExit(child, STOP_DEADLINE_MS))) { child.kill('SIGKILL'); await waitExit(child, STOP_DEADLINE_MS); }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  while (!(await ping(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const why = `clickhouse-server did not answer /ping on ${url} (exit=${child.exitCode})\n${stderr}\n${tail(join(dir, 'error.log'))}`;
      await cleanup();
      throw new Error(why);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return {
    url, httpPort, user: TEST_USER, password: TEST_PASSWORD, dir,
    sql: (statement) => httpSql(url, statement),
    stop: cleanup,
  };
}

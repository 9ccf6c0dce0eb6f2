// The web console and HTTP API over the store (`module(load="http" …)`, docs/console.md), with its accounts and
// the hosts tracker. services.ts loads this module only when a config loads the http module: it pulls in the
// store (better-sqlite3), the search workers and the web server, which a plain relay never needs.
import { join } from 'node:path';
import type { ActionDecl, ConfigModel, Statement } from '../config/model';
import { getParam } from '../config/model';
import { storeOptions } from '../actions/store';
import type { Logger } from '../log';
import { DEFAULT_SEARCH_QUEUE_LIMIT, DEFAULT_SEARCH_TIMEOUT_MS, DEFAULT_SEARCH_WORKERS, WorkerSearchBackend } from '../store/search-worker';
import { storeCollector } from '../metrics/store-collector';
import { acquireSqliteStore, releaseSqliteStore } from '../store/shared';
import { httpsOptions } from '../web/https';
import { startHttp } from '../web/server';
import { UserStore } from '../web/users';
import { HostTracker } from './hosts';
import { httpServiceSpec } from '../web/spec';
import { httpModuleParams, LAZY_NAMES, moduleParamsFor } from './registry';
import type { Runtime } from './runtime';
import type { Services } from './services';

function walk(statements: Statement[], out: ActionDecl[]): void {
  for (const s of statements) {
    if (s.kind === 'action') out.push(s.action);
    else if (s.kind === 'filter' || s.kind === 'foreach') walk(s.body, out);
    else if (s.kind === 'if') {
      walk(s.then, out);
      if (s.else) walk(s.else, out);
    }
  }
}

/** Every action declaration of the config, in ruleset and statement order. */
export function allActions(model: ConfigModel): ActionDecl[] {
  const out: ActionDecl[] = [];
  for (const rs of model.rulesets.values()) walk(rs.statements, out);
  return out;
}

const HOSTS_FILE = join('console', 'hosts.json');
const HOSTS_SAVE_MS = 5 * 60_000;

export async function startHttpService(rt: Runtime, logger: Logger): Promise<Services> {
  const model = rt.model;
  const params = httpModuleParams(model);
  const loc = model.modules.find((m) => [httpServiceSpec.name, ...httpServiceSpec.aliases].includes(m.load.toLowerCase()))!.loc;
  const dataDir = rt.dataDir;
  const explicit = getParam(params, 'store')?.value;
  const storeDecl = allActions(model).find((a) => (LAZY_NAMES.store as readonly string[]).includes(a.type.toLowerCase()));
  const storeOpts = storeDecl ? storeOptions(storeDecl, moduleParamsFor(model, 'store'), dataDir) : null;
  const path = explicit !== undefined ? String(explicit) : storeOpts ? storeOpts.path : `${dataDir}/store`;
  const tls = httpsOptions(params, loc);
  const users = new UserStore(dataDir);
  const adminPassword = users.ensureAdmin();
  const hostsFile = join(dataDir, HOSTS_FILE);
  const hosts = new HostTracker();
  hosts.load(hostsFile);
  rt.hosts = hosts;
  const saveHosts = (): void => {
    try {
      hosts.save(hostsFile);
    } catch (e) {
      logger.warn('LW_WARN_HTTP_HOSTS_SAVE', 'could not save the hosts table', { file: hostsFile, error: (e as Error).message });
    }
  };
  const saveTimer = setInterval(saveHosts, HOSTS_SAVE_MS);
  saveTimer.unref();
  // Searches run on a pool of worker threads so a heavy query never stalls ingest here, nor a light query there.
  const writer = acquireSqliteStore({ path, logger });
  const int = (name: string, dflt: number): number => {
    const v = Number(getParam(params, name)?.value ?? dflt);
    return Number.isInteger(v) && v > 0 ? v : dflt;
  };
  const backend = new WorkerSearchBackend(writer, path, {
    workers: int('search.workers', DEFAULT_SEARCH_WORKERS),
    timeoutMs: 1000 * int('search.timeout', DEFAULT_SEARCH_TIMEOUT_MS / 1000),
    queueLimit: int('search.queuelimit', DEFAULT_SEARCH_QUEUE_LIMIT),
  });
  const unregister = [rt.metrics.register((s) => backend.collect(s)), rt.metrics.register(storeCollector(backend))];
  const port = Number(getParam(params, 'port')?.value ?? 8080);
  const host = String(getParam(params, 'address')?.value ?? '127.0.0.1');
  const allowedHosts = String(getParam(params, 'allowedhosts')?.value ?? '').split(',').map((h) => h.trim()).filter((h) => h !== '');
  let http: Awaited<ReturnType<typeof startHttp>>;
  try {
    http = await startHttp({
      backend, host, port, logger, users, allowedHosts, tls, tail: rt.tail, hosts,
      metrics: { registry: rt.metrics, pipeline: rt.pipeline },
      retention: storeOpts ? { days: storeOpts.retentionDays, maxBytes: storeOpts.retentionMaxBytes } : null,
    });
  } catch (e) {
    clearInterval(saveTimer);
    for (const u of unregister) u();
    rt.hosts = null;
    await backend.close();
    await releaseSqliteStore(writer);
    throw e;
  }
  logger.info('LW_INFO_HTTP', 'HTTP API listening', { url: http.url });
  if (adminPassword !== null) {
    // Once, on the terminal only (never through the logger, whose lines may be shipped elsewhere).
    process.stderr.write(`\nLogwarden console: ${http.url}\n  user: admin\n  password: ${adminPassword}\n` +
      `  (also in ${join(dataDir, 'admin-password')}, mode 0600; change it with \`logwarden user passwd admin\`)\n\n`);
  }
  return {
    close: async () => {
      clearInterval(saveTimer);
      for (const u of unregister) u();
      await http.close();
      rt.hosts = null;
      saveHosts();
      await backend.close();
      await releaseSqliteStore(writer);
    },
  };
}

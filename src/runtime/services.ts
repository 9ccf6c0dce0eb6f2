// Long-running services beside the pipeline, started by `logwarden run`: the HTTP API over the store
// (`module(load="http" port=… address=…)`) and impstats (`module(load="impstats" …)`). Kept out of the core graph
// so the pipeline never imports web code.
import type { ActionDecl, ConfigModel, Statement } from '../config/model';
import { getParam } from '../config/model';
import { storeOptions } from '../actions/store';
import type { Logger } from '../log';
import { DEFAULT_SEARCH_QUEUE_LIMIT, DEFAULT_SEARCH_TIMEOUT_MS, DEFAULT_SEARCH_WORKERS, WorkerSearchBackend } from '../store/search-worker';
import { storeCollector } from '../metrics/store-collector';
import { impstatsOptions, startImpstats } from '../metrics/impstats';
import { acquireSqliteStore, releaseSqliteStore } from '../store/shared';
import { startHttp } from '../web/server';
import { httpServiceSpec } from '../web/spec';
import { httpModuleParams, moduleParamsFor } from './registry';
import type { Runtime } from './runtime';

export interface Services {
  close(): Promise<void>;
}

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

function httpModuleLoaded(model: ConfigModel): boolean {
  const names = [httpServiceSpec.name, ...httpServiceSpec.aliases];
  return model.modules.some((m) => names.includes(m.load.toLowerCase()));
}

export async function startServices(rt: Runtime, logger: Logger): Promise<Services> {
  const model = rt.model;
  const stats = model.modules.some((m) => m.load.toLowerCase() === 'impstats')
    ? startImpstats(impstatsOptions(moduleParamsFor(model, 'impstats')), rt.metrics, rt, logger) : null;
  if (!httpModuleLoaded(model)) return { close: async () => stats?.close() };
  const params = httpModuleParams(model);
  const dataDir = rt.dataDir;
  const explicit = getParam(params, 'store')?.value;
  const storeDecl = allActions(model).find((a) => ['store', 'omstore', 'sqlite'].includes(a.type.toLowerCase()));
  const path = explicit !== undefined
    ? String(explicit)
    : storeDecl ? storeOptions(storeDecl, moduleParamsFor(model, 'store'), dataDir).path : `${dataDir}/store`;
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
  const http = await startHttp({ backend, host, port, logger, metrics: { registry: rt.metrics, pipeline: rt.pipeline } });
  logger.info('LW_INFO_HTTP', 'HTTP API listening', { url: `http://${http.address}:${http.port}/` });
  return {
    close: async () => {
      stats?.close();
      for (const u of unregister) u();
      await http.close();
      await backend.close();
      await releaseSqliteStore(writer);
    },
  };
}

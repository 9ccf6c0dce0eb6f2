// Long-running services beside the pipeline, started by `logwarden run`: impstats (`module(load="impstats" …)`)
// and, when the config loads the http module, the web console and HTTP API over the store (http-service.ts,
// loaded only then). Kept out of the core graph so the pipeline never imports web code.
import type { ConfigModel } from '../config/model';
import type { Logger } from '../log';
import { impstatsOptions, startImpstats } from '../metrics/impstats';
import { httpServiceSpec } from '../web/spec';
import { moduleParamsFor } from './registry';
import type { Runtime } from './runtime';

export interface Services {
  close(): Promise<void>;
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
  let http: Services;
  try {
    http = await (require('./http-service') as typeof import('./http-service')).startHttpService(rt, logger);
  } catch (e) {
    stats?.close();
    throw e;
  }
  return {
    close: async () => {
      stats?.close();
      await http.close();
    },
  };
}

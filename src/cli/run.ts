// `logwarden run`: the server in the foreground. SIGTERM/SIGINT drain and exit 0; SIGHUP reloads the config
// (a bad one is rejected and the running one stays) and reopens output files.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureDevPki } from '../pki/dev';
import { StreamLogger } from '../log';
import { DEFAULT_CONFIG, DEFAULT_DATA_DIR } from '../runtime/default-config';
import { ConfigError, Runtime } from '../runtime/runtime';
import { startServices } from '../runtime/services';
import { last, parseArgs } from './args';
import { applyHeapPolicy } from './heap';

/** The embedded config, with its ./data paths moved to --data-dir when one is given. */
function defaultConfigFor(dataDir: string | undefined): string {
  if (!dataDir) return DEFAULT_CONFIG;
  const dir = resolve(dataDir).replace(/"/g, '\\"');
  return DEFAULT_CONFIG.split(`"${DEFAULT_DATA_DIR}`).join(`"${dir}`);
}

export async function runMain(argv: string[]): Promise<number> {
  applyHeapPolicy();
  const args = parseArgs(argv, ['f', 'config', 'data-dir', 'log-level']);
  const configFile = last(args, 'f') ?? last(args, 'config');
  const logger = new StreamLogger({ level: (last(args, 'log-level') as 'info' | undefined) ?? undefined });
  const dataDir = last(args, 'data-dir');

  if (!configFile) {
    const dir = resolve(dataDir ?? DEFAULT_DATA_DIR);
    const pki = await ensureDevPki(join(dir, 'pki'));
    if (pki.created) process.stderr.write(`logwarden: made a development CA and server certificate under ${join(dir, 'pki')}\n${pki.howToIssueClient}\n`);
  } else if (!existsSync(configFile)) {
    process.stderr.write(`logwarden: config file not found: ${configFile}\n`);
    return 2;
  }

  let rt: Runtime;
  try {
    rt = await Runtime.start({
      configFile: configFile ? resolve(configFile) : '<embedded default>',
      configText: configFile ? undefined : defaultConfigFor(dataDir),
      dataDir,
      logger,
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + '\n');
      return 1;
    }
    throw err;
  }
  let services: Awaited<ReturnType<typeof startServices>>;
  try {
    services = await startServices(rt, logger);
  } catch (err) {
    // a configured HTTP API that cannot start (port busy) must not leave a server running without it
    logger.error('LW_ERR_HTTP_LISTEN', 'HTTP API could not start; stopping', { detail: (err as Error).message });
    process.stderr.write(`logwarden: HTTP API could not start: ${(err as Error).message}\n`);
    await rt.stop();
    return 1;
  }

  let reloading = Promise.resolve();
  process.on('SIGHUP', () => {
    reloading = reloading.then(async () => {
      await rt.reload();
      rt.reopen();
    });
  });
  await new Promise<void>((done) => {
    const stop = (signal: string): void => {
      logger.info('LW_INFO_SIGNAL', 'stopping', { signal });
      process.removeAllListeners('SIGTERM');
      process.removeAllListeners('SIGINT');
      void reloading.then(() => services.close()).then(() => rt.stop()).then(done);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}

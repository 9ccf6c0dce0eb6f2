// Starts Logwarden in-process from config text, in a temp dir, with a logger that keeps records for asserts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StreamLogger } from '../../src/log';
import { Runtime } from '../../src/runtime/runtime';

export interface TestServer {
  rt: Runtime;
  logger: StreamLogger;
  configFile: string;
  port(protocol: string): number;
  stop(): Promise<void>;
}

export async function startLogwarden(dir: string, conf: string): Promise<TestServer> {
  const configFile = join(dir, 'logwarden.conf');
  writeFileSync(configFile, conf);
  const logger = new StreamLogger({ keep: true, out: process.env.LW_TEST_LOG ? process.stderr : null, level: 'debug' });
  const rt = await Runtime.start({ configFile, dataDir: join(dir, 'data'), logger });
  return {
    rt,
    logger,
    configFile,
    port: (protocol: string) => {
      const a = rt.addresses().find((x) => x.protocol === protocol);
      if (!a) throw new Error(`no ${protocol} input running (have ${JSON.stringify(rt.addresses())})`);
      return a.port;
    },
    stop: () => rt.stop(),
  };
}

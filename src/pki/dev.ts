// Development PKI: on first start, create a CA and a localhost server certificate so TLS works out of the box.
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { delimiter, join } from 'node:path';
import { CA_CERT_FILE, CA_KEY_FILE, initCa, issueCert } from './issue';

/** How the user can run this CLI: `logwarden` when it is on PATH (npm -g, a package), else `npx logwarden`. */
export function cliName(env: NodeJS.ProcessEnv = process.env): string {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, 'logwarden'), constants.X_OK);
      return 'logwarden';
    } catch { /* not here */ }
  }
  return 'npx logwarden';
}

export interface DevPki {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
  /** True when this call created the files. */
  created: boolean;
  /** Text telling an operator how to issue a client certificate from this CA. */
  howToIssueClient: string;
}

const SERVER_BASE = 'server';

/**
 * Make `dir`/ca.pem, ca-key.pem, server.pem, server-key.pem if absent (server SANs: localhost, 127.0.0.1, ::1 and
 * this host's name). Existing files are never replaced. `print`, if given, receives the how-to text when files were created.
 */
export async function ensureDevPki(dir: string, print?: (text: string) => void): Promise<DevPki> {
  const caCert = join(dir, CA_CERT_FILE);
  const caKey = join(dir, CA_KEY_FILE);
  const cert = join(dir, `${SERVER_BASE}.pem`);
  const key = join(dir, `${SERVER_BASE}-key.pem`);
  let created = false;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(caCert) || !existsSync(caKey)) {
    await initCa({ dir, name: 'Logwarden development CA', overwrite: true });
    created = true;
  }
  if (created || !existsSync(cert) || !existsSync(key)) {
    const host = hostname();
    const dns = ['localhost', ...(host && host !== 'localhost' ? [host] : [])];
    await issueCert({ name: host || 'localhost', fileName: SERVER_BASE, dns, ip: ['127.0.0.1', '::1'], usage: 'server', caDir: dir, outDir: dir, overwrite: true });
    created = true;
  }
  const howToIssueClient =
    `Logwarden development PKI in ${dir} (CA ${caCert}, server ${cert}).\n` +
    `Issue a client certificate with:\n  ${cliName()} pki issue --name CLIENT --client --ca-dir ${dir} --out DIR\n` +
    `and trust the CA on senders with DefaultNetstreamDriverCAFile="${caCert}".\n`;
  if (created && print) print(howToIssueClient);
  return { caCert, caKey, cert, key, created, howToIssueClient };
}

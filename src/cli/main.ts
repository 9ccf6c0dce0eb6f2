// `logwarden` command line: dispatches to run | check | send | pki | search | rules | alerts | user | token. Subcommands load lazily so
// `logwarden send` does not pay for the store or the TLS server.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const USAGE = `usage: logwarden <command> [options]

commands:
  run [-f CONFIG] [--data-dir DIR]   run the server in the foreground (default: embedded config, see README)
  check -f CONFIG [--strict]         validate a config like rsyslogd -N1; prints every error with file:line:col
  send [options] MESSAGE...          send a syslog message over udp/tcp/tls (like logger)
  pki <init-ca|issue|csr|sign|show|fingerprint> ...   make and inspect certificates
  search 'QUERY' [--from --to --limit --json]         search the store
  rules <check|test> RULEFILE... [LOGFILE]           validate detection rules / replay a log through them
  alerts <list|ack> [...]                            list or acknowledge stored alerts
  user <add|passwd|list|delete> [...]                web console accounts (see logwarden user --help)
  token <create|revoke|list> [...]                   API tokens for scripts (see logwarden token --help)
  version                            print the version
`;

export function version(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export async function run(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'run':
      return (await import('./run')).runMain(rest);
    case 'check':
      return (await import('./check')).checkMain(rest);
    case 'send':
      return (await import('./send')).sendMain(rest);
    case 'pki':
      return (await import('./pki')).pkiMain(rest);
    case 'search':
      return (await import('./search')).searchMain(rest);
    case 'rules':
      return (await import('./rules')).rulesMain(rest);
    case 'alerts':
      return (await import('./alerts')).alertsMain(rest);
    case 'user':
      return (await import('./users')).userMain(rest);
    case 'token':
      return (await import('./users')).tokenMain(rest);
    case 'version':
    case '--version':
      process.stdout.write(`logwarden ${version()}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      process.stderr.write(`logwarden: unknown command "${cmd}"\n\n${USAGE}`);
      return 2;
  }
}

/** Entry point used by bin/logwarden.js. `run` keeps the process alive; others exit with their code. */
export function main(argv: string[]): void {
  run(argv).then(
    (code) => {
      // `run` has drained and closed everything by now; exit even if a stray handle lingers.
      if (argv[0] === 'run') process.exit(code);
      process.exitCode = code;
    },
    (err: unknown) => {
      const e = err as Error & { code?: string };
      process.stderr.write(`logwarden: ${e.code ? `[${e.code}] ` : ''}${e.message}\n`);
      process.exitCode = 1;
    },
  );
}

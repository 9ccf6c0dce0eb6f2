// `logwarden user add|passwd|list|delete` and `logwarden token create|revoke|list`: the web console's accounts
// and API tokens in <DIR>/console/users.json (--data-dir DIR, default ./data: the server's workDirectory). A
// running server sees changes at its next request. Passwords come from --password-stdin or are generated and
// printed once; a token is printed once and only its hash is kept.
import { readFileSync } from 'node:fs';
import { has, last, parseArgs } from './args';
import { randomPassword, UserStore, UserStoreError } from '../web/users';

export const USER_USAGE = `usage: logwarden user add NAME [--password-stdin] [--data-dir DIR]
       logwarden user passwd NAME [--password-stdin] [--data-dir DIR]
       logwarden user list [--json] [--data-dir DIR]
       logwarden user delete NAME [--data-dir DIR]

Accounts of the web console, in DIR/console/users.json (DIR: the server's data dir, default ./data).
Without --password-stdin a random password is generated and printed once.
`;

export const TOKEN_USAGE = `usage: logwarden token create [--name N] [--user NAME] [--data-dir DIR]
       logwarden token revoke ID [--data-dir DIR]
       logwarden token list [--json] [--data-dir DIR]

API tokens (Authorization: Bearer <token>) for scripts; create prints the token once. --user defaults to admin.
`;

function readPassword(args: ReturnType<typeof parseArgs>): { password: string; generated: boolean } {
  if (!has(args, 'password-stdin')) return { password: randomPassword(), generated: true };
  const text = readFileSync(0, 'utf8');
  return { password: text.replace(/\r?\n$/, ''), generated: false };
}

function fail(err: unknown): number {
  if (err instanceof UserStoreError) {
    process.stderr.write(`logwarden: [${err.code}] ${err.message}\n`);
    return 1;
  }
  throw err;
}

export async function userMain(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const args = parseArgs(rest, ['data-dir']);
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(USER_USAGE);
    return 0;
  }
  const name = args.positional[0];
  const needsName = sub === 'add' || sub === 'passwd' || sub === 'delete';
  if (!['add', 'passwd', 'list', 'delete'].includes(sub ?? '') || (needsName && (name === undefined || args.positional.length !== 1))) {
    process.stderr.write(USER_USAGE);
    return 2;
  }
  try {
    const users = new UserStore(last(args, 'data-dir') ?? './data');
    switch (sub) {
      case 'list': {
        const list = users.listUsers();
        if (has(args, 'json')) for (const u of list) process.stdout.write(`${JSON.stringify(u)}\n`);
        else for (const u of list) process.stdout.write(`${u.name}  created=${new Date(u.createdMs).toISOString()}  tokens=${u.tokens}\n`);
        return 0;
      }
      case 'delete':
        users.deleteUser(name!);
        process.stdout.write(`user ${name} deleted (and its tokens)\n`);
        return 0;
      default: {
        const { password, generated } = readPassword(args);
        if (sub === 'add') users.addUser(name!, password);
        else users.setPassword(name!, password);
        process.stdout.write(`${sub === 'add' ? 'user added' : 'password changed'}: ${name}\n`);
        if (generated) process.stdout.write(`password: ${password}\n`);
        return 0;
      }
    }
  } catch (err) {
    return fail(err);
  }
}

export async function tokenMain(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const args = parseArgs(rest, ['data-dir', 'name', 'user']);
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(TOKEN_USAGE);
    return 0;
  }
  if (!['create', 'revoke', 'list'].includes(sub ?? '') || (sub === 'revoke' ? args.positional.length !== 1 : args.positional.length !== 0)) {
    process.stderr.write(TOKEN_USAGE);
    return 2;
  }
  try {
    const users = new UserStore(last(args, 'data-dir') ?? './data');
    if (sub === 'create') {
      const { id, token } = users.createToken(last(args, 'user') ?? 'admin', last(args, 'name') ?? '');
      process.stderr.write(`token ${id} created; it is shown once:\n`);
      process.stdout.write(`${token}\n`);
      return 0;
    }
    if (sub === 'revoke') {
      users.revokeToken(args.positional[0]!);
      process.stdout.write(`token ${args.positional[0]} revoked\n`);
      return 0;
    }
    const list = users.listTokens();
    if (has(args, 'json')) for (const t of list) process.stdout.write(`${JSON.stringify(t)}\n`);
    else for (const t of list) process.stdout.write(`${t.id}  user=${t.user}  name=${t.name || '-'}  created=${new Date(t.createdMs).toISOString()}\n`);
    return 0;
  } catch (err) {
    return fail(err);
  }
}

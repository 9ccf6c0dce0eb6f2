// `logwarden alerts list [--status open|acknowledged] [--rule ID] [--limit N] [--json]` and
// `logwarden alerts ack ID…`: read and acknowledge the alerts a detect action stored. The database is
// --db FILE, or <DIR>/detect/alerts.db for --data-dir DIR (default ./data).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AlertStore, type AlertStatus } from '../detect/alerts';
import { alertJson } from '../detect/outputs';
import { has, last, parseArgs } from './args';

const USAGE = `usage: logwarden alerts list [--status open|acknowledged] [--rule ID] [--limit N] [--json] [--db FILE | --data-dir DIR]
       logwarden alerts ack ID... [--db FILE | --data-dir DIR]
`;

export async function alertsMain(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const args = parseArgs(rest, ['status', 'rule', 'limit', 'db', 'data-dir']);
  if (sub !== 'list' && sub !== 'ack') {
    process.stderr.write(USAGE);
    return 2;
  }
  const db = last(args, 'db') ?? join(last(args, 'data-dir') ?? './data', 'detect', 'alerts.db');
  if (!existsSync(db)) {
    process.stderr.write(`logwarden: no alert database at ${db} (no detect action has run there)\n`);
    return 1;
  }
  const store = new AlertStore(db);
  try {
    if (sub === 'ack') {
      const ids = args.positional.map(Number);
      if (ids.length === 0 || ids.some((n) => !Number.isInteger(n) || n < 1)) {
        process.stderr.write(USAGE);
        return 2;
      }
      const n = store.ack(ids);
      process.stdout.write(`${n} alert(s) acknowledged\n`);
      return n === ids.length ? 0 : 1;
    }
    const status = last(args, 'status') as AlertStatus | undefined;
    if (status !== undefined && status !== 'open' && status !== 'acknowledged') {
      process.stderr.write(USAGE);
      return 2;
    }
    const alerts = store.list({ status, rule: last(args, 'rule'), limit: Number(last(args, 'limit') ?? 100) });
    if (has(args, 'json')) {
      for (const a of alerts) process.stdout.write(`${JSON.stringify(alertJson(a))}\n`);
      return 0;
    }
    for (const a of alerts) {
      process.stdout.write(`#${a.id}  ${a.status.padEnd(12)} ${a.level.padEnd(8)} ${a.rule}${a.key ? `  key=${a.key}` : ''}  count=${a.count}  first=${new Date(a.firstMs).toISOString()}  last=${new Date(a.lastMs).toISOString()}\n`);
      process.stdout.write(`    ${a.title}: ${a.reason}\n`);
    }
    process.stdout.write(`${alerts.length} alert(s)\n`);
    return 0;
  } finally {
    store.close();
  }
}

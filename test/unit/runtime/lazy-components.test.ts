// A config that does not use the store, ClickHouse or the web console does not load them: `logwarden run` of a
// TCP → file relay stays off better-sqlite3 and the web server (bench/README.md, "Memory"). The names the
// registry knows without loading a lazy action must be exactly its spec's names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { LAZY_ACTION_NAMES } from '../../../src/runtime/registry';
import { storeSpec } from '../../../src/actions/store';
import { clickhouseSpec } from '../../../src/actions/clickhouse';

test('the lazy actions\' up-front names are their specs\' names and aliases', () => {
  const cases: Array<[readonly string[], { name: string; aliases: string[] }]> = [
    [LAZY_ACTION_NAMES.store, storeSpec],
    [LAZY_ACTION_NAMES.clickhouse, clickhouseSpec],
  ];
  for (const [names, spec] of cases) assert.deepEqual([...names].sort(), [spec.name, ...spec.aliases].sort());
});

test('looking up and validating a TCP → file config loads neither the store, ClickHouse nor the web server', () => {
  const src = join(__dirname, '..', '..', '..', 'src');
  const script = `
    const reg = require(${JSON.stringify(join(src, 'runtime', 'registry'))});
    require(${JSON.stringify(join(src, 'runtime', 'services'))});
    for (const t of ['omfile', 'builtin:omfwd', 'omrelp', 'discard', 'omusrmsg', 'ompipe']) if (!reg.findAction(t)) throw new Error(t);
    for (const t of ['imtcp', 'imptcp', 'imudp', 'omfile', 'omfwd']) if (!reg.lookupComponent(t)) throw new Error(t);
    const loaded = Object.keys(require.cache).filter((k) => /better-sqlite3|actions[\\\\/](store|clickhouse)|web[\\\\/]server|store[\\\\/]/.test(k));
    process.stdout.write(JSON.stringify(loaded));
    // and on first use, the store action does load
    if (reg.findAction('omstore').spec.name !== 'store') throw new Error('store');
  `;
  const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out), []);
});

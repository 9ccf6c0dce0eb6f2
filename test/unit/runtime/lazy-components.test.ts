// A config that does not use the store, ClickHouse or the web console does not load them: `logwarden run` of a
// TCP → file relay stays off better-sqlite3 and the web server (bench/README.md, "Memory"). The names the
// registry knows without loading a lazy action must be exactly its spec's names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { LAZY_NAMES } from '../../../src/runtime/registry';
import { storeSpec } from '../../../src/actions/store';
import { clickhouseSpec } from '../../../src/actions/clickhouse';
import { relpActionSpec } from '../../../src/actions/relp';
import { relpInputSpec } from '../../../src/inputs/relp';
import { imfileSpec } from '../../../src/inputs/imfile/spec';
import { detectSpec } from '../../../src/detect/action';

test('the lazy components\' up-front names are their specs\' names and aliases', () => {
  const cases: Array<[keyof typeof LAZY_NAMES, { name: string; aliases: string[] }]> = [
    ['store', storeSpec], ['clickhouse', clickhouseSpec], ['relpAction', relpActionSpec], ['relpInput', relpInputSpec], ['imfile', imfileSpec],
    ['detect', detectSpec],
  ];
  for (const [key, spec] of cases) assert.deepEqual([...LAZY_NAMES[key]].sort(), [spec.name, ...spec.aliases].sort(), key);
  assert.deepEqual(cases.map(([k]) => k).sort(), Object.keys(LAZY_NAMES).sort(), 'every lazy component is checked');
});

test('looking up a TCP → file config\'s components loads neither the store, ClickHouse, RELP, imfile, detect nor the web server', () => {
  const src = join(__dirname, '..', '..', '..', 'src');
  const script = `
    const reg = require(${JSON.stringify(join(src, 'runtime', 'registry'))});
    require(${JSON.stringify(join(src, 'runtime', 'services'))});
    for (const t of ['omfile', 'builtin:omfwd', 'discard', 'omusrmsg', 'ompipe']) if (!reg.findAction(t)) throw new Error(t);
    for (const t of ['imtcp', 'imptcp', 'imudp', 'imuxsock', 'omfile', 'omfwd']) if (!reg.lookupComponent(t)) throw new Error(t);
    const loaded = Object.keys(require.cache).filter((k) => /better-sqlite3|actions[\\\\/](store|clickhouse|relp)|web[\\\\/]server|store[\\\\/]|relp[\\\\/]|imfile[\\\\/]|inputs[\\\\/]relp|detect[\\\\/]/.test(k));
    process.stdout.write(JSON.stringify(loaded));
    // and on first use, each does load
    if (reg.findAction('omstore').spec.name !== 'store') throw new Error('store');
    if (reg.findAction('omrelp').spec.params.length === 0) throw new Error('omrelp');
    if (reg.lookupComponent('imfile').name !== 'imfile') throw new Error('imfile');
    if (reg.findAction('omdetect').spec.name !== 'detect') throw new Error('detect');
  `;
  const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out), []);
});

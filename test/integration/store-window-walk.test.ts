// Newest-first pages of filtered searches walk id windows from the top of each partition and stop on the
// running-maximum marks. These rows have senders whose clocks run an hour ahead or a day behind, so id order
// and time order disagree: every page chain must still equal a JS oracle exactly (same rows, same order).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hit, StoredRow } from '../../src/store/backend';
import { parseQuery } from '../../src/store/query/parser';
import { SqliteStore } from '../../src/store/sqlite';

const NOW_US = Date.now() * 1000;
const HOUR_US = 3_600_000_000;
const ROWS = 2400;
const HOSTS = ['web01', 'web02', 'db01', 'rare-host'];

let dir: string;
let store: SqliteStore;
const rows: Array<StoredRow & { id: number }> = [];

/** Clock of row i: mostly one second apart; every 17th an hour ahead, every 23rd a day behind. */
function tsOf(i: number): number {
  const base = NOW_US - (ROWS - i) * 1_000_000;
  if (i % 17 === 0) return base + HOUR_US;
  if (i % 23 === 0) return base - 24 * HOUR_US;
  return base;
}

function makeRow(i: number): StoredRow {
  // rare-host sends 12 rows, all early: a filter on it must walk (almost) the whole partition.
  const host = i < 600 && i % 50 === 0 ? 'rare-host' : HOSTS[i % 3]!;
  return {
    tsReported: tsOf(i), tsReceived: NOW_US, host, fromhostIp: '10.0.0.1', app: i % 2 === 0 ? 'sshd' : 'cron',
    procid: String(100 + (i % 7)), msgid: i % 5 === 0 ? 'ID47' : '-', facility: 4, severity: i % 8, structuredData: '-',
    msg: i % 3 === 0 ? `Failed password for user${i % 11}` : `session opened seq=${i}`, fields: {}, raw: null,
  };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lw-walk-'));
  // A tiny first window: the walks cross many windows and many batches' marks.
  store = new SqliteStore({ path: dir, firstWindow: 16 });
  for (let i = 0; i < ROWS; i++) rows.push({ ...makeRow(i), id: i + 1 });
  for (let i = 0; i < ROWS; i += 300) await store.insert(rows.slice(i, i + 300));
});

after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function pages(q: string, limit: number, fromUs?: number): Promise<Hit[]> {
  const out: Hit[] = [];
  let cursor: string | null = null;
  for (let page = 0; page <= ROWS; page++) {
    const r = await store.search({ query: parseQuery(q), limit, cursor, fromUs: fromUs ?? null });
    assert.ok(r.kind === 'hits');
    out.push(...r.hits);
    cursor = r.nextCursor;
    if (cursor === null) return out;
  }
  throw new Error('pagination did not end');
}

function oracle(pred: (r: StoredRow) => boolean, fromUs?: number): number[] {
  return rows.filter((r) => pred(r) && (fromUs === undefined || r.tsReported >= fromUs))
    .sort((a, b) => b.tsReported - a.tsReported || b.id - a.id)
    .map((r) => r.id);
}

const CASES: Array<[string, (r: StoredRow) => boolean]> = [
  ['host:db01', (r) => r.host === 'db01'],
  ['host:rare-host', (r) => r.host === 'rare-host'],
  ['msgid:ID47 procid:101', (r) => r.msgid === 'ID47' && r.procid === '101'],
  ['severity:<=2 app:sshd', (r) => r.severity <= 2 && r.app === 'sshd'],
  ['failed host:web02', (r) => r.msg.startsWith('Failed') && r.host === 'web02'],
  ['NOT host:web01', (r) => r.host !== 'web01'],
  // Free text as a top-level conjunct walks windows of its newest matches (FTS_TOP), not of ids.
  ['failed', (r) => r.msg.startsWith('Failed')],
  ['"session opened"', (r) => r.msg.startsWith('session opened')],
  ['pass* app:sshd', (r) => r.msg.startsWith('Failed') && r.app === 'sshd'],
  ['user3 OR user5', (r) => /user[35]$/.test(r.msg)],
  ['(user3 OR user5) host:web01', (r) => /user[35]$/.test(r.msg) && r.host === 'web01'],
  ['user4 OR host:rare-host', (r) => /user4$/.test(r.msg) || r.host === 'rare-host'],
  ['failed NOT user3', (r) => r.msg.startsWith('Failed') && !/user3$/.test(r.msg)],
  ['NOT (user3 OR user5) host:db01', (r) => !/user[35]$/.test(r.msg) && r.host === 'db01'],
  ['nosuchword', () => false],
];

test('filtered pages equal the oracle when clocks disagree with arrival order', async () => {
  for (const [q, pred] of CASES) {
    for (const limit of [1, 7, 100]) {
      const got = (await pages(q, limit)).map((h) => Number(h.id));
      assert.deepEqual(got, oracle(pred), `${q} (pages of ${limit})`);
    }
  }
});

test('a lower time bound ends the walk early and stays exact', async () => {
  // From the middle of the run: rows a day behind never qualify, rows an hour ahead do.
  const from = tsOf(ROWS / 2);
  for (const [q, pred] of CASES) {
    const got = (await pages(q, 50, from)).map((h) => Number(h.id));
    assert.deepEqual(got, oracle(pred, from), `${q} from the middle`);
  }
  // A bound newer than every row: nothing, whatever the filter.
  assert.deepEqual(await pages('host:db01', 10, NOW_US + 2 * HOUR_US), []);
});

// keepraw: the store's raw column keeps the exact received bytes (invalid UTF-8 included, as a BLOB), `raw:`
// search still matches, and the search result gives the bytes back losslessly (escapes, util/raw-text.ts);
// only msg is made valid UTF-8 (issue #21).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite';
import { toStoredRow } from '../../src/store/backend';
import { parseQuery } from '../../src/store/query/parser';
import { Message } from '../../src/message';
import { parseSyslog, parseOptions } from '../../src/parse';
import { SyslogTime } from '../../src/time';
import { encodeRaw } from '../../src/util/raw-text';
import { tempDir } from '../helpers/util';

test('raw keeps invalid UTF-8 bytes exactly; msg is valid UTF-8; raw: search works', async () => {
  const t = tempDir();
  const store = new SqliteStore({ path: join(t.dir, 'store'), readonly: false });
  try {
    const bytes = Buffer.concat([Buffer.from('<13>Jan  2 03:04:05 h app: bad '), Buffer.from([0xff, 0xc3, 0x28, 0x80]), Buffer.from(' marker\\x41 é')]);
    const good = Buffer.from('<13>Jan  2 03:04:05 h app: good marker é');
    const rows = [bytes, good].map((b) => {
      const m = new Message(b, { inputname: 't', fromhostIp: '127.0.0.1', fromhost: 'h', ruleset: 'RSYSLOG_DefaultRuleset' }, SyslogTime.now());
      parseSyslog(b, m, parseOptions());
      return toStoredRow(m, true);
    });
    await store.insert(rows);
    const r = await store.search({ query: parseQuery('raw:*marker*') });
    assert.ok(r.kind === 'hits');
    assert.equal(r.hits.length, 2);
    const bad = r.hits.find((h) => h.msg.includes('bad'))!;
    assert.deepEqual(encodeRaw(bad.raw!), bytes, 'exact bytes back');
    assert.ok(!/[\uD800-\uDFFF]/.test(bad.msg), 'msg is valid UTF-8');
    assert.match(bad.msg, /\uFFFD/);
    const ok = r.hits.find((h) => h.msg.includes('good'))!;
    assert.equal(ok.raw, good.toString('utf8'));
  } finally {
    await store.close();
    t.cleanup();
  }
});

// ClickHouse refuses a row for its data: that row is poison — listed in the delivery report with the server's
// exception name — and every other row of the batch is stored exactly once. A server that cannot be reached is a
// transient failure, never poison. The refusal is real: the table's procid column is narrowed to UInt32 (the
// installed server, 18.16, predates CHECK constraints), so a message whose PROCID is not a number cannot be
// stored (Code 72, CANNOT_PARSE_NUMBER), as happens when an operator tightens a column.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ClickHouseAction, clickhouseAction } from '../../src/actions/clickhouse';
import { DeliveryFailure, type DeliveryReport } from '../../src/actions/action';
import type { ActionDecl, Param, Params } from '../../src/config/model';
import { StreamLogger } from '../../src/log';
import { Message } from '../../src/message';
import type { RuntimeContext } from '../../src/runtime/context';
import { invalidRowType, openClickHouseStore } from '../../src/store/clickhouse';
import { SyslogTime, TimeSource } from '../../src/time';
import { clickhouseSkip, freePort, startClickHouse, type ClickHouseServer } from '../helpers/clickhouse-server';

function decl(entries: Record<string, string>): ActionDecl {
  const loc = { file: 'test.conf', line: 4, col: 1 };
  const m: Params = new Map();
  for (const [k, v] of Object.entries(entries)) m.set(k.toLowerCase(), { name: k, value: v, loc } satisfies Param);
  return { type: 'clickhouse', params: m, loc };
}

function ctx(logger: StreamLogger): RuntimeContext {
  return { config: {} as RuntimeContext['config'], logger, templates: new Map(), dataDir: '/nonexistent', maxMessageSize: 8192 };
}

function message(i: number, poison = false): Message {
  const t = new SyslogTime(2025, 1, 15, 10, 0, i % 60, i, 6, 0, TimeSource.Rfc3339);
  const m = new Message(Buffer.from(`<14>msg ${i}`), { inputname: 'imtcp', fromhostIp: '10.9.8.7', fromhost: 'peer', ruleset: 'r' }, t);
  m.hostname = 'poison-host';
  m.programname = 'acttest';
  m.procid = poison ? 'not-a-number' : String(4000 + i);
  m.msg = ` number ${i}${poison ? ' POISON' : ''}`;
  return m;
}

describe('ClickHouse action: poison rows', { skip: clickhouseSkip() }, () => {
  let server: ClickHouseServer;
  before(async () => { server = await startClickHouse(); });
  after(async () => { await server?.stop(); });

  test('rows the server cannot parse are rejected one by one, the rest stored once', async () => {
    const setup = await openClickHouseStore({ url: server.url, user: server.user, password: server.password, database: 'poison' });
    await setup.close();
    await server.sql('ALTER TABLE poison.logs MODIFY COLUMN procid UInt32');
    const logger = new StreamLogger({ out: null, keep: true });
    const action = clickhouseAction.create(
      decl({ url: server.url, user: server.user, password: server.password, database: 'poison', 'batch.size': '40' }),
      new Map(), ctx(logger)) as ClickHouseAction;
    try {
      assert.equal(await action.deliver([message(1000)]), undefined);
      const bad = new Set([5, 50, 51, 99]);
      const batch = Array.from({ length: 100 }, (_, i) => message(i, bad.has(i)));
      const report = await action.deliver(batch) as DeliveryReport;
      assert.ok(report, 'a report');
      assert.deepEqual(report.rejected.map((r) => r.index), [5, 50, 51, 99]);
      for (const r of report.rejected) {
        assert.match(r.code, /^CANNOT_PARSE_/); // 27 or 72, depending on where the parse stops
        assert.match(r.reason, /refused the row/);
      }
      assert.deepEqual(action.stats, { delivered: 97, failed: 4 });
      const stored = (await server.sql("SELECT msg FROM poison.logs WHERE host = 'poison-host' ORDER BY id FORMAT TSV")).trim().split('\n');
      const expected = ['number 1000', ...batch.filter((_, i) => !bad.has(i)).map((m) => m.msg.trim())];
      assert.deepEqual(stored, expected, 'every good row once, in order; no poison row');
      assert.ok((logger.records ?? []).some((r) => r.code === 'LW_WARN_CLICKHOUSE_ROW_REJECTED' && r.fields.count === 4));
    } finally {
      await action.close();
    }
  });

  test('an unreachable server is transient: the error is not a bad-row error', async () => {
    const port = await freePort();
    const action = clickhouseAction.create(decl({ url: `http://127.0.0.1:${port}`, timeout: '2000' }), new Map(), ctx(new StreamLogger({ out: null })));
    await assert.rejects(action.deliver([message(1)]), (e: unknown) => {
      assert.equal(invalidRowType(e), null);
      assert.ok(!(e instanceof DeliveryFailure) || e.transient);
      return true;
    });
    await action.close();
  });
});

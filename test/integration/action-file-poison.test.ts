// omfile poison messages, driven through deliver() directly: a dynaFile name the filesystem refuses rejects
// that message (listed in the report with its errno and the path) and every other message is written exactly
// once; a failing name is tried once per cache window, not once per message; the static file fails as a whole.
// Root ignores permission bits (CI runs as root), so the refusals are built from the filesystem's shape:
// a 300-character component (ENAMETOOLONG), a directory where the file goes (EISDIR), a file where a
// directory goes (ENOTDIR).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, promises as fsp, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionDecl, ConfigModel, Param, Params } from '../../src/config/model';
import { StreamLogger } from '../../src/log';
import { Message } from '../../src/message';
import type { RuntimeContext } from '../../src/runtime/context';
import { SyslogTime, TimeSource } from '../../src/time';
import { fileAction } from '../../src/actions/file';
import { DeliveryFailure, type Action, type DeliveryReport } from '../../src/actions/action';
import { builtinTemplates, compileTemplate } from '../../src/templates';
import { readLines, tempDir } from '../helpers/util';

const LOC = { file: 'test.conf', line: 7, col: 1 };
const tmp = tempDir('lw-file-poison-');
after(() => tmp.cleanup());

function params(obj: Record<string, string>): Params {
  const m: Params = new Map<string, Param>();
  for (const [k, v] of Object.entries(obj)) m.set(k.toLowerCase(), { name: k, value: v, loc: LOC });
  return m;
}

function setup(base: string, p: Record<string, string>): { action: Action; logger: StreamLogger } {
  mkdirSync(base, { recursive: true });
  const templates = builtinTemplates();
  const add = (name: string, string: string): void => {
    templates.set(name.toLowerCase(), compileTemplate({ name, type: 'string', string, options: new Map(), loc: LOC }));
  };
  // seed 003's template, rooted in the test directory
  add('remote-incoming-logs', `${base}/%HOSTNAME%/%PROGRAMNAME%.log`);
  add('line', '%msg%\n');
  const logger = new StreamLogger({ out: null, keep: true });
  const ctx: RuntimeContext = { config: {} as ConfigModel, logger, templates, dataDir: base, maxMessageSize: 8192 };
  const decl: ActionDecl = { type: 'omfile', params: params({ template: 'line', ...p }), loc: LOC };
  return { action: fileAction.create(decl, new Map(), ctx), logger };
}

function msg(hostname: string, prog: string, text: string): Message {
  const t = new SyslogTime(2026, 3, 4, 5, 6, 7, 0, 0, 0, TimeSource.Rfc3339);
  const m = new Message(Buffer.from(text), { inputname: 'test', fromhost: 'peer', fromhostIp: '127.0.0.1', ruleset: 'r' }, t);
  m.hostname = hostname;
  m.syslogtag = prog + ':';
  m.programname = prog;
  m.msg = text;
  return m;
}

const LONG_HOST = 'h'.repeat(300);

test('dynaFile: ENAMETOOLONG, EISDIR and ENOTDIR reject only their message; canaries are written once', async () => {
  const base = join(tmp.dir, 'mixed');
  const { action } = setup(base, { dynaFile: 'remote-incoming-logs' });
  const batch = [
    msg('canary', 'seq', 'c1'),
    msg(LONG_HOST, 'p', 'poison-long'), // 1: a 300-byte path component
    msg('a/x.log', 'p', 'slash-host'), // makes <base>/a/x.log a directory
    msg('canary', 'seq', 'c2'),
    msg('a', 'x', 'poison-eisdir'), // 4: <base>/a/x.log is now a directory
    msg('b', 'f', 'b-file'), // makes <base>/b/f.log a file
    msg('b/f.log', 'q', 'poison-enotdir'), // 6: needs <base>/b/f.log to be a directory
    msg('canary', 'seq', 'c3'),
  ];
  const report = await action.deliver(batch) as DeliveryReport;
  assert.ok(report, 'a report lists the poison');
  assert.deepEqual(report.rejected.map((r) => [r.index, r.code]), [[1, 'ENAMETOOLONG'], [4, 'EISDIR'], [6, 'ENOTDIR']]);
  for (const r of report.rejected) {
    assert.match(r.reason, /^open /);
    assert.ok(r.reason.length < 200, `reason is truncated: ${r.reason.length} chars`);
  }
  assert.match(report.rejected[0]!.reason, /\(\d+ chars\)/, 'the long path is shortened');
  assert.ok(report.rejected[1]!.reason.includes(join(base, 'a', 'x.log')), 'the reason names the path');
  assert.deepEqual(readLines(join(base, 'canary', 'seq.log')), ['c1', 'c2', 'c3']);
  assert.deepEqual(readLines(join(base, 'a', 'x.log', 'p.log')), ['slash-host']);
  assert.deepEqual(readLines(join(base, 'b', 'f.log')), ['b-file']);
  assert.deepEqual(action.stats, { delivered: 5, failed: 3 });

  // the next batch goes on normally; the bad names are rejected again, nothing is written twice
  const report2 = await action.deliver([msg('a', 'x', 'poison-eisdir-2'), msg('canary', 'seq', 'c4')]) as DeliveryReport;
  assert.deepEqual(report2.rejected.map((r) => [r.index, r.code]), [[0, 'EISDIR']]);
  assert.equal(await action.deliver([msg('canary', 'seq', 'c5')]), undefined, 'a clean batch has no report');
  await action.close();
  assert.deepEqual(readLines(join(base, 'canary', 'seq.log')), ['c1', 'c2', 'c3', 'c4', 'c5']);
  assert.deepEqual(action.stats, { delivered: 7, failed: 4 });
});

test('dynaFile: 10,000 messages to one bad path cost one failing open, and one log line', async () => {
  const base = join(tmp.dir, 'flood');
  const { action, logger } = setup(base, { dynaFile: 'remote-incoming-logs' });
  mkdirSync(join(base, 'dir-here', 'x.log'), { recursive: true }); // <base>/dir-here/x.log is a directory: EISDIR
  const opens = { open: 0, mkdir: 0 };
  const realOpen = fsp.open;
  const realMkdir = fsp.mkdir;
  fsp.open = ((...a: Parameters<typeof realOpen>) => { if (String(a[0]).includes('dir-here')) opens.open++; return realOpen(...a); }) as typeof realOpen;
  fsp.mkdir = ((...a: Parameters<typeof realMkdir>) => { if (String(a[0]).includes('dir-here')) opens.mkdir++; return realMkdir(...a); }) as typeof realMkdir;
  let rejected = 0;
  try {
    for (let b = 0; b < 10; b++) {
      const batch: Message[] = [];
      for (let i = 0; i < 1000; i++) batch.push(msg('dir-here', 'x', `bad ${b}/${i}`));
      batch.push(msg('canary', 'seq', `c${b}`));
      const r = await action.deliver(batch) as DeliveryReport;
      rejected += r.rejected.length;
    }
  } finally {
    fsp.open = realOpen;
    fsp.mkdir = realMkdir;
  }
  await action.close();
  assert.equal(rejected, 10_000);
  assert.equal(action.stats.failed, 10_000);
  // the first batch tries O_CREAT|O_EXCL (EEXIST) then O_APPEND (EISDIR); the other batches hit the cache
  assert.equal(opens.open, 2, 'one failing open sequence for the bad path');
  assert.ok(opens.mkdir <= 1);
  assert.equal((logger.records ?? []).filter((r) => r.code === 'LW_ERR_FILE_OPEN').length, 1);
  assert.deepEqual(readLines(join(base, 'canary', 'seq.log')), Array.from({ length: 10 }, (_, b) => `c${b}`));
});

test('dynaFile: an empty rendered name is poison with LW_ERR_DYNAFILE_EMPTY', async () => {
  const base = join(tmp.dir, 'empty');
  const { action } = setup(base, { dynaFile: 'line', template: 'line' }); // renders "%msg%\n": empty after removing the LF
  const r = await action.deliver([msg('h', 'p', '')]) as DeliveryReport;
  assert.deepEqual(r.rejected.map((x) => [x.index, x.code]), [[0, 'LW_ERR_DYNAFILE_EMPTY']]);
  await action.close();
});

test('static file: EISDIR / ENOTDIR fail the action (transient=false), nothing is poison', async () => {
  const base = join(tmp.dir, 'static');
  mkdirSync(join(base, 'is-a-dir.log'), { recursive: true });
  writeFileSync(join(base, 'plain'), 'x\n');
  for (const [file, code] of [[join(base, 'is-a-dir.log'), 'EISDIR'], [join(base, 'plain', 'sub.log'), 'ENOTDIR']] as const) {
    const { action } = setup(base, { file });
    await assert.rejects(action.deliver([msg('h', 'p', 'one'), msg('h', 'p', 'two')]), (e: unknown) => {
      assert.ok(e instanceof DeliveryFailure, 'a DeliveryFailure');
      assert.equal(e.done, 0);
      assert.equal(e.transient, false, `${code} on the static file is a misconfiguration`);
      assert.equal(e.code, 'LW_ERR_FILE_OPEN');
      assert.deepEqual(e.rejected, []);
      assert.match(e.message, new RegExp(code));
      return true;
    });
    assert.deepEqual(action.stats, { delivered: 0, failed: 0 });
    await action.close();
  }
  assert.equal(readFileSync(join(base, 'plain'), 'utf8'), 'x\n');
});

test('static file: the directory removed behind the action is created again (ENOENT is retried, not fatal)', async () => {
  const base = join(tmp.dir, 'gone');
  const file = join(base, 'd', 'f.log');
  const { action } = setup(base, { file });
  await action.deliver([msg('h', 'p', 'one')]);
  action.reopen?.();
  await fsp.rm(join(base, 'd'), { recursive: true });
  await action.deliver([msg('h', 'p', 'two')]);
  await action.close();
  assert.deepEqual(readLines(file), ['two']);
  assert.equal(existsSync(file), true);
});

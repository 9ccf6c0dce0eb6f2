// omfile on a full disk: a 1 MB tmpfs is filled, a batch is delivered (it stops part way with ENOSPC), space is
// freed and the unfinished messages delivered again. The file must hold every message exactly once and never a
// torn line, whether the queue retries from `done` (the new queue) or the whole batch (the old one), and when a
// batch spans a full and a healthy filesystem (dynaFile). Needs `mount -t tmpfs` (root); skipped otherwise.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionDecl, ConfigModel, Param, Params } from '../../src/config/model';
import { StreamLogger } from '../../src/log';
import { Message } from '../../src/message';
import type { RuntimeContext } from '../../src/runtime/context';
import { SyslogTime, TimeSource } from '../../src/time';
import { fileAction } from '../../src/actions/file';
import { DeliveryFailure, type Action } from '../../src/actions/action';
import { builtinTemplates, compileTemplate } from '../../src/templates';
import { readLines, tempDir } from '../helpers/util';

const LOC = { file: 'test.conf', line: 1, col: 1 };
const tmp = tempDir('lw-file-enospc-');
const FULL = join(tmp.dir, 'full');
let mounted = false;
let skipReason = '';
const logger = new StreamLogger({ out: null, keep: true });

before(() => {
  mkdirSync(FULL, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', FULL], { encoding: 'utf8' });
  mounted = r.status === 0;
  if (!mounted) skipReason = `mount -t tmpfs not permitted here (${(r.stderr || r.error?.message || '').trim()})`;
});

after(() => {
  if (mounted) spawnSync('umount', [FULL]);
  tmp.cleanup();
});

function params(obj: Record<string, string>): Params {
  const m: Params = new Map<string, Param>();
  for (const [k, v] of Object.entries(obj)) m.set(k.toLowerCase(), { name: k, value: v, loc: LOC });
  return m;
}

function action(p: Record<string, string>): Action {
  const templates = builtinTemplates();
  templates.set('line', compileTemplate({ name: 'line', type: 'string', string: '%msg%\n', options: new Map(), loc: LOC }));
  templates.set('byhost', compileTemplate({ name: 'byhost', type: 'string', string: `${tmp.dir}/%HOSTNAME%/out.log`, options: new Map(), loc: LOC }));
  const ctx: RuntimeContext = { config: {} as ConfigModel, logger, templates, dataDir: tmp.dir, maxMessageSize: 8192 };
  const decl: ActionDecl = { type: 'omfile', params: params({ template: 'line', ...p }), loc: LOC };
  return fileAction.create(decl, new Map(), ctx);
}

/** Numbered 100-byte lines (99 characters + LF), so 4 KiB pages end mid-line. */
function batch(prefix: string, n: number, host = 'h'): Message[] {
  const t = new SyslogTime(2026, 3, 4, 5, 6, 7, 0, 0, 0, TimeSource.Rfc3339);
  return Array.from({ length: n }, (_, i) => {
    const m = new Message(Buffer.alloc(0), { inputname: 't', fromhost: 'p', fromhostIp: '127.0.0.1', ruleset: 'r' }, t);
    m.hostname = host;
    m.msg = `${prefix}-${String(i).padStart(5, '0')} `.padEnd(99, 'x');
    return m;
  });
}

/** Fill the tmpfs, then free `freeBytes` of it. Returns a function that frees everything. */
function fill(freeBytes: number): () => void {
  const filler = join(FULL, 'filler');
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let size = 0;
  try {
    for (let i = 0; i < 64; i++) size += writeSync(fd, chunk); // bounded: 4 MB > the 1 MB tmpfs
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  ftruncateSync(fd, Math.max(0, size - freeBytes));
  closeSync(fd);
  return () => unlinkSync(filler);
}

/** Every line is one of `expected`, each exactly once, in order, and the file ends with a whole line. */
function assertExactlyOnce(file: string, expected: Message[]): void {
  const text = readFileSync(file, 'utf8');
  assert.ok(text === '' || text.endsWith('\n'), 'no torn last line');
  assert.deepEqual(readLines(file), expected.map((m) => m.msg));
}

async function failsWithEnospc(p: Promise<unknown>, n: number): Promise<number> {
  let done = -1;
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DeliveryFailure, `a DeliveryFailure, got ${String(e)}`);
    assert.equal(e.transient, true);
    assert.equal(e.code, 'LW_ERR_FILE_WRITE');
    assert.match(e.message, /ENOSPC/);
    done = e.done;
    return true;
  });
  assert.ok(done > 0 && done < n, `stopped part way (done=${done} of ${n})`);
  return done;
}

for (const retry of ['from done', 'whole batch'] as const) {
  test(`static file, ENOSPC mid-buffer, retry ${retry}: every line once, no torn line`, async (t) => {
    if (!mounted) return t.skip(skipReason);
    const file = join(FULL, `static-${retry.replace(' ', '-')}.log`);
    const a = action({ file });
    const msgs = batch('s', 300); // 30 KB, 8 KB free
    const free = fill(8192);
    const done = await failsWithEnospc(a.deliver(msgs), msgs.length);
    assertExactlyOnce(file, msgs.slice(0, done)); // the torn line was cut
    const cut = (logger.records ?? []).filter((r) => r.code === 'LW_ERR_FILE_WRITE').at(-1)?.fields.tornBytesCut;
    assert.ok(typeof cut === 'number' && cut > 0 && cut < 100, `a torn line was cut (tornBytesCut=${String(cut)})`);
    assert.equal(a.stats.delivered, done);
    // still full: the retry fails again (it may fit a few more lines in the page the cut freed)
    let from = done;
    await a.deliver(retry === 'from done' ? msgs.slice(from) : msgs).then(() => assert.fail('the disk is still full'), (e: unknown) => {
      assert.ok(e instanceof DeliveryFailure);
      from = retry === 'from done' ? from + e.done : e.done;
    });
    assertExactlyOnce(file, msgs.slice(0, from));
    free();
    await a.deliver(retry === 'from done' ? msgs.slice(from) : msgs);
    await a.close();
    assertExactlyOnce(file, msgs);
    assert.equal(a.stats.delivered, msgs.length);
    rmSync(file);
  });
}

for (const retry of ['from done', 'whole batch'] as const) {
  test(`dynaFile across a full and a healthy filesystem, retry ${retry}: no line written twice`, async (t) => {
    if (!mounted) return t.skip(skipReason);
    const a = action({ dynaFile: 'byhost' });
    // interleaved: ok-0, full-0, ok-1, full-1 …; "ok" lands on the real disk, "full" on the tmpfs
    const ok = batch(`ok-${retry}`, 50, 'ok');
    const full = batch(`full-${retry}`, 200, 'full');
    const msgs: Message[] = [];
    for (let i = 0; i < 200; i++) { if (i < 50) msgs.push(ok[i]!); msgs.push(full[i]!); }
    const free = fill(4096);
    const done = await failsWithEnospc(a.deliver(msgs), msgs.length);
    // the ok file is complete (one write), the full file holds a whole-line prefix
    assertExactlyOnce(join(tmp.dir, 'ok', 'out.log'), ok);
    const written = readLines(join(FULL, 'out.log')).length;
    assertExactlyOnce(join(FULL, 'out.log'), full.slice(0, written));
    assert.ok(written > 0 && written < full.length, `${written} full-host lines in before ENOSPC`);
    // done is the prefix of the batch whose lines are all in: up to the first full-host line not written
    assert.equal(done, msgs.indexOf(full[written]!));
    free();
    await a.deliver(retry === 'from done' ? msgs.slice(done) : msgs);
    await a.close();
    assertExactlyOnce(join(tmp.dir, 'ok', 'out.log'), ok);
    assertExactlyOnce(join(FULL, 'out.log'), full);
    assert.equal(a.stats.delivered, msgs.length);
    rmSync(join(tmp.dir, 'ok'), { recursive: true });
    rmSync(join(FULL, 'out.log'));
  });
}

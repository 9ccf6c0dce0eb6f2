// ompipe against a real FIFO (no reader → rejected and retried, then delivered exactly once) and omusrmsg
// against a fabricated utmp file with plain files standing in for terminals (`*` vs user lists, templates).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, constants as fsc, mkdirSync, openSync, readFileSync, readSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionDecl, ConfigModel, Param, Params } from '../../src/config/model';
import { StreamLogger } from '../../src/log';
import { Message } from '../../src/message';
import type { RuntimeContext } from '../../src/runtime/context';
import { SyslogTime, TimeSource } from '../../src/time';
import { pipeAction } from '../../src/actions/pipe';
import { usrmsgAction } from '../../src/actions/usrmsg';
import { builtinTemplates } from '../../src/templates';
import { tempDir, waitFor } from '../helpers/util';

const LOC = { file: 'test.conf', line: 5, col: 1 };
const tmp = tempDir('lw-pipe-usrmsg-');
const fds: number[] = [];
after(() => {
  for (const fd of fds) closeSync(fd);
  tmp.cleanup();
});

function params(obj: Record<string, string>): Params {
  const m: Params = new Map<string, Param>();
  for (const [k, v] of Object.entries(obj)) m.set(k.toLowerCase(), { name: k, value: v, loc: LOC });
  return m;
}

function context(): RuntimeContext {
  return { config: {} as ConfigModel, logger: new StreamLogger({ out: null, keep: true }), templates: builtinTemplates(), dataDir: tmp.dir, maxMessageSize: 8192 };
}

function msg(text: string): Message {
  const t = new SyslogTime(2026, 3, 4, 5, 6, 7, 0, 0, 0, TimeSource.Rfc3164);
  const m = new Message(Buffer.from(text), { inputname: 'test', fromhost: 'peer', fromhostIp: '127.0.0.1', ruleset: 'r' }, t);
  m.hostname = 'h';
  m.syslogtag = 'app:';
  m.programname = 'app';
  m.msg = ' ' + text;
  return m;
}

const decl = (type: string, p: Record<string, string>): ActionDecl => ({ type, params: params(p), loc: LOC });

test('ompipe: no reader rejects (queue retries), a reader appears, the batch arrives exactly once', async () => {
  const fifo = join(tmp.dir, 'fifo');
  const mk = spawnSync('mkfifo', [fifo]);
  assert.equal(mk.status, 0, 'mkfifo');
  const a = pipeAction.create(decl('ompipe', { pipe: fifo }), new Map(), context());
  const batch = [msg('one'), msg('two')];
  for (let i = 0; i < 2; i++) {
    await assert.rejects(a.deliver(batch), (e: Error & { code?: string }) => e.code === 'LW_ERR_PIPE_WRITE' && e.message.includes(fifo));
  }
  assert.equal(a.stats.delivered, 0);
  const fd = openSync(fifo, fsc.O_RDONLY | fsc.O_NONBLOCK); // the reader: non-blocking so the test never hangs
  fds.push(fd);
  await a.deliver(batch);
  await a.close();
  const buf = Buffer.alloc(4096);
  let got = '';
  await waitFor(() => {
    try { const n = readSync(fd, buf, 0, buf.length, null); got += buf.toString('utf8', 0, n); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e; }
    return got.endsWith('two\n');
  }, 'both lines through the FIFO');
  // default template RSYSLOG_TraditionalFileFormat; the refused attempts left nothing behind
  assert.equal(got, 'Mar  4 05:06:07 h app: one\nMar  4 05:06:07 h app: two\n');
  assert.equal(a.stats.delivered, 2);
});

/** One glibc x86_64 utmp record (utmp(5)): ut_type at 0, ut_line at 8, ut_user at 44, 384 bytes. */
function utmpRecord(type: number, line: string, user: string): Buffer {
  const r = Buffer.alloc(384);
  r.writeInt16LE(type, 0);
  r.write(line, 8, 32, 'utf8');
  r.write(user, 44, 32, 'utf8');
  return r;
}

const USER_PROCESS = 7;
const DEAD_PROCESS = 8;

function ttySetup(name: string): { utmp: string; dev: string } {
  const dir = join(tmp.dir, name);
  const dev = join(dir, 'dev');
  mkdirSync(join(dev, 'pts'), { recursive: true });
  for (const t of ['pts/1', 'pts/2', 'tty3', 'pts/9']) writeFileSync(join(dev, t), '');
  const utmp = join(dir, 'utmp');
  writeFileSync(utmp, Buffer.concat([
    utmpRecord(USER_PROCESS, 'pts/1', 'alice'),
    utmpRecord(USER_PROCESS, 'pts/2', 'bob'),
    utmpRecord(USER_PROCESS, 'tty3', 'carol'),
    utmpRecord(DEAD_PROCESS, 'pts/9', 'alice'), // a closed session: never written
    utmpRecord(USER_PROCESS, '../escape', 'root'), // a line leaving the device dir: refused
  ]));
  return { utmp, dev };
}

test('omusrmsg users="alice,carol": only their terminals, RSYSLOG_StdUsrMsgFmt', async () => {
  const { utmp, dev } = ttySetup('users');
  const a = usrmsgAction.create(decl('omusrmsg', { users: 'alice, carol', utmpFile: utmp, deviceDir: dev }), new Map(), context());
  await a.deliver([msg('disk full')]);
  await a.close();
  assert.equal(readFileSync(join(dev, 'pts/1'), 'utf8'), ' app: disk full\n\r');
  assert.equal(readFileSync(join(dev, 'tty3'), 'utf8'), ' app: disk full\n\r');
  assert.equal(readFileSync(join(dev, 'pts/2'), 'utf8'), '', 'bob is not listed');
  assert.equal(readFileSync(join(dev, 'pts/9'), 'utf8'), '', 'dead session');
  assert.equal(a.stats.delivered, 1);
});

test('omusrmsg users="*": every logged-in terminal, RSYSLOG_WallFmt; an unsafe ut_line is never opened', async () => {
  const { utmp, dev } = ttySetup('wall');
  const a = usrmsgAction.create(decl('omusrmsg', { users: '*', utmpFile: utmp, deviceDir: dev }), new Map(), context());
  await a.deliver([msg('shutdown')]);
  await a.close();
  const wall = '\r\n\x07Message from syslogd@h at Mar  4 05:06:07 ...\r\n app: shutdown\n\r';
  for (const t of ['pts/1', 'pts/2', 'tty3']) assert.equal(readFileSync(join(dev, t), 'utf8'), wall, t);
  assert.equal(readFileSync(join(dev, 'pts/9'), 'utf8'), '');
  assert.equal(existsSync(join(tmp.dir, 'wall', 'escape')), false);
});

test('omusrmsg with an explicit template, a missing utmp (nobody logged in) and config errors', async () => {
  const { utmp, dev } = ttySetup('tpl');
  const a = usrmsgAction.create(decl('omusrmsg', { users: 'bob', template: 'RSYSLOG_TraditionalFileFormat', utmpFile: utmp, deviceDir: dev }), new Map(), context());
  await a.deliver([msg('x')]);
  assert.equal(readFileSync(join(dev, 'pts/2'), 'utf8'), 'Mar  4 05:06:07 h app: x\n');
  const none = usrmsgAction.create(decl('omusrmsg', { users: '*', utmpFile: join(tmp.dir, 'no-utmp'), deviceDir: dev }), new Map(), context());
  await none.deliver([msg('y')]);
  assert.equal(none.stats.delivered, 1);
  assert.throws(() => usrmsgAction.create(decl('omusrmsg', { users: '*', template: 'nope' }), new Map(), context()), /test\.conf:5:1: template "nope" is not defined/);
  assert.throws(() => pipeAction.create(decl('ompipe', {}), new Map(), context()), /test\.conf:5:1: ompipe needs pipe=/);
});

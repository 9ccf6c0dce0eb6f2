// omfile against the real filesystem: static and dynamic files, create modes independent of the umask,
// batching, reopen after logrotate's rename, path traversal from message content, write errors.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionDecl, ConfigModel, Param, Params } from '../../src/config/model';
import { StreamLogger } from '../../src/log';
import { Message } from '../../src/message';
import type { RuntimeContext } from '../../src/runtime/context';
import { SyslogTime, TimeSource } from '../../src/time';
import { fileAction } from '../../src/actions/file';
import { builtinTemplates, compileTemplate } from '../../src/templates';
import { tempDir } from '../helpers/util';

const LOC = { file: 'test.conf', line: 3, col: 1 };
const tmp = tempDir('lw-file-action-');
after(() => tmp.cleanup());

function params(obj: Record<string, string>): Params {
  const m: Params = new Map<string, Param>();
  for (const [k, v] of Object.entries(obj)) m.set(k.toLowerCase(), { name: k, value: v, loc: LOC });
  return m;
}

function context(): RuntimeContext {
  const templates = builtinTemplates();
  const add = (name: string, string: string): void => {
    templates.set(name.toLowerCase(), compileTemplate({ name, type: 'string', string, options: new Map(), loc: LOC }));
  };
  add('perHost', `${tmp.dir}/hosts/%HOSTNAME%/%programname%.log`);
  add('line', '%hostname% %msg%\n');
  return {
    config: {} as ConfigModel,
    logger: new StreamLogger({ out: null, keep: true }),
    templates,
    dataDir: tmp.dir,
    maxMessageSize: 8192,
  };
}

function msg(hostname: string, tag: string, text: string): Message {
  const t = new SyslogTime(2026, 3, 4, 5, 6, 7, 0, 0, 0, TimeSource.Rfc3339);
  const m = new Message(Buffer.from(text), { inputname: 'test', fromhost: 'peer', fromhostIp: '127.0.0.1', ruleset: 'r' }, t);
  m.hostname = hostname;
  m.syslogtag = tag + ':';
  m.programname = tag;
  m.msg = ' ' + text;
  return m;
}

function action(p: Record<string, string>, moduleParams: Params = new Map()) {
  const decl: ActionDecl = { type: 'omfile', params: params(p), loc: LOC };
  return fileAction.create(decl, moduleParams, context());
}

test('static file: default template is RSYSLOG_FileFormat, batch written in order, mode 0644 despite umask', async () => {
  const file = join(tmp.dir, 'static', 'a.log');
  const old = process.umask(0o077);
  try {
    const a = action({ file });
    await a.deliver([msg('h1', 'app', 'one'), msg('h2', 'app', 'two')]);
    await a.deliver([msg('h3', 'app', 'three')]);
    await a.close();
    assert.equal(readFileSync(file, 'utf8'),
      '2026-03-04T05:06:07+00:00 h1 app: one\n2026-03-04T05:06:07+00:00 h2 app: two\n2026-03-04T05:06:07+00:00 h3 app: three\n');
    assert.equal(statSync(file).mode & 0o777, 0o644);
    assert.equal(statSync(join(tmp.dir, 'static')).mode & 0o777, 0o700);
    assert.equal(a.stats.delivered, 3);
  } finally {
    process.umask(old);
  }
});

test('fileCreateMode 0600 and module template default are honoured', async () => {
  const file = join(tmp.dir, 'mode', 'b.log');
  const a = action({ file, fileCreateMode: '0600' }, params({ template: 'RSYSLOG_TraditionalFileFormat' }));
  await a.deliver([msg('h', 'p', 'x')]);
  await a.close();
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(readFileSync(file, 'utf8'), 'Mar  4 05:06:07 h p: x\n');
});

test('dynaFile splits a batch per host and program', async () => {
  const a = action({ dynaFile: 'perHost', template: 'line' });
  await a.deliver([msg('web1', 'nginx', 'a'), msg('web2', 'nginx', 'b'), msg('web1', 'sshd', 'c'), msg('web1', 'nginx', 'd')]);
  await a.close();
  assert.equal(readFileSync(join(tmp.dir, 'hosts/web1/nginx.log'), 'utf8'), 'web1  a\nweb1  d\n');
  assert.equal(readFileSync(join(tmp.dir, 'hosts/web2/nginx.log'), 'utf8'), 'web2  b\n');
  assert.equal(readFileSync(join(tmp.dir, 'hosts/web1/sshd.log'), 'utf8'), 'web1  c\n');
});

test('dynaFile: a hostile hostname cannot leave the target directory', async () => {
  const a = action({ dynaFile: 'perHost', template: 'line' });
  await a.deliver([msg('../../../escape', 'evil', 'x'), msg('..', '..', 'y'), msg('a/../../b', 'p', 'z')]);
  await a.close();
  assert.equal(existsSync(join(tmp.dir, '..', 'escape')), false);
  assert.equal(existsSync(join(tmp.dir, 'escape')), false);
  const written: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else written.push(p);
    }
  };
  walk(join(tmp.dir, 'hosts'));
  const texts = written.map((p) => readFileSync(p, 'utf8')).join('');
  for (const t of [' x\n', ' y\n', ' z\n']) assert.ok(texts.includes(t), `message${t.trim()} kept inside hosts/`);
  for (const p of written) assert.ok(p.startsWith(join(tmp.dir, 'hosts') + '/'), `${p} is inside hosts/`);
});

test('reopen() after a logrotate-style rename writes to a fresh file', async () => {
  const file = join(tmp.dir, 'rot', 'c.log');
  const a = action({ file, template: 'line' });
  await a.deliver([msg('h', 'p', 'before')]);
  renameSync(file, file + '.1');
  a.reopen?.();
  await a.deliver([msg('h', 'p', 'after')]);
  await a.close();
  assert.equal(readFileSync(file + '.1', 'utf8'), 'h  before\n');
  assert.equal(readFileSync(file, 'utf8'), 'h  after\n');
});

test('a write error rejects the batch (queue retries) and does not crash', async () => {
  const dir = join(tmp.dir, 'err');
  mkdirSync(join(dir, 'is-a-dir.log'), { recursive: true });
  const a = action({ file: join(dir, 'is-a-dir.log'), template: 'line' });
  await assert.rejects(a.deliver([msg('h', 'p', 'lost?')]), (e: Error & { code?: string }) => {
    assert.match(e.message, /is-a-dir\.log/);
    assert.match(String(e.code), /^LW_ERR_FILE/);
    return true;
  });
  assert.equal(a.stats.delivered, 0);
  await a.close();
});

test('config errors name the place', () => {
  assert.throws(() => action({ template: 'line' }), /test\.conf:3:1: omfile needs exactly one of file= or dynaFile=/);
  assert.throws(() => action({ file: join(tmp.dir, 'x'), template: 'nope' }), /test\.conf:3:1: template "nope" is not defined/);
  assert.throws(() => action({ file: join(tmp.dir, 'x'), fileCreateMode: '999' }), /fileCreateMode="999" must be an octal mode/);
});

// omfile against the real filesystem: static and dynamic files, create modes independent of the process umask
// (filtered by a configured $Umask only),
// batching, reopen after logrotate's rename, path traversal from message content, write errors, dynaFile
// cache eviction, and the default template chosen through the full runtime (checked against rsyslogd).
import { after, test } from 'node:test';
import { createSocket } from 'node:dgram';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionDecl, ConfigModel, Param, Params } from '../../src/config/model';
import { StreamLogger } from '../../src/log';
import { Message } from '../../src/message';
import type { RuntimeContext } from '../../src/runtime/context';
import { SyslogTime, TimeSource } from '../../src/time';
import { fileAction } from '../../src/actions/file';
import { builtinTemplates, compileTemplate } from '../../src/templates';
import { readLines, tempDir, waitFor } from '../helpers/util';
import { startLogwarden } from '../helpers/logwarden';

const LOC = { file: 'test.conf', line: 3, col: 1 };
const tmp = tempDir('lw-file-action-');
after(() => tmp.cleanup());

function params(obj: Record<string, string>): Params {
  const m: Params = new Map<string, Param>();
  for (const [k, v] of Object.entries(obj)) m.set(k.toLowerCase(), { name: k, value: v, loc: LOC });
  return m;
}

function context(globals: Params = new Map()): RuntimeContext {
  const templates = builtinTemplates();
  const add = (name: string, string: string): void => {
    templates.set(name.toLowerCase(), compileTemplate({ name, type: 'string', string, options: new Map(), loc: LOC }));
  };
  add('perHost', `${tmp.dir}/hosts/%HOSTNAME%/%programname%.log`);
  add('line', '%hostname% %msg%\n');
  return {
    config: { globals } as ConfigModel,
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

function action(p: Record<string, string>, moduleParams: Params = new Map(), legacy = false) {
  const decl: ActionDecl = { type: 'omfile', params: params(p), loc: LOC, ...(legacy ? { legacy: true as const } : {}) };
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

test('a legacy selector-line file takes only template= from the omfile module, modes from $FileCreateMode (rsyslog parseSelectorAct)', async () => {
  const mp = params({ template: 'RSYSLOG_TraditionalFileFormat', fileCreateMode: '0600', dirCreateMode: '0750' });
  const plain = join(tmp.dir, 'legacy', 'sub', 'plain.log');
  const a = action({ file: plain }, mp, true);
  await a.deliver([msg('h', 'p', 'x')]);
  await a.close();
  assert.equal(statSync(plain).mode & 0o777, 0o644);
  assert.equal(statSync(join(tmp.dir, 'legacy', 'sub')).mode & 0o777, 0o700);
  assert.equal(readFileSync(plain, 'utf8'), 'Mar  4 05:06:07 h p: x\n');
  const directive = join(tmp.dir, 'legacy', 'directive.log');
  const b = action({ file: directive, fileCreateMode: '0640' }, mp, true);
  await b.deliver([msg('h', 'p', 'y')]);
  await b.close();
  assert.equal(statSync(directive).mode & 0o777, 0o640);
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

test('fileCreateMode 0640 / dirCreateMode 0750 are exact under umask 022 and 077', async () => {
  for (const umask of [0o022, 0o077]) {
    const base = join(tmp.dir, `umask-${umask.toString(8)}`);
    const old = process.umask(umask);
    try {
      const a = action({ file: join(base, 'd1', 'd2', 'f.log'), template: 'line', fileCreateMode: '0640', dirCreateMode: '0750' });
      await a.deliver([msg('h', 'p', 'm')]);
      await a.close();
    } finally {
      process.umask(old);
    }
    assert.equal(statSync(join(base, 'd1', 'd2', 'f.log')).mode & 0o777, 0o640, `file under umask ${umask.toString(8)}`);
    assert.equal(statSync(join(base, 'd1', 'd2')).mode & 0o777, 0o750, `inner dir under umask ${umask.toString(8)}`);
    assert.equal(statSync(join(base, 'd1')).mode & 0o777, 0o750, `outer dir under umask ${umask.toString(8)}`);
  }
});

test('$Umask / global(umask) filters fileCreateMode and dirCreateMode, as rsyslogd does', async () => {
  const base = join(tmp.dir, 'configured-umask');
  const decl: ActionDecl = { type: 'omfile', params: params({ file: join(base, 'd', 'f.log'), template: 'line', fileCreateMode: '0664', dirCreateMode: '0775' }), loc: LOC };
  const a = fileAction.create(decl, new Map(), context(params({ umask: '0077' })));
  await a.deliver([msg('h', 'p', 'm')]);
  await a.close();
  assert.equal(statSync(join(base, 'd', 'f.log')).mode & 0o777, 0o600);
  assert.equal(statSync(join(base, 'd')).mode & 0o777, 0o700);
});

test('dynaFile hostnames "." and "../../etc" stay under the base directory', async () => {
  const a = action({ dynaFile: 'perHost', template: 'line' });
  await a.deliver([msg('.', 'dot', 'd'), msg('../../etc', 'passwd', 'e')]);
  await a.close();
  assert.equal(existsSync(join(tmp.dir, '..', 'etc', 'passwd.log')), false);
  assert.equal(existsSync(join(tmp.dir, 'etc')), false);
  assert.equal(readFileSync(join(tmp.dir, 'hosts', '_', 'dot.log'), 'utf8'), '.  d\n');
  assert.equal(readFileSync(join(tmp.dir, 'hosts', '_', '_', 'etc', 'passwd.log'), 'utf8'), '../../etc  e\n');
});

test('dynaFileCacheSize=2: evicted files are reopened and appended, nothing lost across 5 files', async () => {
  const a = action({ dynaFile: 'perHost', template: 'line', dynaFileCacheSize: '2' });
  const hosts = ['c1', 'c2', 'c3', 'c4', 'c5'];
  for (let round = 0; round < 3; round++) {
    await a.deliver(hosts.map((h) => msg(h, 'cache', `r${round}`)));
  }
  await a.close();
  for (const h of hosts) assert.deepEqual(readLines(join(tmp.dir, 'hosts', h, 'cache.log')), [`${h}  r0`, `${h}  r1`, `${h}  r2`]);
});

test('a failed write keeps the batch; after the obstacle goes the retry writes it once', async () => {
  const dir = join(tmp.dir, 'retry');
  const target = join(dir, 'out.log');
  mkdirSync(target, { recursive: true });
  const a = action({ file: target, template: 'line' });
  const batch = [msg('h', 'p', 'kept')];
  await assert.rejects(a.deliver(batch));
  await assert.rejects(a.deliver(batch), 'still failing while the directory is there');
  // the obstacle is removed (as an operator would); the queue's next retry succeeds
  (await import('node:fs')).rmSync(target, { recursive: true });
  await a.deliver(batch);
  await a.close();
  assert.equal(readFileSync(target, 'utf8'), 'h  kept\n');
  assert.equal(a.stats.delivered, 1);
});

/** Start the runtime with `conf` (an imudp input on port 0 is prepended) and send frames to it. */
async function runAndSend(name: string, conf: string, frames: string[], file: string): Promise<string[]> {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  const srv = await startLogwarden(dir, `module(load="imudp")\ninput(type="imudp" port="0" address="127.0.0.1")\n${conf}\n`);
  const sock = createSocket('udp4');
  try {
    const port = srv.port('udp');
    for (const f of frames) await new Promise<void>((res, rej) => sock.send(Buffer.from(f), port, '127.0.0.1', (e) => (e ? rej(e) : res())));
    return await waitFor(() => { const l = readLines(file); return l.length >= frames.length ? l : null; }, `${frames.length} lines in ${file}`);
  } finally {
    sock.close();
    await srv.stop();
  }
}

const FRAME = '<13>1 2003-10-11T22:14:15.003Z h1 app 9 - - hello default';

test('runtime: omfile without a template uses RSYSLOG_FileFormat (rsyslogd 8.2302 does the same)', async () => {
  const file = join(tmp.dir, 'rt-default.log');
  const lines = await runAndSend('rt-default', `action(type="omfile" file="${file}")\n*.* ${file}.legacy`, [FRAME], file);
  assert.deepEqual(lines, ['2003-10-11T22:14:15.003Z h1 app[9] hello default']);
  assert.deepEqual(await waitFor(() => { const l = readLines(file + '.legacy'); return l.length ? l : null; }, 'legacy file'), lines);
});

test('runtime: module(load="builtin:omfile" template=…) changes the default template', async () => {
  const file = join(tmp.dir, 'rt-module.log');
  const lines = await runAndSend('rt-module', `module(load="builtin:omfile" template="RSYSLOG_TraditionalFileFormat")\naction(type="omfile" file="${file}")`, [FRAME], file);
  assert.deepEqual(lines, ['Oct 11 22:14:15 h1 app[9] hello default']);
});

test('runtime: $ActionFileDefaultTemplate changes the default; an explicit template= still wins', async () => {
  const file = join(tmp.dir, 'rt-legacy.log');
  const lines = await runAndSend('rt-legacy', [
    '$template Short,"%hostname%|%msg%\\n"',
    '$ActionFileDefaultTemplate RSYSLOG_TraditionalFileFormat',
    `*.* ${file}`,
    `action(type="omfile" file="${file}.explicit" template="Short")`,
  ].join('\n'), [FRAME], file);
  assert.deepEqual(lines, ['Oct 11 22:14:15 h1 app[9] hello default']);
  assert.deepEqual(await waitFor(() => { const l = readLines(file + '.explicit'); return l.length ? l : null; }, 'explicit file'), ['h1|hello default']);
});

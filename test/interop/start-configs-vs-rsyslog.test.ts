// Side by side with rsyslogd 8.2302: common configs that Logwarden used to refuse at start (Debian's backslash
// continuations, -?DynFile, failover `&` after a directive, reset, ip42num, mmjsonparse, parser directives) load
// and write exactly what rsyslogd writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rsyslogMissing } from '../helpers/rsyslog';
import { frame, runLogwarden, runRsyslogd, type SideCase } from './side-by-side';

const skip = rsyslogMissing();
const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'config', 'distro');

async function sideBySide(c: SideCase): Promise<void> {
  const theirs = await runRsyslogd(c);
  const ours = await runLogwarden(c);
  assert.deepEqual(ours, theirs);
  for (const f of c.files) assert.notEqual(theirs[f], undefined);
}

/** Every facility × a few severities, tagged so each line is identifiable. */
function pris(): string[] {
  const out: string[] = [];
  for (let f = 0; f < 24; f++) for (const s of [0, 3, 4, 5, 6, 7]) out.push(frame(f * 8 + s, `f${f}s${s}`));
  return out;
}

test('Debian 11 rsyslog.conf rules (backslash continuations, $ActionFileDefaultTemplate) route as in rsyslogd', { skip, timeout: 120_000 }, async () => {
  const shipped = readFileSync(join(FIXTURES, 'debian11-rsyslog.conf'), 'utf8');
  const rules = shipped.slice(shipped.indexOf('#### RULES ####'));
  const files = [...rules.matchAll(/-?\/var\/log\/([a-z.]+)/g)].map((m) => m[1]).filter((f) => !rules.includes(`#cron.*\t\t\t\t/var/log/${f}`));
  const conf = '$ActionFileDefaultTemplate RSYSLOG_TraditionalFileFormat\n'
    + rules.replaceAll('/var/log/', '{DIR}/').replace(':omusrmsg:*', '{DIR}/emerg');
  await sideBySide({ conf, frames: pris(), files: [...new Set([...files, 'emerg'])] });
});

test('-?DynFile, ?DynFile;template, :omfile:$outchannel and `&` after $ActionExecOnlyWhenPreviousIsSuspended (primary not suspended)', { skip, timeout: 120_000 }, async () => {
  await sideBySide({
    conf: [
      'template(name="raw" type="string" string="%msg%\\n")',
      '$template DynFile,"{DIR}/dyn-%programname%.log"',
      '$template DynRaw,"{DIR}/dynraw-%programname%.log"',
      'mail.* -?DynFile',
      'user.* ?DynRaw;raw',
      '*.* {DIR}/primary.log;raw',
      '$ActionExecOnlyWhenPreviousIsSuspended on',
      '& {DIR}/failover.log;raw',
      '$ActionExecOnlyWhenPreviousIsSuspended off',
      '$outchannel chan,{DIR}/chan.log,1048576,/bin/true',
      'local0.* :omfile:$chan;raw',
    ].join('\n'),
    frames: [frame(17, 'mail one', 'postfix:'), frame(14, 'user one', 'app:'), frame(13, 'user two', 'cron:'), frame(134, 'local0 x')],
    files: ['dyn-postfix.log', 'dynraw-app.log', 'dynraw-cron.log', 'primary.log', 'failover.log', 'chan.log'],
  });
});

test('reset replaces, set merges; ip42num is rsyslog\'s spelling of ipv42num', { skip, timeout: 120_000 }, async () => {
  await sideBySide({
    conf: [
      'template(name="v" type="string" string="%$!o% %$.n% %$.r%\\n")',
      'set $!o!a = "1";',
      'set $!o = parse_json("{\\"b\\":\\"2\\"}", "\\$.ignored");',
      'set $.n = ip42num("1.2.3.4");',
      'set $.r = "x";',
      'reset $.r = ipv42num("10.0.0.1");',
      'action(type="omfile" file="{DIR}/vars.out" template="v")',
    ].join('\n'),
    frames: [frame(13, 'one')],
    files: ['vars.out'],
  });
});

const MJ_FRAMES = ['@cee: {"a":"1","b":{"c":2}}', '@cee:{"a":"x"}  ', 'no cookie here', '@cee: not json', '@cee: [1,2]',
  '{"a":"plain"}', '  @cee:{"a":"lead"}', '@cee: {"a":"1"} trailing'].map((t) => frame(13, t));

test('mmjsonparse with the default cookie sets $! and $parsesuccess as rsyslogd', { skip, timeout: 120_000 }, async () => {
  await sideBySide({
    conf: [
      'module(load="mmjsonparse")',
      'template(name="j" type="string" string="[%$!a%] [%$!b!c%] [%parsesuccess%] [%$!msg%]\\n")',
      'action(type="mmjsonparse")',
      'action(type="omfile" file="{DIR}/mj.out" template="j")',
    ].join('\n'),
    frames: MJ_FRAMES,
    files: ['mj.out'],
  });
});

test('mmjsonparse cookie="" container="$.p" and useRawMsg', { skip, timeout: 120_000 }, async () => {
  await sideBySide({
    conf: [
      'module(load="mmjsonparse")',
      'template(name="j" type="string" string="[%$.p!a%] [%parsesuccess%] [%$!msg%] [%$.p!msg%]\\n")',
      'action(type="mmjsonparse" cookie="" container="$.p")',
      'action(type="omfile" file="{DIR}/mj.out" template="j")',
      'unset $!msg;',
      'action(type="mmjsonparse" useRawMsg="on" cookie="<13>")',
      'action(type="omfile" file="{DIR}/raw.out" template="j")',
    ].join('\n'),
    frames: MJ_FRAMES,
    files: ['mj.out', 'raw.out'],
  });
});

test('defaults: $ActionFileDefaultTemplate for action(type="omfile"), $LocalHostName for $myhostname', { skip, timeout: 120_000 }, async () => {
  await sideBySide({
    conf: [
      '$LocalHostName lw-test-host',
      'action(type="omfile" file="{DIR}/before.out")',
      '$ActionFileDefaultTemplate RSYSLOG_SyslogProtocol23Format',
      'action(type="omfile" file="{DIR}/after.out")',
      'template(name="me" type="string" string="%$myhostname% %hostname%\\n")',
      'action(type="omfile" file="{DIR}/me.out" template="me")',
    ].join('\n'),
    frames: [frame(13, 'one'), '<14>1 2026-10-11T22:14:15.123Z h5 app 77 ID1 - two'],
    files: ['before.out', 'after.out', 'me.out'],
  });
});

test('$RepeatedMsgReduction on: "message repeated N times: [msg]" exactly as rsyslogd', { skip, timeout: 120_000 }, async () => {
  const f = (t: string, host = 'h', sec = 15, pri = 13): string => `<${pri}>Oct 11 22:14:${sec} ${host} app: ${t}`;
  await sideBySide({
    conf: '$RepeatedMsgReduction on\n*.* {DIR}/rr.out\n*.* {DIR}/rr2.out;RSYSLOG_TraditionalFileFormat\n',
    frames: [f('same'), f('same'), f('same', 'h', 16), f('other', 'h', 17), f('other', 'h', 18, 14), f('other', 'h2', 18, 14),
      f('other', 'h2', 19, 14), f('x'), f('x', 'h', 20), f('x', 'h', 21), f('x', 'h', 22), f('last')],
    files: ['rr.out', 'rr2.out'],
  });
});

test('$Escape8BitCharactersOnReceive on escapes 8-bit bytes as rsyslogd', { skip, timeout: 120_000 }, async () => {
  await sideBySide({
    conf: '$Escape8BitCharactersOnReceive on\ntemplate(name="raw" type="string" string="%msg%\\n")\n*.* {DIR}/e.out;raw\n',
    frames: [frame(13, 'caf\u00e9 \u00fcber'), frame(13, 'plain')],
    files: ['e.out'],
  });
});

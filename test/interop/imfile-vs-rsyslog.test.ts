// imfile side by side with real rsyslog imfile: the same config tails the same files (a glob, rename rotation,
// copytruncate, a file created later, Java stack traces joined by startmsg.regex); both output files must hold
// the same lines.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rsyslogMissing, startRsyslog, type RsyslogPeer } from '../helpers/rsyslog';
import { startLogwarden, type TestServer } from '../helpers/logwarden';
import { readLines, tempDir, waitFor, waitForLines } from '../helpers/util';

const tmp = tempDir('lw-imfile-interop-');
after(() => tmp.cleanup());

function lines(prefix: string, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += `${prefix} line ${i}\n`;
  return s;
}

const JAVA = [
  '2026-01-02 03:04:05,123 ERROR [main] c.e.Service - request failed',
  'java.lang.IllegalStateException: bad state',
  '\tat com.example.Service.handle(Service.java:42)',
  '\tat com.example.Main.main(Main.java:7)',
  '2026-01-02 03:04:06,001 INFO  [main] c.e.Service - recovered',
  '2026-01-02 03:04:07,002 WARN  [main] c.e.Service - slow',
  '\tdetail line',
].join('\n') + '\n';

it('imfile: Logwarden and rsyslog imfile produce the same lines on the same files', { timeout: 120_000 }, async (t) => {
  const skip = rsyslogMissing();
  if (skip) return t.skip(skip);
  const logs = join(tmp.dir, 'logs');
  const rsDir = join(tmp.dir, 'rsyslog');
  const lwDir = join(tmp.dir, 'logwarden');
  for (const d of [logs, rsDir, lwDir]) mkdirSync(d, { recursive: true });
  writeFileSync(join(logs, 'a.log'), lines('a', 0, 50));
  writeFileSync(join(logs, 'b.log'), lines('b', 0, 50));
  writeFileSync(join(logs, 'java.trace'), '');
  const conf = (out: string): string => `module(load="imfile" mode="inotify")
input(type="imfile" File="${logs}/*.log" Tag="app:" Facility="local2" Severity="info" reopenOnTruncate="on")
input(type="imfile" File="${logs}/java.trace" Tag="java:" startmsg.regex="^[0-9]{4}-[0-9]{2}-[0-9]{2}" readTimeout="1")
template(name="m" type="string" string="%syslogtag%|%pri-text%|%msg%|%$!metadata!filename%\\n")
action(type="omfile" file="${out}" template="m")
`;
  const rsOut = join(rsDir, 'out.txt');
  const lwOut = join(lwDir, 'out.txt');
  let rs: RsyslogPeer | null = null;
  let lw: TestServer | null = null;
  try {
    rs = await startRsyslog(rsDir, conf(rsOut));
    lw = await startLogwarden(lwDir, conf(lwOut));
    const both = async (n: number, what: string): Promise<void> => {
      await waitFor(() => readLines(rsOut).length >= n && readLines(lwOut).length >= n, `${n} lines in both outputs (${what}): rsyslog ${readLines(rsOut).length}, logwarden ${readLines(lwOut).length}`, 30_000);
    };
    await both(100, 'initial');
    appendFileSync(join(logs, 'a.log'), lines('a', 50, 100));
    await both(150, 'append');
    renameSync(join(logs, 'a.log'), join(logs, 'a.log.1'));
    writeFileSync(join(logs, 'a.log'), lines('a', 100, 150));
    await both(200, 'rename rotation');
    copyFileSync(join(logs, 'b.log'), join(logs, 'b.log.1'));
    truncateSync(join(logs, 'b.log'), 0);
    appendFileSync(join(logs, 'b.log'), lines('b', 50, 60));
    await both(210, 'copytruncate');
    writeFileSync(join(logs, 'c.log'), lines('c', 0, 20));
    await both(230, 'new file');
    appendFileSync(join(logs, 'java.trace'), JAVA);
    await both(233, 'java traces (the last one after readTimeout)');
    const a = (await waitForLines(rsOut, 233, 10_000, 1500)).sort();
    const b = (await waitForLines(lwOut, 233, 10_000, 1500)).sort();
    assert.deepEqual(b, a);
  } finally {
    await lw?.stop();
    await rs?.stop();
  }
});

// imfile behaviours: message properties as rsyslog sets them, a reused inode, a glob that picks up new files,
// deletion, Java stack traces joined by startmsg.regex, freshStartTail, and push-back while the sink is congested.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { tempDir, waitFor } from '../../helpers/util';
import { ControlledSink } from '../inputs-helpers';
import { appendSeq, seqCheck, startImfile } from './helpers';

const tmp = tempDir('lw-imfile-');
after(() => tmp.cleanup());
let n = 0;
function dir(): string {
  const d = join(tmp.dir, `case-${++n}`);
  mkdirSync(d, { recursive: true });
  return d;
}

describe('imfile', () => {
  it('sets msg, tag, facility, severity, hostname, inputname and metadata as rsyslog', async () => {
    const d = dir();
    const f = join(d, 'a.log');
    writeFileSync(f, 'first line\nsecond\n');
    const { input, sink } = await startImfile(join(d, 'data'), { File: f, Tag: 'myapp:', Facility: 'local3', Severity: 'warning', addMetadata: 'on', ruleset: 'r1' });
    try {
      await waitFor(() => sink.messages.length === 2, 'two lines');
      const m = sink.messages[1];
      assert.equal(m.msg, 'second');
      assert.equal(m.rawmsg.toString(), 'second');
      assert.equal(m.syslogtag, 'myapp:');
      assert.equal(m.programname, 'myapp');
      assert.equal(m.facility, 19);
      assert.equal(m.severity, 4);
      assert.equal(m.hostname, hostname().split('.')[0]);
      assert.equal(m.inputname, 'imfile');
      assert.equal(m.ruleset, 'r1');
      assert.deepEqual(m.json, { metadata: { filename: f, fileoffset: '11' } });
    } finally {
      await input.stop();
    }
  });

  it('a new file on a reused inode (same inode, other head) is read from its start', async () => {
    const d = dir();
    const f = join(d, 'a.log');
    const data = join(d, 'data');
    appendSeq(f, 0, 100);
    let t = await startImfile(data, { File: f });
    await waitFor(() => t.sink.messages.length === 100, '100 lines');
    await t.input.stop();
    // Same inode, new content of the same length and longer: only the head hash tells it is another file.
    writeFileSync(f, '');
    appendSeq(f, 500, 700);
    t = await startImfile(data, { File: f });
    try {
      await waitFor(() => t.sink.messages.length === 200, 'the new file from its start');
      assert.equal(t.sink.messages[0].msg, 'seq 000500 payload-15');
    } finally {
      await t.input.stop();
    }
  });

  it('a glob picks up files created later; a deleted file is finished and forgotten', async () => {
    const d = dir();
    writeFileSync(join(d, 'a.log'), 'a1\n');
    const { input, sink } = await startImfile(join(d, 'data'), { File: join(d, '*.log') });
    try {
      await waitFor(() => sink.messages.length === 1, 'a1');
      assert.equal((sink.messages[0].json as { metadata: { filename: string } }).metadata.filename, join(d, 'a.log'), 'addMetadata defaults on with wildcards');
      writeFileSync(join(d, 'b.log'), 'b1\nb2\n');
      writeFileSync(join(d, 'b.txt'), 'not matched\n');
      await waitFor(() => sink.messages.length === 3, 'b.log lines');
      appendFileSync(join(d, 'a.log'), 'a2 no newline yet');
      unlinkSync(join(d, 'a.log'));
      await waitFor(() => sink.messages.length === 4, 'the last partial line of the deleted file');
      assert.deepEqual(sink.texts(), ['a1', 'b1', 'b2', 'a2 no newline yet']);
    } finally {
      await input.stop();
    }
  });

  it('joins Java stack traces with startmsg.regex (and flushes the last one after readTimeout)', async () => {
    const d = dir();
    const f = join(d, 'java.log');
    writeFileSync(f, [
      '2026-01-02 03:04:05,123 ERROR [main] c.e.Service - request failed',
      'java.lang.IllegalStateException: bad state',
      '\tat com.example.Service.handle(Service.java:42)',
      '\tat com.example.Main.main(Main.java:7)',
      'Caused by: java.io.IOException: disk',
      '\t... 2 more',
      '2026-01-02 03:04:06,001 INFO  [main] c.e.Service - recovered',
      '',
    ].join('\n'));
    const { input, sink } = await startImfile(join(d, 'data'), { File: f, 'startmsg.regex': '^[0-9]{4}-[0-9]{2}-[0-9]{2}', readTimeout: '1', escapeLF: 'off' });
    try {
      await waitFor(() => sink.messages.length === 2, 'two records');
      assert.equal(sink.messages[0].msg.split('\n').length, 6);
      assert.match(sink.messages[0].msg, /^2026-01-02 03:04:05,123 ERROR .*\n\t\.\.\. 2 more$/s);
      assert.equal(sink.messages[1].msg, '2026-01-02 03:04:06,001 INFO  [main] c.e.Service - recovered');
    } finally {
      await input.stop();
    }
  });

  it('freshStartTail skips what the file held at the first start', async () => {
    const d = dir();
    const f = join(d, 'a.log');
    writeFileSync(f, 'old1\nold2\n');
    const { input, sink } = await startImfile(join(d, 'data'), { File: f, freshStartTail: 'on' });
    try {
      appendFileSync(f, 'new1\n');
      await waitFor(() => sink.messages.length === 1, 'new1');
      assert.deepEqual(sink.texts(), ['new1']);
    } finally {
      await input.stop();
    }
  });

  it('stops reading while the sink is congested and resumes on drain', async () => {
    const d = dir();
    const f = join(d, 'a.log');
    appendSeq(f, 0, 20_000);
    const sink = new ControlledSink();
    sink.congested = true;
    const { input } = await startImfile(join(d, 'data'), { File: f, MaxLinesAtOnce: '100' }, {}, sink);
    try {
      await waitFor(() => sink.waiting > 0, 'the input waiting for drain');
      assert.equal(sink.messages.length, 0, 'nothing read while congested');
      sink.drain();
      await waitFor(() => sink.messages.length > 0, 'reading after drain');
      sink.congested = true;
      const at = sink.messages.length;
      await waitFor(() => sink.waiting > 0, 'waiting again');
      assert.ok(sink.messages.length - at <= 100 + 8192, 'at most one turn more after congestion');
      sink.drain();
      const iv = setInterval(() => sink.drain(), 5);
      await waitFor(() => sink.messages.length === 20_000, 'all lines');
      clearInterval(iv);
      assert.deepEqual(seqCheck(sink.texts(), 20_000).missing, []);
    } finally {
      await input.stop();
    }
  });
});

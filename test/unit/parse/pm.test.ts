// rsyslog's extra parser modules (src/parse/pm.ts) in a ruleset's parser chain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RULESET } from '../../../src/config/model';
import { Message } from '../../../src/message';
import { SyslogTime } from '../../../src/time';
import { parseOptions, parseSyslog } from '../../../src/parse/index';
import { aixForwardedFrom, ciscoIos, lastmsg, snare } from '../../../src/parse/pm';

function parse(frame: string, pre: Parameters<typeof parseOptions>[0] = {}): Message {
  const m = new Message(Buffer.from(frame, 'latin1'), { inputname: 'imtcp', fromhostIp: '127.0.0.1', fromhost: 'peer', ruleset: DEFAULT_RULESET }, SyslogTime.now());
  parseSyslog(Buffer.from(frame, 'latin1'), m, parseOptions(pre));
  return m;
}

test('pmlastmsg takes only a bare "last message repeated N times" frame', () => {
  const m = parse('<13>last message repeated 12 times', { preParsers: [lastmsg] });
  assert.equal(m.msg, 'last message repeated 12 times');
  assert.equal(m.syslogtag, '');
  assert.equal(m.hostname, 'peer');
  assert.equal(m.timereported, m.timegenerated);
  const n = parse('<13>Oct  1 01:02:04 last message repeated 3 times', { preParsers: [lastmsg] });
  assert.equal(n.hostname, 'last'); // not ours: RFC 3164 takes it
});

test('pmaixforwardedfrom removes "Message forwarded from" and the colon after the host', () => {
  const m = parse('<13>Oct  1 01:02:07 Message forwarded from aixhost: sshd[42]: hello', { preParsers: [aixForwardedFrom] });
  assert.equal(m.hostname, 'aixhost');
  assert.equal(m.syslogtag, 'sshd[42]:');
  assert.equal(m.msg, ' hello');
  assert.equal(m.rawmsg.toString(), '<13>Oct  1 01:02:07 aixhost sshd[42]: hello');
  assert.equal(parse('<13>Oct  1 01:02:07 host app: x', { preParsers: [aixForwardedFrom] }).hostname, 'host');
});

test('pmsnare turns the tab after the Snare tag (escaped as #011 by default) into a space', () => {
  const m = parse('<14>May 17 02:25:10 lab.home MSWinEventLog\t1\tSecurity\t606129', { preParsers: [snare] });
  assert.equal(m.hostname, 'lab.home');
  assert.equal(m.syslogtag, 'MSWinEventLog');
  assert.equal(m.msg, ' 1#011Security#011606129');
});

test('pmciscoios: counter, optional origin, *timestamp with zone name, %TAG', () => {
  const withOrigin = parse('<189>123: rtr-1.example.net: *Jan 15 10:22:01.123 UTC: %SYS-5-CONFIG_I: Configured', { preParsers: [ciscoIos(true, false)] });
  assert.equal(withOrigin.hostname, 'rtr-1.example.net');
  assert.equal(withOrigin.syslogtag, '%SYS-5-CONFIG_I:');
  assert.equal(withOrigin.msg, ' Configured');
  assert.equal(withOrigin.timereported.second, 1);
  const plain = parse('<190>4567: Jan 15 10:22:02: %SEC-6-IPACCESSLOGP: list 101', { preParsers: [ciscoIos(false, false)] });
  assert.equal(plain.hostname, 'peer');
  assert.equal(plain.syslogtag, '%SEC-6-IPACCESSLOGP:');
  assert.equal(plain.msg, ' list 101');
  const other = parse('<13>Oct  1 01:02:03 host app: text', { preParsers: [ciscoIos(false, false)] });
  assert.equal(other.syslogtag, 'app:'); // not Cisco: RFC 3164 takes it
});

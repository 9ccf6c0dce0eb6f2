// A real rsyslogd forwards with `*.* @@host:port` (TCP), `*.* @host:port` (UDP), and omfwd with
// RSYSLOG_SyslogProtocol23Format over both, to Logwarden AND to a second, reference rsyslogd with the same
// receiving config. Logwarden's msg (JSON-escaped, so every byte shows), hostname, syslogtag and programname must
// equal the reference receiver's, line for line.
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startLogwarden, type TestServer } from '../helpers/logwarden';
import { rsyslogMissing, startRsyslog, tcpAccepts, type RsyslogPeer } from '../helpers/rsyslog';
import { freePort, tempDir, waitForLines } from '../helpers/util';

/** Messages injected into rsyslog: RFC 3164 and RFC 5424, UTF-8, quotes, brackets, odd spacing. */
const SOURCE_MESSAGES = [
  '<13>Oct 11 22:14:15 mymachine su: \'su root\' failed for lonvick on /dev/pts/8',
  '<34>Oct  1 02:03:04 host2 sshd[4721]: Failed password for invalid user admin from 203.0.113.9 port 52814 ssh2',
  '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] An application event log entry...',
  '<86>1 2024-03-01T12:00:00.123456+09:00 web01 nginx 1234 ACCESS - GET /index.html "quoted" and [brackets]',
  '<30>Feb 29 23:59:59 db01 postgres[99]: ünïcödé text ✓ with    multiple   spaces',
  '<11>Jan  5 00:00:00 app kernel: [12345.678] oom-killer: gfp_mask=0x201da',
  '<190>Mar 10 10:10:10 router %ASA-6-302013: Built outbound TCP connection 1 for outside:10.0.0.1/80',
  '<14>Apr  1 11:11:11 h1 app: {"log_type":"login_manager","message":"Successfully logged in.","params":{"username":"alice"}}',
  '<133>1 2025-01-15T07:25:36+00:00 OneGate manager - - - tail with trailing spaces   ',
  '<15>May  5 05:05:05 h2 tag-without-colon message after it',
];

const KINDS = ['tcp', 'udp', 'p23tcp', 'p23udp'] as const;
type Kind = (typeof KINDS)[number];
const TEMPLATE = 'template(name="m" type="string" string="%hostname%|%syslogtag%|%programname%|%msg:::json%\\n")';

/** Receiving side config (identical for Logwarden and the reference rsyslogd): one input + file per kind. */
function receiverConfig(ports: Record<Kind, number>, files: Record<Kind, string>): string {
  const lines = ['module(load="imudp")', 'module(load="imtcp")', TEMPLATE];
  for (const k of KINDS) {
    lines.push(`ruleset(name="r_${k}") { action(type="omfile" file="${files[k]}" template="m") }`);
    const type = k.endsWith('udp') ? 'imudp' : 'imtcp';
    lines.push(`input(type="${type}" address="127.0.0.1" port="${ports[k]}" ruleset="r_${k}")`);
  }
  return lines.join('\n');
}

function forwardTo(ports: Record<Kind, number>): string {
  return [
    `*.* @@127.0.0.1:${ports.tcp}`,
    `*.* @127.0.0.1:${ports.udp}`,
    `action(type="omfwd" target="127.0.0.1" port="${ports.p23tcp}" protocol="tcp" template="RSYSLOG_SyslogProtocol23Format")`,
    `action(type="omfwd" target="127.0.0.1" port="${ports.p23udp}" protocol="udp" template="RSYSLOG_SyslogProtocol23Format")`,
  ].join('\n');
}

async function ports4(): Promise<Record<Kind, number>> {
  return { tcp: await freePort(), udp: await freePort(), p23tcp: await freePort(), p23udp: await freePort() };
}

describe('rsyslogd forwarding → logwarden, side by side with a reference rsyslogd receiver', { skip: rsyslogMissing() }, () => {
  const tmp = tempDir();
  let server: TestServer;
  let sender: RsyslogPeer;
  let reference: RsyslogPeer;
  let injectPort = 0;
  const files = (who: string): Record<Kind, string> =>
    Object.fromEntries(KINDS.map((k) => [k, join(tmp.dir, `${who}-${k}.log`)])) as Record<Kind, string>;
  const ours = files('logwarden');
  const theirs = files('rsyslog');

  before(async () => {
    injectPort = await freePort();
    const lwPorts = await ports4();
    const refPorts = await ports4();
    server = await startLogwarden(tmp.dir, receiverConfig(lwPorts, ours));
    const refDir = join(tmp.dir, 'ref');
    mkdirSync(refDir);
    reference = await startRsyslog(refDir, receiverConfig(refPorts, theirs), () => tcpAccepts(refPorts.tcp));
    const sendDir = join(tmp.dir, 'sender');
    mkdirSync(sendDir);
    sender = await startRsyslog(sendDir, `
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="${injectPort}")
${forwardTo(lwPorts)}
${forwardTo(refPorts)}
`, () => tcpAccepts(injectPort));
  });

  after(async () => {
    await sender?.stop();
    await reference?.stop();
    await server?.stop();
    tmp.cleanup();
  });

  test('msg, hostname, syslogtag and programname equal the reference rsyslogd for every transport and template', async () => {
    await new Promise<void>((resolve, reject) => {
      const s = connect(injectPort, '127.0.0.1', () => {
        s.end(SOURCE_MESSAGES.map((m) => m + '\n').join(''), () => resolve());
      });
      s.once('error', reject);
    });
    const n = SOURCE_MESSAGES.length;
    for (const k of KINDS) {
      const want = await waitForLines(theirs[k], n);
      assert.equal(want.length, n, `reference rsyslogd got every ${k} message`);
      const got = await waitForLines(ours[k], n);
      assert.deepEqual([...got].sort(), [...want].sort(), `${k}: Logwarden's view differs from rsyslogd's`);
    }
  });
});

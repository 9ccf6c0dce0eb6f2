// Real util-linux `logger` sends over UDP and TCP (LF and octet-counted framing), RFC 3164 and RFC 5424, to
// `logwarden`; every message must land exactly once in the file with the right host, tag, facility, severity.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startLogwarden, type TestServer } from '../helpers/logwarden';
import { freePort, peersRequired, tempDir, waitForLines } from '../helpers/util';

const LOGGER = '/usr/bin/logger';
const missing = existsSync(LOGGER) ? false : peersRequired() ? assert.fail('logger required') : 'logger not installed';

interface Case { name: string; args: string[]; facility: string; severity: string }

const CASES: Case[] = [];
for (const transport of [['--udp'], ['--tcp'], ['--tcp', '--octet-count']]) {
  for (const format of ['--rfc3164', '--rfc5424']) {
    const i = CASES.length;
    const facility = ['local0', 'local3', 'auth', 'mail', 'daemon', 'user'][i % 6];
    const severity = ['warning', 'err', 'info', 'notice', 'debug', 'crit'][i % 6];
    CASES.push({ name: `${transport.join(' ')} ${format}`, args: [...transport, format], facility, severity });
  }
}

describe('logger → logwarden', { skip: missing }, () => {
  const tmp = tempDir();
  let server: TestServer;
  let port = 0;
  const out = join(tmp.dir, 'out.log');

  before(async () => {
    port = await freePort();
    server = await startLogwarden(tmp.dir, `
module(load="imudp")
module(load="imtcp")
input(type="imudp" port="${port}" address="127.0.0.1")
input(type="imtcp" port="${port}" address="127.0.0.1")
template(name="fields" type="string" string="%hostname%|%syslogtag%|%programname%|%syslogfacility-text%|%syslogseverity-text%|%msg%\\n")
action(type="omfile" file="${out}" template="fields")
`);
  });
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  test('every message arrives exactly once with its header fields', async () => {
    let n = 0;
    const expected = new Map<string, Case>();
    for (const c of CASES) {
      for (let k = 0; k < 5; k++) {
        const text = `logger-case-${CASES.indexOf(c)}-msg-${k} with some words`;
        const tag = `lwtag${CASES.indexOf(c)}`;
        const r = spawnSync(LOGGER, [...c.args, '-n', '127.0.0.1', '-P', String(port), '-t', tag, '-p', `${c.facility}.${c.severity}`, text], { encoding: 'utf8' });
        assert.equal(r.status, 0, `logger ${c.name} failed: ${r.stderr}`);
        expected.set(text, c);
        n++;
      }
    }
    const lines = await waitForLines(out, n);
    assert.equal(lines.length, n, `expected ${n} lines, got ${lines.length}:\n${lines.join('\n')}`);
    const seen = new Set<string>();
    for (const line of lines) {
      const [host, tag, program, facility, severity, ...rest] = line.split('|');
      const msg = rest.join('|').trim();
      const c = expected.get(msg);
      assert.ok(c, `unexpected message ${JSON.stringify(line)}`);
      assert.ok(!seen.has(msg), `duplicate ${msg}`);
      seen.add(msg);
      const idx = CASES.indexOf(c);
      assert.equal(host, hostname(), `${c.name}: hostname`);
      // rsyslog's syslogtag is "app:" for RFC 3164 but APP-NAME alone for RFC 5424 (checked with rsyslogd 8.2302).
      const wantTag = c.args.includes('--rfc5424') ? `lwtag${idx}` : `lwtag${idx}:`;
      assert.equal(tag, wantTag, `${c.name}: syslogtag`);
      assert.equal(program, `lwtag${idx}`, `${c.name}: programname`);
      assert.equal(facility, c.facility, `${c.name}: facility`);
      assert.equal(severity, c.severity, `${c.name}: severity`);
    }
    assert.equal(seen.size, n);
  });
});

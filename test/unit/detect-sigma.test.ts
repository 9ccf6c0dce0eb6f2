// Sigma rules in the public format load and behave (each with log lines that must and must not fire), and
// rules with unsupported constructs are refused with a reason, never approximated.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { formatDiagnostics } from '../../src/config/diagnostics';
import { loadRuleFiles } from '../../src/detect/load';
import { replay } from '../../src/detect/replay';

const DIR = join(resolve(__dirname, '..', '..', '..'), 'test', 'fixtures', 'sigma');
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

const ng = (ip: string, req: string, status: number, ua = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0', sec = 1): string =>
  `2025-01-15T07:00:${String(sec % 60).padStart(2, '0')}.000000+00:00 web1 nginx: ${ip} - - [15/Jan/2025:07:00:${String(sec % 60).padStart(2, '0')} +0000] "${req}" ${status} 512 "-" "${ua}"`;
const ts = (s: number): string => `2025-01-15T07:${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}.000000+00:00`;

interface Case {
  file: string;
  fires: string[][];
  silent: string[][];
}

const CASES: Case[] = [
  {
    file: 'lnx_sshd_protocol_anomalies.yml',
    fires: [[`${ts(1)} bastion sshd[811]: error: Corrupted MAC on input. [preauth]`], [`${ts(1)} bastion sshd[812]: fatal: ssh_dispatch_run_fatal: Connection from 203.0.113.9 port 40022: error in libcrypto [preauth]`]],
    silent: [[`${ts(1)} bastion sshd[811]: Accepted publickey for deploy from 192.0.2.10 port 50022 ssh2`], [`${ts(1)} bastion app[1]: Corrupted MAC on input`]],
  },
  {
    file: 'lnx_auth_failed_logins_many_users.yml',
    fires: [['root', 'admin', 'oracle', 'test'].map((u, i) => `<86>Jan 15 07:0${i}:00 bastion sshd[90${i}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.7  user=${u}`)],
    silent: [
      ['root', 'admin', 'oracle'].map((u, i) => `<86>Jan 15 07:0${i}:00 bastion sshd[90${i}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.7  user=${u}`),
      ['root', 'admin', 'oracle', 'test'].map((u, i) => `<86>Jan 15 0${i * 2}:00:00 bastion sshd[90${i}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.7  user=${u}`),
    ],
  },
  {
    file: 'lnx_sudo_negative_uid.yml',
    fires: [[`${ts(1)} db1 sudo[4411]:    mallory : TTY=pts/2 ; PWD=/home/mallory ; USER=#-1 ; COMMAND=/usr/bin/id`], [`${ts(1)} db1 sudo[4412]:    mallory : TTY=pts/2 ; PWD=/tmp ; USER=#4294967295 ; COMMAND=/bin/sh`]],
    silent: [[`${ts(1)} db1 sudo[4411]:    alice : TTY=pts/2 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id`]],
  },
  {
    file: 'web_sqli_keywords.yml',
    fires: [[ng('45.9.148.3', 'GET /item.php?id=-1%20UNION%20ALL%20SELECT%201,@@version,3-- HTTP/1.1', 200)], [ng('45.9.148.3', "GET /login?u=admin'+or+'1'='1 HTTP/1.1", 302)]],
    silent: [[ng('45.9.148.3', 'GET /item.php?id=-1%20UNION%20SELECT%201 HTTP/1.1', 404)], [ng('45.9.148.3', 'POST /item.php?id=1%20UNION%20SELECT%201 HTTP/1.1', 200)], [ng('192.0.2.8', 'GET /search?q=union+station HTTP/1.1', 200)]],
  },
  {
    file: 'web_path_traversal.yml',
    fires: [[ng('185.220.101.4', 'GET /static/../../etc/shadow HTTP/1.1', 400)], [ng('185.220.101.4', 'GET /dl?f=..%2F..%2Fapp.ini HTTP/1.1', 404)]],
    silent: [[ng('192.0.2.8', 'GET /static/../app.js HTTP/1.1', 200)], [ng('192.0.2.8', 'GET /docs/index.html HTTP/1.1', 200)]],
  },
  {
    file: 'web_scanner_user_agents.yml',
    fires: [[ng('45.9.148.4', 'GET / HTTP/1.1', 200, 'Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:map_codes)')], [ng('45.9.148.5', 'GET /.env HTTP/1.1', 404, 'curl/8.5.0')]],
    silent: [[ng('192.0.2.8', 'GET /index.html HTTP/1.1', 200, 'curl/8.5.0')], [ng('192.0.2.8', 'GET / HTTP/1.1', 200)]],
  },
  {
    file: 'lnx_log_tampering.yml',
    fires: [[`${ts(1)} web1 bash[2201]: HISTORY: PID=2201 UID=0 rm -rf /var/log/nginx`], [`${ts(1)} web1 bash[2202]: HISTORY: PID=2202 UID=1000 unset HISTFILE`]],
    silent: [[`${ts(1)} web1 logrotate[2203]: rotating /var/log/nginx/access.log`]],
  },
  {
    file: 'lnx_privileged_user_created.yml',
    fires: [[`${ts(1)} db1 useradd[4410]: new user: name=toor, UID=0, GID=0, home=/root, shell=/bin/bash, from=/dev/pts/1`]],
    silent: [[`${ts(1)} db1 useradd[4410]: new user: name=bob, UID=1002, GID=1002, home=/home/bob, shell=/bin/bash, from=/dev/pts/1`], [`${ts(1)} db1 groupadd[4409]: new group: name=wheel2, GID=0`]],
  },
  {
    file: 'lnx_cron_crontab_replaced.yml',
    fires: [['<78>Jan 15 07:00:01 web1 crontab[3310]: (www-data) REPLACE (www-data)']],
    silent: [['<78>Jan 15 07:00:01 web1 crontab[3311]: (root) REPLACE (root)'], ['<78>Jan 15 07:00:01 web1 crontab[3312]: (alice) LIST (alice)'], ['<13>Jan 15 07:00:01 web1 myapp[3313]: REPLACE INTO cache VALUES (1)']],
  },
  {
    file: 'web_tor_exit_success.yml',
    fires: [[ng('185.220.101.33', 'GET /admin/users HTTP/1.1', 200)]],
    silent: [[ng('185.220.101.33', 'GET /admin/users HTTP/1.1', 302)], [ng('185.220.102.33', 'GET /admin/users HTTP/1.1', 200)], [ng('185.220.101.33', 'GET /public HTTP/1.1', 200)]],
  },
  {
    file: 'web_client_error_burst.yml',
    fires: [Array.from({ length: 11 }, (_, i) => ng('203.0.113.80', `GET /wp-login.php?x=${i} HTTP/1.1`, 404, undefined, i * 3))],
    silent: [Array.from({ length: 10 }, (_, i) => ng('203.0.113.80', `GET /wp-login.php?x=${i} HTTP/1.1`, 404, undefined, i * 3)), Array.from({ length: 11 }, (_, i) => ng(`203.0.113.${i}`, `GET /x HTTP/1.1`, 404, undefined, i))],
  },
  {
    file: 'web_ssti_regex.yml',
    fires: [[ng('45.9.148.7', 'GET /hello?name={{7*7}} HTTP/1.1', 200)], [ng('45.9.148.7', 'GET /hello?name=%24%7B7%2A7%7D HTTP/1.1', 200)]],
    silent: [[ng('192.0.2.8', 'GET /hello?name=Bob HTTP/1.1', 200)]],
  },
];

test('every supported Sigma rule loads without diagnostics', () => {
  const set = loadRuleFiles([join(DIR, 'ok')]);
  assert.equal(formatDiagnostics(set.diagnostics), '');
  assert.equal(set.rules.length, readdirSync(join(DIR, 'ok')).length);
  assert.ok(set.rules.length >= 10);
  assert.ok(set.rules.every((r) => r.format === 'sigma'));
});

let rows = 0;
for (const c of CASES) {
  test(`sigma ${c.file}: fires and stays silent as expected`, () => {
    const set = loadRuleFiles([join(DIR, 'ok', c.file)]);
    assert.equal(formatDiagnostics(set.diagnostics), '');
    assert.equal(set.rules.length, 1);
    for (const lines of c.fires) assert.ok(replay(set.rules, lines, { nowMs: NOW }).detections.length > 0, `did not fire on:\n${lines.join('\n')}`);
    for (const lines of c.silent) assert.equal(replay(set.rules, lines, { nowMs: NOW }).detections.length, 0, `fired on:\n${lines.join('\n')}`);
    rows++;
  });
}

test('every supported rule has behaviour cases, and all ran', () => {
  assert.deepEqual(CASES.map((c) => c.file).sort(), readdirSync(join(DIR, 'ok')).sort());
  assert.equal(rows, CASES.length);
});

const REFUSALS: Array<[string, RegExp]> = [
  ['windash.yml', /windash/],
  ['process_creation.yml', /process_creation needs endpoint telemetry/],
  ['less_than.yml', /comparison "<" is not supported/],
  ['near.yml', /near/],
  ['base64offset.yml', /base64offset/],
];

for (const [file, reason] of REFUSALS) {
  test(`sigma ${file} is refused with a reason`, () => {
    const set = loadRuleFiles([join(DIR, 'refused', file)]);
    assert.equal(set.rules.length, 0);
    const errs = set.diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errs.length, 1, formatDiagnostics(set.diagnostics));
    assert.equal(errs[0]!.code, 'LW_ERR_SIGMA_UNSUPPORTED');
    assert.match(errs[0]!.message, reason);
    assert.ok(errs[0]!.loc.line > 1, 'the refusal points into the rule');
  });
}

// LW_WARN_CONFIG_RSYSLOG_REFUSES against the real rsyslogd 8.2302 -N1: Logwarden warns exactly for the texts
// rsyslogd refuses at load (toupper(), cbool(), a `$` in a double-quoted expression string) and accepts them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { lookupComponent } from '../unit/config/specs';

const dir = mkdtempSync(join(tmpdir(), 'lw-rsyslog-refuses-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const TAIL = `\n*.* ${join(dir, 'sink.log')}\n`;

/** [config line, rsyslogd 8.2302 refuses it] */
const CASES: Array<[string, boolean]> = [
  ['set $.x = toupper($msg);', true],
  ['set $.x = TOUPPER($msg);', true],
  ['set $.x = cbool($msg);', true],
  ['set $.x = tolower($msg);', false],
  ['set $.x = "a$b";', true],
  ['set $.x = "$";', true],
  ['set $.x = "\\$x";', false],
  ['set $.x = "\\\\$";', true],
  ["set $.x = 'a$b';", false],
  ['if $msg == "a$" then stop', true],
  ['if re_match($msg, "^$") then stop', true],
  ["if re_match($msg, '^$') then stop", false],
  ['foreach ($.i in parse_json("[1]", "$!a")) do { stop }', true],
  ['call_indirect "a$";', true],
  ['template(name="t" type="string" string="a$b")', false],
  [':msg, contains, "a$b" stop', false],
];

let n = 0;
function rsyslogRefuses(line: string): boolean {
  const conf = join(dir, `c${n++}.conf`);
  writeFileSync(conf, `global(workDirectory="${dir}")\n${line}${TAIL}`);
  const r = spawnSync('rsyslogd', ['-N1', '-f', conf], { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.error, undefined, `rsyslogd could not run: ${String(r.error)}`);
  return r.status !== 0 || /error during parsing/.test(r.stderr);
}

for (const [line, refused] of CASES) {
  test(`${refused ? 'warned' : 'not warned'} as rsyslogd -N1 ${refused ? 'refuses' : 'accepts'}: ${line}`, () => {
    assert.equal(rsyslogRefuses(line), refused, 'rsyslogd verdict');
    const diags = loadConfig('/t.conf', { lookupComponent, text: line + '\n' }).diagnostics;
    assert.deepEqual(diags.filter((d) => d.severity === 'error'), []);
    assert.equal(diags.some((d) => d.code === 'LW_WARN_CONFIG_RSYSLOG_REFUSES'), refused);
  });
}

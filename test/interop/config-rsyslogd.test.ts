// Compares our verdict with the real `rsyslogd -N1`: configs rsyslog rejects we reject; seeds it accepts we accept.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { lookupComponent } from '../unit/config/specs';

const dir = mkdtempSync(join(tmpdir(), 'lw-rsyslog-n1-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const SEEDS = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'config', 'seeds');
/** A valid action appended to every case so rsyslog's "no active actions" complaint never masks the verdict. */
const TAIL = `\n*.* ${join(dir, 'sink.log')}\n`;

let n = 0;
/** rsyslogd's verdict: error lines on stderr (its "warnings occurred" lines alone are not a rejection). */
function rsyslogErrors(text: string): string[] {
  const conf = join(dir, `c${n++}.conf`);
  writeFileSync(conf, `global(workDirectory="${dir}")\n${text}${TAIL}`);
  const r = spawnSync('rsyslogd', ['-N1', '-f', conf], { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.error, undefined, `rsyslogd could not run: ${String(r.error)}`);
  return r.stderr.split('\n').filter((l) => l.startsWith('rsyslogd:') && !/warnings occurred|version 8|End of config|no listeners/.test(l));
}

function ourErrors(text: string): string[] {
  return loadConfig('/t.conf', { lookupComponent, text: `module(load="imudp")\nmodule(load="imtcp")\n${text}` }).diagnostics
    .filter((d) => d.severity === 'error').map((d) => d.code);
}

const REJECTED_BY_BOTH: Array<[string, string]> = [
  ['bad facility', 'mial.* /tmp/x'],
  ['bad severity', 'mail.inf /tmp/x'],
  ['comma-joined negations', 'cron.!info,!debug /tmp/cron.log'],
  ['selector without action', 'ruleset(name="x") { mail.* }'],
  ['contains_i in legacy property filter', ':msg, contains_i, "x" /tmp/x'],
  ['bad compare op', ':msg, endswith, "x" /tmp/x'],
  ['unknown property', ':msgx, contains, "x" /tmp/x'],
  ['unknown property in expression', 'if $msgx == "a" then stop'],
  ['unknown template', '*.* /tmp/x;nosuch'],
  ['unknown dynafile template', '*.* ?nosuchtpl'],
  ['unknown module', 'module(load="imfoo")'],
  ['unknown module parameter', 'module(load="imptcp" foo="1")'],
  ['unknown global parameter', 'global(foo="1")'],
  ['unknown directive', '$ModeLoad imudp'],
  ['duplicate ruleset', 'ruleset(name="a"){ stop }\nruleset(name="a"){ stop }'],
  ['missing include', `include(file="${join(tmpdir(), 'lw-definitely-missing.conf')}")`],
  ['call of unknown ruleset', 'call nosuch'],
  ['unquoted object value', 'input(type="imtcp" port=10514)'],
  ['single-quoted object value', "action(type='omfile' file='/tmp/x')"],
  ['invalid escape', 'template(name="t" type="string" string="a\\qb")'],
  ['if without then', 'if $msg == "x" /tmp/x'],
  ['endswith is not a RainerScript operator', 'if $msg endswith "x" then /tmp/x'],
  ['& without action', ':programname, isequal, "sshd"\n& /tmp/y'],
  ['bad queue size', 'action(type="omfile" file="/tmp/x" queue.size="abc")'],
];

for (const [name, text] of REJECTED_BY_BOTH) {
  test(`rsyslogd -N1 and Logwarden both reject: ${name}`, () => {
    const theirs = rsyslogErrors(text);
    assert.ok(theirs.length > 0, `rsyslogd accepted ${JSON.stringify(text)}`);
    const ours = ourErrors(text);
    assert.ok(ours.length > 0, `Logwarden accepted ${JSON.stringify(text)}; rsyslogd said ${theirs.join(' | ')}`);
  });
}

// Seed 003's blank-containing selector lines: rsyslog rejects them, Logwarden accepts them with a warning
// (test/interop/seed003-portable.test.ts checks both sides, and that the spellings the warnings suggest pass -N1).

const ACCEPTED_BY_BOTH = ['002-k8s-pod.conf', '003-selectors.conf', '003-remote-template.conf', '004-local0.conf',
  '004-omfile-default.conf', '004-tls-anon.conf', '004-tls-x509.conf'];

for (const f of ACCEPTED_BY_BOTH) {
  test(`rsyslogd -N1 and Logwarden both accept seed fixture ${f}`, () => {
    const text = readFileSync(join(SEEDS, f), 'utf8').replace('/var/log/', join(dir, 'v-'));
    // The seed's certificate paths do not exist here; rsyslog checks that at load, Logwarden when the listener starts.
    assert.deepEqual(rsyslogErrors(text).filter((l) => !/could not be accessed/.test(l)), []);
    const m = loadConfig(join(SEEDS, f), { lookupComponent });
    assert.deepEqual(m.diagnostics.filter((d) => d.severity === 'error'), []);
  });
}

test('where Logwarden is stricter than rsyslog: omfwd port="abc" and @host:abc', () => {
  // rsyslogd -N1 accepts both (the port only fails at runtime); Logwarden rejects them at load time.
  for (const text of ['action(type="omfwd" target="127.0.0.1" port="abc")', '*.* @127.0.0.1:abc']) {
    assert.deepEqual(rsyslogErrors(text), []);
    assert.ok(ourErrors(text).length > 0, text);
  }
});

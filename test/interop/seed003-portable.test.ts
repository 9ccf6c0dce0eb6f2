// Seed 003 against the real `rsyslogd -N1`: what rsyslog does with each printed line, and that the portable
// spellings (from the case table and from our warnings' hints) are accepted by it without complaint.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { lookupComponent } from '../unit/config/specs';
import { CASES, W_FORWARD, W_JOINED, W_PRILIST, W_SELECTOR, W_USERS } from '../unit/config/seed003-cases';

const dir = mkdtempSync(join(tmpdir(), 'lw-seed003-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const RSYSLOG_TIMEOUT_MS = 30000;

let n = 0;
/** Run `rsyslogd -N1` (optionally with -d) on one config line; returns its stdout + stderr. */
function rsyslogd(line: string, debug = false): string {
  const conf = join(dir, `c${n++}.conf`);
  writeFileSync(conf, `global(workDirectory="${dir}")\n${line}\n`);
  const args = debug ? ['-d', '-N1', '-f', conf] : ['-N1', '-f', conf];
  const r = spawnSync('rsyslogd', args, { encoding: 'utf8', timeout: RSYSLOG_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.error, undefined, `rsyslogd could not run: ${String(r.error)}`);
  return `${r.stdout}${r.stderr}`;
}

/** rsyslogd's complaints: every `rsyslogd:` line except its banner and its end-of-run line. */
function complaints(out: string): string[] {
  return out.split('\n').filter((l) => l.startsWith('rsyslogd:') && !/version 8|End of config validation run/.test(l));
}

/** Its errors: complaints other than the "warnings occurred" summary lines. */
function errors(out: string): string[] {
  return complaints(out).filter((l) => !/warnings occurred/.test(l));
}

for (const c of CASES) {
  test(`rsyslogd -N1 accepts the portable spelling without complaint: ${c.portable.replace('\n', ' ⏎ ')}`, () => {
    assert.deepEqual(complaints(rsyslogd(c.portable)), []);
  });
}

/** What rsyslog does with the printed line, for each line that earns one of the new warnings. */
const RSYSLOG_READING: Array<[string, RegExp]> = [
  ['*. notice @192.168.10.10', /invalid character in selector line/],
  ['*. emerg *', /invalid character in selector line/],
  ['uucp, news.crit /var/log/news', /invalid character in selector line/],
  ['cron.! info,! debug /var/log/cron.log', /unknown priority name ""/],
  ['$template remote-incoming-logs,"/var/log/%HOSTNAME%/%PROGRAMNAME%.log" *.* ?remote-incoming-logs',
    /extra characters in config line ignored: '\*\.\* \?remote-incoming-logs'/],
];

for (const [line, said] of RSYSLOG_READING) {
  test(`rsyslogd rejects or drops what the seed prints, Logwarden warns and keeps it: ${line}`, () => {
    assert.match(rsyslogd(line), said);
    const m = loadConfig('/t.conf', { lookupComponent, text: `${line}\n` });
    assert.deepEqual(m.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.ok(m.diagnostics.some((d) => d.severity === 'warning' && [W_SELECTOR, W_PRILIST, W_JOINED].includes(d.code)));
  });
}

test('rsyslogd splits `authpriv.* root, gildong` into `root,` (filtered) and `gildong` (unfiltered); we keep one action', () => {
  const out = rsyslogd('authpriv.* root, gildong', true);
  const config = out.slice(out.lastIndexOf("PRIFILT 'authpriv.*'"));
  // `root,` is inside the filter; `gildong` is printed after END PRIFILT, i.e. it runs for every message
  assert.match(config, /ACTION \d+ \[builtin:omusrmsg:root,\]\n[^\n]*END PRIFILT\n[^\n]*ACTION \d+ \[builtin:omusrmsg:gildong\]/);
  const m = loadConfig('/t.conf', { lookupComponent, text: 'authpriv.* root, gildong\n' });
  assert.ok(m.diagnostics.some((d) => d.code === W_USERS));
});

test('rsyslogd -N1 is silent about `@(z9) 192.168.10.10` (omfwd keeps the blank in the host); we warn', () => {
  assert.deepEqual(complaints(rsyslogd('*.* @(z9) 192.168.10.10')), []);
  const m = loadConfig('/t.conf', { lookupComponent, text: '*.* @(z9) 192.168.10.10\n' });
  assert.ok(m.diagnostics.some((d) => d.code === W_FORWARD));
});

test('every spelling a new warning suggests ("write `…`") passes rsyslogd -N1 without errors', () => {
  const suggested = new Set<string>();
  for (const c of CASES) {
    const m = loadConfig('/t.conf', { lookupComponent, text: `${c.seed}\n` });
    for (const d of m.diagnostics) {
      if (![W_SELECTOR, W_PRILIST, W_USERS, W_FORWARD].includes(d.code)) continue;
      const s = /write (?:it without blanks, as rsyslog needs: )?`([^`]+)`/.exec(d.hint ?? '')?.[1];
      assert.ok(s !== undefined, `no suggestion in ${JSON.stringify(d.hint)}`);
      // a whole line, or just its action (`@…`, `:omusrmsg:…`), or just its selector
      suggested.add(s.includes(' ') ? s : /^[@:]/.test(s) ? `*.* ${s}` : `${s} /var/log/x`);
    }
  }
  assert.ok(suggested.size >= 5, [...suggested].join(' | '));
  for (const line of suggested) assert.deepEqual(errors(rsyslogd(line)), [], line);
});

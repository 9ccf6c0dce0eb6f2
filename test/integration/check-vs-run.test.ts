// `logwarden check` says OK exactly when `logwarden run` starts: every config under test/fixtures, plus the
// cases where they used to disagree (TLS files missing or mismatched, exec_template(), unknown properties).
// Listening resources are moved to free ports and a temp unix socket, so the test never touches /dev/log or 514.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkModel } from '../../src/cli/check';
import { StreamLogger } from '../../src/log';
import { Runtime } from '../../src/runtime/runtime';
import { freePort, tempDir } from '../helpers/util';

const ROOT = join(__dirname, '..', '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures');
const PKI = join(FIXTURES, 'pki');
const tmp = tempDir('lw-check-run-');
after(() => tmp.cleanup());

function confFiles(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...confFiles(p));
    else if (n.endsWith('.conf')) out.push(p);
  }
  return out;
}

/** Same text for both: fixed ports → free ones, imuxsock → a temp socket. */
async function portable(text: string, dir: string): Promise<string> {
  let out = text.replace(/module\(load="imuxsock"\)/g, `module(load="imuxsock" sysSock.name="${dir}/log.sock")`);
  for (const m of [...new Set([...out.matchAll(/(port="|ServerRun\s+)(\d+)/gi)].map((x) => x[2]))]) {
    const p = await freePort();
    out = out.replace(new RegExp(`(port="|ServerRun\\s+)${m}\\b`, 'gi'), `$1${p}`);
  }
  return out;
}

async function verdicts(name: string, text: string): Promise<{ check: boolean; run: boolean; why: string }> {
  const dir = join(tmp.dir, name.replace(/[^a-z0-9]+/gi, '_'));
  const file = join(dir, 'rsyslog.conf');
  const model = await checkModel(file, text, join(dir, 'data'));
  const errors = model.diagnostics.filter((d) => d.severity === 'error');
  let run = false;
  let why = errors.map((d) => `${d.code} ${d.message}`).join('; ');
  try {
    const rt = await Runtime.start({ configFile: file, configText: text, dataDir: join(dir, 'data'), logger: new StreamLogger({ out: null, keep: true }) });
    run = true;
    await rt.stop();
  } catch (err) {
    why += ` | run: ${(err as Error).message.split('\n')[0]}`;
  }
  return { check: errors.length === 0, run, why };
}

const CASES: Array<[string, string, boolean]> = [
  ['TLS cert file missing', 'module(load="imtcp" StreamDriver.Name="ossl" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")\n'
    + `input(type="imtcp" port="6514" StreamDriver.CertFile="${PKI}/nope.pem" StreamDriver.KeyFile="${PKI}/nope-key.pem")\n*.* /dev/null\n`, false],
  ['TLS cert and key do not match', 'module(load="imtcp" StreamDriver.Name="ossl" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")\n'
    + `input(type="imtcp" port="6514" StreamDriver.CertFile="${PKI}/a.b.example.net.pem" StreamDriver.KeyFile="${PKI}/client.example.net-key.pem")\n*.* /dev/null\n`, false],
  ['TLS cert and key match', 'module(load="imtcp" StreamDriver.Name="ossl" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")\n'
    + `input(type="imtcp" port="6514" StreamDriver.CertFile="${PKI}/a.b.example.net.pem" StreamDriver.KeyFile="${PKI}/a.b.example.net-key.pem")\n*.* /dev/null\n`, true],
  ['unknown stream driver', 'module(load="imtcp" StreamDriver.Name="foo")\ninput(type="imtcp" port="10514")\n*.* /dev/null\n', false],
  ['exec_template() of a defined template', 'template(name="t" type="string" string="x")\nset $.x = exec_template("t");\n*.* /dev/null\n', true],
  ['exec_template() of an unknown template', 'set $.x = exec_template("nope");\n*.* /dev/null\n', false],
  ['$template with an unknown property', '$template t,"%nosuchprop%\\n"\n*.* /dev/null;t\n', false],
  ['unknown property-replacer option (warning only)', '$template t,"%msg:::bogusopt%\\n"\n*.* /dev/null;t\n', true],
];

test('check says OK exactly when run starts: every config under test/fixtures', { timeout: 240_000 }, async () => {
  const files = confFiles(FIXTURES);
  assert.ok(files.length >= 10, `${files.length} fixture configs`);
  const disagree: string[] = [];
  for (const f of files) {
    const v = await verdicts(f.slice(FIXTURES.length + 1), await portable(readFileSync(f, 'utf8'), join(tmp.dir, 'sock')));
    if (v.check !== v.run) disagree.push(`${f}: check ${v.check ? 'OK' : 'INVALID'}, run ${v.run ? 'started' : 'refused'} (${v.why})`);
  }
  assert.deepEqual(disagree, []);
});

for (const [name, text, starts] of CASES) {
  test(`check and run agree: ${name}`, { timeout: 60_000 }, async () => {
    const v = await verdicts(name, await portable(text, tmp.dir));
    assert.equal(v.run, starts, v.why);
    assert.equal(v.check, starts, v.why);
  });
}

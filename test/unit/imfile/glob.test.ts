// imfile file patterns: glob(3) components, wildcards in directories too, hidden files only when asked.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { componentRegex, expandGlob, watchRoot } from '../../../src/inputs/imfile/glob';
import { tempDir } from '../../helpers/util';

const tmp = tempDir('lw-glob-');
after(() => tmp.cleanup());

it('component patterns', () => {
  for (const [pat, name, ok] of [
    ['*.log', 'a.log', true], ['*.log', 'a.log.1', false], ['app-?.log', 'app-1.log', true], ['[ab]*', 'b1', true],
    ['[!ab]*', 'b1', false], ['a.b', 'axb', false], ['x+(y)', 'x+(y)', true],
  ] as const) assert.equal(componentRegex(pat).test(name), ok, `${pat} ~ ${name}`);
});

it('expands wildcards in any component and names the directory to watch', () => {
  const d = tmp.dir;
  for (const p of ['ns1_pod1_u1/c1/0.log', 'ns1_pod1_u1/c1/1.log.20260101', 'ns2_pod2_u2/c2/0.log']) {
    mkdirSync(join(d, p, '..'), { recursive: true });
    writeFileSync(join(d, p), 'x\n');
  }
  writeFileSync(join(d, '.hidden.log'), '');
  writeFileSync(join(d, 'top.log'), '');
  assert.deepEqual(expandGlob(join(d, '*/*/*.log')), [join(d, 'ns1_pod1_u1/c1/0.log'), join(d, 'ns2_pod2_u2/c2/0.log')]);
  assert.deepEqual(expandGlob(join(d, '*.log')), [join(d, 'top.log')]);
  assert.deepEqual(expandGlob(join(d, 'top.log')), [join(d, 'top.log')]);
  assert.equal(watchRoot(join(d, '*/*/*.log')), d);
});

// Side by side with rsyslogd 8.2302: conditions and selectors that were silently misrouted (and/or precedence,
// `not` before a comparison, lone and mixed negated selectors, legacy lines inside ruleset blocks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rsyslogMissing } from '../helpers/rsyslog';
import { frame, runLogwarden, runRsyslogd, type SideCase } from './side-by-side';

const skip = rsyslogMissing();
const RAW = 'template(name="raw" type="string" string="%msg%\\n")';
const out = (name: string): string => `action(type="omfile" file="{DIR}/${name}" template="raw")`;

async function sideBySide(c: SideCase): Promise<void> {
  const theirs = await runRsyslogd(c);
  const ours = await runLogwarden(c);
  assert.deepEqual(ours, theirs);
}

test('and/or have equal precedence, left to right; not binds tighter than a comparison', { skip, timeout: 120_000 }, async () => {
  const words = ['A', 'B', 'C', 'AB', 'AC', 'BC', 'ABC', 'x', 'y', '1'];
  await sideBySide({
    conf: [RAW,
      `if $msg contains "A" or $msg contains "B" and $msg contains "C" then ${out('orand.out')}`,
      `if $msg contains "A" and $msg contains "B" or $msg contains "C" then ${out('andor.out')}`,
      `if $msg contains "A" or ($msg contains "B" and $msg contains "C") then ${out('paren.out')}`,
      `if not $msg contains "x" then ${out('not.out')}`,
      `if not ($msg contains "x") then ${out('notparen.out')}`,
      `if not $msg contains "1" then ${out('notone.out')}`,
    ].join('\n'),
    frames: words.map((w) => frame(13, w)),
    files: ['orand.out', 'andor.out', 'paren.out', 'not.out', 'notparen.out', 'notone.out'],
  });
});

test('lone and mixed negated selectors use rsyslog mask semantics', { skip, timeout: 120_000 }, async () => {
  const sels = ['*.!err', 'user.!=info', 'mail,news,uucp.!crit;mail.*', 'mail.*;mail.!=info', 'kern.!none', 'local3.!*', 'user.*;user.!err'];
  const frames: string[] = [];
  for (const fac of [0, 1, 2, 7, 8, 19]) for (let sev = 0; sev < 8; sev++) frames.push(frame(fac * 8 + sev, `f${fac}s${sev}`));
  await sideBySide({
    conf: [RAW, ...sels.map((s, i) => `${s} ${out(`s${i}.out`)}`)].join('\n'),
    frames,
    files: sels.map((_, i) => `s${i}.out`),
  });
});

test('legacy selector lines inside ruleset() blocks are rules of that ruleset', { skip, timeout: 120_000 }, async () => {
  await sideBySide({
    conf: [RAW,
      'ruleset(name="r1") {',
      `  mail.* ${out('r1mail.out')}`,
      '  *.err {DIR}/r1err.out;raw',
      '  :msg, contains, "zz" {DIR}/r1zz.out;raw',
      '}',
      'ruleset(name="r2") {',
      '*.* {DIR}/r2.out;raw',
      '}',
      'if $msg startswith " r1" then call r1',
      'if $msg startswith " r2" then call r2',
      `*.* ${out('main.out')}`,
    ].join('\n'),
    frames: [frame(19, 'r1 mailerr'), frame(14, 'r1 userinfo'), frame(11, 'r1 usererr zz'), frame(14, 'r2 x'), frame(14, 'plain')],
    files: ['r1mail.out', 'r1err.out', 'r1zz.out', 'r2.out', 'main.out'],
  });
});

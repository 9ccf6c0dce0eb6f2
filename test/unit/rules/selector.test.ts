// Selector masks: rsyslog's DecodePRIFilter semantics for every operator, override order and name tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMask, maskMatches, MASK_SIZE } from '../../../src/rules/selector';
import { decodeSelector } from '../../../src/rules/selector-text';

const L = { file: 't.conf', line: 1, col: 1 };

/** The (facility, severity) pairs a selector text selects, as "fac.sev" strings, over 0..23 × 0..7. */
function selected(text: string, negationFromAll = false): string[] {
  const d = decodeSelector(text, L);
  const mask = buildMask(d.terms, { negationFromAll });
  const out: string[] = [];
  for (let f = 0; f < 24; f++) for (let s = 0; s < 8; s++) if (maskMatches(mask, f, s)) out.push(`${f}.${s}`);
  return out;
}
const range = (f: number, sevs: number[]): string[] => sevs.map((s) => `${f}.${s}`);
const allFac = (sevs: number[], except: number[] = []): string[] => {
  const out: string[] = [];
  for (let f = 0; f < 24; f++) if (!except.includes(f)) out.push(...range(f, sevs));
  return out;
};

test('priority operators', () => {
  assert.deepEqual(selected('user.err'), range(1, [0, 1, 2, 3]));
  assert.deepEqual(selected('mail.=info'), range(2, [6]));
  assert.deepEqual(selected('mail.*'), range(2, [0, 1, 2, 3, 4, 5, 6, 7]));
  assert.deepEqual(selected('mail.none'), []);
  assert.deepEqual(selected('mail.!info'), []);
  assert.deepEqual(selected('mail.!=info'), []);
  assert.deepEqual(selected('local5.4'), range(21, [0, 1, 2, 3, 4]));
  assert.deepEqual(selected('*.warn'), allFac([0, 1, 2, 3, 4]));
  assert.deepEqual(selected('local3.!*'), []);
});

test('later terms override earlier ones for their facilities', () => {
  assert.deepEqual(selected('*.=crit;kern.none'), allFac([2], [0]));
  assert.deepEqual(selected('mail.*;mail.!=info'), range(2, [0, 1, 2, 3, 4, 5, 7]));
  assert.deepEqual(selected('*.*;auth,authpriv.none'), allFac([0, 1, 2, 3, 4, 5, 6, 7], [4, 10]));
  assert.deepEqual(selected('uucp,news.crit'), [...range(7, [0, 1, 2]), ...range(8, [0, 1, 2])]);
  assert.deepEqual(selected('mail.none;mail.crit'), range(2, [0, 1, 2]));
});

test('rsyslog negation clears an empty mask: lone and mixed negated selectors (checked with rsyslogd 8.2302)', () => {
  assert.deepEqual(selected('*.!err'), []);
  assert.deepEqual(selected('user.!=info'), []);
  assert.deepEqual(selected('mail,news,uucp.!crit;mail.*'), range(2, [0, 1, 2, 3, 4, 5, 6, 7]));
  assert.deepEqual(selected('mail.*;mail.!=info'), range(2, [0, 1, 2, 3, 4, 5, 7]));
  assert.deepEqual(selected('mail.*;mail.!info'), range(2, [7]));
  assert.deepEqual(selected('kern.!none'), range(0, [0, 1, 2, 3, 4, 5, 6, 7]));
});

test('negationFromAll (not rsyslog) starts a lone negation from all severities', () => {
  assert.deepEqual(selected('mail.!info', true), range(2, [7]));
  assert.deepEqual(selected('mail.!=info', true), range(2, [0, 1, 2, 3, 4, 5, 7]));
});

test('`*` covers every mask entry including mark (24); numeric priority words are accepted', () => {
  const mask = buildMask(decodeSelector('*.*', L).terms);
  assert.equal(mask.length, MASK_SIZE);
  assert.ok(maskMatches(mask, 24, 0));
  assert.ok(!maskMatches(mask, 99, 0));
});

test('rsyslog name tables and errors, keeping what was decoded before the error', () => {
  assert.deepEqual(selected('security.=info'), range(4, [6]));
  assert.deepEqual(selected('ntp.=debug'), range(12, [7]));
  assert.match(decodeSelector('audit.*', L).error ?? '', /unknown facility name "audit"/);
  const d = decodeSelector('cron.!info,!debug', L);
  assert.equal(d.error, 'unknown priority name ""');
  assert.deepEqual(selected('cron.!info,!debug'), []); // rsyslog keeps `cron.!info`: an empty mask stays empty
  assert.match(decodeSelector('mail.bogus', L).error ?? '', /unknown priority name "bogus"/);
});

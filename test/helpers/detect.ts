// A one-rule detection file the alert tests share: `su-fail` fires on each `su` "FAILED SU" line, keyed by host.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Write `rules.yml` with the su-fail rule into `dir`; returns its path. */
export function writeSuFailRule(dir: string): string {
  const file = join(dir, 'rules.yml');
  writeFileSync(file, `rules:
  - id: su-fail
    title: su failed
    level: high
    query: 'app:su "FAILED SU"'
    group_by: [host]
`);
  return file;
}

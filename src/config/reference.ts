// docs/config-reference.md, generated from the component parameter tables (the single source the validator
// uses too). `node scripts/gen-config-reference.mjs` rewrites it; a unit test fails when it is stale.
import type { ComponentSpec, ParamSpec } from '../components';
import { GENERIC_ACTION_SPECS, GLOBAL_PARAMS } from './params';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(params: readonly ParamSpec[]): string[] {
  const rows = ['| parameter | type | default | unit | notes |', '|---|---|---|---|---|'];
  for (const p of params) {
    const type = p.values && p.values.length > 0 ? `${p.type}: ${p.values.join(', ')}` : p.type;
    const notes = [p.required ? '**required**' : '', p.doc,
      p.ignored !== undefined ? `*accepted, no effect*: ${p.ignored}` : '',
      p.rsyslogSpelling !== undefined ? `*rsyslog spelling*: \`${p.rsyslogSpelling}\`` : ''].filter((x) => x !== '').join(' ');
    const def = p.default === undefined ? '' : `\`${String(p.default)}\``;
    rows.push(`| \`${p.name}\` | ${cell(type)} | ${cell(def)} | ${p.unit ?? ''} | ${cell(notes)} |`);
  }
  return rows;
}

/** The whole reference document for the given components (sorted by kind and name for a stable file). */
export function renderConfigReference(components: readonly ComponentSpec[]): string {
  const out = ['# Configuration reference (generated)', '',
    'Generated from the parameter tables in `src/` by `node scripts/gen-config-reference.mjs`; do not edit by hand',
    '(`test/unit/config/reference.test.ts` fails when this file is stale). Parameter names are case-insensitive.',
    'See [config.md](config.md) for the language and [errors.md](errors.md) for diagnostics.', ''];
  const order = { input: 0, action: 1, service: 2 } as const;
  const sorted = [...components].sort((a, b) => order[a.kind] - order[b.kind] || a.name.localeCompare(b.name));
  for (const c of sorted) {
    out.push(`## ${c.kind} \`${c.name}\`${c.aliases.length > 0 ? ` (rsyslog: ${c.aliases.map((a) => `\`${a}\``).join(', ')})` : ''}`, '');
    if (c.params.length > 0) out.push(`${c.kind === 'service' ? '' : `\`${c.kind}()\` parameters:`}`, '', ...table(c.params), '');
    if (c.moduleParams.length > 0) out.push('`module(load=…)` parameters:', '', ...table(c.moduleParams), '');
  }
  out.push('## Parameters of every `action()`', '', ...table(GENERIC_ACTION_SPECS), '');
  out.push('## `global()` parameters rsyslog knows', '', GLOBAL_PARAMS.map((g) => `\`${g}\``).join(', '), '');
  return out.join('\n');
}

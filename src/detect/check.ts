// `logwarden check` support: the rule files of every detect action are validated with the config, so a broken
// rule shows up (file:line:col) before `run` or a reload would refuse it.
import { dirname } from 'node:path';
import type { ConfigModel, Diagnostic, Statement } from '../config/model';
import { getParam } from '../config/model';
import { detectSpec } from './action';
import { loadRuleFiles } from './load';

function rulesOf(statements: Statement[], out: string[][]): void {
  const names = [detectSpec.name, ...detectSpec.aliases];
  for (const s of statements) {
    if (s.kind === 'action' && names.includes(s.action.type.toLowerCase())) {
      const v = getParam(s.action.params, 'rules')?.value;
      if (v !== undefined) out.push((Array.isArray(v) ? v : String(v).split(',')).map((x) => String(x).trim()).filter((x) => x !== ''));
    } else if (s.kind === 'filter' || s.kind === 'foreach') rulesOf(s.body, out);
    else if (s.kind === 'if') {
      rulesOf(s.then, out);
      if (s.else) rulesOf(s.else, out);
    }
  }
}

/** Diagnostics of the rule files named by the config's detect actions (paths relative to the config file). */
export function detectRuleDiagnostics(model: ConfigModel, configFile: string): Diagnostic[] {
  const lists: string[][] = [];
  for (const rs of model.rulesets.values()) rulesOf(rs.statements, lists);
  return lists.flatMap((rules) => loadRuleFiles(rules, dirname(configFile)).diagnostics);
}

// `logwarden check -f FILE [--strict]`: validate a config like `rsyslogd -N1`, printing every problem at once.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatDiagnostics, loadConfig } from '../config/load';
import { detectRuleDiagnostics } from '../detect/check';
import { lookupComponent } from '../runtime/registry';
import { preflight } from '../runtime/preflight';
import { getParam, type ConfigModel } from '../config/model';
import { has, last, parseArgs } from './args';

/**
 * Load a config and, when it loads without errors, instantiate it as `run` would (nothing bound or started) so
 * that `check` is OK exactly when `run` starts. `text` replaces the file's content (tests).
 */
export async function checkModel(file: string, text?: string, dataDir?: string): Promise<ConfigModel> {
  const model = loadConfig(file, { lookupComponent, text });
  if (!model.diagnostics.some((d) => d.severity === 'error')) {
    const workDir = dataDir ?? (getParam(model.globals, 'workdirectory')?.value as string | undefined) ?? './data';
    model.diagnostics.push(...await preflight(model, resolve(workDir)));
  }
  return model;
}

export async function checkMain(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['f', 'config', 'data-dir']);
  const file = last(args, 'f') ?? last(args, 'config') ?? args.positional[0];
  if (!file) {
    process.stderr.write('usage: logwarden check -f CONFIG [--strict]\n');
    return 2;
  }
  if (!existsSync(file)) {
    process.stderr.write(`logwarden check: ${file}: no such file\n`);
    return 2;
  }
  const model = await checkModel(resolve(file), undefined, last(args, 'data-dir'));
  const strict = has(args, 'strict');
  // Rule files of detect actions are checked too (docs/detection.md).
  const diags = [...model.diagnostics, ...detectRuleDiagnostics(model, resolve(file))];
  const errors = diags.filter((d) => d.severity === 'error' || (strict && d.severity === 'warning'));
  if (diags.length > 0) process.stderr.write(formatDiagnostics(diags) + '\n');
  const warnings = diags.filter((d) => d.severity === 'warning').length;
  process.stdout.write(`${file}: ${errors.length === 0 ? 'OK' : 'INVALID'} (${diags.filter((d) => d.severity === 'error').length} errors, ${warnings} warnings)\n`);
  return errors.length === 0 ? 0 : 1;
}

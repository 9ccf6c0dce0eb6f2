// `logwarden check -f FILE`: load a config, split errors from warnings, and decide the exit status.
import type { ConfigModel, Diagnostic } from './model';
import { loadConfig, type LoadOptions } from './load';
import { formatDiagnostics } from './diagnostics';

export interface CheckOptions extends LoadOptions {
  /** Treat warnings as errors (`--strict`). */
  strict?: boolean;
}

export interface CheckResult {
  diagnostics: Diagnostic[];
  model: ConfigModel;
  errors: Diagnostic[];
  warnings: Diagnostic[];
  notices: Diagnostic[];
  /** 0 when the config may be used, 1 otherwise. */
  exitCode: number;
}

/** Load and check; all errors are reported at once, warnings separately (errors under `strict`). */
export function checkConfig(file: string, opts: CheckOptions = {}): CheckResult {
  const model = loadConfig(file, opts);
  const diagnostics = model.diagnostics.map((d) => (opts.strict && d.severity === 'warning' ? { ...d, severity: 'error' as const } : d));
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const warnings = diagnostics.filter((d) => d.severity === 'warning');
  const notices = diagnostics.filter((d) => d.severity === 'notice');
  return { diagnostics, model, errors, warnings, notices, exitCode: errors.length > 0 ? 1 : 0 };
}

/** The text `logwarden check` prints: errors, then warnings, then notices, then a one-line summary. */
export function formatCheck(r: CheckResult, file: string): string {
  const summary = r.errors.length > 0
    ? `${file}: ${r.errors.length} error(s), ${r.warnings.length} warning(s)`
    : `${file}: configuration OK${r.warnings.length > 0 ? `, ${r.warnings.length} warning(s)` : ''}`;
  return formatDiagnostics([...r.errors, ...r.warnings, ...r.notices]) + summary + '\n';
}

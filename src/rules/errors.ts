// Compile-time errors of the rules compiler: a stable LW_ERR_ code plus the config place (file:line:col).
import type { SourceLoc } from '../config/model';

export class RuleError extends Error {
  readonly code: string;
  readonly loc: SourceLoc | undefined;

  constructor(code: string, message: string, loc?: SourceLoc) {
    super(loc ? `${loc.file}:${loc.line}:${loc.col}: ${message}` : message);
    this.name = 'RuleError';
    this.code = code;
    this.loc = loc;
  }
}

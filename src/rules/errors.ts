// Compile-time errors of the rules compiler: a stable LW_ERR_ code plus the config place (file:line:col).
import type { SourceLoc } from '../config/model';

/** Code of a regex the rules cannot compile (thrown as util/posix-regex PosixRegexError). */
export const RULES_REGEX_ERROR = 'LW_ERR_RULES_REGEX';

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

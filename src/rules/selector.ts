// Legacy `facility.priority` selectors compiled to rsyslog's filter mask: one byte per facility, one bit per
// severity, built term by term exactly as rsyslog's DecodePRIFilter (runtime/conf.c) builds it.
import type { SelectorTerm, SourceLoc } from '../config/model';
import { RuleError } from './errors';

/**
 * rsyslog sizes the mask LOG_NFACILITIES+1 = 26 entries: facilities 0..23 (RFC 5424 §6.2.1), 24 = the
 * internal `mark` facility, 25 unused. `*` sets every entry, so it includes `mark` as rsyslog 8 does.
 */
export const MASK_SIZE = 26;
export const MARK_FACILITY = 24;
const NOPRI = 0x00;
const ALLPRI = 0xff;

export interface MaskOptions {
  /**
   * NOT rsyslog: start a negated term (`!X`, `!=X`) from "all severities" when its facility has nothing selected
   * yet, so a lone `mail.!=info` means "mail except info". rsyslog (sysklogd mask semantics, DecodePRIFilter,
   * checked against rsyslogd 8.2302) clears bits of an EMPTY mask: a lone `mail.!info` or `*.!err` matches
   * nothing. Default false = rsyslog; `check` warns about such terms (LW_WARN_CONFIG_NEGATION_EMPTY).
   */
  negationFromAll?: boolean;
}

/** Apply one term to the mask, in place. Later terms override earlier ones for their facilities. */
export function applyTerm(mask: Uint8Array, term: SelectorTerm, opts: MaskOptions = {}): void {
  const facs = term.facilities === '*' ? null : term.facilities;
  const n = facs === null ? MASK_SIZE : facs.length;
  for (let k = 0; k < n; k++) {
    const f = facs === null ? k : facs[k];
    if (!Number.isInteger(f) || f < 0 || f >= MASK_SIZE) {
      throw new RuleError('LW_ERR_RULES_FACILITY', `facility ${f} is out of range 0..${MASK_SIZE - 1}`, term.loc);
    }
    mask[f] = nextMaskByte(mask[f], term, opts.negationFromAll === true);
  }
}

/** The new mask byte for one facility. `*` as a priority arrives as op 'ge' severity 7 (= all bits). */
function nextMaskByte(cur: number, term: SelectorTerm, fromAll: boolean): number {
  const sev = term.severity;
  if (term.op !== 'none' && (!Number.isInteger(sev) || sev < 0 || sev > 7)) {
    throw new RuleError('LW_ERR_RULES_SEVERITY', `severity ${sev} is out of range 0..7`, term.loc);
  }
  const upTo = (1 << (sev + 1)) - 1; // bits 0..sev: "this severity or more severe"
  const base = cur === NOPRI && fromAll ? ALLPRI : cur;
  switch (term.op) {
    case 'none': return NOPRI;
    case 'eq': return cur | (1 << sev);
    case 'ge': return cur | upTo;
    // `!=sev` and `!sev` clear bits of what is selected so far (DecodePRIFilter): nothing stays nothing.
    case 'ne': return base & ~(1 << sev) & 0xff;
    case 'lt': return base & ~upTo & 0xff;
    default: throw new RuleError('LW_ERR_RULES_SELECTOR_OP', `unknown selector op "${String(term.op)}"`, term.loc);
  }
}

/** Build the 26-byte mask for a `;`-joined selector. */
export function buildMask(terms: readonly SelectorTerm[], opts: MaskOptions = {}): Uint8Array {
  const mask = new Uint8Array(MASK_SIZE);
  for (const t of terms) applyTerm(mask, t, opts);
  return mask;
}

/** rsyslog's test (ruleset.c execPRIFILT): the bit for the message severity in its facility's byte. */
export function maskMatches(mask: Uint8Array, facility: number, severity: number): boolean {
  const m = mask[facility];
  return m !== undefined && ((m >> severity) & 1) === 1;
}

/** True when the mask selects every facility and severity (rsyslog drops such a filter as always-true). */
export function maskIsAll(mask: Uint8Array): boolean {
  for (let i = 0; i < MASK_SIZE; i++) if (mask[i] !== ALLPRI) return false;
  return true;
}

/** Human-readable mask for diagnostics: "mail:0xff kern:0x01". */
export function describeMask(mask: Uint8Array, facilityName: (f: number) => string): string {
  const parts: string[] = [];
  for (let i = 0; i < MASK_SIZE; i++) if (mask[i] !== NOPRI) parts.push(`${facilityName(i)}:0x${mask[i].toString(16)}`);
  return parts.join(' ');
}

/** A place for diagnostics produced while building masks. */
export type { SourceLoc };

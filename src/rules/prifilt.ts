// rsyslog's optimizer turns comparisons of $syslogfacility(-text) / $syslogseverity(-text) with a constant into a
// facility/severity mask (grammar/rainerscript.c cnfexprOptimize_CMP_var). That changes results for names
// (case-insensitive, aliases like "warn"/"security"), so we apply the same rewrite at compile time.
import type { BinaryOp, Expr } from '../config/model';
import type { Message } from '../message';
import { MASK_SIZE } from './selector';
import type { Value } from './values';

const SEV_NAMES: ReadonlyMap<string, number> = new Map([
  ['alert', 1], ['crit', 2], ['debug', 7], ['emerg', 0], ['err', 3], ['error', 3], ['info', 6], ['none', 16],
  ['notice', 5], ['panic', 0], ['warn', 4], ['warning', 4], ['*', 255],
]);

/** Facility names as LOG_xxx codes (facility << 3), as rsyslog's syslogFacNames holds them on Linux. */
const FAC_CODES: ReadonlyMap<string, number> = new Map([
  ['auth', 32], ['authpriv', 80], ['cron', 72], ['daemon', 24], ['kern', 0], ['lpr', 48], ['mail', 16],
  ['mark', 192], ['news', 56], ['ntp', 96], ['security', 32], ['bsd_security', 104], ['syslog', 40], ['user', 8],
  ['uucp', 64], ['ftp', 88], ['console', 112], ['local0', 128], ['local1', 136], ['local2', 144], ['local3', 152],
  ['local4', 160], ['local5', 168], ['local6', 176], ['local7', 184],
]);

const LESS_THAN = [0x00, 0x01, 0x03, 0x07, 0x0f, 0x1f, 0x3f, 0x7f, 0xff];

/** decodeSyslogName: digits are taken as a number, anything else looked up case-insensitively; -1 if unknown. */
function decode(word: string, table: ReadonlyMap<string, number>): number {
  if (/^[0-9]/.test(word)) return /^[0-9]+$/.test(word) ? Number.parseInt(word, 10) : -1;
  return table.get(word.toLowerCase()) ?? -1;
}

type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

function severityMask(sev: number, op: CmpOp): Uint8Array {
  const m = new Uint8Array(MASK_SIZE);
  for (let i = 0; i < MASK_SIZE; i++) {
    switch (op) {
      case '==': case '!=': m[i] = sev < 8 ? 1 << sev : 0; break; // a byte keeps only bits 0..7
      case '<': m[i] = LESS_THAN[sev]; break;
      case '<=': m[i] = LESS_THAN[sev + 1]; break;
      case '>': m[i] = ~LESS_THAN[sev + 1] & 0xff; break;
      case '>=': m[i] = ~LESS_THAN[sev] & 0xff; break;
    }
  }
  if (op === '!=') invert(m);
  return m;
}

function facilityMask(fac: number, op: CmpOp): Uint8Array {
  const m = new Uint8Array(MASK_SIZE);
  const all = (from: number, to: number): void => { for (let i = Math.max(0, from); i < Math.min(to, MASK_SIZE); i++) m[i] = 0xff; };
  switch (op) {
    case '==': all(fac, fac + 1); break;
    case '!=': all(fac, fac + 1); invert(m); break;
    case '<': all(0, fac); break;
    case '<=': all(0, fac + 1); break;
    case '>=': all(fac, MASK_SIZE); break;
    case '>': all(fac + 1, MASK_SIZE); break;
  }
  return m;
}

function invert(m: Uint8Array): void {
  for (let i = 0; i < MASK_SIZE; i++) m[i] = ~m[i] & 0xff;
}

function varName(e: Expr): string | null {
  return e.kind === 'var' ? e.name.replace(/^\$/, '').toLowerCase() : null;
}

/** The mask for a comparison rsyslog would rewrite, or null when it is evaluated as written. */
export function prifiltMask(op: BinaryOp, left: Expr, right: Expr): Uint8Array | null {
  const name = varName(left);
  if (name === null) return null;
  const cmp = (op === '<>' ? '!=' : op) as CmpOp;
  const eqOnly = cmp === '==' || cmp === '!=';
  const ordered = eqOnly || cmp === '<' || cmp === '<=' || cmp === '>' || cmp === '>=';
  if (!ordered) return null;
  if (eqOnly && right.kind === 'string' && name === 'syslogfacility-text') {
    const code = decode(right.value, FAC_CODES);
    if (code < 0) return null; // rsyslog warns and compares the strings
    const fac = code >> 3; // cnffuncNew_prifilt shifts the code (numbers too: "16" means mail)
    if (fac >= MASK_SIZE) return null;
    const m = new Uint8Array(MASK_SIZE);
    m[fac] = 0xff;
    if (cmp === '!=') invert(m);
    return m;
  }
  if (eqOnly && right.kind === 'string' && name === 'syslogseverity-text') {
    const sev = decode(right.value, SEV_NAMES);
    if (sev < 0) return null;
    return severityMask(sev > 7 ? 8 : sev, cmp);
  }
  if (right.kind === 'number' && name === 'syslogseverity' && right.value >= 0 && right.value <= 7) {
    return severityMask(right.value, cmp);
  }
  if (right.kind === 'number' && name === 'syslogfacility' && right.value >= 0 && right.value <= 24) {
    return facilityMask(right.value, cmp);
  }
  return null;
}

/** A compiled comparison using a mask, or null (see prifiltMask). */
export function prifiltFromComparison(op: BinaryOp, left: Expr, right: Expr): ((m: Message) => Value) | null {
  const mask = prifiltMask(op, left, right);
  if (!mask) return null;
  return (m) => { const b = mask[m.facility]; return b !== undefined && ((b >> m.severity) & 1) === 1 ? 1 : 0; };
}

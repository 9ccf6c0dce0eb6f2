// Message modifiers (rsyslog's mm* modules): they change the message in the ruleset, before the next statement
// runs, and never reach a queue, so the rules compile them as statements (src/rules/compile.ts) rather than bind
// them as actions. One table here names them all for the registry, preflight and the compiler.
import type { ComponentSpec } from '../components';
import type { ActionDecl } from '../config/model';
import type { Message } from '../message';
import type { GlobalVars } from './vars';
import { compileMmjsonparse, mmjsonparseSpec } from './mmjsonparse';
import { compileMmrm1stspace, mmrm1stspaceSpec } from './mm/rm1stspace';
import { compileMmutf8fix, mmutf8fixSpec } from './mm/utf8fix';
import { compileMmanon, mmanonSpec } from './mm/anon';
import { compileMmfields, mmfieldsSpec } from './mm/fields';
import { compileMmsequence, mmsequenceSpec } from './mm/sequence';
import { compileMmpstrucdata, mmpstrucdataSpec } from './mm/pstrucdata';

export interface Modifier {
  spec: ComponentSpec;
  /** Compile one `action(type=… )` into the statement body. Throws RuleError on an invalid parameter. */
  compile(decl: ActionDecl, globals: GlobalVars): (m: Message) => void;
  /** Changes fields other than variables (msg, …): actions before it must be handed a copy. */
  changesFields: boolean;
}

const LIST: Modifier[] = [
  { spec: mmjsonparseSpec, compile: compileMmjsonparse, changesFields: false },
  { spec: mmrm1stspaceSpec, compile: compileMmrm1stspace, changesFields: true },
  { spec: mmutf8fixSpec, compile: compileMmutf8fix, changesFields: true },
  { spec: mmanonSpec, compile: compileMmanon, changesFields: true },
  { spec: mmfieldsSpec, compile: compileMmfields, changesFields: false },
  { spec: mmsequenceSpec, compile: compileMmsequence, changesFields: false },
  { spec: mmpstrucdataSpec, compile: compileMmpstrucdata, changesFields: false },
];

const BY_NAME = new Map<string, Modifier>();
for (const m of LIST) for (const n of [m.spec.name, ...m.spec.aliases]) BY_NAME.set(n, m);

/** The modifier an action type names (case-insensitive), if it is one. */
export function findModifier(type: string): Modifier | undefined {
  return BY_NAME.get(type.toLowerCase());
}

export function modifierSpecs(): ComponentSpec[] {
  return LIST.map((m) => m.spec);
}

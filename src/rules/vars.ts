// `$!` (message), `$.` (local) and `$/` (global) variables: JSON trees addressed by `!`-separated paths with an
// optional `[n]` array index on a component, with rsyslog's set/merge/unset rules (runtime/msg.c msgAddJSON).
// Keys are case-insensitive and keep their first spelling, as in rsyslogd (src/util/json-keys.ts).
import type { SourceLoc } from '../config/model';
import type { Message } from '../message';
import { RuleError } from './errors';
import { findKey } from '../util/json-keys';
import { JsonNumber } from '../util/json-number';

export type Tree = Record<string, unknown>;
export type Scope = '!' | '.' | '/';

/** Global variables live as long as the compiled configuration, shared by every message. */
export interface GlobalVars {
  root: Tree | null;
}

/** A variable reference parsed once at compile time. `path` is empty for the whole tree (`$!`). */
export interface VarRef {
  scope: Scope;
  path: string[];
  name: string;
}

const isObject = (x: unknown): x is Tree => x !== null && typeof x === 'object' && !Array.isArray(x) && !(x instanceof JsonNumber);

/** Parse "$!a!b", "!a!b", "$.x", "$/g" into a VarRef; null when the name is not a JSON variable. */
export function parseVarRef(name: string, loc?: SourceLoc): VarRef | null {
  const n = name.startsWith('$') ? name.slice(1) : name;
  const scope = n[0];
  if (scope !== '!' && scope !== '.' && scope !== '/') return null;
  const rest = n.slice(1);
  // only '!' separates components; "$.a.b" is the single key "a.b" (msg.c jsonPathFindNext)
  const path = rest === '' ? [] : rest.split('!');
  if (path.some((p) => p === '')) throw new RuleError('LW_ERR_RULES_VARIABLE', `invalid variable name "${name}"`, loc);
  return { scope: scope as Scope, path, name: '$' + n };
}

function rootOf(msg: Message, scope: Scope, globals: GlobalVars): Tree | null {
  return scope === '!' ? msg.json : scope === '.' ? msg.local : globals.root;
}

function setRoot(msg: Message, scope: Scope, globals: GlobalVars, t: Tree | null): void {
  if (scope === '!') msg.json = t;
  else if (scope === '.') msg.local = t;
  else globals.root = t;
}

/** One path step: a key, or "key[n]" into an array under that key. */
function step(parent: unknown, key: string): unknown {
  if (!isObject(parent)) return undefined;
  if (key.endsWith(']')) {
    const open = key.indexOf('[');
    if (open >= 0) {
      const idx = key.slice(open + 1, -1);
      if (/^\d+$/.test(idx)) {
        const name = findKey(parent, key.slice(0, open));
        const arr = name === undefined ? undefined : parent[name];
        if (Array.isArray(arr)) return arr[Number(idx)];
      }
    }
  }
  const k = findKey(parent, key);
  return k === undefined ? undefined : parent[k];
}

/** The node at `ref`, or undefined when any step is missing. */
export function getVar(msg: Message, ref: VarRef, globals: GlobalVars): unknown {
  let node: unknown = rootOf(msg, ref.scope, globals);
  if (ref.path.length === 0) return node ?? undefined;
  for (const key of ref.path) {
    node = step(node, key);
    if (node === undefined) return undefined;
  }
  return node;
}

const shallowMerge = (into: Tree, from: Tree): void => { for (const k of Object.keys(from)) into[findKey(into, k) ?? k] = from[k]; };

/**
 * `set`: creates intermediate objects; an object merges into an existing object, any value replaces a
 * non-object, and a non-object never replaces an object (rsyslog refuses that update). Returns false when refused.
 */
export function setVar(msg: Message, ref: VarRef, value: unknown, globals: GlobalVars): boolean {
  const root = rootOf(msg, ref.scope, globals);
  if (ref.path.length === 0) {
    if (root === null) { setRoot(msg, ref.scope, globals, isObject(value) ? value : null); return isObject(value); }
    if (!isObject(value)) return false;
    shallowMerge(root, value);
    return true;
  }
  let parent: Tree = root ?? {};
  if (root === null) setRoot(msg, ref.scope, globals, parent);
  for (let i = 0; i < ref.path.length - 1; i++) {
    const next = step(parent, ref.path[i]);
    if (next === undefined) {
      const created: Tree = {};
      parent[ref.path[i]] = created;
      parent = created;
    } else if (isObject(next)) {
      parent = next;
    } else {
      return false; // not a container in the json path
    }
  }
  const leaf = findKey(parent, ref.path[ref.path.length - 1]) ?? ref.path[ref.path.length - 1];
  const old = parent[leaf];
  if (old === undefined || !Object.prototype.hasOwnProperty.call(parent, leaf)) { parent[leaf] = value; return true; }
  if (isObject(value)) {
    if (isObject(old)) shallowMerge(old, value);
    else parent[leaf] = value;
    return true;
  }
  if (isObject(old)) return false; // updating a container with a leaf is forbidden
  parent[leaf] = value;
  return true;
}

/** `unset`: remove the node; unsetting the whole tree empties it. */
export function unsetVar(msg: Message, ref: VarRef, globals: GlobalVars): void {
  if (ref.path.length === 0) { setRoot(msg, ref.scope, globals, null); return; }
  let parent: unknown = rootOf(msg, ref.scope, globals);
  for (let i = 0; i < ref.path.length - 1; i++) {
    parent = step(parent, ref.path[i]);
    if (!isObject(parent)) return;
  }
  if (isObject(parent)) {
    const k = findKey(parent, ref.path[ref.path.length - 1]);
    if (k !== undefined) delete parent[k];
  }
}

// The component registry: every input and action Logwarden has, by its Logwarden name and its rsyslog
// module names. Config validation, `check` and the runtime all look components up here.
import { discardAction } from '../actions/discard';
import { fileAction } from '../actions/file';
import { forwardAction } from '../actions/forward';
import { pipeAction } from '../actions/pipe';
import { usrmsgAction } from '../actions/usrmsg';
import type { ActionFactory, ComponentSpec, InputFactory, ParamSpec } from '../components';
import type { DetectService } from '../detect/service';
import type { ConfigModel, InputDecl, Params } from '../config/model';
import { getParam } from '../config/model';
import { tcpInput } from '../inputs/tcp';
import { tlsInput } from '../inputs/tls';
import { udpInput } from '../inputs/udp';
import { unixSockInput } from '../inputs/unixsock';
import { httpServiceSpec } from '../web/spec';
import { findModifier, modifierSpecs } from '../rules/modifiers';
import { EXTRA_PARSERS } from '../config/model';
import { impstatsSpec } from '../metrics/impstats';
import { fmhashSpec } from '../rules/fmhash';

/**
 * The detect action's module (its rule engine and YAML parser cost ~70 ms of CPU and 100+ modules at startup), loaded
 * when a config names it or its table is read (detectAction below).
 */
let detectLoaded: ActionFactory | null = null;
const loadDetect = (): ActionFactory => (detectLoaded ??= (require('../detect/action') as { detectAction: ActionFactory }).detectAction);
/** The running detection services: none until the detect action was loaded (it alone starts them). */
export function loadedDetectServices(): DetectService[] {
  return detectLoaded === null ? [] : (require('../detect/service') as { detectServices: () => DetectService[] }).detectServices();
}

/** A factory whose names are known without loading its module (LAZY_NAMES). */
type Named<F> = F & { readonly names?: readonly string[] };

/**
 * Components whose modules load when a config names them: the store pulls in better-sqlite3 and its native
 * addon, ClickHouse a dozen store modules, RELP and imfile ~15 more, detect its rule engine; a TCP → file config pays for none of them
 * (bench/README.md, "Memory"). Their names are listed here so looking up any other component never loads them;
 * a unit test checks these against the specs (test/unit/runtime/lazy-components.test.ts).
 */
export const LAZY_NAMES = {
  store: ['store', 'omstore', 'sqlite'],
  clickhouse: ['clickhouse', 'omclickhouse'],
  relpAction: ['relp', 'omrelp'],
  relpInput: ['relp', 'imrelp'],
  imfile: ['imfile'],
  detect: ['detect', 'omdetect'],
} as const satisfies Record<string, readonly string[]>;

function lazy<F extends { spec: ComponentSpec; create(...args: never[]): unknown }>(names: readonly string[], load: () => F): Named<F> {
  let loaded: F | null = null;
  const get = (): F => (loaded ??= load());
  const create = (...args: unknown[]): unknown => (get().create as (...a: unknown[]) => unknown)(...args);
  return { names, get spec(): ComponentSpec { return get().spec; }, create } as unknown as Named<F>;
}

const storeAction = lazy(LAZY_NAMES.store, () => (require('../actions/store') as { storeAction: ActionFactory }).storeAction);
const clickhouseAction = lazy(LAZY_NAMES.clickhouse, () => (require('../actions/clickhouse') as { clickhouseAction: ActionFactory }).clickhouseAction);
const relpAction = lazy(LAZY_NAMES.relpAction, () => (require('../actions/relp') as { relpAction: ActionFactory }).relpAction);
const relpInput = lazy(LAZY_NAMES.relpInput, () => (require('../inputs/relp') as { relpInput: InputFactory }).relpInput);
const imfileInput = lazy(LAZY_NAMES.imfile, () => (require('../inputs/imfile/index') as { imfileInput: InputFactory }).imfileInput);
const detectAction = lazy(LAZY_NAMES.detect, loadDetect);

const INPUTS: Array<Named<InputFactory>> = [udpInput, tcpInput, tlsInput, unixSockInput, relpInput, imfileInput];
const ACTIONS: Array<Named<ActionFactory>> = [fileAction, forwardAction, storeAction, clickhouseAction, usrmsgAction, pipeAction, discardAction, relpAction, detectAction];

function normalise(name: string): string {
  const n = name.toLowerCase();
  return n.startsWith('builtin:') ? n.slice('builtin:'.length) : n;
}

function byName<T extends { spec: ComponentSpec; names?: readonly string[] }>(list: T[], name: string): T | undefined {
  const n = normalise(name);
  return list.find((f) => (f.names ? f.names.includes(n) : f.spec.name === n || f.spec.aliases.includes(n)));
}

/** rsyslog parser modules Logwarden runs in a ruleset's parser chain (none has module parameters). */
const PARSER_MODULE_SPECS: ComponentSpec[] = [...new Set(EXTRA_PARSERS.values())].map((name) => ({ name, aliases: [], kind: 'service', params: [], moduleParams: [] }));

/** Every component's table (for docs/config-reference.md). */
export function allComponentSpecs(): ComponentSpec[] {
  return [...INPUTS.map((f) => f.spec), ...ACTIONS.map((f) => f.spec), httpServiceSpec, ...modifierSpecs(), impstatsSpec];
}

export function findAction(type: string): ActionFactory | undefined {
  return byName(ACTIONS, type);
}

/** The spec of any component by name, for config validation (module(load=…), input(type=…), action(type=…)). */
export function lookupComponent(name: string): ComponentSpec | undefined {
  const n = normalise(name);
  if (n === httpServiceSpec.name || httpServiceSpec.aliases.includes(n)) return httpServiceSpec;
  // message modifiers run inside the rules (src/rules), never as a queued action
  const modifier = findModifier(n);
  if (modifier) return modifier.spec;
  const parser = PARSER_MODULE_SPECS.find((x) => x.name === n);
  if (parser) return parser; // parser modules: module(load=…) only; ruleset(parser=[…]) runs them (src/parse/pm.ts)
  if (n === impstatsSpec.name) return impstatsSpec; // statistics service (src/metrics/impstats.ts)
  if (n === fmhashSpec.name) return fmhashSpec; // hash32/hash64/hash32mod/hash64mod (src/rules/fmhash.ts)
  // imtcp answers for both plain TCP and TLS: its spec must accept the TLS parameters too.
  if (n === 'imtcp') return mergedSpec(tcpInput.spec, tlsInput.spec);
  return byName(INPUTS, n)?.spec ?? byName(ACTIONS, n)?.spec;
}

/** Union of two parameter tables; where `a` only ignores a parameter that `b` implements, `b`'s entry wins. */
function mergeParams(a: ParamSpec[], b: ParamSpec[]): ParamSpec[] {
  const fromB = new Map(b.map((p) => [p.name.toLowerCase(), p]));
  const merged = a.map((p) => (p.ignored !== undefined && fromB.has(p.name.toLowerCase()) ? fromB.get(p.name.toLowerCase()) as ParamSpec : p));
  const seen = new Set(a.map((p) => p.name.toLowerCase()));
  return [...merged, ...b.filter((p) => !seen.has(p.name.toLowerCase()))];
}

function mergedSpec(a: ComponentSpec, b: ComponentSpec): ComponentSpec {
  return { ...a, params: mergeParams(a.params, b.params), moduleParams: mergeParams(a.moduleParams, b.moduleParams) };
}

/** The HTTP module's parameters under any of its names (`http`, `lwhttp`, `webui`); later loads win. */
export function httpModuleParams(model: ConfigModel): Params {
  const names = [httpServiceSpec.name, ...httpServiceSpec.aliases];
  const merged: Params = new Map();
  for (const m of model.modules) if (names.includes(normalise(m.load))) for (const [k, v] of m.params) merged.set(k, v);
  return merged;
}

/** Parameters of `module(load=NAME …)` (the last one wins, as in rsyslog), empty if not loaded with params. */
export function moduleParamsFor(model: ConfigModel, name: string): Params {
  const n = normalise(name);
  const merged: Params = new Map();
  for (const m of model.modules) {
    if (normalise(m.load) !== n) continue;
    for (const [k, v] of m.params) merged.set(k, v);
  }
  return merged;
}

/** rsyslog's imtcp becomes a TLS listener when its effective StreamDriver.Mode is 1 (input, then module). */
export function isTlsInput(decl: InputDecl, model: ConfigModel): boolean {
  if (normalise(decl.type) !== 'imtcp') return false;
  const mode = getParam(decl.params, 'streamdriver.mode') ?? getParam(moduleParamsFor(model, 'imtcp'), 'streamdriver.mode');
  return mode !== undefined && String(mode.value) === '1';
}

export function findInput(decl: InputDecl, model: ConfigModel): InputFactory | undefined {
  if (isTlsInput(decl, model)) return tlsInput;
  return byName(INPUTS, decl.type);
}

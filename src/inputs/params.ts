// Reading an input's parameters: the input() value, else the module(load=…) value, else the default;
// with errors that name the config place (file:line:col).
import * as os from 'node:os';
import { parserChain, rulesetParsers, type Param, type Params } from '../config/model';
import { parseOptionsFromGlobals, pmrfc3164Options, type ParseOptions } from '../parse/options';
import type { RuntimeContext } from '../runtime/context';
import { preParser, type PreParser } from '../parse/pm';

/**
 * Parse options for an input: the global parser.* settings and the message size limit, decided at load, and the
 * parser chain of the ruleset the input is bound to (`ruleset(parser=["rsyslog.rfc3164"])` skips RFC 5424; a
 * `parser(type="pmrfc3164" …)` in the chain brings its options).
 */
export function inputParseOptions(ctx: RuntimeContext, ruleset?: string): ParseOptions {
  const o = parseOptionsFromGlobals((n) => ctx.config.globals.get(n)?.value, ctx.maxMessageSize);
  const names = rulesetParsers(ctx.config.rulesets.get(ruleset ?? '')?.params.get('parser')?.value);
  const chain = names === null ? null : parserChain(names, ctx.config.parsers);
  if (chain === null) return o;
  o.rfc5424 = chain.rfc5424;
  const pre = chain.pre.map((d) => preParser(d.type, (n) => d.params.get(n)?.value)).filter((f): f is PreParser => f !== undefined);
  if (pre.length > 0) o.preParsers = pre;
  const p3164 = chain.rfc3164;
  if (p3164 !== null) Object.assign(o, pmrfc3164Options((n) => p3164.get(n)?.value));
  return o;
}


/**
 * The local host name as rsyslog uses it for $myhostname and locally generated messages: `$LocalHostName` /
 * `global(localHostname=…)`, else the system name, shortened to its first label unless `$PreserveFQDN on`.
 */
export function configuredHostname(globals: Params): string {
  const set = globals.get('localhostname')?.value;
  if (set !== undefined && String(set) !== '') return String(set);
  const fqdn = /^(on|yes|1|true)$/i.test(String(globals.get('preservefqdn')?.value ?? 'off'));
  const h = os.hostname();
  return fqdn ? h : (h.split('.')[0] || 'localhost');
}

export const LW_ERR_CONFIG = 'LW_ERR_CONFIG';

export class InputConfigError extends Error {
  readonly code = LW_ERR_CONFIG;
}

function lookup(params: Params, moduleParams: Params, name: string): Param | undefined {
  const k = name.toLowerCase();
  return params.get(k) ?? moduleParams.get(k);
}

function where(p: Param): string {
  return `${p.loc.file}:${p.loc.line}:${p.loc.col}`;
}

export function paramString(params: Params, moduleParams: Params, name: string, def: string): string {
  const p = lookup(params, moduleParams, name);
  if (!p) return def;
  return Array.isArray(p.value) ? p.value.join(',') : String(p.value);
}

/** An optional string (undefined when absent). */
export function paramOptional(params: Params, moduleParams: Params, name: string): string | undefined {
  const p = lookup(params, moduleParams, name);
  return p ? String(p.value) : undefined;
}

const SIZE_SUFFIX: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

export function paramInt(params: Params, moduleParams: Params, name: string, def: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const p = lookup(params, moduleParams, name);
  if (!p) return def;
  let n: number;
  if (typeof p.value === 'number') n = p.value;
  else {
    const m = /^\s*(\d+)\s*([kmg]?)\s*$/i.exec(String(p.value));
    if (!m) throw new InputConfigError(`${where(p)}: ${p.name} must be a number, got "${String(p.value)}"`);
    n = Number(m[1]) * (m[2] ? SIZE_SUFFIX[m[2].toLowerCase()] : 1);
  }
  if (!Number.isInteger(n) || n < min || n > max) throw new InputConfigError(`${where(p)}: ${p.name} must be an integer in ${min}..${max}, got ${n}`);
  return n;
}

export function paramBool(params: Params, moduleParams: Params, name: string, def: boolean): boolean {
  const p = lookup(params, moduleParams, name);
  if (!p) return def;
  if (typeof p.value === 'boolean') return p.value;
  const s = String(p.value).toLowerCase();
  if (s === 'on' || s === 'yes' || s === 'true' || s === '1') return true;
  if (s === 'off' || s === 'no' || s === 'false' || s === '0') return false;
  throw new InputConfigError(`${where(p)}: ${p.name} must be on or off, got "${String(p.value)}"`);
}

/** The place of a parameter for error messages, or the declaration's when absent. */
export function paramPlace(params: Params, name: string): string | undefined {
  const p = params.get(name.toLowerCase());
  return p ? where(p) : undefined;
}

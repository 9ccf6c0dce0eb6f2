// Checks the lowered model: modules exist and are loaded, parameters match component tables, references resolve.
import type { ComponentSpec, ParamSpec } from '../components';
import type { ConfigModel, Expr, Param, Params, SourceLoc, Statement } from './model';
import { E, W, didYouMean, type Reporter } from './diagnostics';
import { BUILTIN_MODULES, BUILTIN_TEMPLATES, KNOWN_RSYSLOG_MODULES, LOGWARDEN_MODULES, NOOP_MODULES, PROPERTIES, SKIPPED_INPUT_MODULES, allModuleNames } from './known';
import { GENERIC_ACTION_SPECS, QUEUE_SPECS } from './params';

export type Lookup = (name: string) => ComponentSpec | undefined;

const BINARY = /^(on|off|yes|no|true|false|1|0)$/i;
const INT = /^-?[0-9]+$/;
const SIZE = /^[0-9]+[kmgt]?b?$/i;

export class Validator {
  private readonly loaded = new Set<string>();

  constructor(private readonly m: ConfigModel, private readonly rep: Reporter, private readonly lookup?: Lookup) {}

  run(): void {
    for (const mod of this.m.modules) this.module(mod.load, mod.params, mod.loc);
    for (const input of this.m.inputs) this.object('input', input.type, input.params, input.loc);
    for (const rs of this.m.rulesets.values()) {
      this.queueParams(rs.params);
      this.statements(rs.statements);
    }
    this.queueParams(this.m.mainQueue);
    for (const t of this.m.templates.values()) {
      for (const item of t.items ?? []) if (item.kind === 'property') this.property(item.name, item.loc);
    }
  }

  /** Classify a module name: unknown (typo), known-but-unsupported, no-op, or a Logwarden component. */
  private classify(name: string, loc: SourceLoc, len: number): ComponentSpec | 'skip' | null {
    const spec = this.lookup?.(name);
    if (spec) return spec;
    const noop = NOOP_MODULES.get(name);
    if (noop !== undefined) {
      this.rep.notice(W.NOOP_MODULE, `module \`${name}\` is accepted as a no-op: ${noop}`, loc, { length: len });
      return 'skip';
    }
    const skipped = SKIPPED_INPUT_MODULES.get(name);
    if (skipped !== undefined) {
      this.rep.warn(W.INPUT_SKIPPED, `module \`${name}\` is not supported: ${skipped}`, loc, { length: len });
      return 'skip';
    }
    if (!KNOWN_RSYSLOG_MODULES.has(name) && !LOGWARDEN_MODULES.has(name)) {
      this.rep.error(E.UNKNOWN_MODULE, `unknown module \`${name}\``, loc, {
        length: len, hint: didYouMean(name, allModuleNames()) ?? 'check the module name',
      });
      return null;
    }
    if (this.lookup === undefined) return 'skip';
    this.rep.error(E.UNSUPPORTED_MODULE, `module \`${name}\` is a valid rsyslog module but not supported by Logwarden yet`, loc, {
      length: len, hint: 'remove it or replace it with a supported component (see docs/config.md)',
    });
    return null;
  }

  private module(name: string, params: Params, loc: SourceLoc): void {
    this.loaded.add(name);
    const spec = this.classify(name, loc, name.length);
    if (spec && spec !== 'skip') this.params(params, spec.moduleParams, `module ${name}`, loc);
  }

  private object(kind: 'input' | 'action', type: string, params: Params, loc: SourceLoc): void {
    const spec = this.classify(type, loc, kind.length);
    if (!spec) return;
    const needsLoad = KNOWN_RSYSLOG_MODULES.has(type) && !BUILTIN_MODULES.has(type) && !NOOP_MODULES.has(type) && !SKIPPED_INPUT_MODULES.has(type);
    if (needsLoad && !this.loaded.has(type)) {
      this.rep.error(E.MODULE_NOT_LOADED, `${kind} type \`${type}\` is used but its module is not loaded`, loc, {
        length: kind.length, hint: `add module(load="${type}") (or $ModLoad ${type}) before it`,
      });
    }
    if (spec === 'skip') {
      this.queueParams(params);
      return this.references(params);
    }
    if (spec.kind !== kind) {
      this.rep.error(E.BAD_VALUE, `\`${type}\` is an ${spec.kind}, not an ${kind}`, loc, { length: kind.length });
      return;
    }
    const specs = kind === 'action' ? [...spec.params, ...GENERIC_ACTION_SPECS] : spec.params;
    this.params(params, specs, `${kind}(type="${type}")`, loc);
    this.references(params);
  }

  /** Check each parameter against the table: known name, right type, required ones present. */
  private params(params: Params, specs: readonly ParamSpec[], where: string, loc: SourceLoc): void {
    const byName = new Map(specs.map((s) => [s.name.toLowerCase(), s]));
    for (const [key, p] of params) {
      const spec = byName.get(key);
      if (!spec) {
        this.rep.error(E.UNKNOWN_PARAM, `parameter \`${p.name}\` not known in ${where}`, p.loc, {
          length: p.name.length, hint: didYouMean(key, specs.map((s) => s.name)) ?? 'see docs/config-reference.md for the parameter list',
        });
        continue;
      }
      this.value(p, spec);
      if (spec.ignored !== undefined) {
        this.rep.notice(W.PARAM_IGNORED, `parameter \`${spec.name}\` is accepted but has no effect: ${spec.ignored}`, p.loc, { length: p.name.length });
      }
    }
    for (const spec of specs) {
      if (spec.required && !params.has(spec.name.toLowerCase())) {
        this.rep.error(E.MISSING_PARAM, `${where} needs parameter \`${spec.name}\``, loc, { length: 1, hint: spec.doc });
      }
    }
  }

  private value(p: Param, spec: ParamSpec): void {
    const v = p.value;
    if (Array.isArray(v)) {
      if (spec.type !== 'array') this.bad(p, `parameter \`${p.name}\` takes one value, not an array`);
      return;
    }
    const text = String(v);
    const fail = (why: string): void => this.bad(p, `invalid value "${text}" for \`${p.name}\`: ${why}`);
    switch (spec.type) {
      case 'int': if (!INT.test(text)) fail('expected an integer'); break;
      case 'size': if (!SIZE.test(text)) fail('expected a size like 512, 64k, 10m, 1g'); break;
      case 'binary': if (!BINARY.test(text)) fail('expected on/off'); break;
      case 'word': {
        const values = spec.values ?? [];
        if (values.length > 0 && !values.some((x) => x.toLowerCase() === text.toLowerCase())) {
          fail(`expected one of ${values.join(', ')}${didYouMean(text, values) ? ` (${didYouMean(text, values)})` : ''}`);
        }
        break;
      }
      case 'template': this.template(text, p.loc, p.name.length); break;
      case 'ruleset': this.ruleset(text, p.loc, p.name.length); break;
      case 'path': if (text === '') fail('expected a file name'); break;
      default: break;
    }
    if (/port$/i.test(spec.name) && spec.type === 'int' && INT.test(text) && (Number(text) < 0 || Number(text) > 65535)) {
      this.rep.error(E.BAD_PORT, `port ${text} is out of range`, p.loc, { length: p.name.length, hint: 'a port is 0 to 65535' });
    }
  }

  private bad(p: Param, message: string): void {
    this.rep.error(E.BAD_VALUE, message, p.loc, { length: p.name.length });
  }

  private queueParams(params: Params): void {
    const byName = new Map(QUEUE_SPECS.map((s) => [s.name.toLowerCase(), s]));
    for (const [k, p] of params) {
      const spec = byName.get(k);
      if (spec) this.value(p, spec);
    }
  }

  /** `template=` and `ruleset=` are references whatever the component table says. */
  private references(params: Params): void {
    const t = params.get('template');
    if (typeof t?.value === 'string') this.template(t.value, t.loc, t.name.length);
    const d = params.get('dynafile');
    if (typeof d?.value === 'string') this.template(d.value, d.loc, d.name.length);
    const r = params.get('ruleset');
    if (typeof r?.value === 'string') this.ruleset(r.value, r.loc, r.name.length);
  }

  private template(name: string, loc: SourceLoc, len: number): void {
    if (this.m.templates.has(name) || BUILTIN_TEMPLATES.has(name)) return;
    this.rep.error(E.UNKNOWN_TEMPLATE, `template \`${name}\` is not defined`, loc, {
      length: len, hint: didYouMean(name, [...this.m.templates.keys(), ...BUILTIN_TEMPLATES]) ?? 'define it with template(name=…) or $template',
    });
  }

  private ruleset(name: string, loc: SourceLoc, len: number): void {
    if (this.m.rulesets.has(name)) return;
    this.rep.error(E.UNKNOWN_RULESET, `ruleset \`${name}\` cannot be found`, loc, {
      length: len, hint: didYouMean(name, this.m.rulesets.keys()) ?? 'define it with ruleset(name="…") { … }',
    });
  }

  /** A list template's property(name=…) must name a message property or a variable. */
  private property(name: string, loc: SourceLoc): void {
    const lower = name.toLowerCase();
    if (PROPERTIES.has(lower) || /^\$[!./]/.test(name)) return;
    this.rep.error(E.BAD_PROPERTY, `invalid property \`${name}\` in template`, loc, {
      length: 8, hint: didYouMean(lower, PROPERTIES) ?? 'see the property list in docs/config.md',
    });
  }

  private statements(list: Statement[]): void {
    for (const st of list) {
      switch (st.kind) {
        case 'action': this.object('action', st.action.type, st.action.params, st.action.loc); break;
        case 'call': this.ruleset(st.ruleset, st.loc, st.ruleset.length); break;
        case 'filter': this.statements(st.body); break;
        case 'if': this.expr(st.cond); this.statements(st.then); if (st.else) this.statements(st.else); break;
        case 'foreach': this.statements(st.body); break;
        default: break;
      }
    }
  }

  /** `lookup("table", …)` and friends could be checked here; constant-argument checks only. */
  private expr(e: Expr): void {
    if (e.kind === 'call' && e.fn === 'prifilt' && e.args[0]?.kind === 'string') {
      const sel = e.args[0].value;
      if (!/^[*a-z0-9,]+\.[!=]*[*a-z0-9]+(;[*a-z0-9,]+\.[!=]*[*a-z0-9]+)*$/i.test(sel)) {
        this.rep.error(E.BAD_SELECTOR, `prifilt("${sel}") is not a valid selector`, e.args[0].loc, { length: sel.length + 2 });
      }
    }
    if (e.kind === 'binary') { this.expr(e.left); this.expr(e.right); }
    if (e.kind === 'not' || e.kind === 'neg') this.expr(e.operand);
    if (e.kind === 'call') for (const a of e.args) this.expr(a);
  }
}

// Checks the lowered model: modules exist and are loaded, parameters match component tables, references resolve.
import type { ComponentSpec, ParamSpec } from '../components';
import { KNOWN_PARSERS, rulesetParsers, type ConfigModel, type Expr, type Param, type Params, type SourceLoc, type Statement } from './model';
import { E, W, didYouMean, type Reporter } from './diagnostics';
import { BUILTIN_MODULES, BUILTIN_TEMPLATES, KNOWN_RSYSLOG_MODULES, LOGWARDEN_MODULES, NOOP_MODULES, PROPERTIES, SKIPPED_INPUT_MODULES, allModuleNames } from './known';
import { GENERIC_ACTION_SPECS, GLOBALS_APPLIED, QUEUE_SPECS } from './params';
import { QUEUE_PARAMS_WITHOUT_EFFECT, QueueConfigError, queueOptions } from '../queue/options';

export type Lookup = (name: string) => ComponentSpec | undefined;

const BINARY = /^(on|off|yes|no|true|false|1|0)$/i;
const INT = /^-?[0-9]+$/;
const SIZE = /^[0-9]+[kmgt]?b?$/i;

export class Validator {
  private readonly loaded = new Set<string>();
  /** Disk queue files claimed so far (spool directory + file name), to refuse two actions on one file. */
  private readonly queueFiles = new Map<string, SourceLoc>();
  private actionIndex = 0;
  /** An action(type="omfile") exists: the omfile module's modes and owners apply only to such actions. */
  private fileActionObject = false;

  constructor(private readonly m: ConfigModel, private readonly rep: Reporter, private readonly lookup?: Lookup) {}

  run(): void {
    for (const mod of this.m.modules) this.module(mod.load, mod.params, mod.loc);
    for (const input of this.m.inputs) this.object('input', input.type, input.params, input.loc);
    this.globalsWithoutEffect();
    for (const rs of this.m.rulesets.values()) {
      this.queueParams(rs.params, `ruleset ${rs.name}`);
      this.rulesetParser(rs.params);
      this.statements(rs.statements);
    }
    this.omfileModuleScope();
    this.queueParams(this.m.mainQueue, 'main_queue()');
    for (const t of this.m.templates.values()) {
      for (const item of t.items ?? []) if (item.kind === 'property') this.property(item.name, item.loc);
    }
  }

  /** global() parameters and global $-directives rsyslog knows but Logwarden does not apply: a warning each. */
  private globalsWithoutEffect(): void {
    for (const [key, p] of this.m.globals) {
      if (GLOBALS_APPLIED.has(key)) continue;
      this.rep.warn(W.NO_EFFECT, `\`${p.name}\` is accepted but has no effect in Logwarden`, p.loc, {
        length: p.name.length, hint: 'remove it, or see docs/config.md for what Logwarden does instead',
      });
    }
  }

  /** `ruleset(parser=[…])`: rsyslog.rfc5424 / rsyslog.rfc3164 are honoured; any other parser is not available. */
  private rulesetParser(params: Params): void {
    const p = params.get('parser');
    const chain = rulesetParsers(p?.value);
    if (p === undefined || chain === null) return;
    const missing = chain.filter((n) => !KNOWN_PARSERS.includes(n) && this.m.parsers?.get(n) === undefined);
    if (missing.length === 0) return;
    this.rep.warn(W.PARSER_UNAVAILABLE, `parser ${missing.map((n) => `\`${n}\``).join(', ')} is not available in Logwarden; `
      + `messages of this ruleset are parsed by ${chain.some((n) => KNOWN_PARSERS.includes(n) || this.m.parsers?.get(n) !== undefined) ? 'the other parsers listed' : 'the default chain (rsyslog.rfc5424, rsyslog.rfc3164)'}`,
    p.loc, { length: p.name.length, hint: `Logwarden implements ${KNOWN_PARSERS.join(' and ')}` });
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
    if (kind === 'action') this.actionQueue(typeof spec === 'object' ? spec.name : type, params, loc);
    if (spec === 'skip') {
      if (kind !== 'action') this.queueParams(params, `${kind}(type="${type}")`);
      return this.references(params);
    }
    if (spec.kind !== kind) {
      this.rep.error(E.BAD_VALUE, `\`${type}\` is an ${spec.kind}, not an ${kind}`, loc, { length: kind.length });
      return;
    }
    const specs = kind === 'action' ? [...spec.params, ...GENERIC_ACTION_SPECS] : spec.params;
    this.params(params, specs, `${kind}(type="${type}")`, loc);
    if (spec.name === 'forward') this.forwardResendOnUdp(params);
    this.references(params);
  }

  /** omfwd ResendLastMSGOnReconnect acts on TCP connections only (as in rsyslog): say so for UDP. */
  private forwardResendOnUdp(params: Params): void {
    const p = params.get('resendlastmsgonreconnect');
    const protocol = String(params.get('protocol')?.value ?? 'udp').toLowerCase();
    if (p === undefined || protocol !== 'udp' || !/^(on|yes|true|1)$/i.test(String(p.value))) return;
    this.rep.warn(W.NO_EFFECT, 'parameter `ResendLastMSGOnReconnect` is accepted but has no effect: protocol is udp (TCP only)', p.loc, { length: p.name.length });
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
      if (spec.rsyslogSpelling !== undefined) {
        this.rep.warn(W.NOT_RSYSLOG_SPELLING, `\`${p.name}\` is accepted by Logwarden, but rsyslogd rejects it in ${where} `
          + `("parameter not known"); the rsyslog spelling is \`${spec.rsyslogSpelling}\``, p.loc, {
          length: p.name.length, hint: `write \`${spec.rsyslogSpelling}\` so the config also works with rsyslogd`,
        });
      }
      if (spec.ignored !== undefined) {
        this.rep.warn(W.NO_EFFECT, `parameter \`${spec.name}\` is accepted but has no effect: ${spec.ignored}`, p.loc, { length: p.name.length });
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

  /**
   * queue.* outside an action: Logwarden has no main queue and no ruleset queues (each action has its own,
   * docs/queues.md), so such parameters have no effect and say so.
   */
  private queueParams(params: Params, where: string): void {
    const byName = new Map(QUEUE_SPECS.map((s) => [s.name.toLowerCase(), s]));
    for (const [k, p] of params) {
      const spec = byName.get(k);
      if (!spec) continue;
      this.value(p, spec);
      this.rep.warn(W.NO_EFFECT, `\`${p.name}\` in ${where} has no effect: Logwarden queues per action (set queue.* on the actions)`, p.loc, { length: p.name.length });
    }
  }

  /** An action's queue.* / action.* settings: the same parsing the runtime does, plus what has no effect. */
  private actionQueue(componentName: string, params: Params, loc: SourceLoc): void {
    const index = this.actionIndex++;
    const byName = new Map(QUEUE_SPECS.map((s) => [s.name.toLowerCase(), s]));
    let typed = true;
    for (const [k, p] of params) {
      const spec = byName.get(k);
      if (!spec) continue;
      const before = this.rep.diagnostics.length;
      this.value(p, spec);
      if (this.rep.diagnostics.length !== before) typed = false;
      const why = QUEUE_PARAMS_WITHOUT_EFFECT[k];
      if (why !== undefined) this.rep.warn(W.NO_EFFECT, `\`${p.name}\` has no effect: ${why}`, p.loc, { length: p.name.length });
    }
    if (!typed) return;
    try {
      const o = queueOptions(params, componentName, index, '.', loc);
      if (o.kind === 'memory') return;
      const key = `${o.spoolDirectory}\0${o.fileName}`;
      const first = this.queueFiles.get(key);
      if (first) {
        const p = params.get('queue.filename');
        this.rep.error(E.BAD_VALUE, `queue file \`${o.fileName}\` is already used by the action at line ${first.line}`, p?.loc ?? loc, {
          length: p?.name.length ?? 6, hint: 'give each action its own queue.filename',
        });
      } else this.queueFiles.set(key, loc);
    } catch (e) {
      if (!(e instanceof QueueConfigError)) throw e;
      this.rep.error(E.BAD_VALUE, e.message.slice(e.message.indexOf(': ') + 2), e.loc, { length: 5 });
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

  /**
   * module(load="builtin:omfile" fileCreateMode=… fileOwner=…) sets defaults for action(type="omfile") only, as in
   * rsyslog: legacy selector-line files take $FileCreateMode and friends. Without such an action it has no effect.
   */
  private omfileModuleScope(): void {
    if (this.fileActionObject) return;
    for (const mod of this.m.modules) {
      if (mod.load !== 'omfile') continue;
      for (const [key, p] of mod.params) {
        if (key === 'template') continue;
        this.rep.warn(W.NO_EFFECT, `module omfile \`${p.name}\` has no effect: it applies only to action(type="omfile"), `
          + 'not to legacy selector-line files (rsyslog does the same)', p.loc, {
          length: p.name.length, hint: 'set it on each action(type="omfile" …), or use $FileCreateMode, $DirCreateMode, $FileOwner … before the selector lines',
        });
      }
    }
  }

  private statements(list: Statement[]): void {
    for (const st of list) {
      switch (st.kind) {
        case 'action':
          if (!st.action.legacy && (st.action.type === 'omfile' || st.action.type === 'file')) this.fileActionObject = true;
          this.object('action', st.action.type, st.action.params, st.action.loc);
          break;
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

// One instantiated configuration: compiled templates, compiled rulesets, and a queue per action. A reload
// builds a new Graph and the Runtime swaps it in; inputs only ever see the Runtime's sink.
import type { Action } from '../actions/action';
import type { ActionDecl, ConfigModel, Params } from '../config/model';
import { getParam } from '../config/model';
import type { Logger } from '../log';
import type { Message } from '../message';
import { ActionQueue, DEFAULT_QUEUE_OPTIONS, type QueueOptions } from '../queue/action-queue';
import { compileRulesets } from '../rules/compile';
import { builtinTemplates, compileTemplate } from '../templates';
import type { CompiledTemplate, RuntimeContext } from './context';
import { findAction, moduleParamsFor } from './registry';

export const DEFAULT_MAX_MESSAGE_SIZE = 8192;

export class Graph {
  readonly ctx: RuntimeContext;
  readonly queues: ActionQueue[] = [];
  private readonly rules: ReturnType<typeof compileRulesets>;
  private congestedCount = 0;
  private readonly onCongestion: (congested: boolean) => void;

  constructor(model: ConfigModel, dataDir: string, logger: Logger, onCongestion: (congested: boolean) => void) {
    this.onCongestion = onCongestion;
    const templates = new Map<string, CompiledTemplate>(builtinTemplates());
    const warn = (code: string, message: string, loc: { file: string; line: number; col: number }): void =>
      logger.warn(code, message, { at: `${loc.file}:${loc.line}:${loc.col}` });
    for (const [name, decl] of model.templates) templates.set(name.toLowerCase(), compileTemplate(decl, { warn }));
    this.ctx = {
      config: model,
      logger,
      templates,
      dataDir,
      maxMessageSize: sizeParam(model.globals, 'maxmessagesize') ?? DEFAULT_MAX_MESSAGE_SIZE,
      inject: (msg) => this.dispatch(msg), // detection alerts re-enter a ruleset (src/detect/outputs.ts)
    };
    this.rules = compileRulesets(model, { action: (decl) => this.bindAction(decl) });
  }

  /** Route one parsed message through its ruleset into the action queues. */
  dispatch(msg: Message): void {
    this.rules.run(msg.ruleset, msg);
  }

  get congested(): boolean {
    return this.congestedCount > 0;
  }

  /** Wait until every queue has delivered what it holds. */
  async whenIdle(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.whenIdle()));
  }

  /** Deliver what is queued (bounded) and close every action. */
  async close(timeoutMs: number): Promise<number> {
    const left = await Promise.all(this.queues.map((q) => q.close(timeoutMs)));
    return left.reduce((a, b) => a + b, 0);
  }

  /** Per-action queue counters, for stats endpoints and tests. */
  queueStats(): Array<{ action: string } & ActionQueue['stats']> {
    return this.queues.map((q) => ({ action: q.action.name, ...q.stats, size: q.size }));
  }

  reopen(): void {
    for (const q of this.queues) q.action.reopen?.();
  }

  private bindAction(decl: ActionDecl): (msg: Message) => void {
    const factory = findAction(decl.type);
    if (!factory) throw new Error(`${decl.loc.file}:${decl.loc.line}:${decl.loc.col}: unknown action type "${decl.type}"`);
    const action: Action = factory.create(decl, moduleParamsFor(this.ctx.config, decl.type), this.ctx);
    const queue = new ActionQueue(action, queueOptions(decl.params), this.ctx.logger, (q) => {
      this.congestedCount += q.congested ? 1 : -1;
      this.onCongestion(this.congestedCount > 0);
    });
    this.queues.push(queue);
    return (msg) => queue.push(msg);
  }
}

function intParam(params: Params, name: string): number | undefined {
  const p = getParam(params, name);
  if (!p) return undefined;
  const n = typeof p.value === 'number' ? p.value : Number.parseInt(String(p.value), 10);
  return Number.isFinite(n) ? n : undefined;
}

const SIZE_SUFFIX: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** rsyslog size values: "8k", "64m", plain numbers. */
export function sizeParam(params: Params, name: string): number | undefined {
  const p = getParam(params, name);
  if (!p) return undefined;
  if (typeof p.value === 'number') return p.value;
  const m = /^\s*(\d+)\s*([kmg])?b?\s*$/i.exec(String(p.value));
  if (!m) return undefined;
  return Number(m[1]) * (m[2] ? SIZE_SUFFIX[m[2].toLowerCase()] : 1);
}

/** Queue settings from an action's `queue.*` and `action.resume*` parameters. */
export function queueOptions(params: Params): QueueOptions {
  const o = { ...DEFAULT_QUEUE_OPTIONS };
  o.maxSize = intParam(params, 'queue.size') ?? o.maxSize;
  o.batchSize = intParam(params, 'queue.dequeuebatchsize') ?? o.batchSize;
  o.highWatermark = intParam(params, 'queue.highwatermark') ?? Math.min(o.highWatermark, Math.floor(o.maxSize * 0.8));
  o.lowWatermark = intParam(params, 'queue.lowwatermark') ?? Math.min(o.lowWatermark, Math.floor(o.highWatermark * 0.7));
  const resume = intParam(params, 'action.resumeinterval');
  if (resume !== undefined) o.retryMaxMs = resume * 1000;
  return o;
}

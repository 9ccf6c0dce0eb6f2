// One instantiated configuration: compiled templates, compiled rulesets, and a queue per action. A reload
// builds a new Graph and the Runtime swaps it in; inputs only ever see the Runtime's sink.
import type { Action } from '../actions/action';
import type { ActionDecl, ConfigModel } from '../config/model';
import { getParam } from '../config/model';
import type { Logger } from '../log';
import type { Message } from '../message';
import { resolve } from 'node:path';
import { ActionQueue, type CloseResult } from '../queue/action-queue';
import { QueueConfigError, queueOptions, sizeParam } from '../queue/options';
import { compileRulesets, type BoundAction } from '../rules/compile';
import { builtinTemplates, compileTemplate } from '../templates';
import type { CompiledTemplate, RuntimeContext } from './context';
import { findAction, moduleParamsFor } from './registry';

/** rsyslog's default maxMessageSize (8096, not 8192: checked with rsyslogd 8.2302 over TCP and UDP). */
export const DEFAULT_MAX_MESSAGE_SIZE = 8096;

export class Graph {
  readonly ctx: RuntimeContext;
  readonly queues: ActionQueue[] = [];
  private readonly rules: ReturnType<typeof compileRulesets>;
  private congestedCount = 0;
  private readonly onCongestion: (congested: boolean) => void;

  /** Disk-backed queues by their file (spool directory + name), to refuse two actions on one file. */
  private readonly diskQueues = new Map<string, ActionQueue>();
  private readonly previous: Graph | null;
  private actionIndex = 0;

  /** `previous`: the graph this one replaces on reload; its disk queues are handed over once they close. */
  constructor(model: ConfigModel, dataDir: string, logger: Logger, onCongestion: (congested: boolean) => void, previous: Graph | null = null) {
    this.onCongestion = onCongestion;
    this.previous = previous;
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
    this.rules = compileRulesets(model, { action: (decl) => this.bindAction(decl) }, {
      templates,
      lookupLog: (level, code, message, fields) => logger[level](code, message, fields),
      previousLookups: previous?.rules.lookups,
    });
  }

  /** Route one parsed message through its ruleset into the action queues. */
  dispatch(msg: Message): void {
    this.rules.run(msg.ruleset, msg);
  }

  get congested(): boolean {
    return this.congestedCount > 0;
  }

  /** Wait until everything dispatched so far is finished or on disk (ActionQueue.settle). */
  async settle(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.settle()));
  }

  /** Wait until every queue has delivered what it holds. */
  async whenIdle(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.whenIdle()));
  }

  /** Deliver what is queued (bounded), save disk-backed queues, close every action. */
  async close(timeoutMs: number): Promise<CloseResult> {
    const results = await Promise.all(this.queues.map((q) => q.close(timeoutMs)));
    return results.reduce((a, b) => ({ undelivered: a.undelivered + b.undelivered, saved: a.saved + b.saved }), { undelivered: 0, saved: 0 });
  }

  /** Per-action queue counters (gauges current), for stats endpoints and tests. */
  queueStats(): Array<{ action: string; kind: string; suspended: boolean } & ReturnType<ActionQueue['snapshot']>> {
    return this.queues.map((q) => ({ action: q.action.name, kind: q.options.kind, suspended: q.suspended, ...q.snapshot() }));
  }

  /** The disk-backed queue on this file, if this graph has one. */
  diskQueue(key: string): ActionQueue | undefined {
    return this.diskQueues.get(key);
  }

  reopen(): void {
    for (const q of this.queues) q.action.reopen?.();
  }

  private bindAction(decl: ActionDecl): BoundAction {
    const factory = findAction(decl.type);
    if (!factory) throw new Error(`${decl.loc.file}:${decl.loc.line}:${decl.loc.col}: unknown action type "${decl.type}"`);
    const action: Action = factory.create(decl, moduleParamsFor(this.ctx.config, decl.type), this.ctx);
    const opts = queueOptions(decl.params, factory.spec.name, this.actionIndex++, this.ctx.dataDir, decl.loc);
    let after: Promise<void> | undefined;
    let key = '';
    if (opts.kind !== 'memory') {
      key = resolve(this.ctx.dataDir, opts.spoolDirectory, opts.fileName);
      if (this.diskQueues.has(key)) {
        throw new QueueConfigError(getParam(decl.params, 'queue.filename')?.loc ?? decl.loc,
          `queue file "${opts.fileName}" in ${opts.spoolDirectory} is already used by action ${this.diskQueues.get(key)!.action.name}: give each queue its own queue.filename`);
      }
      after = this.previous?.diskQueue(key)?.whenClosed();
      opts.spoolDirectory = resolve(this.ctx.dataDir, opts.spoolDirectory);
    }
    const queue = new ActionQueue(action, opts, this.ctx.logger, (q) => {
      this.congestedCount += q.congested ? 1 : -1;
      this.onCongestion(this.congestedCount > 0);
    }, after);
    if (key !== '') this.diskQueues.set(key, queue);
    this.queues.push(queue);
    return Object.assign((msg: Message) => queue.push(msg), { isSuspended: () => queue.suspended });
  }
}

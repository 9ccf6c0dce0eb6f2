// The running server: loads a config, instantiates it (Graph + inputs), and handles stop and reload.
// Inputs submit to the Runtime's sink, which forwards to the current Graph, so a reload swaps the graph
// without closing the listeners whose configuration did not change: nothing sent during a reload is lost.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Input, MessageSink } from '../components';
import type { ConfigModel, Diagnostic, InputDecl } from '../config/model';
import { getParam } from '../config/model';
import { SKIPPED_INPUT_MODULES } from '../config/known';
import { formatDiagnostics, loadConfig } from '../config/load';
import type { Logger } from '../log';
import { StreamLogger } from '../log';
import type { HostTracker } from './hosts';
import { TailBus } from './tail-bus';
import type { Message } from '../message';
import { Graph } from './graph';
import { RepeatReducer } from '../inputs/repeat-reduction';
import { configuredHostname } from '../inputs/params';
import { setLocalHostname } from '../templates/properties';

const isOn = (v: unknown): boolean => v !== undefined && /^(on|yes|1|true)$/i.test(String(v));
import { findInput, lookupComponent, moduleParamsFor } from './registry';
import { MetricsRegistry } from '../metrics/registry';
import { PipelineCounters } from '../metrics/pipeline';
import { runtimeCollector } from '../metrics/runtime-collector';

export interface RuntimeOptions {
  /** Path of the config file; relative includes resolve against its directory. */
  configFile?: string;
  /** Config text (with configFile as its name for diagnostics), e.g. the embedded default. */
  configText?: string;
  /** Overrides the config's workDirectory. */
  dataDir?: string;
  logger?: Logger;
  /** How long stop() waits for queues to deliver, default 10 s. */
  drainTimeoutMs?: number;
}

/** A config that failed validation; `diagnostics` holds every error and warning. */
export class ConfigError extends Error {
  readonly code = 'LW_ERR_CONFIG_INVALID';
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    super(formatDiagnostics(diagnostics));
    this.diagnostics = diagnostics;
  }
}

const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;

interface RunningInput {
  key: string;
  input: Input;
}

export function inputKey(decl: InputDecl, model: ConfigModel): string {
  const params = [...decl.params.entries()].map(([k, p]) => [k, p.value]).sort();
  const moduleParams = [...moduleParamsFor(model, decl.type).entries()].map(([k, p]) => [k, p.value]).sort();
  return JSON.stringify([decl.type.toLowerCase(), params, moduleParams]);
}

export class Runtime implements MessageSink {
  readonly logger: Logger;
  private graph: Graph;
  private inputs: RunningInput[] = [];
  /** Inputs replaced by a reload whose open sessions still read until their peers close. */
  private retired: Input[] = [];
  private drainWaiters: Array<() => void> = [];
  private readonly opts: RuntimeOptions;
  private stopping = false;
  /** Live tail of parsed messages (src/web/tail.ts subscribes); costs one boolean check per batch when idle. */
  readonly tail = new TailBus();
  /** Per-source tracker, installed by the console service (src/runtime/services.ts); null without it. */
  hosts: HostTracker | null = null;
  /** Every counter of this server, pulled at scrape time (GET /metrics, impstats; docs/metrics.md). */
  readonly metrics = new MetricsRegistry();
  /** Per-input message counters and per-sender sequence numbers, counted per batch in submit(). */
  readonly pipeline = new PipelineCounters();

  private constructor(graph: Graph, logger: Logger, opts: RuntimeOptions) {
    this.graph = graph;
    this.logger = logger;
    this.opts = opts;
    this.metrics.register((s) => this.pipeline.collect(s));
    this.metrics.register(runtimeCollector({
      inputs: () => [...this.inputs.map((i) => i.input), ...this.retired],
      queues: () => this.graph.queues,
    }));
  }

  /** Load, validate and start. Throws ConfigError when the config has errors. */
  static async start(opts: RuntimeOptions): Promise<Runtime> {
    const logger = opts.logger ?? new StreamLogger();
    const model = Runtime.load(opts);
    // what `check` prints as warnings, `run` logs once at start (notices stay `check`'s)
    for (const d of model.diagnostics) {
      if (d.severity === 'warning') logger.warn(d.code, d.message, { at: `${d.loc.file}:${d.loc.line}:${d.loc.col}` });
    }
    let rt: Runtime | undefined;
    const graph = Runtime.buildGraph(model, opts, logger, (c) => rt?.congestionChanged(c));
    rt = new Runtime(graph, logger, opts);
    await rt.startInputs(model);
    logger.info('LW_INFO_STARTED', 'logwarden started', { inputs: rt.addresses().map((a) => `${a.protocol}/${a.address}:${a.port}`).join(',') });
    return rt;
  }

  get model(): ConfigModel {
    return this.graph.ctx.config;
  }

  /** The resolved working directory (global workDirectory or --data-dir). */
  get dataDir(): string {
    return this.graph.ctx.dataDir;
  }

  // MessageSink ---------------------------------------------------------------------------------------
  submit(batch: Message[]): void {
    const g = this.graph;
    const hosts = this.hosts;
    if (this.tail.active) this.tail.publish(batch);
    if (hosts !== null) hosts.observeBatch(batch);
    this.pipeline.count(batch);
    for (let i = 0; i < batch.length; i++) g.dispatch(batch[i]);
  }

  get congested(): boolean {
    return this.graph.congested;
  }

  settle(): Promise<void> {
    return this.graph.settle();
  }

  onceDrained(cb: () => void): void {
    if (!this.graph.congested) {
      setImmediate(cb);
      return;
    }
    this.drainWaiters.push(cb);
  }

  // Lifecycle -----------------------------------------------------------------------------------------
  addresses(): Array<{ protocol: string; address: string; port: number }> {
    return this.inputs.flatMap((i) => i.input.addresses());
  }

  /** Queue counters of the current graph, one entry per action. */
  queueStats(): ReturnType<Graph['queueStats']> {
    return this.graph.queueStats();
  }

  /** Wait until every action queue is empty (for tests and `check`-style probes). */
  whenIdle(): Promise<void> {
    return this.graph.whenIdle();
  }

  /** Stop inputs (they submit what they already received), drain queues, close actions. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await Promise.all([...this.inputs.map((i) => i.input.stop()), ...this.retired.map((i) => i.stop())]);
    this.inputs = [];
    this.retired = [];
    const { undelivered, saved } = await this.graph.close(this.opts.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS);
    this.logger.info('LW_INFO_STOPPED', 'logwarden stopped', { undelivered, savedToDisk: saved });
  }

  /**
   * Re-read the config. A config with errors is rejected (its diagnostics returned) and the old one keeps
   * running. Otherwise a new graph is swapped in, inputs whose settings did not change keep running, and the
   * old graph drains in the background.
   */
  async reload(): Promise<Diagnostic[]> {
    let model: ConfigModel;
    try {
      model = Runtime.load(this.opts);
    } catch (err) {
      const diags = err instanceof ConfigError ? err.diagnostics : [];
      this.logger.error('LW_ERR_RELOAD_REJECTED', 'new configuration rejected; the running one stays', { errors: diags.length, detail: (err as Error).message });
      return diags;
    }
    let next: Graph;
    try {
      next = Runtime.buildGraph(model, this.opts, this.logger, (c) => this.congestionChanged(c), this.graph);
    } catch (err) {
      this.logger.error('LW_ERR_RELOAD_REJECTED', 'new configuration failed to instantiate; the running one stays', { detail: (err as Error).message });
      return [];
    }
    const old = this.graph;
    this.graph = next;
    await this.reconcileInputs(model);
    old.reopen();
    void old.close(this.opts.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS);
    for (const i of this.inputs) i.input.reload?.();
    this.logger.info('LW_INFO_RELOADED', 'configuration reloaded', { inputs: this.inputs.length });
    return model.diagnostics;
  }

  /** SIGHUP for outputs: reopen files (logrotate) without re-reading the config. */
  reopen(): void {
    this.graph.reopen();
  }

  // Internals ------------------------------------------------------------------------------------------
  private static load(opts: RuntimeOptions): ConfigModel {
    const file = opts.configFile ?? '<default>';
    const model = loadConfig(file, { lookupComponent, text: opts.configText });
    const errors = model.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new ConfigError(model.diagnostics);
    return model;
  }

  private static buildGraph(model: ConfigModel, opts: RuntimeOptions, logger: Logger, onCongestion: (c: boolean) => void, previous: Graph | null = null): Graph {
    setLocalHostname(configuredHostname(model.globals)); // $myhostname: $LocalHostName / global(localHostname=)
    const workDir = opts.dataDir ?? (getParam(model.globals, 'workdirectory')?.value as string | undefined) ?? './data';
    const dataDir = resolve(workDir);
    mkdirSync(dataDir, { recursive: true, mode: 0o750 });
    return new Graph(model, dataDir, logger, onCongestion, previous);
  }

  private congestionChanged(congested: boolean): void {
    if (congested) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  private createInput(decl: InputDecl, model: ConfigModel): Input {
    const factory = findInput(decl, model);
    if (!factory) throw new Error(`${decl.loc.file}:${decl.loc.line}:${decl.loc.col}: unsupported input type "${decl.type}"`);
    if (!isOn(model.globals.get('repeatedmsgreduction')?.value)) return factory.create(decl, moduleParamsFor(model, decl.type), this.graph.ctx, this);
    // $RepeatedMsgReduction on: one reducer per input, flushed when the input stops (src/inputs/repeat-reduction.ts)
    const reducer = new RepeatReducer(this);
    const input = factory.create(decl, moduleParamsFor(model, decl.type), this.graph.ctx, reducer);
    const stop = input.stop.bind(input);
    input.stop = async () => { await stop(); reducer.flush(); };
    return input;
  }

  private async startInputs(model: ConfigModel): Promise<void> {
    try {
      for (const decl of model.inputs) {
        if (SKIPPED_INPUT_MODULES.has(decl.type.toLowerCase())) continue; // `check` warned (LW_WARN_CONFIG_INPUT_SKIPPED)
        const input = this.createInput(decl, model);
        await input.start();
        this.inputs.push({ key: inputKey(decl, model), input });
      }
    } catch (err) {
      await Promise.allSettled(this.inputs.map((i) => i.input.stop()));
      await this.graph.close(0);
      throw err;
    }
  }

  private async reconcileInputs(model: ConfigModel): Promise<void> {
    const keep: RunningInput[] = [];
    const wanted = model.inputs.filter((d) => !SKIPPED_INPUT_MODULES.has(d.type.toLowerCase())).map((d) => ({ decl: d, key: inputKey(d, model) }));
    const remaining = [...this.inputs];
    const toStart: typeof wanted = [];
    for (const w of wanted) {
      const idx = remaining.findIndex((r) => r.key === w.key);
      if (idx >= 0) keep.push(...remaining.splice(idx, 1));
      else toStart.push(w);
    }
    // A changed input stops accepting before its replacement binds the same address; its open connections are
    // not cut (that would lose what their senders' kernels had already accepted): they read on until the peer
    // closes, into the new graph, and are stopped with the process.
    await Promise.all(remaining.map(async (r) => {
      if (r.input.stopListening) {
        await r.input.stopListening();
        this.retired.push(r.input);
      } else await r.input.stop();
    }));
    for (const w of toStart) {
      try {
        const input = this.createInput(w.decl, model);
        await input.start();
        keep.push({ key: w.key, input });
      } catch (err) {
        this.logger.error('LW_ERR_INPUT_START', 'input failed to start after reload', { detail: (err as Error).message });
      }
    }
    this.inputs = keep;
  }
}

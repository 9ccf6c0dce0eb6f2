// `action(type="detect" rules="/etc/logwarden/rules.d/*.yml" …)`: the detection hook. It sits beside the
// other actions, so it sees exactly the messages its ruleset routes to it, after parsing; put it first in
// the default ruleset to watch everything. Alerts go to the alert store and the configured outputs.
import { dirname } from 'node:path';
import type { Action, ActionStats } from '../actions/action';
import type { ActionFactory, ComponentSpec } from '../components';
import type { ActionDecl, Params } from '../config/model';
import { getParam } from '../config/model';
import { InputConfigError, paramInt, paramOptional } from '../inputs/params';
import { type Message } from '../message';
import { parseSyslog } from '../parse';
import { parseOptions } from '../parse/options';
import type { RuntimeContext } from '../runtime/context';
import { SyslogTime } from '../time';
import { Message as Msg } from '../message';
import type { Params as ParamMap } from '../config/model';
import { queueOptions } from '../queue/options';
import { resolve } from 'node:path';
import { hostname } from 'node:os';
import { DEFAULT_OUTPUT_QUEUE, ExecOutput, FileOutput, SyslogOutput, WebhookOutput, type AlertOutput } from './outputs';
import { acquireDetectService, DETECT_INPUT_NAME, releaseDetectService, RuleLoadError, type DetectService } from './service';

export const detectSpec: ComponentSpec = {
  name: 'detect',
  aliases: ['omdetect'],
  kind: 'action',
  params: [
    { name: 'rules', type: 'array', required: true, doc: 'Rule files, directories or globs (native YAML rules and Sigma rules), e.g. "/etc/logwarden/rules.d/*.yml".' },
    { name: 'database', type: 'path', doc: 'Alert database (SQLite). Default: <workDirectory>/detect/alerts.db.' },
    { name: 'alertFile', type: 'path', doc: 'Append each new alert as one JSON line (NDJSON) to this file.' },
    { name: 'webhook.url', type: 'string', doc: 'POST each new alert as JSON to this http(s) URL.' },
    { name: 'webhook.secret', type: 'string', doc: 'HMAC-SHA256 key; the signature goes in X-Logwarden-Signature: sha256=<hex>.' },
    { name: 'webhook.timeout_ms', type: 'int', default: 5000, unit: 'ms', doc: 'Per-attempt timeout.' },
    { name: 'webhook.retries', type: 'int', default: 3, doc: 'Retries after a failed attempt (exponential backoff).' },
    { name: 'webhook.backoff_ms', type: 'int', default: 500, unit: 'ms', doc: 'First retry delay; doubles per retry.' },
    { name: 'exec.program', type: 'path', doc: 'Run this program per new alert with the alert JSON on stdin.' },
    { name: 'exec.timeout_ms', type: 'int', default: 10000, unit: 'ms', doc: 'Kill the program after this long.' },
    { name: 'syslog.ruleset', type: 'ruleset', doc: 'Re-inject each new alert as an RFC 5424 message into this ruleset.' },
    { name: 'output.queue_size', type: 'int', default: DEFAULT_OUTPUT_QUEUE, doc: 'Alerts each output may hold in memory before it drops (and counts) new ones; with a disk-assisted output queue, the memory part above which alerts go to disk.' },
    { name: 'output.queue.type', type: 'string', doc: 'Queue of each alert output: disk-assisted by default (file lw-alert-<detect name>-<output> in workDirectory); "LinkedList" keeps alerts in memory only, "Disk" writes every alert to disk.' },
    { name: 'output.queue.size', type: 'int', doc: 'queue.size of each alert output\'s queue.' },
    { name: 'output.queue.spoolDirectory', type: 'path', doc: 'queue.spoolDirectory of the alert output queues (default workDirectory).' },
    { name: 'output.queue.maxDiskSpace', type: 'string', doc: 'queue.maxDiskSpace of each alert output queue.' },
    { name: 'output.queue.saveOnShutdown', type: 'binary', doc: 'queue.saveOnShutdown of the alert output queues (default on).' },
    { name: 'output.action.resumeInterval', type: 'int', unit: 's', doc: 'action.resumeInterval of the alert outputs (longest retry backoff).' },
    { name: 'output.action.resumeRetryCount', type: 'int', doc: 'action.resumeRetryCount of the alert outputs (default -1: retry for ever).' },
    { name: 'name', type: 'string', doc: 'Action name.' },
  ],
  moduleParams: [],
};

class DetectAction implements Action {
  readonly stats: ActionStats = { delivered: 0, failed: 0 };
  private closed = false;
  constructor(readonly name: string, private readonly key: string, readonly service: DetectService) {}

  deliver(batch: Message[]): Promise<void> {
    this.service.process(batch);
    this.stats.delivered += batch.length;
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await releaseDetectService(this.key, this.service);
  }
}

function rulesParam(params: Params): string[] {
  const p = getParam(params, 'rules');
  if (p === undefined) return [];
  const v = p.value;
  return (Array.isArray(v) ? v : String(v).split(',')).map((s) => String(s).trim()).filter((s) => s !== '');
}

/** Build the alert line into a Message routed to `ruleset`, marked so detection skips it. */
function injector(ctx: RuntimeContext, ruleset: string): (line: string) => void {
  const origin = { inputname: DETECT_INPUT_NAME, fromhostIp: '127.0.0.1', fromhost: hostname(), ruleset };
  const opts = parseOptions();
  return (line) => {
    const msg = new Msg(Buffer.from(line, 'utf8'), origin, SyslogTime.now());
    parseSyslog(msg.rawmsg, msg, opts);
    ctx.inject?.(msg);
  };
}

let counter = 0;

/**
 * Queue options of one alert output: the detect action's output.queue.* / output.action.resume* parameters
 * read as the queue.* / action.resume* of an action that is disk-assisted by default (as a forward is).
 */
function alertQueueOptions(decl: ActionDecl, dataDir: string, detectName: string, kind: string, cap: number) {
  const p: ParamMap = new Map();
  for (const [k, v] of decl.params) if (k.startsWith('output.queue.') || k.startsWith('output.action.')) p.set(k.slice('output.'.length), v);
  const o = queueOptions(p, 'forward', 0, dataDir, decl.loc);
  if (o.kind !== 'memory') {
    o.fileName = `lw-alert-${`${detectName}-${kind}`.replace(/[^A-Za-z0-9_.-]+/g, '_')}`;
    o.spoolDirectory = resolve(dataDir, o.spoolDirectory);
    if (!p.has('queue.highwatermark')) o.highWatermark = Math.min(o.highWatermark, cap);
    if (o.lowWatermark > o.highWatermark) o.lowWatermark = Math.floor(o.highWatermark * 0.7);
  } else if (!p.has('queue.size')) {
    o.maxSize = cap; // a memory-only output queue drops (and counts) alerts beyond output.queue_size, as before
    o.highWatermark = Math.min(o.highWatermark, cap);
    o.lowWatermark = Math.min(o.lowWatermark, Math.floor(o.highWatermark * 0.7));
  }
  return o;
}

export const detectAction: ActionFactory = {
  spec: detectSpec,
  create(decl: ActionDecl, _mp: Params, ctx: RuntimeContext): Action {
    const at = `${decl.loc.file}:${decl.loc.line}:${decl.loc.col}`;
    const rules = rulesParam(decl.params);
    if (rules.length === 0) throw new InputConfigError(`${at}: detect needs rules=`);
    const none = new Map();
    const name = paramOptional(decl.params, none, 'name') ?? `detect#${++counter}`;
    const key = `${ctx.dataDir}|${paramOptional(decl.params, none, 'name') ?? 'detect'}`;
    let service: DetectService;
    try {
      service = acquireDetectService(key, {
        dataDir: ctx.dataDir, rules, logger: ctx.logger,
        base: decl.loc.file.startsWith('<') ? process.cwd() : dirname(decl.loc.file),
        database: paramOptional(decl.params, none, 'database'),
      });
    } catch (err) {
      if (err instanceof RuleLoadError) throw new InputConfigError(`${at}: ${err.message}`);
      throw err;
    }
    const cap = paramInt(decl.params, none, 'output.queue_size', DEFAULT_OUTPUT_QUEUE, 1);
    const outputs: AlertOutput[] = [];
    const file = paramOptional(decl.params, none, 'alertFile');
    if (file) outputs.push(new FileOutput(file, ctx.logger, cap));
    const url = paramOptional(decl.params, none, 'webhook.url');
    if (url) {
      outputs.push(new WebhookOutput({
        url, secret: paramOptional(decl.params, none, 'webhook.secret'),
        timeoutMs: paramInt(decl.params, none, 'webhook.timeout_ms', 5000, 1),
        retries: paramInt(decl.params, none, 'webhook.retries', 3, 0, 100),
        backoffMs: paramInt(decl.params, none, 'webhook.backoff_ms', 500, 0),
      }, ctx.logger, cap));
    }
    const program = paramOptional(decl.params, none, 'exec.program');
    if (program) outputs.push(new ExecOutput(program, paramInt(decl.params, none, 'exec.timeout_ms', 10000, 1), ctx.logger, cap));
    const rs = paramOptional(decl.params, none, 'syslog.ruleset');
    if (rs) outputs.push(new SyslogOutput(injector(ctx, rs), ctx.logger, cap));
    // Computed for `check` too, so a bad output.queue.* value is reported there (naming file:line:col).
    const detectName = paramOptional(decl.params, none, 'name') ?? 'detect';
    const queues = outputs.map((o) => alertQueueOptions(decl, ctx.dataDir, detectName, o.kind, cap));
    if (ctx.inject !== undefined) {
      // Under `run` (not `check`, whose context has no inject): each output behind an ActionQueue. On a reload
      // the old outputs close first and the new queues open their files after them.
      const closed = Promise.all(service.outputs.map((o) => o.close(1000)));
      outputs.forEach((o, i) => o.useQueue(queues[i]!, closed));
    }
    service.outputs = outputs;
    return new DetectAction(name, key, service);
  },
};

// ompipe (legacy `|/path`): write rendered messages to a named pipe without ever blocking the process. While no
// reader has the pipe open, or the pipe is full, the batch is rejected and the queue retries it (rsyslog
// suspends the action the same way).
import { constants as fsc, promises as fsp } from 'node:fs';
import type { ActionDecl, Params } from '../config/model';
import type { ActionFactory, ComponentSpec } from '../components';
import { InputConfigError, paramOptional } from '../inputs/params';
import type { Message } from '../message';
import type { CompiledTemplate, RuntimeContext } from '../runtime/context';
import type { Action, ActionStats } from './action';
import { encodeRaw } from '../util/raw-text';

/** rsyslog ompipe's default template. */
const DEFAULT_PIPE_TEMPLATE = 'RSYSLOG_TraditionalFileFormat';

export const pipeSpec: ComponentSpec = {
  name: 'pipe',
  aliases: ['ompipe'],
  kind: 'action',
  params: [
    { name: 'pipe', type: 'path', required: true, doc: 'Path of the named pipe (FIFO).' },
    { name: 'template', type: 'template', default: DEFAULT_PIPE_TEMPLATE, doc: 'Template for each line.' },
    { name: 'tryResumeReopen', type: 'binary', ignored: 'the pipe is always reopened after a failure', doc: 'rsyslog reopen option.' },
    { name: 'name', type: 'string', doc: 'Action name.' },
  ],
  moduleParams: [{ name: 'template', type: 'template', doc: 'Default template.' }],
};

class PipeAction implements Action {
  readonly name: string;
  readonly stats: ActionStats = { delivered: 0, failed: 0 };
  private fh: fsp.FileHandle | null = null;
  constructor(name: string, private readonly path: string, private readonly template: CompiledTemplate) {
    this.name = name;
  }

  async deliver(batch: Message[]): Promise<void> {
    let text = '';
    for (const m of batch) text += this.template.render(m);
    const buf = encodeRaw(text);
    try {
      // O_NONBLOCK: opening fails with ENXIO while no reader exists, and a full pipe gives EAGAIN.
      this.fh ??= await fsp.open(this.path, fsc.O_WRONLY | fsc.O_NONBLOCK);
      let off = 0;
      while (off < buf.length) off += (await this.fh.write(buf, off, buf.length - off)).bytesWritten;
    } catch (err) {
      const fh = this.fh;
      this.fh = null;
      void fh?.close().catch(() => {});
      throw Object.assign(new Error(`pipe ${this.path}: ${(err as Error).message}`), { code: 'LW_ERR_PIPE_WRITE' });
    }
    this.stats.delivered += batch.length;
  }

  reopen(): void {
    const fh = this.fh;
    this.fh = null;
    void fh?.close().catch(() => {});
  }

  async close(): Promise<void> {
    await this.fh?.close().catch(() => {});
    this.fh = null;
  }
}

let counter = 0;

export const pipeAction: ActionFactory = {
  spec: pipeSpec,
  create(decl: ActionDecl, mp: Params, ctx: RuntimeContext): Action {
    const path = paramOptional(decl.params, new Map(), 'pipe');
    if (!path) throw new InputConfigError(`${decl.loc.file}:${decl.loc.line}:${decl.loc.col}: ompipe needs pipe=`);
    const tname = paramOptional(decl.params, mp, 'template') ?? DEFAULT_PIPE_TEMPLATE;
    const template = ctx.templates.get(tname.toLowerCase());
    if (!template) throw new InputConfigError(`${decl.loc.file}:${decl.loc.line}:${decl.loc.col}: template "${tname}" is not defined`);
    return new PipeAction(paramOptional(decl.params, new Map(), 'name') ?? `ompipe#${++counter}`, path, template);
  },
};

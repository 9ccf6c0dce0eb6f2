// Test helpers for input integration tests: a collecting MessageSink (optionally congested), a minimal
// RuntimeContext, and InputDecl construction from plain objects.
import type { MessageSink } from '../../src/components';
import type { ConfigModel, InputDecl, Params } from '../../src/config/model';
import { DEFAULT_RULESET } from '../../src/config/model';
import { StreamLogger } from '../../src/log';
import type { Message } from '../../src/message';
import type { RuntimeContext } from '../../src/runtime/context';

export class CollectingSink implements MessageSink {
  readonly messages: Message[] = [];
  readonly batches: number[] = [];
  congested = false;
  private drained: Array<() => void> = [];

  submit(batch: Message[]): void {
    this.batches.push(batch.length);
    for (const m of batch) this.messages.push(m);
  }

  onceDrained(cb: () => void): void {
    this.drained.push(cb);
  }

  /** Clear congestion and wake the waiting inputs. */
  drain(): void {
    this.congested = false;
    for (const cb of this.drained.splice(0)) cb();
  }

  get waiters(): number {
    return this.drained.length;
  }
}

export function params(values: Record<string, string | number | boolean>): Params {
  const m: Params = new Map();
  for (const [name, value] of Object.entries(values)) {
    m.set(name.toLowerCase(), { name, value, loc: { file: 'test.conf', line: 1, col: 1 } });
  }
  return m;
}

export function decl(type: string, values: Record<string, string | number | boolean>): InputDecl {
  return { type, params: params(values), loc: { file: 'test.conf', line: 3, col: 1 } };
}

export function context(globals: Record<string, string> = {}, maxMessageSize = 8192): { ctx: RuntimeContext; logger: StreamLogger } {
  const logger = new StreamLogger({ out: null, keep: true });
  const config: ConfigModel = {
    files: ['test.conf'], globals: params(globals), modules: [], inputs: [], templates: new Map(),
    rulesets: new Map([[DEFAULT_RULESET, { name: DEFAULT_RULESET, params: new Map(), statements: [], loc: { file: 'test.conf', line: 1, col: 1 } }]]),
    mainQueue: new Map(), diagnostics: [],
  };
  const ctx: RuntimeContext = { config, logger, templates: new Map(), dataDir: '/nonexistent', maxMessageSize };
  return { ctx, logger };
}

/** Poll until cond() or fail after timeoutMs. */
export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

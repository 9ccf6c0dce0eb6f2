// What a component gets from the runtime when it is created: the validated config, templates, the data
// directory and the logger. Nothing here is global; a reload builds a new context.
import type { ConfigModel } from '../config/model';
import type { Logger } from '../log';
import type { Message } from '../message';

/** A compiled template: renders one message to text. */
export interface CompiledTemplate {
  readonly name: string;
  render(msg: Message): string;
}

export interface RuntimeContext {
  readonly config: ConfigModel;
  readonly logger: Logger;
  /** Compiled templates by name, built-ins (RSYSLOG_*) included. Names are case-insensitive; key is lower-case. */
  readonly templates: Map<string, CompiledTemplate>;
  /** Working directory for state, queues, the store and the dev PKI (global workDirectory, default ./data). */
  readonly dataDir: string;
  /** Maximum message size in bytes (global maxMessageSize, default 8 KiB). */
  readonly maxMessageSize: number;
  /** Route a message through its ruleset (msg.ruleset) of this graph, as if an input had received it. */
  readonly inject?: (msg: Message) => void;
}

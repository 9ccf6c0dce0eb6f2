// Component contracts and parameter tables. Each input and action declares its parameters once (name, type,
// default, unit, rsyslog spelling); the same table drives config validation, `logwarden check` and the docs.
import type { Action } from './actions/action';
import type { ActionDecl, InputDecl, Params, ParamValue } from './config/model';
import type { Message } from './message';
import type { RuntimeContext } from './runtime/context';

export type ParamType =
  | 'string' // any text
  | 'word' // one token; `values` lists the allowed ones (case-insensitive)
  | 'int' // integer
  | 'size' // bytes; accepts rsyslog suffixes k/m/g
  | 'binary' // on/off, yes/no, true/false, 1/0
  | 'array' // ["a", "b"] or a single string
  | 'path' // a file name
  | 'template' // a template name that must exist
  | 'ruleset'; // a ruleset name that must exist

export interface ParamSpec {
  /** Canonical spelling as rsyslog documents it (case-insensitive on input). */
  name: string;
  type: ParamType;
  default?: ParamValue;
  /** Unit for numbers ("bytes", "seconds", "ms"). */
  unit?: string;
  values?: string[];
  required?: boolean;
  /** One line for `logwarden check --explain` and docs/config-reference.md. */
  doc: string;
  /** Accepted for compatibility but has no effect; `check` prints a notice naming why. */
  ignored?: string;
  /** Accepted and applied, but rsyslogd rejects this spelling here: `check` warns and names the rsyslog one. */
  rsyslogSpelling?: string;
}

export interface ComponentSpec {
  /** Logwarden name of the component ("tcp", "file", "forward"). */
  name: string;
  /** rsyslog module names it answers to ("imtcp", "imptcp"; "omfile", "builtin:omfile"). */
  aliases: string[];
  kind: 'input' | 'action' | 'service';
  /** Parameters of input()/action(). */
  params: ParamSpec[];
  /** Parameters of module(load=…) for this component, inherited as defaults by its inputs/actions. */
  moduleParams: ParamSpec[];
}

/** Where inputs hand parsed messages. `congested` is true while a queue is above its high-water mark. */
export interface MessageSink {
  submit(batch: Message[]): void;
  readonly congested: boolean;
  /** Called once when congestion clears. */
  onceDrained(cb: () => void): void;
  /**
   * Resolves once everything submitted so far is finished by its actions or written to a disk queue, so a
   * crash of this process cannot lose it: what an acknowledging input (RELP) waits for before it acknowledges.
   */
  settle?(): Promise<void>;
}

export interface Input {
  readonly name: string;
  start(): Promise<void>;
  /** Stop accepting, finish what was already received (submit it), then resolve. */
  stop(): Promise<void>;
  /**
   * Reload of a changed input: stop accepting new connections or datagrams, but let open sessions go on
   * reading (their data still reaches the current graph) until their peers close or stop() is called.
   */
  stopListening?(): Promise<void>;
  /** Bound addresses after start (port 0 resolves to the real port), for tests and logs. */
  addresses(): Array<{ protocol: string; address: string; port: number }>;
  /** Certificates changed on disk or SIGHUP. */
  reload?(): void;
}

export interface InputFactory {
  spec: ComponentSpec;
  create(decl: InputDecl, moduleParams: Params, ctx: RuntimeContext, sink: MessageSink): Input;
}

export interface ActionFactory {
  spec: ComponentSpec;
  create(decl: ActionDecl, moduleParams: Params, ctx: RuntimeContext): Action;
}

// Helpers for the UDP/TCP/unix input tests: a sink whose congestion the test controls, input creation from
// params, and plain socket clients that resolve once their bytes are handed to the kernel.
import { connect, type Socket } from 'node:net';
import type { Input, InputFactory, MessageSink } from '../../src/components';
import type { Message } from '../../src/message';
import type { StreamLogger } from '../../src/log';
import type { RuntimeContext } from '../../src/runtime/context';
import { context, params } from './tls-helpers';

/** Collects batches; `congested` is set by the test, `drain()` fires the waiting onceDrained callbacks. */
export class ControlledSink implements MessageSink {
  readonly messages: Message[] = [];
  batches = 0;
  congested = false;
  private waiters: Array<() => void> = [];

  submit(batch: Message[]): void {
    this.batches++;
    this.messages.push(...batch);
  }

  onceDrained(cb: () => void): void {
    if (!this.congested) setImmediate(cb);
    else this.waiters.push(cb);
  }

  /** Clear congestion and call everyone waiting for it. */
  drain(): void {
    this.congested = false;
    for (const cb of this.waiters.splice(0)) cb();
  }

  get waiting(): number {
    return this.waiters.length;
  }

  texts(): string[] {
    return this.messages.map((m) => m.rawmsg.toString('utf8'));
  }
}

export interface Started {
  input: Input;
  sink: ControlledSink;
  ctx: RuntimeContext & { logger: StreamLogger };
}

/** Create and start an input of `factory` with the given input() params (and an optional maxMessageSize). */
export async function startInput(factory: InputFactory, type: string, p: Record<string, string>, maxMessageSize = 8192,
  globals: Record<string, string> = { 'net.enableDNS': 'off' }): Promise<Started> {
  const sink = new ControlledSink();
  const ctx = { ...context(globals), maxMessageSize };
  const input = factory.create({ type, params: params(p), loc: { file: 'test.conf', line: 3, col: 1 } }, new Map(), ctx, sink);
  await input.start();
  return { input, sink, ctx };
}

export function connectTcp(port: number, host = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host }, () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** Write and resolve when the data is flushed to the kernel. */
export function write(s: Socket, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => s.write(data, (err) => (err ? reject(err) : resolve())));
}

/** Half-close and wait until the server closed its side too. */
export function endAndWaitClose(s: Socket): Promise<void> {
  return new Promise((resolve) => {
    s.once('close', () => resolve());
    s.on('error', () => undefined);
    s.end();
  });
}

/** RFC 6587 §3.4.1 octet-counted frame. */
export function octetFrame(msg: string): string {
  return `${Buffer.byteLength(msg)} ${msg}`;
}

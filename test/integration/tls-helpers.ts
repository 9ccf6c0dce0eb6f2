// Test helpers for the TLS input/forward tests: fixture paths, a collecting sink, a minimal runtime context,
// config params with locations, and TLS clients (node:tls and the real `openssl s_client`).
import { spawn } from 'node:child_process';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MessageSink } from '../../src/components';
import { DEFAULT_RULESET, type ConfigModel, type Params, type InputDecl } from '../../src/config/model';
import { StreamLogger } from '../../src/log';
import type { Message } from '../../src/message';
import type { CompiledTemplate, RuntimeContext } from '../../src/runtime/context';

/** test/fixtures/pki, made by scripts/make-test-pki.sh (dist/test/integration → repository root). */
export const PKI = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'pki');
export const pki = (f: string): string => join(PKI, f);
export const CA = pki('ca/ca.pem');
export const SERVER_CERT = pki('localhost.pem');
export const SERVER_KEY = pki('localhost-key.pem');

/** A peer's certificate and key, by fixture base name ("client.example.net", "expired/client.example.net"). */
export function peer(base: string): { cert: Buffer; key: Buffer } {
  return { cert: readFileSync(pki(`${base}.pem`)), key: readFileSync(pki(`${base}-key.pem`)) };
}

export class CollectingSink implements MessageSink {
  readonly messages: Message[] = [];
  readonly congested = false;
  submit(batch: Message[]): void { this.messages.push(...batch); }
  onceDrained(cb: () => void): void { setImmediate(cb); }
  texts(): string[] { return this.messages.map((m) => m.rawmsg.toString('utf8')); }
}

const LOC = { file: 'test.conf', line: 1, col: 1 };

/** Params keyed by lower-case name, as the config parser produces them. */
export function params(obj: Record<string, string | string[]>): Params {
  const p: Params = new Map();
  for (const [name, value] of Object.entries(obj)) p.set(name.toLowerCase(), { name, value, loc: LOC });
  return p;
}

export function inputDecl(obj: Record<string, string | string[]>): InputDecl {
  return { type: 'imtcp', params: params(obj), loc: LOC };
}

export function context(globals: Record<string, string> = {}, templates: CompiledTemplate[] = []): RuntimeContext & { logger: StreamLogger } {
  const config: ConfigModel = {
    files: ['test.conf'], globals: params(globals), modules: [], inputs: [], templates: new Map(),
    rulesets: new Map([[DEFAULT_RULESET, { name: DEFAULT_RULESET, params: new Map(), statements: [], loc: LOC }]]),
    mainQueue: new Map(), diagnostics: [],
  };
  return {
    config, logger: new StreamLogger({ keep: true, out: null }), dataDir: '/nonexistent',
    templates: new Map(templates.map((t) => [t.name.toLowerCase(), t])), maxMessageSize: 8192,
  };
}

export const SERVER_GLOBALS = { DefaultNetstreamDriverCAFile: CA, DefaultNetstreamDriverCertFile: SERVER_CERT, DefaultNetstreamDriverKeyFile: SERVER_KEY };

const POLL_MS = 10;
export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

export interface ClientResult { error: string | null; authorizedServer: boolean }

/**
 * Connect with node:tls (optionally with a client certificate), send `lines` LF-framed, half-close, and wait for
 * the server to close. Resolves with the error the client saw, if any (refusals show up as resets).
 */
export function tlsSend(port: number, lines: string[], cred?: { cert: Buffer; key: Buffer }): Promise<ClientResult> {
  return new Promise((resolve) => {
    let error: string | null = null;
    const s = tlsConnect({ host: '127.0.0.1', port, ca: readFileSync(CA), ...cred, servername: 'localhost', rejectUnauthorized: false }, () => {
      s.write(lines.map((l) => `${l}\n`).join(''), () => s.end());
    });
    s.on('error', (e) => { error = e.message; });
    s.on('data', () => undefined);
    s.on('close', () => resolve({ error, authorizedServer: s.authorized }));
  });
}

/** Send raw bytes over plain TCP to the port (plaintext syslog or garbage) and wait for the server to close. */
export function rawSend(port: number, data: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const s = netConnect(port, '127.0.0.1', () => s.write(data));
    s.on('error', () => undefined);
    s.on('data', () => undefined);
    s.on('close', () => resolve());
  });
}

/** The real `openssl s_client` without a client certificate, sending `line`. Resolves when it exits. */
export function opensslNoCert(port: number, line: string): Promise<number | null> {
  return new Promise((resolve) => {
    const p = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-quiet', '-no_ign_eof', '-nocommands', '-CAfile', CA], { stdio: ['pipe', 'ignore', 'ignore'] });
    p.stdin.end(`${line}\n`);
    p.on('exit', (code) => resolve(code));
  });
}

// What `run` would refuse, found without running: the same instantiation `Runtime.start` does (templates
// compiled, rules compiled, every action and input created through its factory) but nothing bound, opened or
// started — plus probes of the resources `run` would claim (listening ports, unix sockets, the HTTP port).
// `logwarden check` adds these diagnostics to the loader's, so `check` says OK exactly when `run` starts.
import { accessSync, constants, lstatSync, statSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import type { MessageSink } from '../components';
import { DEFAULT_RULESET, getParam, type ConfigModel, type Diagnostic, type SourceLoc, type Statement } from '../config/model';
import type { Logger } from '../log';
import { StreamLogger } from '../log';
import { compileRulesets, RuleError } from '../rules/compile';
import { builtinTemplates, compileTemplate } from '../templates';
import type { CompiledTemplate, RuntimeContext } from './context';
import { DEFAULT_MAX_MESSAGE_SIZE } from './graph';
import { sizeParam } from '../queue/options';
import { findModifier } from '../rules/modifiers';
import { findAction, findInput, httpModuleParams, moduleParamsFor } from './registry';
import { httpsOptions } from '../web/https';
import { httpServiceSpec } from '../web/spec';

const LOC_PREFIX = /^(.+?):(\d+):(\d+): ([\s\S]*)$/;

/** An error thrown by a component, as a diagnostic at its file:line:col (from the error or the declaration). */
function fromError(err: unknown, fallback: SourceLoc, code = 'LW_ERR_CHECK_INSTANTIATE'): Diagnostic {
  const e = err as { code?: unknown; message?: string; loc?: SourceLoc };
  let message = e.message ?? String(err);
  let loc = e.loc ?? fallback;
  const m = LOC_PREFIX.exec(message);
  if (m) {
    if (e.loc === undefined) loc = { file: m[1], line: Number(m[2]), col: Number(m[3]) };
    message = m[4];
  }
  const c = typeof e.code === 'string' && /^LW_ERR_/.test(e.code) ? e.code : code;
  return { severity: 'error', code: c, message: `run would refuse this: ${message}`, loc };
}

const nullSink: MessageSink = { submit: () => undefined, congested: false, onceDrained: (cb) => setImmediate(cb) };

/** Is some action reachable that writes somewhere (not only stop/discard/modifiers)? */
function hasOutput(list: Statement[]): boolean {
  return list.some((s) => {
    switch (s.kind) {
      case 'action': return !['omdiscard', 'discard'].includes(s.action.type.toLowerCase()) && findModifier(s.action.type) === undefined;
      case 'filter': case 'foreach': return hasOutput(s.body);
      case 'if': return hasOutput(s.then) || hasOutput(s.else ?? []);
      default: return false;
    }
  });
}

type ProbeResult = 'ok' | 'EADDRINUSE' | 'EACCES' | string;

function probeTcp(port: number, host: string | undefined): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    s.listen({ port, host, exclusive: true }, () => s.close(() => resolve('ok')));
  });
}

function probeUdp(port: number, host: string | undefined): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const s = createSocket(host !== undefined && host.includes(':') ? 'udp6' : 'udp4');
    s.once('error', (e: NodeJS.ErrnoException) => { s.close(); resolve(e.code ?? e.message); });
    s.bind(port, host ?? '0.0.0.0', () => s.close(() => resolve('ok')));
  });
}

/** A unix socket path `run` would (re)create: a non-socket there, or an unwritable directory, makes it fail. */
function probeUnix(path: string): ProbeResult {
  try {
    const st = lstatSync(path);
    if (!st.isSocket()) return 'ENOTSOCK';
  } catch { /* absent: fine if the directory is writable */ }
  try {
    accessSync(dirname(path), constants.W_OK);
    return 'ok';
  } catch {
    return 'EACCES';
  }
}

async function probeListen(diags: Diagnostic[], what: string, loc: SourceLoc, r: ProbeResult, uid: string): Promise<void> {
  if (r === 'ok') return;
  if (r === 'EADDRINUSE') {
    diags.push({ severity: 'warning', code: 'LW_WARN_CHECK_PORT_IN_USE', loc,
      message: `${what} is in use now: \`run\` fails to start unless it is free by then (the daemon this config replaces?)` });
    return;
  }
  diags.push({ severity: 'error', code: 'LW_ERR_CHECK_LISTEN', loc,
    message: `run would refuse this: cannot listen on ${what} as ${uid} (${r})`,
    hint: r === 'EACCES' ? 'ports below 1024 and /dev/log need root or CAP_NET_BIND_SERVICE; or use another port/path' : undefined });
}

/**
 * Instantiate the config as `Runtime.start` would, without binding or starting anything, and probe what it
 * would listen on. Returns diagnostics to add to the loader's (which must have no errors).
 */
/** A private key readable by group or others is a warning (docs/tls.md): chmod 600 it. */
function keyModeWarning(warn: (code: string, message: string, loc: SourceLoc) => void, file: string | undefined, loc: SourceLoc): void {
  if (file === undefined || file === '') return;
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
  } catch {
    return; // missing or unreadable: checkContext reported it
  }
  if ((mode & 0o077) !== 0) {
    warn('LW_WARN_TLS_KEY_MODE', `TLS private key ${file} is readable by group or others (mode ${mode.toString(8).padStart(4, '0')}): run chmod 600 on it`, loc);
  }
}

export async function preflight(model: ConfigModel, dataDir: string): Promise<Diagnostic[]> {
  const diags: Diagnostic[] = [];
  const logger: Logger = new StreamLogger({ keep: true, out: null, level: 'debug' });
  const templates = new Map<string, CompiledTemplate>(builtinTemplates());
  const warn = (code: string, message: string, loc: SourceLoc): void => {
    diags.push({ severity: 'warning', code, message, loc });
  };
  for (const [name, decl] of model.templates) {
    try {
      templates.set(name.toLowerCase(), compileTemplate(decl, { warn }));
    } catch (err) {
      diags.push(fromError(err, decl.loc));
    }
  }
  const ctx: RuntimeContext = {
    config: model, logger, templates, dataDir, maxMessageSize: sizeParam(model.globals, 'maxmessagesize') ?? DEFAULT_MAX_MESSAGE_SIZE,
  };
  try {
    compileRulesets(model, {
      action(decl) {
        const factory = findAction(decl.type);
        if (!factory) diags.push({ severity: 'error', code: 'LW_ERR_CHECK_INSTANTIATE', loc: decl.loc, message: `run would refuse this: unknown action type "${decl.type}"` });
        else {
          try {
            void factory.create(decl, moduleParamsFor(model, decl.type), ctx).close().catch(() => undefined);
          } catch (err) {
            diags.push(fromError(err, decl.loc));
          }
        }
        return () => undefined;
      },
    }, {
      templates,
      // lookup table warnings at load (no version) become check warnings at the lookup_table() statement
      lookupLog: (level, code, message, fields) => {
        const loc = model.lookupTables?.get(String(fields.table))?.loc;
        if (level === 'warn' && loc !== undefined) warn(code, message, loc);
      },
    });
  } catch (err) {
    diags.push(fromError(err, err instanceof RuleError && err.loc ? err.loc : { file: model.files[0] ?? '<config>', line: 1, col: 1 },
      err instanceof RuleError ? err.code : undefined));
  }
  const uid = typeof process.getuid === 'function' ? `uid ${process.getuid()}` : 'this user';
  for (const decl of model.inputs) {
    const factory = findInput(decl, model);
    if (!factory) continue; // the loader already reported it
    let input;
    try {
      input = factory.create(decl, moduleParamsFor(model, decl.type), ctx, nullSink);
    } catch (err) {
      diags.push(fromError(err, decl.loc));
      continue;
    }
    try {
      (input as { checkContext?: () => void }).checkContext?.(); // TLS: key and certificate must match
    } catch (err) {
      diags.push(fromError(err, decl.loc, 'LW_ERR_TLS_CONFIG'));
      continue;
    }
    keyModeWarning(warn, (input as { keyFile?: () => string | undefined }).keyFile?.(), decl.loc);
    const type = factory.spec.name;
    if (type === 'tcp') {
      // The connection gate's TLS-only knobs, given to a plain TCP listener (imtcp without StreamDriver.Mode=1).
      for (const name of ['handshaketimeout', 'maxhandshakespersecond']) {
        const p = decl.params.get(name);
        if (p !== undefined) warn('LW_WARN_CONFIG_NO_EFFECT', `parameter \`${p.name}\` has no effect on a plain TCP listener: it applies to TLS (StreamDriver.Mode="1") listeners only`, p.loc);
      }
    }
    const port = Number(getParam(decl.params, 'port')?.value ?? NaN);
    const address = getParam(decl.params, 'address')?.value as string | undefined;
    if (type === 'unixsock') {
      const path = String(getParam(decl.params, 'socket')?.value ?? getParam(moduleParamsFor(model, decl.type), 'syssock.name')?.value ?? '/dev/log');
      await probeListen(diags, `unix socket ${path}`, decl.loc, probeUnix(path), uid);
    } else if (Number.isInteger(port) && port > 0) {
      const r = type === 'udp' ? await probeUdp(port, address) : await probeTcp(port, address);
      await probeListen(diags, `${type === 'udp' ? 'UDP' : 'TCP'} port ${port}`, decl.loc, r, uid);
    }
  }
  const http = model.modules.find((m) => [httpServiceSpec.name, ...httpServiceSpec.aliases].includes(m.load.toLowerCase()));
  if (http) {
    const params = httpModuleParams(model);
    const port = Number(getParam(params, 'port')?.value ?? 8080);
    const host = String(getParam(params, 'address')?.value ?? '127.0.0.1');
    await probeListen(diags, `HTTP port ${host}:${port}`, http.loc, await probeTcp(port, host), uid);
    try {
      httpsOptions(params, http.loc);
    } catch (err) {
      diags.push(fromError(err, http.loc, 'LW_ERR_TLS_CONFIG'));
    }
  }
  if (model.inputs.length > 0 && ![...model.rulesets.values()].some((rs) => hasOutput(rs.statements))) {
    const main = model.rulesets.get(DEFAULT_RULESET);
    diags.push({ severity: 'warning', code: 'LW_WARN_CHECK_NO_OUTPUT', loc: main?.loc ?? model.inputs[0].loc,
      message: 'the config has inputs but no action that could ever write a message: everything received is dropped',
      hint: 'add an action, e.g. `*.* /var/log/messages` or action(type="omfile" file="…")' });
  }
  return diags;
}

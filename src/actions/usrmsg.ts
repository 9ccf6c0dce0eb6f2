// omusrmsg (legacy `*`, `root,gildong`, `:omusrmsg:…`): write messages to the terminals of logged-in users,
// found in utmp. `*` writes to everyone (wall, RSYSLOG_WallFmt); a user list uses RSYSLOG_StdUsrMsgFmt.
// Terminals are opened non-blocking; one that cannot take the text is skipped, as rsyslog does.
import { constants as fsc, promises as fsp } from 'node:fs';
import type { ActionDecl, Params } from '../config/model';
import type { ActionFactory, ComponentSpec } from '../components';
import { InputConfigError, paramOptional } from '../inputs/params';
import type { Logger } from '../log';
import type { Message } from '../message';
import type { CompiledTemplate, RuntimeContext } from '../runtime/context';
import type { Action, ActionStats } from './action';
import { encodeRaw } from '../util/raw-text';

/** glibc `struct utmp` on Linux x86_64 (utmp(5)): 384 bytes a record. */
const UTMP_RECORD = 384;
const UT_TYPE = 0; // short
const UT_LINE = 8; // char[32], device name without "/dev/"
const UT_LINE_LEN = 32;
const UT_USER = 44; // char[32]
const UT_USER_LEN = 32;
/** ut_type of a logged-in user's session. */
const USER_PROCESS = 7;

export interface Login {
  user: string;
  line: string;
}

function cString(buf: Buffer, off: number, len: number): string {
  const end = buf.indexOf(0, off);
  return buf.toString('utf8', off, end < 0 || end > off + len ? off + len : end);
}

/** Logged-in sessions from a utmp file image. */
export function parseUtmp(buf: Buffer): Login[] {
  const out: Login[] = [];
  for (let off = 0; off + UTMP_RECORD <= buf.length; off += UTMP_RECORD) {
    if (buf.readInt16LE(off + UT_TYPE) !== USER_PROCESS) continue;
    const user = cString(buf, off + UT_USER, UT_USER_LEN);
    const line = cString(buf, off + UT_LINE, UT_LINE_LEN);
    if (user && line) out.push({ user, line });
  }
  return out;
}

/** A terminal name from utmp must stay under the device directory ("pts/3", "tty2"). */
function safeLine(line: string): boolean {
  return /^[A-Za-z0-9_/]+$/.test(line) && !line.split('/').includes('..') && !line.startsWith('/');
}

export const usrmsgSpec: ComponentSpec = {
  name: 'usrmsg',
  aliases: ['omusrmsg'],
  kind: 'action',
  params: [
    { name: 'users', type: 'string', required: true, doc: 'Comma-separated user names, or * for all logged-in users.' },
    { name: 'template', type: 'template', doc: 'Template (default RSYSLOG_WallFmt for *, RSYSLOG_StdUsrMsgFmt for users).' },
    { name: 'utmpFile', type: 'path', default: '/var/run/utmp', doc: 'Logwarden: utmp file to read sessions from.' },
    { name: 'deviceDir', type: 'path', default: '/dev', doc: 'Logwarden: directory holding the terminals.' },
    { name: 'name', type: 'string', doc: 'Action name.' },
  ],
  moduleParams: [],
};

class UsrmsgAction implements Action {
  readonly name: string;
  readonly stats: ActionStats = { delivered: 0, failed: 0 };
  constructor(
    name: string,
    private readonly users: Set<string> | '*',
    private readonly template: CompiledTemplate,
    private readonly utmpFile: string,
    private readonly deviceDir: string,
    private readonly logger: Logger,
  ) {
    this.name = name;
  }

  async deliver(batch: Message[]): Promise<void> {
    let logins: Login[] = [];
    try {
      logins = parseUtmp(await fsp.readFile(this.utmpFile));
    } catch (err) {
      this.logger.debug('LW_DEBUG_UTMP', 'cannot read utmp; nobody to write to', { file: this.utmpFile, error: (err as Error).message });
    }
    const targets = logins.filter((l) => (this.users === '*' || this.users.has(l.user)) && safeLine(l.line));
    if (targets.length > 0) {
      let text = '';
      for (const m of batch) text += this.template.render(m);
      const buf = encodeRaw(text);
      await Promise.all(targets.map((t) => this.writeTerminal(`${this.deviceDir}/${t.line}`, buf)));
    }
    this.stats.delivered += batch.length;
  }

  private async writeTerminal(path: string, buf: Buffer): Promise<void> {
    let fh: fsp.FileHandle | undefined;
    try {
      fh = await fsp.open(path, fsc.O_WRONLY | fsc.O_NOCTTY | fsc.O_NONBLOCK | fsc.O_APPEND);
      await fh.write(buf);
    } catch (err) {
      this.logger.debug('LW_DEBUG_TTY', 'terminal not writable; skipped', { path, error: (err as Error).message });
    } finally {
      await fh?.close().catch(() => {});
    }
  }

  async close(): Promise<void> {}
}

let counter = 0;

export const usrmsgAction: ActionFactory = {
  spec: usrmsgSpec,
  create(decl: ActionDecl, mp: Params, ctx: RuntimeContext): Action {
    const none = new Map();
    const raw = paramOptional(decl.params, none, 'users');
    if (!raw) throw new InputConfigError(`${decl.loc.file}:${decl.loc.line}:${decl.loc.col}: omusrmsg needs users=`);
    const users = raw.trim() === '*' ? '*' as const : new Set(raw.split(',').map((u) => u.trim()).filter(Boolean));
    const tname = paramOptional(decl.params, mp, 'template') ?? (users === '*' ? 'RSYSLOG_WallFmt' : 'RSYSLOG_StdUsrMsgFmt');
    const template = ctx.templates.get(tname.toLowerCase());
    if (!template) throw new InputConfigError(`${decl.loc.file}:${decl.loc.line}:${decl.loc.col}: template "${tname}" is not defined`);
    return new UsrmsgAction(paramOptional(decl.params, none, 'name') ?? `omusrmsg#${++counter}`, users, template,
      paramOptional(decl.params, none, 'utmpFile') ?? '/var/run/utmp', paramOptional(decl.params, none, 'deviceDir') ?? '/dev', ctx.logger);
  },
};

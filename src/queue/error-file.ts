// action.errorFile: messages an action refused for good (poison) or that were given up after
// action.resumeRetryCount retries, one JSON object a line, so nothing dropped is gone without a trace.
// Poison is rare, so lines are appended synchronously: once written they survive a crash of this process.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { isUtf8 } from 'node:buffer';
import type { Logger } from '../log';
import type { Message } from '../message';

export interface ErrorRecord {
  code: string;
  reason: string;
}

export class ErrorFile {
  private readonly path: string;
  private readonly action: string;
  private readonly logger: Logger;
  private failedLogged = false;

  constructor(path: string, action: string, logger: Logger) {
    this.path = path;
    this.action = action;
    this.logger = logger;
  }

  /** Append one line per message; a failure to write is logged once and otherwise ignored (the counter stands). */
  write(msgs: Array<{ msg: Message; err: ErrorRecord }>): void {
    if (msgs.length === 0) return;
    let out = '';
    const time = new Date().toISOString();
    for (const { msg, err } of msgs) {
      out += JSON.stringify({
        time, action: this.action, code: err.code, reason: err.reason,
        hostname: msg.hostname, fromhost_ip: msg.fromhostIp, programname: msg.programname,
        severity: msg.severity, facility: msg.facility,
        // The received bytes: as text when they are UTF-8, else base64 so none is altered.
        ...(isUtf8(msg.rawmsg) ? { rawmsg: msg.rawmsg.toString('utf8') } : { rawmsg_base64: msg.rawmsg.toString('base64') }),
      }) + '\n';
    }
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o750 });
      appendFileSync(this.path, out, { mode: 0o640 });
    } catch (e) {
      if (this.failedLogged) return;
      this.failedLogged = true;
      this.logger.error('LW_ERR_ERRORFILE_WRITE', 'cannot write action.errorFile', { action: this.action, path: this.path, error: (e as Error).message });
    }
  }
}

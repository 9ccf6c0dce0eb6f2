// One process owns a queue directory: NAME.lock holds the owner's pid, created with O_EXCL. A lock naming a
// dead pid (the owner crashed) is taken over with a warning; a live one (including this process) refuses.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import type { Logger } from '../../log';
import { DISK_IO, DISK_LOCKED, DISK_STALE_LOCK, DiskQueueError } from './errors';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take the lock at `path` or throw LW_ERR_QUEUE_DISK_LOCKED. */
export function acquireLock(path: string, logger: Logger): void {
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new DiskQueueError(DISK_IO, `cannot create lock file: ${(e as Error).message}`, path, e);
      if (attempt > 0) throw new DiskQueueError(DISK_LOCKED, 'queue directory lock appeared again while taking over a stale one', path);
    }
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch { /* vanished: retry */ }
    const pid = /^\d+\s*$/.test(text) ? Number(text) : NaN;
    if (pid > 0 && alive(pid)) {
      throw new DiskQueueError(DISK_LOCKED, `disk queue is in use by process ${pid}${pid === process.pid ? ' (this process: opened twice)' : ''}`, path);
    }
    logger.warn(DISK_STALE_LOCK, 'disk queue lock left by a dead process: taking it over', { path, pid: Number.isNaN(pid) ? text.trim() : pid });
    try {
      unlinkSync(path);
    } catch { /* someone else removed it */ }
  }
}

/** Remove our lock (only if it still names this process). */
export function releaseLock(path: string): void {
  try {
    if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
  } catch { /* already gone */ }
}

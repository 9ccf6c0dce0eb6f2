// Errors the disk queue throws: a stable LW_ERR_ code plus the file it concerns.

/** Another live process (or this one) holds the queue's NAME.lock. */
export const DISK_LOCKED = 'LW_ERR_QUEUE_DISK_LOCKED';
/** A write, fsync, read or rename in the spool directory failed (disk full, I/O error, permissions). */
export const DISK_IO = 'LW_ERR_QUEUE_DISK_IO';
/** Records were found destroyed when a queue was opened (logged once per open, never thrown). */
export const DISK_LOST = 'LW_ERR_QUEUE_DISK_LOST';
/** The index (NAME.qi) was missing or corrupt and was rebuilt from the segments. */
export const DISK_INDEX = 'LW_WARN_QUEUE_DISK_INDEX';
/** NAME.lock named a dead process: the lock was taken over. */
export const DISK_STALE_LOCK = 'LW_WARN_QUEUE_DISK_STALE_LOCK';

export class DiskQueueError extends Error {
  readonly code: string;
  readonly path: string | undefined;

  constructor(code: string, message: string, path?: string, cause?: unknown) {
    super(path ? `${message} (${path})` : message, cause === undefined ? undefined : { cause });
    this.name = 'DiskQueueError';
    this.code = code;
    this.path = path;
  }
}

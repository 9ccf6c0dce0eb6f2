// omfile error classification: which open/write failures depend on the file name (so, for a dynaFile, on the
// message: poison, rsyslog drops that message and carries on) and which depend on the machine (disk full, I/O
// error, out of descriptors: retried). Plus a short-lived cache of failing names, so 10,000 messages to one bad
// path cost one failing syscall, not 10,000.

/**
 * errno codes that depend on the rendered path: a name too long, a component that is a file (ENOTDIR) or a
 * directory where the file should be (EISDIR), no permission, a symlink loop, a missing directory with
 * createDirs off (ENOENT), or a component mkdir finds taken (EEXIST). Retrying the same name cannot help.
 */
const PATH_CODES = new Set(['ENAMETOOLONG', 'EISDIR', 'ENOTDIR', 'EACCES', 'EPERM', 'EINVAL', 'ELOOP', 'ENOENT', 'EEXIST', 'ENXIO', 'ETXTBSY']);

/** The errno code of a failure, or "EUNKNOWN". */
export function errnoCode(err: unknown): string {
  const c = (err as NodeJS.ErrnoException | null)?.code;
  return typeof c === 'string' ? c : 'EUNKNOWN';
}

/** Whether an open/mkdir failure depends on the path (see PATH_CODES); anything else (ENOSPC, EIO, EMFILE …) is transient. */
export function isPathError(code: string): boolean {
  return PATH_CODES.has(code);
}

/** A path shortened for a log line or a rejection reason (a 300-character hostname makes a long one). */
export function shortPath(path: string, max = 120): string {
  if (path.length <= max) return path;
  const head = Math.floor(max * 0.6);
  const tail = max - head;
  return `${path.slice(0, head)}…(${path.length} chars)…${path.slice(-tail)}`;
}

/** How long a path's failure is remembered: long enough to absorb a flood, short enough to notice a fix. */
export const BAD_PATH_TTL_MS = 5_000;
/** Most paths remembered (the oldest is forgotten first). */
const BAD_PATH_MAX = 4096;

export interface PathFailure {
  code: string;
  message: string;
}

/** Failing paths with their error, each forgotten after BAD_PATH_TTL_MS. */
export class BadPathCache {
  private readonly entries = new Map<string, PathFailure & { until: number }>();

  constructor(private readonly ttlMs = BAD_PATH_TTL_MS) {}

  get(path: string, now: number): PathFailure | undefined {
    const e = this.entries.get(path);
    if (e === undefined) return undefined;
    if (e.until > now) return e;
    this.entries.delete(path);
    return undefined;
  }

  set(path: string, failure: PathFailure, now: number): void {
    this.entries.delete(path);
    if (this.entries.size >= BAD_PATH_MAX) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(path, { ...failure, until: now + this.ttlMs });
  }

  clear(): void {
    this.entries.clear();
  }
}

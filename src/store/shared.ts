// One store writer per directory per process: the store action and the HTTP API share it, so there is exactly
// one writer and the API sees every committed row at once. Reference counted. The writer runs in its own thread
// (writer-worker.ts) so SQLite never stalls the main thread's inputs; `inProcess` keeps it on the calling
// thread (tests).
import { resolve } from 'node:path';
import type { StoreBackend } from './backend';
import { SqliteStore, type SqliteStoreOptions } from './sqlite';
import { WorkerStoreWriter } from './writer-worker';

export interface SharedStoreOptions extends Omit<SqliteStoreOptions, 'readonly' | 'nowUs'> {
  /** Write on the calling thread instead of a worker thread. */
  inProcess?: boolean;
}

interface Entry {
  store: StoreBackend;
  refs: number;
}

const open = new Map<string, Entry>();

function create(opts: SharedStoreOptions, path: string): StoreBackend {
  const { inProcess, ...rest } = opts;
  if (inProcess === true) return new SqliteStore({ ...rest, path, readonly: false });
  return new WorkerStoreWriter({ ...rest, path });
}

/** Open (or share) the writable store at opts.path. Options of a later caller do not change an open store. */
export function acquireSqliteStore(opts: SharedStoreOptions): StoreBackend {
  const key = resolve(opts.path);
  const e = open.get(key);
  if (e !== undefined) {
    e.refs++;
    return e.store;
  }
  const store = create(opts, key);
  open.set(key, { store, refs: 1 });
  return store;
}

/** Release one reference; the last one closes the store. */
/** Resolves with the rows the store could not commit before closing (0 while other users keep it open). */
export async function releaseSqliteStore(store: StoreBackend): Promise<number> {
  for (const [key, e] of open) {
    if (e.store !== store) continue;
    if (--e.refs > 0) return 0;
    open.delete(key);
    return (await store.close()) ?? 0;
  }
  return (await store.close()) ?? 0;
}

/** The open store for a directory, if this process has one. */
export function findOpenSqliteStore(path: string): StoreBackend | undefined {
  return open.get(resolve(path))?.store;
}

// One SqliteStore per directory per process: the store action (the writer) and the HTTP API share it, so
// there is exactly one writer and the API sees every committed row at once. Reference counted.
import { resolve } from 'node:path';
import { SqliteStore, type SqliteStoreOptions } from './sqlite';

interface Entry {
  store: SqliteStore;
  refs: number;
}

const open = new Map<string, Entry>();

/** Open (or share) the writable store at opts.path. Options of a later caller do not change an open store. */
export function acquireSqliteStore(opts: SqliteStoreOptions): SqliteStore {
  const key = resolve(opts.path);
  const e = open.get(key);
  if (e !== undefined) {
    e.refs++;
    return e.store;
  }
  const store = new SqliteStore({ ...opts, path: key, readonly: false });
  open.set(key, { store, refs: 1 });
  return store;
}

/** Release one reference; the last one closes the store. */
export async function releaseSqliteStore(store: SqliteStore): Promise<void> {
  for (const [key, e] of open) {
    if (e.store !== store) continue;
    if (--e.refs > 0) return;
    open.delete(key);
    await store.close();
    return;
  }
  await store.close();
}

/** The open store for a directory, if this process has one (the HTTP service looks here first). */
export function findOpenSqliteStore(path: string): SqliteStore | undefined {
  return open.get(resolve(path))?.store;
}

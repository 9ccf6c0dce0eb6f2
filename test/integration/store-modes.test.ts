// Store files are not world-readable under umask 022: directory 0750, partition files (and SQLite's -wal/-shm)
// 0640 by default; fileCreateMode/dirCreateMode change them (issue #21).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite';
import { tempDir } from '../helpers/util';

const mode = (p: string): number => statSync(p).mode & 0o777;

test("store directory 0750 and partition files 0640 under umask 022; configurable", async () => {
  const old = process.umask(0o022);
  const t = tempDir();
  try {
    for await (const [sub, fileMode, dirMode] of [['a', undefined, undefined], ['b', 0o600, 0o700]] as const) {
      const path = join(t.dir, sub, 'store');
      const s = new SqliteStore({ path, readonly: false, fileMode, dirMode });
      await s.insert([{ tsReported: 1_700_000_000_000_000, tsReceived: 1_700_000_000_000_000, host: 'h', fromhostIp: '127.0.0.1', app: 'a', procid: '', msgid: '', facility: 1, severity: 5, structuredData: '-', msg: 'm', fields: null, raw: null }] as never);
      assert.equal(mode(path), dirMode ?? 0o750);
      const files = readdirSync(path);
      assert.ok(files.some((f) => f.endsWith('.db')), files.join(','));
      for (const f of files) assert.equal(mode(join(path, f)), fileMode ?? 0o640, `${f}: ${mode(join(path, f)).toString(8)}`);
      await s.close();
    }
  } finally {
    process.umask(old);
    t.cleanup();
  }
});

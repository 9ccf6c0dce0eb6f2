// Saved reading positions: one small JSON file per monitored file in <workDirectory>/imfile/, written
// atomically (tmp + rename). A position names the file by device + inode and a hash of its first bytes, so a
// new file that reuses a deleted file's inode is not mistaken for it.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** How many leading bytes identify a file's content (rsyslog hashes the first 512 bytes too). */
export const HEAD_BYTES = 512;

export interface FileState {
  path: string;
  dev: number;
  ino: number;
  /** Offset of the first byte not yet submitted. */
  offset: number;
  /** Length of the hashed head (min(HEAD_BYTES, file size when hashed)). */
  headLen: number;
  headHash: string;
}

export function hashHead(buf: Buffer): string {
  return createHash('sha1').update(buf).digest('hex');
}

/** Read up to `len` leading bytes of an open file. */
export function readHead(fd: number, len: number): Buffer {
  const buf = Buffer.alloc(len);
  const n = fs.readSync(fd, buf, 0, len, 0);
  return n === len ? buf : buf.subarray(0, n);
}

export class StateStore {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  private fileFor(p: string): string {
    return path.join(this.dir, `${createHash('sha1').update(p).digest('hex').slice(0, 24)}.json`);
  }

  load(p: string): FileState | null {
    try {
      const s = JSON.parse(fs.readFileSync(this.fileFor(p), 'utf8')) as FileState;
      if (s.path !== p || typeof s.offset !== 'number' || typeof s.ino !== 'number') return null;
      return s;
    } catch {
      return null;
    }
  }

  save(s: FileState): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o750 });
    const f = this.fileFor(s.path);
    const tmp = `${f}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(s));
    fs.renameSync(tmp, f);
  }

  remove(p: string): void {
    try { fs.unlinkSync(this.fileFor(p)); } catch { /* already gone */ }
  }
}

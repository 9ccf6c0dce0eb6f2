// Console accounts and API tokens: one JSON file, <dataDir>/console/users.json, mode 0600, replaced atomically
// (write a temp file, fsync, rename). Passwords are scrypt hashes with a per-user salt; tokens are random
// 256-bit secrets of which only a SHA-256 is kept (a token has full entropy, so a slow hash buys nothing).
// Both the server and `logwarden user|token` use this module; the server re-reads the file when it changes, so
// a token created or revoked by the CLI takes effect without a restart.
import { createHash, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const USERS_FILE = join('console', 'users.json');
export const ADMIN_PASSWORD_FILE = 'admin-password';
const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32, maxmem: 64 * 1024 * 1024 };
const USER_NAME = /^[A-Za-z0-9_.@-]{1,64}$/;
export const MIN_PASSWORD_LENGTH = 10;
/** `lw_<8 hex id>_<43 base64url secret>`: the id finds the record, the whole token is compared by hash. */
const TOKEN_FORMAT = /^lw_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;

export interface UserRecord {
  name: string;
  salt: string;
  hash: string;
  createdMs: number;
}

export interface TokenRecord {
  id: string;
  name: string;
  user: string;
  hash: string;
  createdMs: number;
}

interface UsersFile {
  version: 1;
  users: UserRecord[];
  tokens: TokenRecord[];
}

export class UserStoreError extends Error {
  constructor(readonly code: 'LW_ERR_USER_EXISTS' | 'LW_ERR_USER_UNKNOWN' | 'LW_ERR_USER_NAME' | 'LW_ERR_USER_PASSWORD' | 'LW_ERR_USER_TOKEN' | 'LW_ERR_USER_FILE', message: string) {
    super(message);
    this.name = 'UserStoreError';
  }
}

function hashPassword(password: string, salt: Buffer): Buffer {
  return scryptSync(password, salt, SCRYPT.keylen, SCRYPT);
}

function hashPasswordAsync(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, SCRYPT.keylen, SCRYPT, (e, k) => (e ? reject(e) : resolve(k))));
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** A password for a new account: 18 random bytes, base64url (24 characters). */
export function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}

/** A salt and hash the verifier compares against when the user does not exist (same cost either way). */
const DUMMY = { salt: randomBytes(16), hash: Buffer.alloc(SCRYPT.keylen) };

export class UserStore {
  readonly file: string;
  private data: UsersFile = { version: 1, users: [], tokens: [] };
  private stamp = '';

  constructor(readonly dataDir: string) {
    this.file = join(dataDir, USERS_FILE);
    this.reload();
  }

  /** True when the account file exists (first start creates it with `admin`). */
  exists(): boolean {
    try {
      statSync(this.file);
      return true;
    } catch {
      return false;
    }
  }

  /** Re-read the file when its size or mtime changed (the CLI may have written it). */
  private reload(): void {
    let st;
    try {
      st = statSync(this.file);
    } catch {
      this.data = { version: 1, users: [], tokens: [] };
      this.stamp = '';
      return;
    }
    const stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    if (stamp === this.stamp) return;
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as UsersFile;
      if (parsed.version !== 1 || !Array.isArray(parsed.users) || !Array.isArray(parsed.tokens)) throw new Error('not a version 1 account file');
      this.data = parsed;
      this.stamp = stamp;
    } catch (e) {
      throw new UserStoreError('LW_ERR_USER_FILE', `cannot read ${this.file}: ${(e as Error).message}`);
    }
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(this.data, null, 1)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    this.stamp = '';
    this.reload();
  }

  /**
   * First start: when no account file exists, create `admin` with a random password, write the password to
   * <dataDir>/admin-password (0600) and return it; otherwise null.
   */
  ensureAdmin(): string | null {
    this.reload();
    if (this.exists()) return null;
    const password = randomPassword();
    this.data = { version: 1, users: [], tokens: [] };
    this.addUser('admin', password);
    const fd = openSync(join(this.dataDir, ADMIN_PASSWORD_FILE), 'w', 0o600);
    try {
      writeSync(fd, `${password}\n`);
    } finally {
      closeSync(fd);
    }
    return password;
  }

  listUsers(): Array<{ name: string; createdMs: number; tokens: number }> {
    this.reload();
    return this.data.users.map((u) => ({ name: u.name, createdMs: u.createdMs, tokens: this.data.tokens.filter((t) => t.user === u.name).length }));
  }

  private checkPassword(password: string): void {
    if (password.length < MIN_PASSWORD_LENGTH) throw new UserStoreError('LW_ERR_USER_PASSWORD', `a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  }

  addUser(name: string, password: string): void {
    this.reload();
    if (!USER_NAME.test(name)) throw new UserStoreError('LW_ERR_USER_NAME', `"${name}" is not a user name (1-64 of A-Z a-z 0-9 _ . @ -)`);
    if (this.data.users.some((u) => u.name === name)) throw new UserStoreError('LW_ERR_USER_EXISTS', `user "${name}" already exists`);
    this.checkPassword(password);
    const salt = randomBytes(16);
    this.data.users.push({ name, salt: salt.toString('base64'), hash: hashPassword(password, salt).toString('base64'), createdMs: Date.now() });
    this.save();
  }

  setPassword(name: string, password: string): void {
    this.reload();
    const u = this.user(name);
    this.checkPassword(password);
    const salt = randomBytes(16);
    u.salt = salt.toString('base64');
    u.hash = hashPassword(password, salt).toString('base64');
    this.save();
  }

  /** Delete a user and every token of theirs. */
  deleteUser(name: string): void {
    this.reload();
    this.user(name);
    this.data.users = this.data.users.filter((u) => u.name !== name);
    this.data.tokens = this.data.tokens.filter((t) => t.user !== name);
    this.save();
  }

  private user(name: string): UserRecord {
    const u = this.data.users.find((x) => x.name === name);
    if (u === undefined) throw new UserStoreError('LW_ERR_USER_UNKNOWN', `no user "${name}"`);
    return u;
  }

  /** The user name when the password is right, else null; costs one scrypt whether or not the user exists. */
  async verifyPassword(name: string, password: string): Promise<string | null> {
    this.reload();
    const u = this.data.users.find((x) => x.name === name);
    const salt = u ? Buffer.from(u.salt, 'base64') : DUMMY.salt;
    const want = u ? Buffer.from(u.hash, 'base64') : DUMMY.hash;
    const got = await hashPasswordAsync(password, salt);
    return timingSafeEqual(got, want) && u !== undefined ? u.name : null;
  }

  /** True while the user exists (sessions of a deleted user end). */
  hasUser(name: string): boolean {
    this.reload();
    return this.data.users.some((u) => u.name === name);
  }

  /** Create a token for `user`; the token text is returned once and only its hash is kept. */
  createToken(user: string, name: string): { id: string; token: string } {
    this.reload();
    this.user(user);
    let id: string;
    do id = randomBytes(4).toString('hex'); while (this.data.tokens.some((t) => t.id === id));
    const token = `lw_${id}_${randomBytes(32).toString('base64url')}`;
    this.data.tokens.push({ id, name, user, hash: sha256(token).toString('hex'), createdMs: Date.now() });
    this.save();
    return { id, token };
  }

  revokeToken(id: string): void {
    this.reload();
    if (!this.data.tokens.some((t) => t.id === id)) throw new UserStoreError('LW_ERR_USER_TOKEN', `no token with id ${id}`);
    this.data.tokens = this.data.tokens.filter((t) => t.id !== id);
    this.save();
  }

  listTokens(): Array<{ id: string; name: string; user: string; createdMs: number }> {
    this.reload();
    return this.data.tokens.map(({ id, name, user, createdMs }) => ({ id, name, user, createdMs }));
  }

  /** The token's user, or null for an unknown, revoked or malformed token (constant-time hash compare). */
  verifyToken(token: string): string | null {
    const m = TOKEN_FORMAT.exec(token);
    if (m === null) return null;
    this.reload();
    const rec = this.data.tokens.find((t) => t.id === m[1]);
    if (rec === undefined) return null;
    const ok = timingSafeEqual(sha256(token), Buffer.from(rec.hash, 'hex'));
    return ok && this.data.users.some((u) => u.name === rec.user) ? rec.user : null;
  }
}

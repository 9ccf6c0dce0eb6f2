// Credentials for tests that call the console API: a bearer token written through the account store of a data
// dir (the same file `logwarden token create` writes; a running server re-reads it), and fetch helpers.
import { UserStore } from '../../src/web/users';

/** A fresh API token for `user` (created with a random password if missing) in `dataDir`'s account file. */
export function apiToken(dataDir: string, user = 'admin'): string {
  const users = new UserStore(dataDir);
  users.ensureAdmin();
  if (!users.hasUser(user)) users.addUser(user, `pw-${Math.random().toString(36).slice(2)}-long`);
  return users.createToken(user, 'test').token;
}

/** fetch with `Authorization: Bearer <token>`. */
export function authFetch(token: string, url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(url, { ...init, headers });
}

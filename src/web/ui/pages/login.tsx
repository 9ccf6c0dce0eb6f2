// Login form: POST /api/login, then go to `next` (only a same-site path: never an open redirect).
import { useState } from 'preact/hooks';
import { api, ApiError, type Session } from '../api';
import type { Loc } from '../router';

export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/login')) return '/search';
  return next;
}

export function LoginPage({ loc, onLogin }: { loc: Loc; onLogin: (s: Session, next: string) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const s = await api<Session>('/api/login', { method: 'POST', body: { username, password }, quiet401: true });
      onLogin(s, safeNext(loc.params.get('next')));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError('Wrong user name or password.');
      else if (err instanceof ApiError && err.status === 429) setError('Too many attempts from this address. Wait a minute and try again.');
      else setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };
  return (
    <div class="loginwrap">
      <form class="login" onSubmit={submit}>
        <h1>Logwarden</h1>
        <label>User name <input name="username" autoComplete="username" required value={username} onInput={(e) => setUsername((e.target as HTMLInputElement).value)} /></label>
        <label>Password <input name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} /></label>
        {error && <div class="error" role="alert">{error}</div>}
        <button type="submit" disabled={busy}>Sign in</button>
      </form>
    </div>
  );
}

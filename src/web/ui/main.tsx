// The console's entry point: session probe, navigation bar, and the page for the current path.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { api, loginUrl, setCsrf, setUnauthorizedHandler, type Session } from './api';
import { AlertsPage } from './pages/alerts';
import { HostsPage } from './pages/hosts';
import { LoginPage, safeNext } from './pages/login';
import { SearchPage } from './pages/search';
import { StatusPage } from './pages/status';
import { TailPage } from './pages/tail';
import { linkClick, navigate, useLocation, type Loc } from './router';

const NAV: [string, string][] = [['/search', 'Search'], ['/tail', 'Live tail'], ['/hosts', 'Hosts'], ['/alerts', 'Alerts'], ['/status', 'Status']];

function Page({ loc }: { loc: Loc }) {
  switch (loc.path) {
    case '/':
    case '/search': return <SearchPage loc={loc} />;
    case '/tail': return <TailPage loc={loc} />;
    case '/hosts': return <HostsPage />;
    case '/alerts': return <AlertsPage loc={loc} />;
    case '/status': return <StatusPage />;
    default: return <div class="page"><h2>Not found</h2><p><a href="/search" onClick={linkClick}>Go to search</a></p></div>;
  }
}

function App() {
  const loc = useLocation();
  // undefined: not asked yet; null: not signed in.
  const [session, setSession] = useState<Session | null | undefined>(undefined);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      setSession(null);
      navigate(loginUrl(), true);
    });
    api<Session>('/api/session', { quiet401: true })
      .then((s) => { setCsrf(s.csrf); setSession(s); })
      .catch(() => setSession(null));
  }, []);

  useEffect(() => {
    if (session === null && loc.path !== '/login') navigate(loginUrl(), true);
    if (session && loc.path === '/login') navigate(safeNext(loc.params.get('next')), true);
  }, [session, loc.path]);

  if (session === undefined) return <div class="loading">Loading…</div>;
  if (session === null || loc.path === '/login') {
    return <LoginPage loc={loc} onLogin={(s, next) => { setCsrf(s.csrf); setSession(s); navigate(next, true); }} />;
  }
  const logout = async () => {
    try {
      await api('/api/logout', { method: 'POST' });
    } finally {
      setCsrf('');
      setSession(null);
      navigate('/login', true);
    }
  };
  const here = loc.path === '/' ? '/search' : loc.path;
  return (
    <>
      <header class="topbar">
        <a class="brand" href="/search" onClick={linkClick}>Logwarden</a>
        <nav>
          {NAV.map(([href, label]) => (
            <a key={href} href={href} onClick={linkClick} class={here === href ? 'on' : ''} aria-current={here === href ? 'page' : undefined}>{label}</a>
          ))}
        </nav>
        <span class="user">{session.user.name}</span>
        <button type="button" class="logout" onClick={logout}>Sign out</button>
      </header>
      <main><Page loc={loc} /></main>
    </>
  );
}

render(<App />, document.getElementById('app')!);

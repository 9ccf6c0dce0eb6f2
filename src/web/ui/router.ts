// History API routing: the URL (path + query string) is the whole page state, so every view is a permalink
// and the back button walks through searches. navigate() pushes (or replaces) and notifies subscribers.
import { useEffect, useState } from 'preact/hooks';

export interface Loc { path: string; params: URLSearchParams }

const EVENT = 'lw:navigate';

function current(): Loc {
  return { path: location.pathname, params: new URLSearchParams(location.search) };
}

export function navigate(url: string, replace = false): void {
  if (url === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.dispatchEvent(new Event(EVENT));
}

/** Current location; re-renders on navigate() and on back/forward. */
export function useLocation(): Loc {
  const [loc, setLoc] = useState<Loc>(current);
  useEffect(() => {
    const on = () => setLoc(current());
    window.addEventListener('popstate', on);
    window.addEventListener(EVENT, on);
    return () => {
      window.removeEventListener('popstate', on);
      window.removeEventListener(EVENT, on);
    };
  }, []);
  return loc;
}

/** Same path with some query parameters changed (null/'' removes one). */
export function withParams(loc: Loc, changes: Record<string, string | null>): string {
  const sp = new URLSearchParams(loc.params);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === '') sp.delete(k);
    else sp.set(k, v);
  }
  const s = sp.toString();
  return s ? `${loc.path}?${s}` : loc.path;
}

/** For onClick on <a href>: plain left clicks navigate in-app; modified clicks open normally (new tab…). */
export function linkClick(e: MouseEvent): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.currentTarget as HTMLAnchorElement;
  if (a.origin !== location.origin || a.hasAttribute('download')) return;
  e.preventDefault();
  navigate(a.pathname + a.search);
}

// File name patterns as rsyslog imfile accepts them: `*`, `?` and `[…]` in any path component (glob(3)).
import * as fs from 'node:fs';
import * as path from 'node:path';

export function hasWildcard(p: string): boolean {
  return /[*?[]/.test(p);
}

/** glob(3) pattern of one path component → RegExp (no `/` inside; a leading `.` must be matched literally). */
export function componentRegex(pat: string): RegExp {
  let re = '';
  for (let i = 0; i < pat.length; i++) {
    const c = pat[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = pat.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        let body = pat.slice(i + 1, close);
        if (body[0] === '!') body = '^' + body.slice(1);
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Every existing regular file matching `pattern` (absolute), sorted. */
export function expandGlob(pattern: string): string[] {
  const abs = path.resolve(pattern);
  if (!hasWildcard(abs)) return [abs];
  const parts = abs.split('/').filter((s) => s.length > 0);
  let dirs = ['/'];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const last = i === parts.length - 1;
    const next: string[] = [];
    for (const d of dirs) {
      if (!hasWildcard(part)) {
        next.push(path.join(d, part));
        continue;
      }
      const re = componentRegex(part);
      let names: string[];
      try { names = fs.readdirSync(d); } catch { continue; }
      for (const n of names) {
        if (n.startsWith('.') && !part.startsWith('.')) continue;
        if (re.test(n)) next.push(path.join(d, n));
      }
    }
    dirs = last ? next : next.filter((p) => isDir(p));
  }
  return dirs.filter((p) => isFile(p)).sort();
}

/** The directories to watch for a pattern: the deepest directory before the first wildcard component. */
export function watchRoot(pattern: string): string {
  const abs = path.resolve(pattern);
  const parts = abs.split('/');
  const out: string[] = [];
  for (let i = 0; i < parts.length - 1; i++) {
    if (hasWildcard(parts[i])) break;
    out.push(parts[i]);
  }
  return out.join('/') || '/';
}

function isDir(p: string): boolean {
  try { return fs.statSync(p).isDirectory(); } catch { return false; }
}

function isFile(p: string): boolean {
  try { return fs.statSync(p).isFile(); } catch { return false; }
}

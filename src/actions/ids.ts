// User and group names to numeric ids, from /etc/passwd and /etc/group (Node has no getpwnam).
import { readFileSync } from 'node:fs';

function lookup(file: string, name: string): number | undefined {
  if (/^\d+$/.test(name)) return Number(name);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f.length > 2) return Number(f[2]);
  }
  return undefined;
}

export function lookupUserId(name: string): number | undefined {
  return lookup('/etc/passwd', name);
}

export function lookupGroupId(name: string): number | undefined {
  return lookup('/etc/group', name);
}

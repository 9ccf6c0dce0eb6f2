// The console's pages: one SPA. Every page route and /login serve dist/ui/index.html (built by
// scripts/build-ui.mjs from src/web/ui); /assets/* serves dist/ui/assets. Until the UI is built, a placeholder
// page says how to build it. Files are read per request from a fixed directory, names checked against a strict
// pattern (no '..', no hidden files), so nothing outside dist/ui/assets can be served.
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

export const PAGE_ROUTES = ['/', '/search', '/tail', '/hosts', '/alerts', '/status'] as const;
const UI_DIR = join(__dirname, '..', '..', 'ui');
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}(?:\/[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}){0,3}$/;
const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.map': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
  '.woff2': 'font/woff2', '.woff': 'font/woff', '.json': 'application/json', '.txt': 'text/plain; charset=utf-8',
};

const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Logwarden</title></head>
<body><h1>Logwarden</h1><p>The web console is not built. Run <code>node scripts/build-ui.mjs</code>, then reload.
The API works: see docs/console.md.</p></body></html>
`;

export function pageRoutes(app: FastifyInstance, uiDir = UI_DIR): void {
  const index = async (): Promise<string> => {
    try {
      return await readFile(join(uiDir, 'index.html'), 'utf8');
    } catch {
      return PLACEHOLDER;
    }
  };
  for (const path of [...PAGE_ROUTES, '/login']) {
    app.get(path, async (_req, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(await index()));
  }
  app.get<{ Params: { '*': string } }>('/assets/*', async (req, reply) => {
    const name = req.params['*'];
    const type = TYPES[extname(name)];
    if (!ASSET_NAME.test(name) || name.includes('..') || type === undefined) {
      return reply.code(404).send({ error: { code: 'LW_ERR_API_NOT_FOUND', message: 'no such asset' } });
    }
    try {
      const body = await readFile(join(uiDir, 'assets', name));
      // Hashed bundle names (main-3F2A1B.js) never change content: cache them; anything else revalidates.
      const hashed = /-[A-Za-z0-9]{8,}\.[a-z0-9]+$/.test(name);
      return reply.type(type).header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache').send(body);
    } catch {
      return reply.code(404).send({ error: { code: 'LW_ERR_API_NOT_FOUND', message: 'no such asset' } });
    }
  });
}

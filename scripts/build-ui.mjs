// Builds the web console (src/web/ui: Preact + uPlot) into dist/ui/: index.html plus hashed assets under
// dist/ui/assets/. Type-checks the UI with its own tsconfig first (the main tsconfig excludes it). No CDN, no
// runtime download: everything the page loads is in dist/ui. Options: --no-check (skip tsc), --dev (no minify).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src/web/ui');
const out = join(root, 'dist/ui');
const dev = process.argv.includes('--dev');

if (!process.argv.includes('--no-check')) {
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(src, 'tsconfig.json')], { stdio: 'inherit' });
  if (r.status !== 0) { console.error('build-ui: type-check failed'); process.exit(r.status ?? 1); }
}

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });
const result = await build({
  entryPoints: { app: join(src, 'main.tsx') },
  bundle: true,
  format: 'esm',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  minify: !dev,
  sourcemap: dev ? 'linked' : false,
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
let js = '';
let css = '';
for (const [file, meta] of Object.entries(result.metafile.outputs)) {
  if (meta.entryPoint && file.endsWith('.js')) js = basename(file);
  else if (file.endsWith('.css')) css = basename(file);
}
if (!js || !css) { console.error('build-ui: esbuild produced no app js/css', Object.keys(result.metafile.outputs)); process.exit(1); }
const html = readFileSync(join(src, 'index.html'), 'utf8')
  .replace('%APP_JS%', `/assets/${js}`)
  .replace('%APP_CSS%', `/assets/${css}`);
writeFileSync(join(out, 'index.html'), html);
const size = (f) => (readFileSync(join(out, 'assets', f)).length / 1024).toFixed(1);
console.log(`build-ui: dist/ui/index.html, assets/${js} (${size(js)} KiB), assets/${css} (${size(css)} KiB)`);

// Builds the optional native SQLite helper (native/lw_sqlite.c) into dist/native/lw_sqlite.so.
// Optional by design: without a C compiler, or if the compile fails, it prints one warning and exits 0, and
// searches use the portable path (src/store/fts-bitmap.ts). Installation must never fail because of it.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'native', 'lw_sqlite.c');
const outDir = join(root, 'dist', 'native');
const output = join(outDir, 'lw_sqlite.so');
// Compiled beside the output, then renamed over it: rewriting a .so in place could crash a running process
// that has it mapped, while a rename leaves that process on the old file.
const temp = `${output}.${process.pid}.tmp`;
/** Compiler: $CC when set (the usual convention), else cc. */
const compiler = process.env.CC || 'cc';

/**
 * The helper processes, each built first and on its own: a failure only prints a line.
 * native/lw_uxdgram.c: the datagram /dev/log helper of imuxsock (without it imuxsock refuses socketType="dgram"
 * and stream mode still works). native/lw_udprecv.c: imudp's batched receiver (recvmmsg); without it imudp
 * receives through Node's dgram sockets, one callback per datagram (slower, loses datagrams sooner under load).
 */
function buildHelper(name, without) {
  const src = join(root, 'native', `${name}.c`);
  const out = join(outDir, name);
  const tmp = `${out}.${process.pid}.tmp`;
  try { mkdirSync(outDir, { recursive: true }); } catch { return; }
  const r = spawnSync(compiler, ['-O2', '-o', tmp, src], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    rmSync(tmp, { force: true });
    rmSync(out, { force: true }); // a helper left from an earlier build would not match this source
    const first = (r.stderr || '').split('\n').find((l) => l.trim() !== '') ?? (r.error ? r.error.message : `exit ${r.status}`);
    console.warn(`build-native: ${name} not built (${first.trim()}); ${without}`);
    return;
  }
  renameSync(tmp, out);
}
buildHelper('lw_uxdgram', 'imuxsock socketType="dgram" is unavailable');
buildHelper('lw_udprecv', 'imudp falls back to Node dgram sockets (one callback per datagram)');

/**
 * native/lw_crc32c.c: the disk queue's CRC32C as a Node-API addon (SSE4.2 where the CPU has it). Needs node's
 * headers (include/node beside the running node, as node-gyp uses); without them the JavaScript tables are used.
 */
function buildAddon(name, without) {
  const src = join(root, 'native', `${name}.c`);
  const out = join(outDir, `${name}.node`);
  const tmp = `${out}.${process.pid}.tmp`;
  const include = join(dirname(process.execPath), '..', 'include', 'node');
  const fail = (why) => {
    rmSync(tmp, { force: true });
    rmSync(out, { force: true });
    console.warn(`build-native: ${name} not built (${why}); ${without}`);
  };
  if (!existsSync(join(include, 'node_api.h'))) return fail(`no node_api.h under ${include}`);
  try { mkdirSync(outDir, { recursive: true }); } catch { return; }
  const r = spawnSync(compiler, ['-O2', '-fPIC', '-shared', '-I', include, '-o', tmp, src, '-lpthread'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    const first = (r.stderr || '').split('\n').find((l) => l.trim() !== '') ?? (r.error ? r.error.message : `exit ${r.status}`);
    return fail(first.trim());
  }
  renameSync(tmp, out);
}
buildAddon('lw_crc32c', 'disk queues compute CRC32C in JavaScript (slower spills)');
// native/lw_text.c: the stream inputs' printable-ASCII scan, one call per received chunk.
buildAddon('lw_text', 'stream inputs scan for printable ASCII with a regular expression (slower)');

function warn(reason) {
  // A library left from an earlier build would not match this source: remove it so the warning holds.
  rmSync(output, { force: true });
  rmSync(temp, { force: true });
  console.warn(`build-native: ${reason}; full-text bitmaps fall back to the portable path (slower aggregations)`);
  process.exit(0);
}

/** The folder holding sqlite3ext.h of the installed better-sqlite3, whose bundled SQLite loads the extension. */
function sqliteHeaderDir() {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('better-sqlite3/package.json', { paths: [root] });
  return join(dirname(pkg), 'deps', 'sqlite3');
}

let includeDir;
try { includeDir = sqliteHeaderDir(); } catch { warn('better-sqlite3 is not installed'); }
try { mkdirSync(outDir, { recursive: true }); } catch (e) { warn(`cannot create ${outDir} (${e.message})`); }
const args = ['-O2', '-fPIC', '-shared', '-I', includeDir, '-o', temp, source];
const r = spawnSync(compiler, args, { encoding: 'utf8' });
if (r.error) warn(`no C compiler (${compiler}: ${r.error.code ?? r.error.message})`);
if (r.status !== 0) {
  // First line of the compiler's complaint only: this message must stay one line.
  const first = (r.stderr || r.stdout || '').split('\n').find((l) => l.trim() !== '') ?? `exit ${r.status}`;
  warn(`compiling native/lw_sqlite.c failed (${first.trim()})`);
}
try { renameSync(temp, output); } catch (e) { warn(`cannot write ${output} (${e.message})`); }

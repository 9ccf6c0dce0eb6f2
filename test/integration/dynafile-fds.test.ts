// The dynaFile cache against the process's descriptor limit: `logwarden run` under `ulimit -n 96` writes seed
// 003's one-file-per-host/program template for 300 hosts. The default cache (1000 files) cannot hold them: the
// first EMFILE closes the older half of the cache, lowers its size and opens again (LW_WARN_DYNAFILE_FDS), and
// every numbered message is in its file exactly once.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, readLines, tempDir, waitFor } from '../helpers/util';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'logwarden.js');
const tmp = tempDir('lw-dynafds-');
after(() => tmp.cleanup());

const HOSTS = 300;
const ROUNDS = 4;

test('dynaFile under a low descriptor limit: the cache shrinks on EMFILE and every message is written once', { timeout: 120_000 }, async () => {
  const port = await freePort();
  const out = join(tmp.dir, 'out');
  const conf = join(tmp.dir, 'lw.conf');
  writeFileSync(conf, `
module(load="imtcp")
input(type="imtcp" port="${port}" address="127.0.0.1")
$template remote-incoming-logs,"${out}/%HOSTNAME%/%PROGRAMNAME%.log"
template(name="m" type="string" string="%msg%\\n")
*.* action(type="omfile" dynaFile="remote-incoming-logs" template="m")
`);
  let stderr = '';
  // bash sets the limit for the node it execs; the message stream is sent only once the input accepts
  const proc = spawn('bash', ['-c', `ulimit -n 96 && exec "${process.execPath}" "${BIN}" run -f "${conf}" --data-dir "${join(tmp.dir, 'data')}"`],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  proc.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  try {
    const sock = await waitFor(() => new Promise<ReturnType<typeof connect> | false>((resolve) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', () => resolve(false));
    }), 'the TCP input to accept', 30_000, 100);
    let text = '';
    for (let r = 0; r < ROUNDS; r++) {
      for (let h = 0; h < HOSTS; h++) text += `<13>Oct 11 22:14:15 host${h} app: n=${r * HOSTS + h}\n`;
    }
    await new Promise<void>((resolve) => sock.end(text, () => resolve()));
    const count = (): number => {
      if (!existsSync(out)) return 0;
      let n = 0;
      for (const d of readdirSync(out)) n += readLines(join(out, d, 'app.log')).length;
      return n;
    };
    await waitFor(() => count() >= HOSTS * ROUNDS, `${HOSTS * ROUNDS} lines in the dynaFiles`, 60_000, 100);
    const seen = new Map<number, number>();
    for (let h = 0; h < HOSTS; h++) {
      const lines = readLines(join(out, `host${h}`, 'app.log')).map((l) => l.trim()); // %msg% keeps the SP after the tag
      assert.deepEqual(lines, Array.from({ length: ROUNDS }, (_, r) => `n=${r * HOSTS + h}`), `host${h}: its messages, in order, once`);
      for (const l of lines) seen.set(Number(l.slice(2)), (seen.get(Number(l.slice(2))) ?? 0) + 1);
    }
    assert.equal(seen.size, HOSTS * ROUNDS, 'every numbered message written');
    assert.ok([...seen.values()].every((c) => c === 1), 'none twice');
    assert.match(stderr, /LW_WARN_DYNAFILE_FDS/, 'the shrink is logged');
  } finally {
    proc.kill('SIGTERM');
    await new Promise((resolve) => (proc.exitCode !== null ? resolve(null) : proc.once('exit', resolve)));
  }
});

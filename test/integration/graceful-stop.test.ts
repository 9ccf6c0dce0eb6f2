// SIGTERM and SIGHUP against the real `logwarden run` while a sender streams ~40k msgs/s over TCP: every message
// the sender's kernel accepted (python's sendall returned) reaches the output file. The sender counts what it
// sent; the test counts distinct sequence numbers in the file.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, tempDir, waitFor } from '../helpers/util';
import { python, runLogwarden as run, seqs, startSender } from '../helpers/seq-sender';

function config(dir: string, port: number, name: string): string {
  return `global(workDirectory="${join(dir, 'data')}")
module(load="imtcp")
input(type="imtcp" port="${port}" address="127.0.0.1" name="${name}")
template(name="t" type="string" string="%inputname% %msg%\\n")
action(type="omfile" file="${join(dir, 'out.log')}" template="t")
`;
}

/** `logwarden run` with one TCP input named `name`, and a 120,000-message stream at 40k msgs/s well under way. */
async function streaming(t: TestContext, name: string): Promise<{
  d: ReturnType<typeof tempDir>; port: number; conf: string; lw: ReturnType<typeof run>; sender: { done: Promise<number> }; out: string;
}> {
  const d = tempDir(); t.after(() => d.cleanup());
  const port = await freePort();
  const conf = join(d.dir, 'lw.conf');
  writeFileSync(conf, config(d.dir, port, name));
  const lw = run(['run', '-f', conf], d.dir);
  t.after(() => { if (lw.child.exitCode === null) lw.child.kill('SIGKILL'); });
  await waitFor(() => lw.stderr().includes('LW_INFO_STARTED'), 'server start');
  const sender = startSender(port, 120_000, 40_000, d.dir);
  const out = join(d.dir, 'out.log');
  await waitFor(() => seqs(out).lines > 20_000, 'the stream under way', 30_000, 50);
  return { d, port, conf, lw, sender, out };
}

const skip = python() === null ? 'python3 is needed for the sendall-counting sender' : false;

test('SIGTERM during a 40k msgs/s TCP stream: every message the sender got accepted is written', { skip, timeout: 120_000 }, async (t) => {
  const { lw, sender, out } = await streaming(t, 'tcp');
  lw.child.kill('SIGTERM');
  const [sent, code] = await Promise.all([sender.done, lw.exited]);
  assert.equal(code, 0, lw.stderr());
  const { distinct, lines } = seqs(out);
  const missing: number[] = [];
  for (let i = 0; i < sent; i++) if (!distinct.has(i)) missing.push(i);
  t.diagnostic(`sender accepted ${sent}, file has ${distinct.size} distinct, ${lines - distinct.size} duplicates`);
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} accepted messages lost`);
  assert.equal(lines, distinct.size, 'no duplicates');
  assert.match(lw.stderr(), /LW_INFO_STOPPED.*undelivered=0/);
});

test('SIGHUP that renames the input: the open connection goes on, nothing accepted is lost', { skip, timeout: 120_000 }, async (t) => {
  const { d, port, conf, lw, sender, out } = await streaming(t, 'before');
  writeFileSync(conf, config(d.dir, port, 'after'));
  lw.child.kill('SIGHUP');
  await waitFor(() => lw.stderr().includes('LW_INFO_RELOADED'), 'reload');
  // A connection opened after the reload reaches the renamed input.
  const late = startSender(port, 1000, 10_000, d.dir);
  const [sent, lateSent] = await Promise.all([sender.done, late.done]);
  await waitFor(() => seqs(out).lines >= sent + lateSent, 'everything written', 30_000, 100);
  lw.child.kill('SIGTERM');
  assert.equal(await lw.exited, 0, lw.stderr());
  // The connection opened before the reload keeps the name of the input that accepted it.
  const { distinct, lines } = seqs(out, 'before ');
  const missing: number[] = [];
  for (let i = 0; i < sent; i++) if (!distinct.has(i)) missing.push(i);
  const after = seqs(out, 'after ');
  t.diagnostic(`sender accepted ${sent} (+${lateSent} after the reload); file: ${lines} lines, ${distinct.size} distinct (+${after.lines} from the new connection)`);
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} accepted messages lost`);
  assert.equal(lines, sent, 'no duplicates');
  assert.equal(after.distinct.size, lateSent, 'the connection opened after the reload reaches the renamed input');
  assert.equal(after.lines, lateSent);
});

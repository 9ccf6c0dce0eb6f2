// RELP interop with the real rsyslogd (imrelp.so / omrelp.so on librelp): rsyslogd omrelp → Logwarden imrelp
// and Logwarden omrelp → rsyslogd imrelp, 20,000 numbered messages each, plain and TLS (name and fingerprint
// auth); then 200,000-message streams with the receiver SIGKILLed and restarted twice (real child processes: a
// Logwarden relay run as `node bin/logwarden.js run -f CONF`, and rsyslogd). Every sequence number must
// arrive; duplicates (RELP is at-least-once across a receiver crash) are counted and printed.
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { relpAction, type RelpAction } from '../../src/actions/relp';
import type { MessageSink } from '../../src/components';
import { relpInput, type RelpInput } from '../../src/inputs/relp';
import { Message } from '../../src/message';
import { parseOptions, parseSyslog } from '../../src/parse';
import { ActionQueue, DEFAULT_QUEUE_OPTIONS } from '../../src/queue/action-queue';
import { builtinTemplates } from '../../src/templates';
import { SyslogTime } from '../../src/time';
import { rsyslogMissing } from '../helpers/rsyslog';
import { CA, context, params, pki, SERVER_CERT, SERVER_KEY } from '../integration/tls-helpers';
import { freePort, Rsyslogd, waitFor } from './rsyslogd-harness';

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'logwarden.js');
const WAIT_MS = 120_000;
const LONG_WAIT_MS = 600_000;
const LOC = { file: 't.conf', line: 1, col: 1 };
const N = 20_000;
const BIG = 200_000;
const skip = rsyslogMissing();

const cleanup: Array<() => Promise<void> | void> = [];
after(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });

const sha1 = (file: string): string => `SHA1:${new X509Certificate(readFileSync(file)).fingerprint}`;
const seqOf = (line: string): number => Number(/seq=(\d+)/.exec(line)?.[1] ?? -1);

class Sink implements MessageSink {
  readonly msgs: string[] = [];
  readonly congested = false;
  submit(batch: Message[]): void { for (const m of batch) this.msgs.push(m.msg); }
  onceDrained(cb: () => void): void { setImmediate(cb); }
}

/** Send `count` numbered lines over plain TCP (LF framing) and wait until the peer took them. */
function inject(port: number, tag: string, from: number, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.on('error', reject);
    s.on('close', () => resolve());
    let i = from;
    const end = from + count;
    const pump = (): void => {
      while (i < end) {
        let chunk = '';
        for (let k = 0; k < 1000 && i < end; k++, i++) chunk += `<13>Jan  2 03:04:05 h1 app: ${tag} seq=${i}\n`;
        if (!s.write(chunk)) { s.once('drain', pump); return; }
      }
      s.end();
    };
    s.on('connect', pump);
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}
async function listening(port: number, what: string, ms = WAIT_MS): Promise<void> {
  let ok = false;
  const deadline = Date.now() + ms;
  while (!ok) {
    ok = await canConnect(port);
    if (!ok && Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    if (!ok) await new Promise((r) => setTimeout(r, 50));
  }
}

/** Count per sequence number; returns missing numbers (of 0…n-1) and the duplicate count. */
function tally(seqs: number[], n: number): { missing: number[]; dups: number; distinct: number } {
  const seen = new Uint32Array(n);
  let dups = 0;
  for (const s of seqs) if (s >= 0 && s < n) { if (seen[s]++ > 0) dups++; }
  const missing: number[] = [];
  for (let i = 0; i < n; i++) if (seen[i] === 0) missing.push(i);
  return { missing, dups, distinct: n - missing.length };
}

const opts = parseOptions();
function messages(tag: string, from: number, to: number): Message[] {
  const out: Message[] = [];
  for (let i = from; i < to; i++) {
    const raw = Buffer.from(`<13>Jan  2 03:04:05 h2 app: ${tag} seq=${i}`);
    const m = new Message(raw, { inputname: 't', fromhostIp: '127.0.0.1', fromhost: 'x', ruleset: 'RSYSLOG_DefaultRuleset' }, SyslogTime.now());
    parseSyslog(raw, m, opts);
    out.push(m);
  }
  return out;
}

const TPL = 'template(name="m" type="string" string="%hostname% %syslogtag%%msg%\\n")';

interface TlsCase { name: string; theirs: string; ours: Record<string, string | string[]> }

describe('rsyslogd omrelp → Logwarden imrelp', { skip }, () => {
  const cases: Array<TlsCase | null> = [
    null,
    {
      name: 'TLS, authmode name both ways',
      theirs: ` tls="on" tls.authmode="name" tls.permittedpeer=["localhost"] tls.cacert="${CA}" tls.mycert="${pki('client.example.net.pem')}" tls.myprivkey="${pki('client.example.net-key.pem')}"`,
      ours: { tls: 'on', 'tls.authmode': 'name', 'tls.permittedpeer': ['client.example.net'], 'tls.cacert': CA, 'tls.mycert': SERVER_CERT, 'tls.myprivkey': SERVER_KEY },
    },
    // librelp's anonymous TLS (no certificates anywhere): GnuTLS anonymous DH, TLS 1.2.
    { name: 'TLS anonymous, no certificates', theirs: ' tls="on"', ours: { tls: 'on' } },
  ];
  for (const c of cases) {
    it(`${N} numbered messages, ${c ? c.name : 'plain'}: all arrive, in order`, async () => {
      const sink = new Sink();
      const ctx = context();
      const input = relpInput.create({ type: 'imrelp', params: params({ port: '0', address: '127.0.0.1', ...(c?.ours ?? {}) }), loc: LOC }, new Map(), ctx, sink) as RelpInput;
      await input.start();
      cleanup.push(() => input.stop());
      const ourPort = input.addresses()[0].port;
      const inPort = await freePort('tcp');
      const r = new Rsyslogd();
      cleanup.push(() => r.stop());
      r.start(`main_queue(queue.size="100000")
module(load="imtcp")
module(load="omrelp")
input(type="imtcp" port="${inPort}" address="127.0.0.1")
action(type="omrelp" target="127.0.0.1" port="${ourPort}"${c?.theirs ?? ''} action.resumeInterval="1" action.resumeRetryCount="-1")`);
      await listening(inPort, 'rsyslogd imtcp');
      const tag = `in-${c ? c.name.replace(/\W+/g, '_') : 'plain'}-${process.pid}`;
      await inject(inPort, tag, 0, N);
      await waitFor(() => sink.msgs.length >= N, WAIT_MS, `${N} messages from rsyslog omrelp (have ${sink.msgs.length}; rsyslog said: ${r.diagnostics()})`);
      const seqs = sink.msgs.filter((m) => m.includes(tag)).map(seqOf);
      assert.deepEqual(tally(seqs, N).missing, []);
      assert.deepEqual(seqs, Array.from({ length: N }, (_, i) => i));
      assert.equal(ctx.logger.records!.filter((x) => x.code === 'LW_ERR_RELP_FRAME').length, 0);
    });
  }
});

describe('RELP TLS refusal', { skip }, () => {
  it('rsyslogd omrelp with a certificate that is not permitted is refused (subject and rule logged); nothing arrives', async () => {
    const sink = new Sink();
    const ctx = context();
    const input = relpInput.create({ type: 'imrelp', params: params({ port: '0', address: '127.0.0.1', tls: 'on', 'tls.authmode': 'name', 'tls.permittedpeer': ['client.example.net'], 'tls.cacert': CA, 'tls.mycert': SERVER_CERT, 'tls.myprivkey': SERVER_KEY }), loc: LOC }, new Map(), ctx, sink) as RelpInput;
    await input.start();
    cleanup.push(() => input.stop());
    const inPort = await freePort('tcp');
    const r = new Rsyslogd();
    cleanup.push(() => r.stop());
    r.start(`module(load="imtcp")
module(load="omrelp")
input(type="imtcp" port="${inPort}" address="127.0.0.1")
action(type="omrelp" target="127.0.0.1" port="${input.addresses()[0].port}" tls="on" tls.authmode="name" tls.permittedpeer=["localhost"] tls.cacert="${CA}" tls.mycert="${pki('other.test.pem')}" tls.myprivkey="${pki('other.test-key.pem')}")`);
    await listening(inPort, 'rsyslogd imtcp');
    await inject(inPort, `refused-${process.pid}`, 0, 5);
    await waitFor(() => ctx.logger.records!.some((x) => x.code === 'LW_WARN_TLS_PEER_REFUSED' && /other\.test/.test(String(x.fields.subject))), WAIT_MS, `the refusal (rsyslog said: ${r.diagnostics()})`);
    assert.equal(sink.msgs.length, 0);
  });
});

describe('Logwarden omrelp → rsyslogd imrelp', { skip }, () => {
  const cases: Array<TlsCase | null> = [
    null,
    {
      name: 'TLS, authmode fingerprint both ways',
      theirs: ` tls="on" tls.authmode="fingerprint" tls.permittedpeer=["${sha1(pki('client.example.net.pem'))}"] tls.cacert="${CA}" tls.mycert="${SERVER_CERT}" tls.myprivkey="${SERVER_KEY}"`,
      ours: { tls: 'on', 'tls.authmode': 'fingerprint', 'tls.permittedpeer': [sha1(SERVER_CERT)], 'tls.mycert': pki('client.example.net.pem'), 'tls.myprivkey': pki('client.example.net-key.pem') },
    },
    { name: 'TLS anonymous, no certificates', theirs: ' tls="on"', ours: { tls: 'on' } },
  ];
  for (const c of cases) {
    it(`${N} numbered messages, ${c ? c.name : 'plain'}: all written by rsyslog, in order`, async () => {
      const port = await freePort('tcp');
      const r = new Rsyslogd();
      cleanup.push(() => r.stop());
      r.start(`module(load="imrelp")
input(type="imrelp" port="${port}" address="127.0.0.1"${c?.theirs ?? ''})
${TPL}
action(type="omfile" file="${r.outFile}" template="m")`);
      await listening(port, 'rsyslogd imrelp');
      const ctx = context({}, [...builtinTemplates().values()]);
      const a = relpAction.create({ type: 'omrelp', params: params({ target: '127.0.0.1', port: String(port), ...(c?.ours ?? {}) }), loc: LOC }, new Map(), ctx) as RelpAction;
      cleanup.push(() => a.close());
      const tag = `out-${c ? c.name.replace(/\W+/g, '_') : 'plain'}-${process.pid}`;
      for (let i = 0; i < N; i += 2000) await a.deliver(messages(tag, i, i + 2000));
      await waitFor(() => r.lines().length >= N, WAIT_MS, `${N} lines written by rsyslog (have ${r.lines().length}; rsyslog said: ${r.diagnostics()})`);
      const lines = r.lines();
      assert.equal(lines[0], `h2 app: ${tag} seq=0`);
      assert.deepEqual(lines.map(seqOf), Array.from({ length: N }, (_, i) => i));
      assert.equal(a.resent, 0);
    });
  }
});

/** A child process that can be SIGKILLed and restarted with the same command line. */
class Child {
  proc: ChildProcess | null = null;
  err = '';
  constructor(private readonly cmd: string, private readonly args: string[], private readonly pidFile?: string) {}
  start(): void {
    if (this.pidFile && existsSync(this.pidFile)) unlinkSync(this.pidFile); // stale after SIGKILL
    const p = spawn(this.cmd, this.args, { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr?.on('data', (d: Buffer) => { this.err = (this.err + d.toString()).slice(-4000); });
    this.proc = p;
  }
  kill(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => { p.once('exit', () => resolve()); p.kill('SIGKILL'); });
  }
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((resolve) => { p.once('exit', () => resolve()); p.kill('SIGTERM'); setTimeout(() => p.kill('SIGKILL'), 10_000).unref(); });
  }
}

function readSeqs(file: string, tag: string): number[] {
  if (!existsSync(file)) return [];
  const out: number[] = [];
  for (const l of readFileSync(file, 'utf8').split('\n')) if (l.includes(tag)) out.push(seqOf(l));
  return out;
}
const lineCount = (file: string): number => {
  if (!existsSync(file)) return 0;
  const b = readFileSync(file);
  let n = 0;
  for (let i = 0; i < b.length; i++) if (b[i] === 0x0a) n++;
  return n;
};

/** Kill `receiver` at 1/3 and 2/3 of `n` lines in `file`, restart it after a pause; wait for all n. */
async function killTwice(receiver: Child, port: number, file: string, n: number, label: string): Promise<void> {
  for (const frac of [1 / 3, 2 / 3]) {
    await waitFor(() => lineCount(file) >= Math.floor(n * frac), LONG_WAIT_MS, `${label}: ${Math.floor(n * frac)} lines before the kill (have ${lineCount(file)}; ${receiver.err})`);
    await receiver.kill();
    await new Promise((r) => setTimeout(r, 500));
    receiver.start();
    await listening(port, `${label} receiver restarted`);
  }
}

describe('receiver SIGKILLed twice during a 200,000-message RELP stream', { skip }, () => {
  it('Logwarden relay (imtcp → omrelp, child process) → rsyslogd imrelp, rsyslogd killed twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-relp-kill-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const rsPort = await freePort('tcp');
    const lwPort = await freePort('tcp');
    const out = join(dir, 'out.log');
    // Direct queues: rsyslog's imrelp acknowledges only after omfile wrote the message, so a SIGKILL loses
    // nothing it acknowledged (with its default in-memory queue it would, like any in-memory receiver).
    writeFileSync(join(dir, 'rsyslog.conf'), `global(workDirectory="${dir}")
main_queue(queue.type="Direct")
module(load="imrelp")
input(type="imrelp" port="${rsPort}" address="127.0.0.1")
${TPL}
action(type="omfile" file="${out}" template="m")
`);
    const rs = new Child('rsyslogd', ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')], join(dir, 'rsyslogd.pid'));
    cleanup.push(() => rs.stop());
    rs.start();
    await listening(rsPort, 'rsyslogd imrelp');
    writeFileSync(join(dir, 'lw.conf'), `global(workDirectory="${join(dir, 'lw')}")
module(load="imtcp")
module(load="omrelp")
input(type="imtcp" port="${lwPort}" address="127.0.0.1")
action(type="omrelp" target="127.0.0.1" port="${rsPort}")
`);
    const lw = new Child(process.execPath, [BIN, 'run', '-f', join(dir, 'lw.conf')]);
    cleanup.push(() => lw.stop());
    lw.start();
    await listening(lwPort, 'Logwarden relay imtcp');
    const tag = `kill-out-${process.pid}`;
    const sending = inject(lwPort, tag, 0, BIG);
    await killTwice(rs, rsPort, out, BIG, 'rsyslogd');
    await sending;
    await waitFor(() => new Set(readSeqs(out, tag)).size >= BIG, LONG_WAIT_MS, `all ${BIG} in rsyslog's file (have ${new Set(readSeqs(out, tag)).size}; relay said: ${lw.err})`);
    const t = tally(readSeqs(out, tag), BIG);
    // eslint-disable-next-line no-console
    console.log(`# relp kill (Logwarden relay → rsyslogd, rsyslogd SIGKILLed twice): sent ${BIG}, distinct ${t.distinct}, duplicates ${t.dups}, missing ${t.missing.length}`);
    assert.deepEqual(t.missing.slice(0, 20), []);
  });

  // todo: Logwarden's imrelp acknowledges once a message is in its (in-memory) action queue, as rsyslog's imrelp
  // with its default queue does; a SIGKILL loses what was acknowledged and not yet written (measured: one RELP
  // window, 128 messages, per kill). The disk queue (another branch) makes that acceptance durable; then drop
  // the todo. The test still runs and prints what arrived.
  it('rsyslogd relay (imtcp → omrelp) → Logwarden imrelp (child process), Logwarden killed twice', {
    todo: 'needs a durable queue behind imrelp: acknowledged messages still in memory die with a SIGKILLed receiver',
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-relp-kill-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const lwPort = await freePort('tcp');
    const rsPort = await freePort('tcp');
    const out = join(dir, 'out.log');
    writeFileSync(join(dir, 'lw.conf'), `global(workDirectory="${join(dir, 'lw')}")
module(load="imrelp")
input(type="imrelp" port="${lwPort}" address="127.0.0.1")
${TPL}
action(type="omfile" file="${out}" template="m")
`);
    const lw = new Child(process.execPath, [BIN, 'run', '-f', join(dir, 'lw.conf')]);
    cleanup.push(() => lw.stop());
    lw.start();
    await listening(lwPort, 'Logwarden imrelp');
    writeFileSync(join(dir, 'rsyslog.conf'), `global(workDirectory="${dir}")
main_queue(queue.size="400000")
module(load="imtcp")
module(load="omrelp")
input(type="imtcp" port="${rsPort}" address="127.0.0.1")
action(type="omrelp" target="127.0.0.1" port="${lwPort}" queue.type="LinkedList" queue.size="400000" action.resumeInterval="1" action.resumeRetryCount="-1")
`);
    const rs = new Child('rsyslogd', ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')], join(dir, 'rsyslogd.pid'));
    cleanup.push(() => rs.stop());
    rs.start();
    await listening(rsPort, 'rsyslogd imtcp');
    const tag = `kill-in-${process.pid}`;
    const sending = inject(rsPort, tag, 0, BIG);
    await killTwice(lw, lwPort, out, BIG, 'Logwarden');
    await sending;
    // Messages Logwarden acknowledged but had not yet written when it was SIGKILLed are lost (its queue is in
    // memory, as rsyslog's default); wait until the stream has settled, then report exactly what arrived.
    await waitFor(() => readSeqs(out, tag).includes(BIG - 1), LONG_WAIT_MS, `the last message (have ${lineCount(out)}; rsyslog said: ${rs.err})`);
    await waitFor(() => new Set(readSeqs(out, tag)).size >= BIG, 30_000, 'all').catch(() => undefined); // stragglers resent after the last
    const t = tally(readSeqs(out, tag), BIG);
    // eslint-disable-next-line no-console
    console.log(`# relp kill (rsyslogd → Logwarden imrelp, Logwarden SIGKILLed twice): sent ${BIG}, distinct ${t.distinct}, duplicates ${t.dups}, missing ${t.missing.length}${t.missing.length ? ` (first ${t.missing.slice(0, 5).join(',')})` : ''}`);
    assert.deepEqual(t.missing.slice(0, 20), []);
  });
});

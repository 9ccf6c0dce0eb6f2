// RELP interop with the real rsyslogd (imrelp.so / omrelp.so on librelp): rsyslogd omrelp → Logwarden imrelp
// and Logwarden omrelp → rsyslogd imrelp, 20,000 numbered messages each, plain and TLS (name and fingerprint
// auth); then 200,000-message streams with the receiver SIGKILLed and restarted twice (real child processes: a
// Logwarden relay run as `node bin/logwarden.js run -f CONF`, and rsyslogd). Every sequence number must
// arrive; duplicates (RELP is at-least-once across a receiver crash) are counted and printed.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { relpAction, type RelpAction } from '../../src/actions/relp';
import type { MessageSink } from '../../src/components';
import { relpInput, type RelpInput } from '../../src/inputs/relp';
import { Message } from '../../src/message';
import { parseOptions, parseSyslog } from '../../src/parse';
import { builtinTemplates } from '../../src/templates';
import { SyslogTime } from '../../src/time';
import { rsyslogMissing } from '../helpers/rsyslog';
import { CA, context, params, pki, SERVER_CERT, SERVER_KEY } from '../integration/tls-helpers';
import { freePort, Rsyslogd, waitFor } from './rsyslogd-harness';
import { Child, inject, killTwice, lineCount, listening, readSeqs, seqOf, tally, TPL } from '../helpers/relp-peers';

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

class Sink implements MessageSink {
  readonly msgs: string[] = [];
  readonly congested = false;
  submit(batch: Message[]): void { for (const m of batch) this.msgs.push(m.msg); }
  onceDrained(cb: () => void): void { setImmediate(cb); }
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

  // Logwarden's imrelp acknowledges a message only once its actions finished it or it is on a disk queue
  // (MessageSink.settle), so a SIGKILL loses nothing it acknowledged, even with the default memory queue.
  it('rsyslogd relay (imtcp → omrelp) → Logwarden imrelp (child process), Logwarden killed twice', async () => {
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
    // Wait until the stream has settled, then count exactly what arrived.
    await waitFor(() => readSeqs(out, tag).includes(BIG - 1), LONG_WAIT_MS, `the last message (have ${lineCount(out)}; rsyslog said: ${rs.err})`);
    await waitFor(() => new Set(readSeqs(out, tag)).size >= BIG, 30_000, 'all').catch(() => undefined); // stragglers resent after the last
    const t = tally(readSeqs(out, tag), BIG);
    // eslint-disable-next-line no-console
    console.log(`# relp kill (rsyslogd → Logwarden imrelp, Logwarden SIGKILLed twice): sent ${BIG}, distinct ${t.distinct}, duplicates ${t.dups}, missing ${t.missing.length}${t.missing.length ? ` (first ${t.missing.slice(0, 5).join(',')})` : ''}`);
    assert.deepEqual(t.missing.slice(0, 20), []);
  });
});


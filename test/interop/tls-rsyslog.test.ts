// Interop with the real rsyslogd, certificates made by our pki (test/fixtures/pki): rsyslog's ossl AND gtls
// drivers as TLS clients forwarding to the Logwarden TLS input (anon and x509/name, RSA and ECDSA keys), and
// Logwarden's forward action sending to an rsyslog TLS listener (anon and x509/name).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { forwardAction } from '../../src/actions/forward';
import type { Input } from '../../src/components';
import { tlsInput } from '../../src/inputs/tls';
import { Message } from '../../src/message';
import { parseOptions, parseSyslog } from '../../src/parse';
import { builtinTemplates } from '../../src/templates';
import { SyslogTime } from '../../src/time';
import { CA, CollectingSink, SERVER_GLOBALS, context, inputDecl, params, pki } from '../integration/tls-helpers';
import { Rsyslogd, freePort, waitFor } from './rsyslogd-harness';

const WAIT_MS = 30_000;
const COUNT = 20;
const running: Array<{ stop(): Promise<void> }> = [];
after(async () => { for (const r of running.splice(0)) await r.stop(); });

async function ourServer(p: Record<string, string | string[]>): Promise<{ input: Input; sink: CollectingSink; port: number; ctx: ReturnType<typeof context> }> {
  const sink = new CollectingSink();
  const ctx = context(SERVER_GLOBALS);
  const input = tlsInput.create(inputDecl({ port: '0', address: '127.0.0.1', 'StreamDriver.Name': 'gtls', 'StreamDriver.Mode': '1', ...p }), new Map(), ctx, sink);
  await input.start();
  running.push(input);
  return { input, sink, port: input.addresses()[0].port, ctx };
}

/** Send `lines` LF-framed over plain TCP to rsyslog's imtcp. */
function plainSend(port: number, lines: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.end(lines.map((l) => `${l}\n`).join('')));
    s.on('error', reject);
    s.on('close', () => resolve());
  });
}

interface ClientCase { driver: 'ossl' | 'gtls'; auth: 'anon' | 'x509/name'; cert?: string; permitted?: string }
const CLIENT_CASES: ClientCase[] = [
  { driver: 'ossl', auth: 'anon' },
  { driver: 'gtls', auth: 'anon' },
  { driver: 'ossl', auth: 'x509/name', cert: 'rsa/rsa.example.net', permitted: 'rsa.example.net' },
  { driver: 'gtls', auth: 'x509/name', cert: 'client.example.net', permitted: 'client.example.net' },
  { driver: 'gtls', auth: 'x509/name', cert: 'rsa/rsa.example.net', permitted: 'rsa.example.net' },
  { driver: 'ossl', auth: 'x509/name', cert: 'aws-syslog', permitted: 'aws-syslog' },
];

async function rsyslogClient(c: ClientCase, ourPort: number): Promise<{ r: Rsyslogd; inPort: number }> {
  const inPort = await freePort('tcp');
  const r = new Rsyslogd();
  running.push(r);
  const files = c.cert ? ` DefaultNetstreamDriverCertFile="${pki(`${c.cert}.pem`)}" DefaultNetstreamDriverKeyFile="${pki(`${c.cert}-key.pem`)}"` : '';
  const peers = c.auth === 'x509/name' ? ' StreamDriverPermittedPeers="localhost"' : '';
  r.start(`global(DefaultNetstreamDriverCAFile="${CA}"${files})
module(load="imtcp")
input(type="imtcp" port="${inPort}" address="127.0.0.1")
action(type="omfwd" target="127.0.0.1" port="${ourPort}" protocol="tcp" StreamDriver="${c.driver}" StreamDriverMode="1" StreamDriverAuthMode="${c.auth}"${peers})`);
  await waitFor(() => canConnect(inPort), WAIT_MS, 'rsyslogd imtcp listening');
  return { r, inPort };
}

const connectable = new Map<number, boolean>();
function canConnect(port: number): boolean {
  if (connectable.get(port)) return true;
  const s = connect(port, '127.0.0.1', () => { connectable.set(port, true); s.destroy(); });
  s.on('error', () => undefined);
  return false;
}

describe('rsyslogd (TLS client) → Logwarden TLS input', () => {
  for (const c of CLIENT_CASES) {
    it(`${c.driver} ${c.auth}${c.cert ? ` with ${c.cert}` : ''}`, async () => {
      const s = await ourServer({ 'StreamDriver.AuthMode': c.auth, ...(c.permitted ? { 'StreamDriver.PermittedPeers': c.permitted } : {}) });
      const { r, inPort } = await rsyslogClient(c, s.port);
      const tag = `${c.driver}-${c.auth.replace('/', '_')}-${process.pid}`;
      await plainSend(inPort, Array.from({ length: COUNT }, (_, i) => `<13>Jan  2 03:04:05 h1 app: ${tag} seq=${i}`));
      const got = (): Set<string> => new Set(s.sink.messages.map((m) => m.msg).filter((x) => x.includes(tag)).map((x) => x.replace(/.*seq=/, '')));
      await waitFor(() => got().size === COUNT, WAIT_MS, `${COUNT} messages via rsyslog ${c.driver} (rsyslog said: ${r.diagnostics()})`);
      const first = s.sink.messages.find((m) => m.msg.includes(`${tag} seq=0`))!;
      assert.equal(first.hostname, 'h1');
      assert.equal(first.programname, 'app');
      assert.equal(first.fromhostIp, '127.0.0.1');
      await r.stop();
    });
  }

  it('gtls client with a certificate that is not permitted is refused; nothing arrives', async () => {
    const s = await ourServer({ 'StreamDriver.AuthMode': 'x509/name', 'StreamDriver.PermittedPeers': 'client.example.net' });
    const { r, inPort } = await rsyslogClient({ driver: 'gtls', auth: 'x509/name', cert: 'other.test' }, s.port);
    const tag = `refused-${process.pid}`;
    await plainSend(inPort, [`<13>Jan  2 03:04:05 h1 app: ${tag}`]);
    await waitFor(() => s.ctx.logger.records!.some((x) => x.code === 'LW_WARN_TLS_PEER_REFUSED' && /other\.test/.test(String(x.fields.subject))), WAIT_MS, 'refusal');
    await r.stop(); // rsyslog gave up or keeps retrying; either way it is gone now
    assert.equal(s.sink.messages.filter((m) => m.msg.includes(tag)).length, 0);
  });
});

interface ServerCase { driver: 'ossl' | 'gtls'; auth: 'anon' | 'x509/name'; serverCert: string }
const SERVER_CASES: ServerCase[] = [
  { driver: 'ossl', auth: 'anon', serverCert: 'localhost' },
  { driver: 'gtls', auth: 'anon', serverCert: 'rsa/localhost' },
  { driver: 'ossl', auth: 'x509/name', serverCert: 'rsa/localhost' },
  { driver: 'gtls', auth: 'x509/name', serverCert: 'localhost' },
];

describe('Logwarden forward action → rsyslogd TLS listener', () => {
  const opts = parseOptions();
  for (const c of SERVER_CASES) {
    it(`${c.driver} ${c.auth}, server key ${c.serverCert.startsWith('rsa') ? 'RSA 3072' : 'ECDSA P-256'}`, async () => {
      const port = await freePort('tcp');
      const r = new Rsyslogd();
      running.push(r);
      const peers = c.auth === 'x509/name' ? ' PermittedPeer=["client.example.net"]' : '';
      r.start(`global(DefaultNetstreamDriverCAFile="${CA}" DefaultNetstreamDriverCertFile="${pki(`${c.serverCert}.pem`)}" DefaultNetstreamDriverKeyFile="${pki(`${c.serverCert}-key.pem`)}")
module(load="imtcp" StreamDriver.Name="${c.driver}" StreamDriver.Mode="1" StreamDriver.AuthMode="${c.auth}"${peers})
input(type="imtcp" port="${port}" address="127.0.0.1")
template(name="m" type="string" string="%hostname% %syslogtag%%msg%\\n")
action(type="omfile" file="${r.outFile}" template="m")`);
      const ctx = context({ DefaultNetstreamDriverCAFile: CA, DefaultNetstreamDriverCertFile: pki('client.example.net.pem'), DefaultNetstreamDriverKeyFile: pki('client.example.net-key.pem') }, [...builtinTemplates().values()]);
      const a = forwardAction.create({ type: 'omfwd', params: params({ target: 'localhost', port: String(port), protocol: 'tcp', StreamDriver: c.driver, StreamDriverMode: '1', StreamDriverAuthMode: c.auth, TCP_Framing: 'octet-counted' }), loc: { file: 't.conf', line: 1, col: 1 } }, new Map(), ctx);
      running.push({ stop: async () => { await a.close(); } });
      const tag = `fwd-${c.driver}-${process.pid}`;
      const batch = Array.from({ length: COUNT }, (_, i) => {
        const raw = Buffer.from(`<13>Jan  2 03:04:05 h2 app: ${tag} seq=${i}`);
        const m = new Message(raw, { inputname: 't', fromhostIp: '127.0.0.1', fromhost: 'x', ruleset: 'RSYSLOG_DefaultRuleset' }, SyslogTime.now());
        parseSyslog(raw, m, opts);
        return m;
      });
      // rsyslog may still be starting: the queue would retry, so do the same here until a batch goes through.
      await waitFor(() => canConnect(port), WAIT_MS, 'rsyslogd TLS listener');
      await a.deliver(batch);
      await waitFor(() => r.lines().filter((l) => l.includes(tag)).length >= COUNT, WAIT_MS, `lines in rsyslog output (rsyslog said: ${r.diagnostics()})`);
      const lines = r.lines().filter((l) => l.includes(tag));
      assert.deepEqual(new Set(lines), new Set(batch.map((_, i) => `h2 app: ${tag} seq=${i}`)));
      await a.close();
      await r.stop();
    });
  }
});

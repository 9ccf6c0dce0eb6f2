// The seed configurations work verbatim (paths aside): seed 004 (ossl, anon then x509/name with
// PermittedPeer=["aws-syslog"], certificates from global DefaultNetstreamDriver*) and seed 001 (gtls server
// with module-level anon, and the omfwd client with only the CA).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load';
import type { ComponentSpec, Input } from '../../src/components';
import type { ActionDecl, ConfigModel, Params, Statement } from '../../src/config/model';
import { tlsInput } from '../../src/inputs/tls';
import { forwardAction } from '../../src/actions/forward';
import { builtinTemplates } from '../../src/templates';
import { StreamLogger } from '../../src/log';
import type { RuntimeContext } from '../../src/runtime/context';
import { Message } from '../../src/message';
import { SyslogTime } from '../../src/time';
import { CA, CollectingSink, SERVER_CERT, SERVER_KEY, peer, tlsSend, waitFor } from './tls-helpers';

const running: Input[] = [];

// The runtime's registry routes imtcp (mode 1) → tlsInput and omfwd → forwardAction; these tests use the two
// components directly so that they depend only on the config loader and this task's files.
const SPECS: Record<string, ComponentSpec> = { imtcp: tlsInput.spec, omfwd: forwardAction.spec };
const lookupComponent = (name: string): ComponentSpec | undefined => SPECS[name.toLowerCase()];

/** Merged parameters of module(load=NAME …), later ones winning, as rsyslog does. */
function moduleParamsFor(model: ConfigModel, name: string): Params {
  const merged: Params = new Map();
  for (const m of model.modules) if (m.load.toLowerCase() === name) for (const [k, v] of m.params) merged.set(k, v);
  return merged;
}
after(async () => { for (const i of running.splice(0)) await i.stop(); });

function load(text: string): ConfigModel {
  const model = loadConfig('seed.conf', { text, lookupComponent });
  const errors = model.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => `${d.loc.line}:${d.loc.col} ${d.code} ${d.message}`), []);
  return model;
}

function ctxOf(config: ConfigModel): RuntimeContext & { logger: StreamLogger } {
  return { config, logger: new StreamLogger({ keep: true, out: null }), templates: builtinTemplates(), dataDir: '/nonexistent', maxMessageSize: 8192 };
}

/** Start the config's only input on port 0 instead of 6514 (the config says 6514; tests cannot bind it). */
async function startSeedInput(model: ConfigModel): Promise<{ port: number; sink: CollectingSink; ctx: ReturnType<typeof ctxOf> }> {
  const decl = model.inputs[0];
  assert.equal(decl.type.toLowerCase(), 'imtcp');
  const port = decl.params.get('port')!;
  decl.params.set('port', { ...port, value: '0' });
  decl.params.set('address', { name: 'address', value: '127.0.0.1', loc: port.loc });
  const sink = new CollectingSink();
  const ctx = ctxOf(model);
  const input = tlsInput.create(decl, moduleParamsFor(model, 'imtcp'), ctx, sink);
  await input.start();
  running.push(input);
  return { port: input.addresses()[0].port, sink, ctx };
}

const seed004 = (authLines: string): string => `module(
load="imtcp"
StreamDriver.Name="ossl"
StreamDriver.Mode="1"
${authLines}
)
input(type="imtcp" port="6514")
global(
DefaultNetstreamDriver="ossl"
DefaultNetStreamDriverCAFile="${CA}"
DefaultNetstreamDriverCertFile="${SERVER_CERT}"
DefaultNetStreamDriverKeyFile="${SERVER_KEY}"
)
`;

describe('seed 004 (rsyslog-openssl on Amazon Linux)', () => {
  it('anon: any TLS client is accepted', async () => {
    const s = await startSeedInput(load(seed004('StreamDriver.Authmode="anon"')));
    const r = await tlsSend(s.port, ['<134>1 2025-01-15T07:25:36+00:00 OneGate manager - - - seed004-anon']);
    assert.equal(r.error, null);
    await waitFor(() => s.sink.messages.some((m) => m.msg.includes('seed004-anon')), 10_000, 'message');
  });

  it('x509/name with PermittedPeer=["aws-syslog"] (# comments inside module()) accepts the CN, refuses others', async () => {
    const s = await startSeedInput(load(seed004('StreamDriver.Authmode="x509/name" # anonからx509/nameに変更\nPermittedPeer=["aws-syslog"] # 追記 値はクライアント証明書のCN')));
    const bad = await tlsSend(s.port, ['<134>1 2025-01-15T07:25:36+00:00 OneGate manager - - - seed004-intruder'], peer('client.example.net'));
    assert.notEqual(bad.error, null);
    const good = await tlsSend(s.port, ['<134>1 2025-01-15T07:25:36+00:00 OneGate manager - - - seed004-good'], peer('aws-syslog'));
    assert.equal(good.error, null);
    await waitFor(() => s.sink.messages.some((m) => m.msg.includes('seed004-good')), 10_000, 'good message');
    assert.equal(s.sink.messages.filter((m) => m.msg.includes('seed004-intruder')).length, 0);
    assert.ok(s.ctx.logger.records!.some((x) => x.code === 'LW_WARN_TLS_PEER_REFUSED' && x.fields.subject === 'CN=client.example.net'));
  });
});

function firstAction(model: ConfigModel): ActionDecl {
  const walk = (st: Statement[]): ActionDecl | undefined => {
    for (const s of st) {
      if (s.kind === 'action') return s.action;
      if (s.kind === 'filter') { const a = walk(s.body); if (a) return a; }
    }
    return undefined;
  };
  return walk([...model.rulesets.values()].flatMap((r) => r.statements))!;
}

describe('seed 001 (rsyslog TLS guide): gtls server and omfwd client', () => {
  it('the client action (only the CA, anon) forwards to the server (module-level anon)', async () => {
    const server = load(`global(
DefaultNetstreamDriver="gtls"
DefaultNetstreamDriverCAFile="${CA}"
DefaultNetstreamDriverCertFile="${SERVER_CERT}"
DefaultNetstreamDriverKeyFile="${SERVER_KEY}"
)
module(
load="imtcp"
StreamDriver.Name="gtls"
StreamDriver.Mode="1"
StreamDriver.Authmode="anon"
)
input( type="imtcp" port="6514" )`);
    const s = await startSeedInput(server);
    const client = load(`global(DefaultNetstreamDriverCAFile="${CA}")
action(type="omfwd" protocol="tcp" target="localhost" port="6514" StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="anon")`);
    const decl = firstAction(client);
    decl.params.set('port', { ...decl.params.get('port')!, value: String(s.port) });
    assert.equal(decl.type, 'omfwd');
    const action = forwardAction.create(decl, moduleParamsFor(client, 'omfwd'), ctxOf(client));
    try {
      const raw = Buffer.from('<13>May  6 10:00:00 client logger: seed001 test');
      const m = new Message(raw, { inputname: 'x', fromhostIp: '127.0.0.1', fromhost: 'client', ruleset: 'RSYSLOG_DefaultRuleset' }, SyslogTime.now());
      m.hostname = 'client'; m.syslogtag = 'logger:'; m.msg = ' seed001 test'; m.facility = 1; m.severity = 5;
      await action.deliver([m]);
      await waitFor(() => s.sink.messages.some((x) => x.msg.includes('seed001 test')), 10_000, 'forwarded message');
      const got = s.sink.messages.find((x) => x.msg.includes('seed001 test'))!;
      assert.equal(got.hostname, 'client');
      assert.equal(got.syslogtag, 'logger:');
    } finally {
      await action.close();
    }
  });
});

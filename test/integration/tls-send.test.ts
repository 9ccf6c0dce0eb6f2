// `logwarden send --tls` against the Logwarden TLS input: a permitted client's message arrives; a refused
// client exits non-zero and none of its messages arrive; the client refuses a server with the wrong name.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sendMain } from '../../src/cli/send';
import { tlsInput } from '../../src/inputs/tls';
import type { Input } from '../../src/components';
import { CA, CollectingSink, SERVER_GLOBALS, context, inputDecl, pki, waitFor } from './tls-helpers';

describe('logwarden send --tls', () => {
  let input: Input;
  let port = 0;
  const sink = new CollectingSink();
  before(async () => {
    input = tlsInput.create(inputDecl({ port: '0', address: '127.0.0.1', 'StreamDriver.Mode': '1', 'StreamDriver.AuthMode': 'x509/name', 'StreamDriver.PermittedPeers': 'client.example.net' }), new Map(), context(SERVER_GLOBALS), sink);
    await input.start();
    port = input.addresses()[0].port;
  });
  after(async () => { await input.stop(); });

  const creds = (base: string): string[] => ['--ca', CA, '--cert', pki(`${base}.pem`), '--key', pki(`${base}-key.pem`)];

  it('sends an RFC 5424 message with facility/severity/tag, octet-counted', async () => {
    const rc = await sendMain(['--tls', '--host', 'localhost', '--port', String(port), ...creds('client.example.net'), '--facility', 'local0', '--severity', 'err', '--tag', 'lwtest', '--octet-count', 'hello', 'over', 'tls']);
    assert.equal(rc, 0);
    await waitFor(() => sink.messages.some((m) => m.msg === 'hello over tls'), 10_000, 'sent message');
    const m = sink.messages.find((x) => x.msg === 'hello over tls')!;
    assert.equal(m.facility, 16);
    assert.equal(m.severity, 3);
    assert.equal(m.appName, 'lwtest');
    assert.equal(m.protocolVersion, '1');
  });

  it('exits 1 when the server refuses our certificate, and nothing arrives', async () => {
    const rc = await sendMain(['--tls', '--host', 'localhost', '--port', String(port), ...creds('other.test'), 'refused-send-marker']);
    assert.equal(rc, 1);
    const ok = await sendMain(['--tls', '--host', 'localhost', '--port', String(port), ...creds('client.example.net'), '--rfc3164', 'after-refused-send']);
    assert.equal(ok, 0);
    await waitFor(() => sink.messages.some((m) => m.msg.includes('after-refused-send')), 10_000, 'good message');
    assert.equal(sink.messages.filter((m) => m.rawmsg.includes('refused-send-marker')).length, 0);
  });

  it('exits 1 when the server name does not match --permitted-peer', async () => {
    const rc = await sendMain(['--tls', '--host', '127.0.0.1', '--port', String(port), ...creds('client.example.net'), '--permitted-peer', 'central.example.net', 'wrong-server-marker']);
    assert.equal(rc, 1);
    assert.equal(sink.messages.filter((m) => m.rawmsg.includes('wrong-server-marker')).length, 0);
  });

  it('usage errors exit 2', async () => {
    assert.equal(await sendMain(['--tls', '--udp', 'x']), 2);
    assert.equal(await sendMain(['--facility', 'nosuch', 'x']), 2);
  });
});

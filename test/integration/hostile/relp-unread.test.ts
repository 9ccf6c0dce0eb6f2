// A RELP client that sends without ever reading its acknowledgements: the server stops reading once 1 MiB of
// replies is unread (plus what the kernel buffers), instead of growing its write buffer with every message; once
// the client reads, everything arrives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { MessageSink } from '../../../src/components';
import type { Message } from '../../../src/message';
import { relpInput, type RelpInput } from '../../../src/inputs/relp';
import { context, params, waitFor } from '../tls-helpers';

class Count implements MessageSink {
  n = 0;
  readonly congested = false;
  submit(batch: Message[]): void { this.n += batch.length; }
  onceDrained(cb: () => void): void { setImmediate(cb); }
}

const OPEN = 'relp_version=0\nrelp_software=test\ncommands=syslog';

test('RELP: unread acknowledgements stop the session reading; reading them lets the rest in', { timeout: 120_000 }, async () => {
  const sink = new Count();
  const input = relpInput.create({ type: 'imrelp', params: params({ port: '0', address: '127.0.0.1' }), loc: { file: 't.conf', line: 1, col: 1 } }, new Map(), context(), sink) as RelpInput;
  await input.start();
  try {
    const sock = connect({ port: input.addresses()[0].port, host: '127.0.0.1' });
    await new Promise((r) => sock.once('connect', r));
    sock.pause(); // never read, for now
    sock.write(`1 open ${OPEN.length} ${OPEN}\n`);
    const total = 3_000_000;
    const per = 10_000;
    let txnr = 2;
    let blocked = false;
    while (txnr - 2 < total && !blocked) {
      let chunk = '';
      for (let i = 0; i < per; i++) chunk += `${txnr++} syslog 1 x\n`;
      if (!sock.write(chunk)) {
        blocked = await new Promise<boolean>((r) => {
          const timer = setTimeout(() => { sock.off('drain', onDrain); r(true); }, 3000);
          const onDrain = (): void => { clearTimeout(timer); r(false); };
          sock.once('drain', onDrain);
        });
      }
    }
    const sent = txnr - 2;
    const atBlock = sink.n;
    assert.ok(blocked, `the server read all ${sent} frames without the client reading a single acknowledgement`);
    assert.ok(atBlock < sent, `${atBlock} of ${sent}`);
    // Now read the acknowledgements: the server resumes and takes the rest.
    sock.resume();
    sock.on('data', () => undefined);
    await waitFor(() => sink.n === sent, 60_000, `all ${sent} frames (have ${sink.n})`);
    sock.destroy();
    process.stdout.write(`# blocked after ${atBlock} of ${sent} frames; all arrived after reading\n`);
  } finally {
    await input.stop();
  }
});

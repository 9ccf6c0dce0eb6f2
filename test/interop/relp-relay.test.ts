// Issue 16, acceptance 1, with real processes: a Logwarden relay (imtcp → omrelp on its default disk-assisted
// queue) in front of a RELP receiver (Logwarden plain and TLS, and rsyslogd) that is SIGKILLed and restarted
// twice, while the relay itself is stopped with SIGTERM and started again once. Every sequence number must arrive;
// duplicates (RELP is at-least-once across a crash) are counted and printed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rsyslogMissing } from '../helpers/rsyslog';
import { CA, pki, SERVER_CERT, SERVER_KEY } from '../integration/tls-helpers';
import { freePort, waitFor } from './rsyslogd-harness';
import { Child, inject, lineCount, listening, readSeqs, tally, TPL } from '../helpers/relp-peers';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'logwarden.js');
const LONG_WAIT_MS = 600_000;
const BIG = 200_000;
const skip = rsyslogMissing();
const cleanup: Array<() => Promise<void> | void> = [];
after(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });

describe('RELP relay: receiver SIGKILLed twice, relay SIGTERM-restarted once, 200,000 messages', { skip }, () => {
  const serverTls = ` tls="on" tls.authmode="name" tls.permittedpeer=["client.example.net"] tls.cacert="${CA}" tls.mycert="${SERVER_CERT}" tls.myprivkey="${SERVER_KEY}"`;
  const clientTls = ` tls="on" tls.authmode="name" tls.permittedpeer=["localhost"] tls.cacert="${CA}" tls.mycert="${pki('client.example.net.pem')}" tls.myprivkey="${pki('client.example.net-key.pem')}"`;
  const receivers = [
    { name: 'Logwarden imrelp', kind: 'logwarden', tls: '' },
    { name: 'Logwarden imrelp over TLS', kind: 'logwarden', tls: serverTls },
    { name: 'rsyslogd imrelp', kind: 'rsyslog', tls: '' },
  ] as const;
  for (const rc of receivers) {
    it(`→ ${rc.name}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lw-relp-relay-'));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      const rxPort = await freePort('tcp');
      const lwPort = await freePort('tcp');
      const out = join(dir, 'out.log');
      let rx: Child;
      if (rc.kind === 'rsyslog') {
        // Direct queue: rsyslog's imrelp then acknowledges only after omfile wrote the message.
        writeFileSync(join(dir, 'rsyslog.conf'), `global(workDirectory="${dir}")
main_queue(queue.type="Direct")
module(load="imrelp")
input(type="imrelp" port="${rxPort}" address="127.0.0.1")
${TPL}
action(type="omfile" file="${out}" template="m")
`);
        rx = new Child('rsyslogd', ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')], join(dir, 'rsyslogd.pid'));
      } else {
        writeFileSync(join(dir, 'rx.conf'), `global(workDirectory="${join(dir, 'rx')}")
module(load="imrelp")
input(type="imrelp" port="${rxPort}" address="127.0.0.1"${rc.tls})
${TPL}
action(type="omfile" file="${out}" template="m")
`);
        rx = new Child(process.execPath, [BIN, 'run', '-f', join(dir, 'rx.conf')]);
      }
      cleanup.push(() => rx.stop());
      rx.start();
      await listening(rxPort, `${rc.name} receiver`);
      writeFileSync(join(dir, 'relay.conf'), `global(workDirectory="${join(dir, 'relay')}")
module(load="imtcp")
module(load="omrelp")
input(type="imtcp" port="${lwPort}" address="127.0.0.1")
action(type="omrelp" name="central" target="${rc.tls ? 'localhost' : '127.0.0.1'}" port="${rxPort}" action.resumeInterval="1"${rc.tls ? clientTls : ''})
`);
      let relay = new Child(process.execPath, [BIN, 'run', '-f', join(dir, 'relay.conf')]);
      cleanup.push(() => relay.stop());
      relay.start();
      await listening(lwPort, 'relay imtcp');
      const tag = `relay-${rc.kind}-${rc.tls ? 'tls' : 'plain'}-${process.pid}`;
      const half = BIG / 2;
      // First half: the receiver is killed once mid-stream.
      await inject(lwPort, tag, 0, half);
      await waitFor(() => lineCount(out) >= half / 3, LONG_WAIT_MS, `first third (have ${lineCount(out)}; ${relay.err})`);
      await rx.kill();
      // The relay is stopped while its receiver is down: its queue saves what it holds, the restart resumes it.
      await relay.stop();
      relay = new Child(process.execPath, [BIN, 'run', '-f', join(dir, 'relay.conf')]);
      cleanup.push(() => relay.stop());
      relay.start();
      await listening(lwPort, 'relay restarted');
      rx.start();
      await listening(rxPort, 'receiver restarted');
      // Second half: the receiver is killed again mid-stream.
      const sending = inject(lwPort, tag, half, half);
      await waitFor(() => lineCount(out) >= half + half / 3, LONG_WAIT_MS, `into the second half (have ${lineCount(out)}; ${relay.err})`);
      await rx.kill();
      await new Promise((r) => setTimeout(r, 500));
      rx.start();
      await listening(rxPort, 'receiver restarted again');
      await sending;
      await waitFor(() => new Set(readSeqs(out, tag)).size >= BIG, LONG_WAIT_MS, `all ${BIG} (have ${new Set(readSeqs(out, tag)).size}; relay: ${relay.err})`);
      const t = tally(readSeqs(out, tag), BIG);
      // eslint-disable-next-line no-console
      console.log(`# relp relay (${rc.name}; receiver SIGKILLed twice, relay SIGTERM-restarted): sent ${BIG}, distinct ${t.distinct}, duplicates ${t.dups}, missing ${t.missing.length}`);
      assert.deepEqual(t.missing.slice(0, 20), []);
    });
  }
});


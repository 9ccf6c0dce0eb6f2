// imuxsock socketType="dgram": a datagram socket bound by the native helper; logger(1) -u, a python3 SOCK_DGRAM
// client and glibc's syslog() (python syslog module, in a mount namespace with its own /dev/log) deliver, one datagram = one message; a stream client is refused (it is not a stream socket).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { unixSockInput } from '../../src/inputs/unixsock';
import { dgramHelperAvailable } from '../../src/inputs/unixsock-dgram';
import { tempDir, waitFor } from '../helpers/util';
import { startInput } from './inputs-helpers';

const tmp = tempDir('lw-uxdgram-');
after(() => tmp.cleanup());

describe('unix socket input, datagram mode', () => {
  it('receives logger(1) and python3 datagrams; a stream connect is refused; stop removes the socket', async (t) => {
    if (!dgramHelperAvailable()) return t.skip('dist/native/lw_uxdgram not built (no C compiler)');
    const path = join(tmp.dir, 'log.sock');
    const { input, sink } = await startInput(unixSockInput, 'imuxsock', { socket: path, socketType: 'dgram' });
    try {
      assert.ok(statSync(path).isSocket());
      assert.equal(statSync(path).mode & 0o777, 0o666);
      assert.deepEqual(input.addresses(), [{ protocol: 'unixgram', address: path, port: 0 }]);
      if (existsSync('/usr/bin/logger')) {
        const r = spawnSync('/usr/bin/logger', ['-u', path, '--socket-errors=on', '-t', 'lwdgram', '-p', 'auth.err', 'from logger'], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        await waitFor(() => sink.messages.some((m) => m.msg === ' from logger'), 'the logger datagram');
        const m = sink.messages.find((x) => x.msg === ' from logger')!;
        assert.equal(m.programname, 'lwdgram');
        assert.equal(m.facility, 4);
        assert.equal(m.severity, 3);
      }
      if (existsSync('/usr/bin/python3')) {
        const py = `import socket\ns=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\nfor i in range(3): s.sendto(b'<14>py: dgram %d\\x00' % i, ${JSON.stringify(path)})`;
        const r = spawnSync('/usr/bin/python3', ['-c', py], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        await waitFor(() => sink.messages.filter((m) => m.programname === 'py').length === 3, 'three python datagrams');
        assert.deepEqual(sink.messages.filter((m) => m.programname === 'py').map((m) => m.msg), [' dgram 0', ' dgram 1', ' dgram 2']);
      }
      // glibc's syslog() always opens /dev/log: run python's syslog.syslog() in a private mount namespace whose
      // /dev is a fresh tmpfs with /dev/log linked to our socket (the host's /dev is never touched).
      const probe = spawnSync('unshare', ['-m', '--propagation', 'private', 'true'], { encoding: 'utf8' });
      if (probe.status === 0 && existsSync('/usr/bin/python3')) {
        const py = 'import syslog; syslog.openlog("pyglibc", 0, syslog.LOG_LOCAL1); syslog.syslog(syslog.LOG_WARNING, "via glibc")';
        const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c',
          `mount -t tmpfs none /dev && ln -s '${path}' /dev/log && exec /usr/bin/python3 -c '${py}'`], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        await waitFor(() => sink.messages.some((m) => m.programname === 'pyglibc'), 'the glibc syslog() datagram');
        const m = sink.messages.find((x) => x.programname === 'pyglibc')!;
        assert.equal(m.msg, ' via glibc');
        assert.equal(m.facility, 17);
        assert.equal(m.severity, 4);
      } else {
        t.diagnostic('unshare -m not permitted here: glibc syslog() part skipped');
      }
      const err = await new Promise<string>((resolve) => {
        const s = connect(path, () => { s.destroy(); resolve('connected'); });
        s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      assert.notEqual(err, 'connected', 'not a stream socket');
    } finally {
      await input.stop();
    }
    assert.equal(existsSync(path), false, 'the helper removed the socket');
  });
});

// imuxsock RateLimit.Interval / RateLimit.Burst through a real socket: 10 messages with a burst of 3 → 3 pass,
// the drop is reported when the next window starts.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import { unixSockInput } from '../../src/inputs/unixsock';
import { tempDir, waitFor } from '../helpers/util';
import { startInput } from './inputs-helpers';

const tmp = tempDir('lw-uxrl-');
after(() => tmp.cleanup());

it('imuxsock RateLimit.*: a burst per window passes, the rest is dropped and counted', async () => {
  const path = join(tmp.dir, 'log.sock');
  const { input, sink, ctx } = await startInput(unixSockInput, 'imuxsock', { socket: path, 'RateLimit.Interval': '1', 'RateLimit.Burst': '3' });
  try {
    const s = connect(path);
    await new Promise((r) => s.once('connect', r));
    let data = '';
    for (let i = 0; i < 10; i++) data += `<14>app: burst ${i}\n`;
    s.write(data);
    await waitFor(() => sink.messages.length >= 3, 'the burst');
    await new Promise((r) => setTimeout(r, 1100)); // the next window
    s.write('<14>app: later\n');
    await waitFor(() => sink.messages.some((m) => m.msg === ' later'), 'a message in the next window');
    s.end();
    assert.deepEqual(sink.messages.map((m) => m.msg), [' burst 0', ' burst 1', ' burst 2', ' later']);
    const w = ctx.logger.records?.find((r) => r.code === 'LW_WARN_RATE_LIMITED');
    assert.equal(w?.fields?.dropped, 7);
  } finally {
    await input.stop();
  }
});

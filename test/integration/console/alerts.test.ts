// Alerts through the console: a detect action in a running config fires, /api/alerts lists it, /api/alerts/:id
// shows it with the stored messages behind it, and POST /api/alerts/:id/ack (session + CSRF) acknowledges it.
import { writeSuFailRule } from '../../helpers/detect';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseLogLine } from '../../../src/detect/replay';
import { startServices } from '../../../src/runtime/services';
import { UserStore } from '../../../src/web/users';
import { startLogwarden } from '../../helpers/logwarden';
import { freePort, tempDir, waitFor } from '../../helpers/util';
import { call, sessionFrom } from './http-client';

const tmp = tempDir('lw-console-alerts-');
after(() => tmp.cleanup());

test('alert list, detail with its messages, and acknowledge with CSRF', { timeout: 60_000 }, async () => {
  const dir = tmp.dir;
  writeSuFailRule(dir);
  const web = await freePort();
  const srv = await startLogwarden(dir, `module(load="http" port="${web}" address="127.0.0.1")
action(type="store" path="${join(dir, 'data', 'store')}")
action(type="detect" name="watch" rules="${join(dir, 'rules.yml')}")
`);
  const services = await startServices(srv.rt, srv.logger);
  try {
    new UserStore(srv.rt.dataDir).addUser('carol', 'carol password 1');
    const login = await call(web, 'POST', '/api/login', {}, { username: 'carol', password: 'carol password 1' });
    assert.equal(login.status, 200);
    const h = { cookie: `lw_session=${sessionFrom(login)}` };
    const now = new Date().toISOString();
    srv.rt.submit([parseLogLine(`${now} db1 su[1]: FAILED SU (to root) bob on pts/1`)!, parseLogLine(`${now} db2 sshd[2]: unrelated`)!]);
    const list = await waitFor(async () => {
      const r = await call(web, 'GET', '/api/alerts?status=open', h);
      return r.json.alerts.length === 1 ? r.json : null;
    }, 'one open alert');
    const alert = list.alerts[0];
    assert.equal(alert.rule, 'su-fail');
    assert.equal(alert.key, 'db1');
    assert.equal(list.metrics.length, 1);

    const detail = await waitFor(async () => {
      const r = await call(web, 'GET', `/api/alerts/${alert.id}`, h);
      return r.json.messages?.length === 1 ? r.json : null;
    }, 'the alert detail with its stored message');
    assert.equal(detail.alert.id, alert.id);
    assert.equal(detail.messages[0].host, 'db1');
    assert.match(detail.messages[0].msg, /FAILED SU/);

    assert.equal((await call(web, 'POST', `/api/alerts/${alert.id}/ack`, h)).status, 403, 'no CSRF header');
    const ack = await call(web, 'POST', `/api/alerts/${alert.id}/ack`, { ...h, 'x-csrf-token': login.json.csrf });
    assert.equal(ack.status, 200);
    assert.equal(ack.json.alert.status, 'acknowledged');
    assert.equal((await call(web, 'GET', '/api/alerts?status=open', h)).json.alerts.length, 0);
    assert.equal((await call(web, 'GET', '/api/alerts?status=acknowledged', h)).json.alerts.length, 1);
  } finally {
    await services.close();
    await srv.stop();
  }
});

// Container logs through imfile format="cri"/"docker" into the store: a /var/log/pods tree with a partial (P)
// line at the end of a rotated file and its F in the next one, plus a Docker json-file log. Every record is
// stored once, joined, with k8s.* fields, and nginx access lines are searchable by nginx.status.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseQuery } from '../../../src/store/query/parser';
import { SqliteStore } from '../../../src/store/sqlite';
import { startLogwarden } from '../../helpers/logwarden';
import { tempDir, waitFor } from '../../helpers/util';

const tmp = tempDir('lw-containers-');
after(() => tmp.cleanup());

const DOCKER_ID = 'a'.repeat(64);

function cri(stream: string, flag: 'P' | 'F', text: string): string {
  // containerd writes RFC 3339 with nanoseconds: 2026-01-02T03:04:05.123456789Z
  return `${new Date().toISOString().replace('Z', '123456Z')} ${stream} ${flag} ${text}\n`;
}

function nginx(status: number, path: string): string {
  return `10.1.2.3 - - [02/Jan/2026:03:04:05 +0000] "GET ${path} HTTP/1.1" ${status} 153 "-" "curl/8.5.0"`;
}

it('CRI and Docker logs: partials joined across rotation, k8s fields and nginx fields searchable', { timeout: 120_000 }, async () => {
  const root = tmp.dir;
  const web = join(root, 'var/log/pods/prod_web-7d9f_0a1b2c3d/nginx');
  const api = join(root, 'var/log/pods/staging_api-5c4b_9e8f7a6b/api');
  const docker = join(root, 'var/lib/docker/containers', DOCKER_ID);
  for (const d of [web, api, docker]) mkdirSync(d, { recursive: true });
  writeFileSync(join(web, '0.log'), cri('stdout', 'F', nginx(200, '/')) + cri('stdout', 'F', nginx(404, '/missing')) +
    cri('stderr', 'F', '2026/01/02 03:04:05 [error] 29#29: *1 open() failed'));
  writeFileSync(join(api, '0.log'), cri('stdout', 'P', '{"level":"info",') + cri('stdout', 'F', '"msg":"started","port":8080}'));
  writeFileSync(join(docker, `${DOCKER_ID}-json.log`),
    `${JSON.stringify({ log: 'docker line one\n', stream: 'stdout', time: new Date().toISOString() })}\n` +
    `${JSON.stringify({ log: 'split ', stream: 'stderr', time: new Date().toISOString() })}\n` +
    `${JSON.stringify({ log: 'docker line\n', stream: 'stderr', time: new Date().toISOString() })}\n`);
  const store = join(root, 'store');
  const conf = `module(load="imfile")
input(type="imfile" File="${root}/var/log/pods/*/*/*.log" format="cri" reopenOnTruncate="on")
input(type="imfile" File="${root}/var/lib/docker/containers/*/*-json.log" format="docker" Tag="docker:")
action(type="store" path="${store}")
`;
  const server = await startLogwarden(root, conf);
  const st: { s: SqliteStore | null } = { s: null };
  const count = async (q: string): Promise<number> => {
    if (!existsSync(store)) return 0;
    st.s ??= new SqliteStore({ path: store, readonly: true });
    const r = await st.s.search({ query: parseQuery(q), limit: 1000 });
    return r.kind === 'hits' ? r.hits.length : -1;
  };
  try {
    const settled = async (q: string): Promise<number> => count(q).catch(() => 0); // a partition being created
    await waitFor(async () => (await settled('*')) === 6, 'the first 6 records', 30_000);
    // kubelet rotation: a partial line ends the old file; its final piece starts the new one.
    appendFileSync(join(web, '0.log'), cri('stdout', 'P', nginx(503, '/slow').slice(0, 30)));
    renameSync(join(web, '0.log'), join(web, '0.log.20260102-030405'));
    writeFileSync(join(web, '0.log'), cri('stdout', 'F', nginx(503, '/slow').slice(30)) + cri('stdout', 'F', nginx(500, '/boom')));
    await waitFor(async () => (await settled('*')) === 8, 'the records after rotation', 30_000);
    await server.rt.whenIdle();
    assert.equal(await count('k8s.namespace:prod'), 5);
    assert.equal(await count('k8s.namespace:staging k8s.container:api json.msg:started'), 1, 'the P+F JSON line is joined and parsed');
    assert.equal(await count('app:nginx nginx.status:>=400'), 3);
    assert.equal(await count('app:nginx nginx.status:503 nginx.uri:"/slow"'), 1, 'the partial joined across the rotation');
    assert.equal(await count('k8s.stream:stderr k8s.pod:web-7d9f'), 1);
    assert.equal(await count('app:docker k8s.stream:stderr "split docker line"'), 1, 'a Docker partial joined');
    const r = await st.s!.search({ query: parseQuery('k8s.pod:web-7d9f nginx.status:404'), limit: 10 });
    assert.ok(r.kind === 'hits');
    const h = r.hits[0]!;
    assert.equal(h.msg, nginx(404, '/missing'), 'the CRI prefix is removed');
    assert.equal(h.fields['k8s.pod_uid'], '0a1b2c3d');
  } finally {
    await st.s?.close();
    await server.stop();
  }
});

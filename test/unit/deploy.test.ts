// deploy/: the Kubernetes manifests parse, every path the embedded configs use is mounted in the container that
// runs them, hostPaths are what kubelet writes, and the embedded configs pass `check`.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { checkConfig } from '../../src/config/check';
import { lookupComponent } from '../../src/runtime/registry';
import { tempDir } from '../helpers/util';

const ROOT = join(__dirname, '..', '..', '..');
const tmp = tempDir('lw-deploy-');
after(() => tmp.cleanup());

interface Mount { name: string; mountPath: string; subPath?: string }
interface Volume { name: string; configMap?: { name: string }; secret?: { secretName: string }; hostPath?: { path: string } }
interface Workload { kind: string; metadata: { name: string }; spec: { volumeClaimTemplates?: Array<{ metadata: { name: string } }>; template: { spec: { containers: Array<{ volumeMounts: Mount[]; args?: string[] }>; volumes: Volume[] } } } }
interface ConfigMap { kind: 'ConfigMap'; metadata: { name: string }; data: Record<string, string> }

function load(file: string): Array<Record<string, unknown>> {
  const docs = parseAllDocuments(readFileSync(join(ROOT, 'deploy', 'k8s', file), 'utf8'));
  for (const d of docs) assert.deepEqual(d.errors, [], `${file}: YAML errors`);
  return docs.map((d) => d.toJS() as Record<string, unknown>);
}

/** Absolute paths a config names: File= patterns (up to the first wildcard), *File= certificates, workDirectory, store path. */
function configPaths(conf: string): string[] {
  const out: string[] = [];
  for (const m of conf.matchAll(/\b(File|[A-Za-z]*File|workDirectory|path)="(\/[^"]+)"/g)) {
    const p = m[2].split('/').filter((s) => s !== '');
    const cut = p.findIndex((s) => /[*?[]/.test(s));
    out.push('/' + (cut < 0 ? p : p.slice(0, cut)).join('/'));
  }
  return out;
}

for (const [file, workloadKind] of [['agent-daemonset.yaml', 'DaemonSet'], ['logwarden.yaml', 'StatefulSet']] as const) {
  describe(`deploy/k8s/${file}`, () => {
    const docs = load(file);
    const workload = docs.find((d) => d.kind === workloadKind) as unknown as Workload;
    const maps = docs.filter((d) => d.kind === 'ConfigMap') as unknown as ConfigMap[];

    it('has the workload and its ConfigMap', () => {
      assert.ok(workload, workloadKind);
      assert.equal(maps.length, 1);
    });

    it('every volumeMount has a volume, every ConfigMap volume exists', () => {
      const spec = workload.spec.template.spec;
      const names = new Set([...spec.volumes.map((v) => v.name), ...(workload.spec.volumeClaimTemplates ?? []).map((c) => c.metadata.name)]);
      for (const m of spec.containers[0].volumeMounts) assert.ok(names.has(m.name), `volume ${m.name}`);
      for (const v of spec.volumes) if (v.configMap) assert.ok(maps.some((c) => c.metadata.name === v.configMap!.name), v.configMap.name);
    });

    it('the embedded config passes check and every path it uses is mounted', () => {
      const conf = maps[0].data['rsyslog.conf'];
      const f = join(tmp.dir, `${file}.conf`);
      writeFileSync(f, conf);
      const r = checkConfig(f, { lookupComponent });
      assert.deepEqual(r.errors.map((d) => `${d.code}: ${d.message}`), []);
      const mounts = workload.spec.template.spec.containers[0].volumeMounts.map((m) => m.mountPath);
      const args = workload.spec.template.spec.containers[0].args ?? [];
      assert.ok(mounts.includes(args[args.indexOf('-f') + 1]), 'the config file is mounted where run -f reads it');
      for (const p of configPaths(conf)) assert.ok(mounts.some((m) => p === m || p.startsWith(m + '/')), `${p} is under a mount (${mounts.join(', ')})`);
    });
  });
}

it('the agent reads what kubelet writes, from hostPaths, and keeps its state on the node', () => {
  const ds = load('agent-daemonset.yaml').find((d) => d.kind === 'DaemonSet') as unknown as Workload;
  const spec = ds.spec.template.spec;
  const host = (name: string): string | undefined => spec.volumes.find((v) => v.name === name)?.hostPath?.path;
  const mountOf = (path: string): Mount | undefined => spec.containers[0].volumeMounts.find((m) => m.mountPath === path);
  for (const p of ['/var/log/containers', '/var/log/pods']) {
    const m = mountOf(p);
    assert.ok(m, `${p} mounted`);
    assert.equal(host(m.name), p, `${p} is the node's directory (the /var/log/containers symlinks point into /var/log/pods)`);
  }
  assert.equal(host(mountOf('/var/lib/logwarden-agent')!.name), '/var/lib/logwarden-agent');
  assert.ok(spec.volumes.some((v) => v.secret?.secretName === 'logwarden-agent-tls'));
});

it('the Dockerfile is multi-stage, on a Node LTS base, and runs as a non-root user', () => {
  const d = readFileSync(join(ROOT, 'deploy', 'docker', 'Dockerfile'), 'utf8');
  const froms = [...d.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
  assert.ok(froms.length >= 2);
  for (const f of froms) assert.match(f, /^node:(20|22)[-.]/);
  const user = [...d.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
  assert.ok(user.length > 0 && !/^(0|root)\b/.test(user[user.length - 1]));
});

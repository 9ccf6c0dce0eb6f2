// imfile's line decoders: CRI, Docker json-file, k8s metadata from paths, Zeek TSV/JSON.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { containerDecoder, containerMeta, parseRfc3339 } from '../../../src/inputs/imfile/container';
import type { Decoded } from '../../../src/inputs/imfile/decode';
import { zeekDecoder, zeekLogName } from '../../../src/inputs/imfile/zeek';

function feed(dec: ReturnType<typeof containerDecoder>, lines: string[]): Decoded[] {
  const out: Decoded[] = [];
  let off = 0;
  for (const t of lines) {
    dec.decode({ text: t, offset: off, end: off + t.length + 1 }, out);
    off += t.length + 1;
  }
  return out;
}

describe('container decoders', () => {
  it('CRI: prefix removed, P pieces joined per stream, time with nanoseconds cut to microseconds', () => {
    const d = containerDecoder('cri');
    const out = feed(d, [
      '2026-01-02T03:04:05.123456789Z stdout P hello ',
      '2026-01-02T03:04:05.200000000Z stderr F oops',
      '2026-01-02T03:04:05.300000000Z stdout F world',
      '2026-01-02T03:04:06Z stdout F ',
    ]);
    assert.deepEqual(out.map((o) => [o.text, (o.meta!.vars!.k8s as { stream: string }).stream]), [['oops', 'stderr'], ['hello world', 'stdout'], ['', 'stdout']]);
    assert.equal(out[1].offset, 0, 'a joined record starts at its first piece');
    const t = out[1].meta!.time!;
    assert.deepEqual([t.year, t.second, t.secfrac, t.secfracPrecision, t.zulu], [2026, 5, 123456, 6, true]);
  });

  it('CRI: a pending partial holds the saved position; a non-CRI line passes through', () => {
    const d = containerDecoder('cri');
    const out = feed(d, ['plain text line', '2026-01-02T03:04:05Z stdout P part']);
    assert.deepEqual(out.map((o) => o.text), ['plain text line']);
    assert.equal(d.pendingOffset, 16);
  });

  it('Docker json-file: trailing newline removed, a record without it continues; auto picks per line', () => {
    const d = containerDecoder('auto');
    const out = feed(d, [
      '{"log":"a\\n","stream":"stdout","time":"2026-01-02T03:04:05.000000001Z"}',
      '{"log":"b","stream":"stdout","time":"2026-01-02T03:04:05Z"}',
      '{"log":"c\\r\\n","stream":"stdout","time":"2026-01-02T03:04:05Z"}',
      '2026-01-02T03:04:05Z stdout F cri',
    ]);
    assert.deepEqual(out.map((o) => o.text), ['a', 'bc', 'cri']);
  });

  it('k8s metadata from both kubelet layouts and Docker', () => {
    assert.deepEqual(containerMeta(`/var/log/containers/web-7d9f_prod_nginx-${'0'.repeat(64)}.log`)!.fields,
      { pod: 'web-7d9f', namespace: 'prod', container: 'nginx', container_id: '0'.repeat(64) });
    assert.deepEqual(containerMeta('/var/log/pods/prod_web-7d9f_0a1b/nginx/3.log')!.fields,
      { namespace: 'prod', pod: 'web-7d9f', pod_uid: '0a1b', container: 'nginx' });
    assert.equal(containerMeta(`/var/lib/docker/containers/${'b'.repeat(64)}/${'b'.repeat(64)}-json.log`)!.container, 'bbbbbbbbbbbb');
    assert.equal(containerMeta('/var/log/messages'), null);
    assert.equal(parseRfc3339('2026-01-02T03:04:05+02:00')!.offsetMinutes, 120);
    assert.equal(parseRfc3339('yesterday'), null);
  });
});

describe('zeek decoder', () => {
  it('TSV: header lines produce nothing; types, unset and empty values; ts is the time', () => {
    const d = zeekDecoder('/logs/conn.log');
    const out = feed(d, [
      '#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tconn',
      '#fields\tts\tuid\tid.orig_h\tid.orig_p\tduration\tlocal_orig\ttunnel_parents\thistory',
      '#types\ttime\tstring\taddr\tport\tinterval\tbool\tset[string]\tstring',
      '1700000000.250000\tCx\t10.0.0.1\t5353\t-\tT\ta,b\t(empty)',
      '#close\t2026-01-02-04-00-00',
    ]);
    assert.equal(out.length, 1);
    assert.deepEqual(out[0].meta!.vars, { zeek: { log: 'conn', ts: 1700000000.25, uid: 'Cx', 'id.orig_h': '10.0.0.1', 'id.orig_p': 5353, local_orig: true, tunnel_parents: 'a,b', history: '' } });
    const t = out[0].meta!.time!;
    assert.equal(t.toEpochMicros(), 1700000000250000);
  });

  it('JSON lines and the log name from _path or the file name', () => {
    const out = feed(zeekDecoder('/logs/dns.2026-01-02-03-00-00.log'), ['{"ts":1700000000,"query":"example.com"}', '{"_path":"weird","ts":"2026-01-02T03:04:05.5Z"}']);
    assert.equal((out[0].meta!.vars!.zeek as { log: string }).log, 'dns');
    assert.equal((out[1].meta!.vars!.zeek as { log: string }).log, 'weird');
    assert.equal(out[1].meta!.time!.second, 5);
    assert.equal(zeekLogName('/x/http.log'), 'http');
  });
});

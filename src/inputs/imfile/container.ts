// Container log files: CRI (containerd, CRI-O: `<RFC3339Nano> <stream> <P|F> <text>`) and Docker json-file
// (`{"log":"…\n","stream":"stdout","time":"…"}`), with partial lines joined, and Kubernetes metadata taken from
// the file's path (/var/log/containers/<pod>_<namespace>_<container>-<id>.log,
// /var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log).
import * as path from 'node:path';
import type { Line } from './lines';
import type { Decoded, LineDecoder, LineMeta } from './decode';
import { SyslogTime, TimeSource } from '../../time';

/** A partial record longer than this is submitted as it is (a hostile container cannot grow memory). */
export const MAX_JOINED_BYTES = 1024 * 1024;

export interface ContainerMeta {
  container: string;
  fields: Record<string, string>;
}

const CONTAINERS_RE = /^([^_]+)_([^_]+)_(.+)-([0-9a-f]{64})\.log$/;
const POD_DIR_RE = /^([^_]+)_([^_]+)_([^_]+)$/;

/** k8s.* fields from a container log path, or null when the path follows neither kubelet layout. */
export function containerMeta(file: string): ContainerMeta | null {
  const base = path.basename(file);
  const m = CONTAINERS_RE.exec(base);
  if (m !== null) {
    return { container: m[3], fields: { pod: m[1], namespace: m[2], container: m[3], container_id: m[4] } };
  }
  const parts = file.split('/');
  if (parts.length >= 3) {
    const container = parts[parts.length - 2];
    const pod = POD_DIR_RE.exec(parts[parts.length - 3]);
    if (pod !== null && /^\d+\.log(?:\..*)?$/.test(base)) {
      return { container, fields: { namespace: pod[1], pod: pod[2], pod_uid: pod[3], container } };
    }
  }
  // Docker: /var/lib/docker/containers/<id>/<id>-json.log
  const d = /^([0-9a-f]{64})-json\.log/.exec(base);
  if (d !== null) return { container: d[1].slice(0, 12), fields: { container_id: d[1] } };
  return null;
}

/** RFC 3339 with up to nanoseconds → SyslogTime (UTC), or null. */
export function parseRfc3339(s: string): SyslogTime | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(s);
  if (m === null) return null;
  const frac = m[7] ?? '';
  const prec = Math.min(frac.length, 6);
  const off = m[8] === 'Z' ? 0 : (m[8][0] === '-' ? -1 : 1) * (Number(m[8].slice(1, 3)) * 60 + Number(m[8].slice(4, 6)));
  const t = new SyslogTime(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]),
    prec > 0 ? Number(frac.slice(0, prec)) : 0, prec, off, TimeSource.Local);
  t.zulu = m[8] === 'Z';
  return t;
}

interface Pending {
  parts: string[];
  bytes: number;
  offset: number;
  stream: string;
  time: SyslogTime | null;
}

/** Joins partial records per stream (stdout and stderr interleave). */
class ContainerDecoder implements LineDecoder {
  readonly needsHeader = false;
  private readonly pending = new Map<string, Pending>();
  private readonly mode: 'cri' | 'docker' | 'auto';

  constructor(mode: 'cri' | 'docker' | 'auto') {
    this.mode = mode;
  }

  get pendingOffset(): number | undefined {
    let min: number | undefined;
    for (const p of this.pending.values()) if (min === undefined || p.offset < min) min = p.offset;
    return min;
  }

  newFile(): void {
    // Partial lines continue in the next file (kubelet rotates between a P and its F): keep them, but their
    // offsets belong to the old file; the saved position of the new file starts at 0 while one is pending.
    for (const p of this.pending.values()) p.offset = 0;
  }

  decode(line: Line, out: Decoded[]): void {
    const t = line.text;
    const isJson = this.mode === 'docker' || (this.mode === 'auto' && t.charCodeAt(0) === 0x7b);
    if (isJson) this.docker(line, out);
    else this.cri(line, out);
  }

  private cri(line: Line, out: Decoded[]): void {
    const t = line.text;
    const s1 = t.indexOf(' ');
    const s2 = s1 < 0 ? -1 : t.indexOf(' ', s1 + 1);
    const s3 = s2 < 0 ? -1 : t.indexOf(' ', s2 + 1);
    const flag = s2 < 0 ? '' : t.slice(s2 + 1, s3 < 0 ? t.length : s3);
    if (s1 < 0 || s2 < 0 || (flag !== 'P' && flag !== 'F' && !flag.startsWith('F:') && !flag.startsWith('P:'))) {
      out.push({ ...line, meta: null }); // not CRI: pass the line through
      return;
    }
    const text = s3 < 0 ? '' : t.slice(s3 + 1);
    this.piece(line, out, t.slice(s1 + 1, s2), t.slice(0, s1), text, flag[0] === 'P');
  }

  private docker(line: Line, out: Decoded[]): void {
    let o: { log?: unknown; stream?: unknown; time?: unknown };
    try {
      o = JSON.parse(line.text) as typeof o;
    } catch {
      out.push({ ...line, meta: null });
      return;
    }
    if (typeof o.log !== 'string') {
      out.push({ ...line, meta: null });
      return;
    }
    let text = o.log;
    // json-file splits lines over 16 KiB: a record without its final "\n" continues in the next one.
    const partial = !text.endsWith('\n');
    if (!partial) text = text.slice(0, text.endsWith('\r\n') ? -2 : -1);
    this.piece(line, out, typeof o.stream === 'string' ? o.stream : 'stdout', typeof o.time === 'string' ? o.time : '', text, partial);
  }

  private piece(line: Line, out: Decoded[], stream: string, time: string, text: string, partial: boolean): void {
    let p = this.pending.get(stream);
    if (partial) {
      if (p === undefined) {
        p = { parts: [], bytes: 0, offset: line.offset, stream, time: parseRfc3339(time) };
        this.pending.set(stream, p);
      }
      p.parts.push(text);
      p.bytes += text.length;
      if (p.bytes < MAX_JOINED_BYTES) return;
      this.pending.delete(stream);
      out.push(record(p.parts.join(''), p.offset, line.end, stream, p.time));
      return;
    }
    if (p !== undefined) {
      this.pending.delete(stream);
      p.parts.push(text);
      out.push(record(p.parts.join(''), p.offset, line.end, stream, p.time));
      return;
    }
    out.push(record(text, line.offset, line.end, stream, parseRfc3339(time)));
  }
}

function record(text: string, offset: number, end: number, stream: string, time: SyslogTime | null): Decoded {
  const meta: LineMeta = { vars: { k8s: { stream } }, time, severity: null };
  return { text, offset, end, meta };
}

export function containerDecoder(mode: 'cri' | 'docker' | 'auto'): LineDecoder {
  return new ContainerDecoder(mode);
}

// Differential harness: run real rsyslogd and Logwarden (the real CLI process) on the same config, send both
// the same message corpus, stop both, and compare every output file (name, mode, bytes).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../../helpers/util';

export const REPO = path.join(__dirname, '..', '..', '..', '..');
export const CASES_DIR = path.join(REPO, 'test', 'interop', 'diff', 'cases');
export const CORPUS_FILE = path.join(REPO, 'test', 'fixtures', 'corpus', 'messages.txt');
export const KNOWN_FILE = path.join(REPO, 'test', 'interop', 'diff', 'known-differences.json');
const RSYSLOGD = '/usr/sbin/rsyslogd';
const LOGWARDEN = path.join(REPO, 'bin', 'logwarden.js');

export type SendMode = 'tcp' | 'tcp-lf' | 'udp';

export interface DiffCase {
  name: string;
  file: string;
  /** Config text with @TCPPORT@ @UDPPORT@ @OUT@ @WORK@ @FIXTURES@ @PKI@ placeholders. */
  conf: string;
  send: SendMode[];
  /** 'short': only frames under 2 KiB. */
  messages: 'all' | 'short';
  /** Corpus file under test/fixtures/corpus (default messages.txt). */
  corpus: string;
}

export interface CaseResult {
  name: string;
  identical: boolean;
  /** Readable account of every difference (empty when identical). */
  report: string;
  /** Output files compared. */
  files: number;
  ms: number;
}

const handedOut = new Set<number>();
/**
 * The shards run as separate processes at the same time: a port is claimed with an exclusive lock file, so two
 * shards never hand out the same port (one case's daemon would then receive the other case's frames).
 */
const PORT_LOCKS = path.join(os.tmpdir(), 'lw-diff-ports');
const STALE_LOCK_MS = 15 * 60_000;

function claimPort(p: number): boolean {
  fs.mkdirSync(PORT_LOCKS, { recursive: true });
  const f = path.join(PORT_LOCKS, String(p));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(f, String(process.pid), { flag: 'wx' });
      return true;
    } catch {
      let stale = false;
      try { stale = Date.now() - fs.statSync(f).mtimeMs > STALE_LOCK_MS; } catch { stale = true; }
      if (!stale) return false;
      fs.rmSync(f, { force: true }); // left by a killed run
    }
  }
  return false;
}

function releasePorts(ports: number[]): void {
  for (const p of ports) fs.rmSync(path.join(PORT_LOCKS, String(p)), { force: true });
}

/** A free port never handed to another case of this run or of a parallel shard (rsyslog cannot bind 0). */
async function uniquePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = await freePort();
    if (!handedOut.has(p) && claimPort(p)) {
      handedOut.add(p);
      return p;
    }
  }
  throw new Error('no unused free port');
}

/** Decode one corpus line: \\ \n \r \t \0 \xHH and {{N*text}}. */
export function decodeCorpusLine(line: string): Buffer {
  const expanded = line.replace(/\{\{(\d+)\*([^}]*)\}\}/g, (_m, n: string, t: string) => t.repeat(Number(n)));
  const out: number[] = [];
  for (let i = 0; i < expanded.length; i++) {
    const c = expanded[i]!;
    if (c !== '\\' || i + 1 >= expanded.length) {
      for (const b of Buffer.from(c, 'utf8')) out.push(b);
      continue;
    }
    const n = expanded[++i]!;
    switch (n) {
      case 'n': out.push(0x0a); break;
      case 'r': out.push(0x0d); break;
      case 't': out.push(0x09); break;
      case '0': out.push(0x00); break;
      case '\\': out.push(0x5c); break;
      case 'x': out.push(parseInt(expanded.slice(i + 1, i + 3), 16)); i += 2; break;
      default: out.push(0x5c); for (const b of Buffer.from(n, 'utf8')) out.push(b);
    }
  }
  return Buffer.from(out);
}

export function loadCorpus(file = CORPUS_FILE): Buffer[] {
  return fs.readFileSync(file, 'utf8').split('\n')
    .filter((l) => l !== '' && l !== '#' && !l.startsWith('# '))
    .map(decodeCorpusLine);
}

/** A case file: `# send: tcp udp`, `# messages: short` header comments; the rest is the config. */
export function loadCase(file: string): DiffCase {
  const conf = fs.readFileSync(file, 'utf8');
  const header = (k: string): string | undefined => new RegExp(`^# ${k}: *(.*)$`, 'm').exec(conf)?.[1]?.trim();
  const send = (header('send') ?? 'tcp').split(/\s+/) as SendMode[];
  return {
    name: path.basename(file, '.conf'), file, conf, send, messages: header('messages') === 'short' ? 'short' : 'all',
    corpus: header('corpus') ?? 'messages.txt',
  };
}

export function loadCases(filter?: string): DiffCase[] {
  return fs.readdirSync(CASES_DIR).filter((f) => f.endsWith('.conf')).sort()
    .filter((f) => !filter || f.includes(filter))
    .map((f) => loadCase(path.join(CASES_DIR, f)));
}

interface Side {
  label: 'rsyslog' | 'logwarden';
  dir: string;
  out: string;
  tcp: number;
  udp: number;
  proc: ChildProcess | null;
  stderr: string;
  exited: Promise<void>;
}

function fill(conf: string, s: Side): string {
  return conf
    .replace(/@TCPPORT@/g, String(s.tcp)).replace(/@UDPPORT@/g, String(s.udp))
    .replace(/@OUT@/g, s.out).replace(/@WORK@/g, path.join(s.dir, 'work'))
    .replace(/@FIXTURES@/g, path.join(REPO, 'test', 'fixtures'))
    .replace(/@PKI@/g, path.join(REPO, 'test', 'fixtures', 'pki'));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

async function until(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await sleep(50);
  }
  return false;
}

function startSide(s: Side, confText: string): void {
  const conf = path.join(s.dir, `${s.label}.conf`);
  fs.writeFileSync(conf, confText);
  const args = s.label === 'rsyslog'
    ? [RSYSLOGD, '-n', '-f', conf, '-i', path.join(s.dir, 'rsyslogd.pid')]
    : [process.execPath, LOGWARDEN, 'run', '-f', conf, '--data-dir', path.join(s.dir, 'data')];
  const p = spawn(args[0]!, args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], cwd: s.dir });
  p.stdout!.on('data', (d: Buffer) => { s.stderr += d.toString(); });
  p.stderr!.on('data', (d: Buffer) => { s.stderr += d.toString(); });
  s.exited = new Promise((r) => p.once('exit', () => r()));
  s.proc = p;
}

async function stopSide(s: Side): Promise<void> {
  const p = s.proc;
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
  await s.exited;
  clearTimeout(t);
}

async function sendTcp(port: number, frames: Buffer[], octet: boolean): Promise<void> {
  const data = Buffer.concat(frames.map((f) => (octet ? Buffer.concat([Buffer.from(`${f.length} `), f]) : Buffer.concat([f, Buffer.from('\n')]))));
  await new Promise<void>((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.end(data));
    s.on('error', reject);
    s.on('close', () => resolve());
    s.resume();
  });
}

async function sendUdp(port: number, frames: Buffer[]): Promise<void> {
  const u = dgram.createSocket('udp4');
  try {
    for (const f of frames) {
      await new Promise<void>((resolve, reject) => u.send(f, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      await sleep(1); // stay far below the receive buffer
    }
  } finally {
    u.close();
  }
}

/** CPU ticks used by all threads of `pid` and whether one of them is runnable (Linux /proc). */
function cpuState(pid: number | undefined): { ticks: number; running: boolean } {
  let ticks = 0;
  let running = false;
  if (pid === undefined) return { ticks, running };
  let tasks: string[];
  try { tasks = fs.readdirSync(`/proc/${pid}/task`); } catch { return { ticks, running }; }
  for (const t of tasks) {
    let stat: string;
    try { stat = fs.readFileSync(`/proc/${pid}/task/${t}/stat`, 'latin1'); } catch { continue; }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
    if (f[0] === 'R') running = true;
    ticks += Number(f[11]) + Number(f[12]); // utime, stime
  }
  return { ticks, running };
}

function walk(dir: string, base = dir, out: string[] = []): string[] {
  let names: string[];
  try { names = fs.readdirSync(dir); } catch { return out; }
  for (const n of names.sort()) {
    const p = path.join(dir, n);
    if (fs.statSync(p).isDirectory()) walk(p, base, out);
    else out.push(path.relative(base, p));
  }
  return out;
}

function outputSize(dir: string): number {
  return walk(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const RE_3339 = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)/g;
const RE_BSD = new RegExp(`(?:${MONTHS.join('|')}) [ \\d]\\d \\d\\d:\\d\\d:\\d\\d`, 'g');
const RE_PGSQL = /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g;
const RE_MYSQL = /\b\d{14}\b/g;
const RE_UNIX = /\b\d{10}\b/g;

/**
 * Reception times differ between the two daemons by design (each stamps its own clock): any timestamp that
 * falls within the run's window is replaced by <NOW>, in the formats rsyslog prints.
 */
export function normaliseNow(text: string, t0: number, t1: number): string {
  const inWindow = (ms: number): boolean => ms >= t0 - 3000 && ms <= t1 + 3000;
  const year = new Date(t0).getFullYear();
  return text
    .replace(RE_3339, (m) => (inWindow(Date.parse(m)) ? '<NOW>' : m))
    .replace(RE_PGSQL, (m) => (inWindow(Date.parse(m.replace(' ', 'T'))) ? '<NOW>' : m))
    .replace(RE_BSD, (m) => {
      const d = new Date(`${m.slice(0, 3)} ${m.slice(4, 6).trim()} ${year} ${m.slice(7)}`);
      return inWindow(d.getTime()) ? '<NOW>' : m;
    })
    .replace(RE_MYSQL, (m) => {
      const d = new Date(`${m.slice(0, 4)}-${m.slice(4, 6)}-${m.slice(6, 8)}T${m.slice(8, 10)}:${m.slice(10, 12)}:${m.slice(12, 14)}`);
      return inWindow(d.getTime()) ? '<NOW>' : m;
    })
    .replace(RE_UNIX, (m) => (inWindow(Number(m) * 1000) ? '<NOW>' : m));
}

/** rsyslog's own messages (start/stop notices, its warnings) are not part of the comparison. */
function dropInternal(lines: string[]): string[] {
  return lines.filter((l) => !l.includes('rsyslogd:') && !l.includes('rsyslogd[') && !l.includes('origin software="rsyslogd"') && !/\brsyslogd\b.*\[v8\./.test(l));
}

function show(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

/** Line diff of two texts: the first differing lines, readable (escaped), at most `max` of them. */
export function lineDiff(a: string[], b: string[], max = 6): string {
  const out: string[] = [];
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n && out.length < max * 2; i++) {
    if (a[i] === b[i]) continue;
    // show the neighbourhood of the first differing character (lines can be long: forward formats have no LF)
    let k = 0;
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    while (k < x.length && k < y.length && x[k] === y[k]) k++;
    const from = Math.max(0, k - 80);
    const cut = (t: string): string => (from > 0 ? '…' : '') + show(t.slice(from, k + 160));
    out.push(`    line ${i + 1}${from > 0 ? ` (from char ${from})` : ''} rsyslog:   ${a[i] === undefined ? '(none)' : cut(x)}`);
    out.push(`    line ${i + 1}${from > 0 ? ` (from char ${from})` : ''} logwarden: ${b[i] === undefined ? '(none)' : cut(y)}`);
  }
  if (a.length !== b.length) out.push(`    (${a.length} lines vs ${b.length})`);
  return out.join('\n');
}

function compareOutputs(r: Side, l: Side, t0: number, t1: number): { report: string; files: number } {
  const rf = walk(r.out);
  const lf = walk(l.out);
  const names = [...new Set([...rf, ...lf])].sort();
  const report: string[] = [];
  for (const name of names) {
    const read = (s: Side): { lines: string[]; mode: number } | null => {
      const p = path.join(s.out, name);
      if (!fs.existsSync(p)) return null;
      const text = normaliseNow(fs.readFileSync(p).toString('latin1'), t0, t1);
      const lines = text.split('\n');
      return { lines: s.label === 'rsyslog' ? dropInternal(lines) : lines, mode: fs.statSync(p).mode & 0o7777 };
    };
    const a = read(r);
    const b = read(l);
    const empty = (x: { lines: string[] } | null): boolean => x === null || x.lines.join('') === '';
    if (a === null && b !== null && empty(b)) continue;
    if (b === null && empty(a)) continue;
    if (a === null || b === null) {
      const which = a === null ? 'logwarden only' : 'rsyslog only';
      const x = (a ?? b)!;
      report.push(`  ${name}: ${which} (${x.lines.length - 1} lines), e.g. ${show(x.lines[0] ?? '').slice(0, 300)}`);
      continue;
    }
    // rsyslog writes from several threads: the order of lines is not a contract, the lines are
    const same = a.lines.join('\n') === b.lines.join('\n')
      || [...a.lines].sort().join('\n') === [...b.lines].sort().join('\n');
    if (!same) {
      // compare latin1 views byte for byte; show them as UTF-8 where valid for readability
      const toShow = (ls: string[]): string[] => ls.map((x) => Buffer.from(x, 'latin1').toString('utf8'));
      report.push(`  ${name}: contents differ\n${lineDiff(toShow(a.lines), toShow(b.lines))}`);
    }
    if (a.mode !== b.mode) report.push(`  ${name}: mode ${a.mode.toString(8)} (rsyslog) vs ${b.mode.toString(8)} (logwarden)`);
  }
  return { report: report.join('\n'), files: names.length };
}

/** Run one case end to end. Never throws for a difference; throws only when rsyslog itself rejects the case. */
export async function runCase(c: DiffCase, defaultCorpus: Buffer[], tmpRoot: string): Promise<CaseResult> {
  const corpus = c.corpus === 'messages.txt' ? defaultCorpus : loadCorpus(path.join(path.dirname(CORPUS_FILE), c.corpus));
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(tmpRoot, `${c.name}-`));
  const mk = async (label: Side['label']): Promise<Side> => {
    const d = path.join(dir, label === 'rsyslog' ? 'r' : 'l');
    fs.mkdirSync(path.join(d, 'out'), { recursive: true });
    fs.mkdirSync(path.join(d, 'work'), { recursive: true });
    return { label, dir: d, out: path.join(d, 'out'), tcp: await uniquePort(), udp: await uniquePort(), proc: null, stderr: '', exited: Promise.resolve() };
  };
  const r = await mk('rsyslog');
  const l = await mk('logwarden');
  const rConf = fill(c.conf, r);
  const check = spawnSync(RSYSLOGD, ['-N1', '-f', writeTmp(r, 'check.conf', rConf)], { encoding: 'utf8' });
  if (check.status !== 0) {
    releasePorts([r.tcp, r.udp, l.tcp, l.udp]);
    throw new Error(`${c.name}: rsyslogd -N1 rejects the case:\n${check.stderr}${check.stdout}`);
  }
  const frames = c.messages === 'short' ? corpus.filter((f) => f.length < 2048) : corpus;
  const lConf = fill(c.conf, l);
  // `check` is the truth: it must say OK exactly when `run` starts (asserted below, once run has had its chance).
  const lCheck = spawnSync(process.execPath, [LOGWARDEN, 'check', '-f', writeTmp(l, 'check.conf', lConf)], { encoding: 'utf8' });
  try {
    startSide(r, rConf);
    startSide(l, lConf);
    const usesTcp = /@TCPPORT@/.test(c.conf);
    const ready = async (s: Side): Promise<boolean> => {
      if (s.proc!.exitCode !== null) return true;
      if (usesTcp) return tcpAccepts(s.tcp);
      return s.label === 'logwarden' ? s.stderr.includes('LW_INFO_STARTED') : fs.existsSync(path.join(s.dir, 'rsyslogd.pid'));
    };
    const [rReady, lReady] = await Promise.all([until(() => ready(r), 60_000), until(() => ready(l), 60_000)]);
    if (!usesTcp) await sleep(300);
    const problems: string[] = [];
    if (!rReady || r.proc!.exitCode !== null) throw new Error(`${c.name}: rsyslogd did not start: ${r.stderr}`);
    const lStarted = lReady && l.proc!.exitCode === null;
    if (!lStarted) {
      problems.push(`  logwarden did not start: ${l.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    }
    if ((lCheck.status === 0) !== lStarted) {
      const said = `${lCheck.stdout}${lCheck.stderr}`.trim().split('\n').slice(-3).join(' | ');
      problems.push(`  check ${lCheck.status === 0 ? 'says OK' : 'refuses the config'} but run ${lStarted ? 'started' : 'did not start'}: ${said}`);
    }
    const t0 = Date.now();
    const sendTo = async (s: Side): Promise<void> => {
      if (s.proc!.exitCode !== null) return;
      for (const mode of c.send) {
        if (mode === 'udp') await sendUdp(s.udp, frames.filter((f) => f.length <= 65000));
        else await sendTcp(s.tcp, frames, mode === 'tcp');
      }
    };
    await Promise.all([sendTo(r), sendTo(l)]);
    // done when both daemons are idle: outputs unchanged, no CPU time used and no thread runnable for 600 ms
    // (a loaded machine can starve a daemon for a while, so output size alone is not enough); a side that has
    // written nothing yet gets 5 s; bounded
    let last = '';
    let stableSince = Date.now();
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      await sleep(100);
      const rs = outputSize(r.out);
      const ls = outputSize(l.out);
      const rc = cpuState(r.proc!.pid);
      const lc = cpuState(l.proc!.pid);
      const now = `${rs}/${ls}/${rc.ticks}/${lc.ticks}`;
      if (now !== last || rc.running || lc.running) { last = now; stableSince = Date.now(); continue; }
      const oneSideEmpty = (rs === 0) !== (ls === 0);
      if (Date.now() - stableSince >= (oneSideEmpty ? 5000 : 600)) break;
    }
    await Promise.all([stopSide(r), stopSide(l)]);
    const t1 = Date.now();
    const cmp = compareOutputs(r, l, t0, t1);
    if (cmp.report) problems.push(cmp.report);
    if (cmp.report && process.env.LW_DIFF_VERBOSE) {
      const tail = (t: string): string => t.trim().split('\n').slice(-4).join(' | ').slice(0, 600);
      problems.push(`  rsyslogd said: ${tail(r.stderr)}\n  logwarden said: ${tail(l.stderr)}`);
    }
    return { name: c.name, identical: problems.length === 0, report: problems.join('\n'), files: cmp.files, ms: Date.now() - started };
  } finally {
    await Promise.all([stopSide(r), stopSide(l)]);
    releasePorts([r.tcp, r.udp, l.tcp, l.udp]);
    if (!process.env.LW_DIFF_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  }
}

function writeTmp(s: Side, name: string, text: string): string {
  const p = path.join(s.dir, name);
  fs.writeFileSync(p, text);
  return p;
}

/** Run cases `concurrency` at a time. */
export async function runAll(cases: DiffCase[], corpus: Buffer[], tmpRoot: string, concurrency: number,
  onResult?: (r: CaseResult) => void): Promise<CaseResult[]> {
  const results: CaseResult[] = new Array(cases.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const i = next++;
      try {
        results[i] = await runCase(cases[i]!, corpus, tmpRoot);
      } catch (e) {
        results[i] = { name: cases[i]!.name, identical: false, report: `  harness error: ${(e as Error).message}`, files: 0, ms: 0 };
      }
      onResult?.(results[i]!);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

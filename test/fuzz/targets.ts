// Fuzz targets shared by `npm test` (test/unit/fuzz.test.ts, a short run) and `npm run fuzz` (scripts/fuzz.mjs,
// ≥ 1,000,000 cases per target): each is a fast-check property over one parser or framer with its invariants.
// Invariants: never throws except its documented error type, output bounded by its input, framing independent
// of how the bytes are split and resynchronised after garbage, RFC 5424 serialise → parse round-trips.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadConfig } from '../../src/config/load';
import { Message } from '../../src/message';
import { parseSyslog } from '../../src/parse/index';
import { extractFields } from '../../src/parse/extract';
import { StoreError } from '../../src/store/backend';
import { SqliteStore } from '../../src/store/sqlite';
import { parseOptions } from '../../src/parse/options';
import { lookupComponent } from '../../src/runtime/registry';
import { compileWhere } from '../../src/store/query/compile-sqlite';
import { QueryError } from '../../src/store/query/errors';
import { parseQuery } from '../../src/store/query/parser';
import { StreamFramer, type FramerOptions } from '../../src/framing/stream-framer';
import { compileTemplate } from '../../src/templates';
import { TemplateError } from '../../src/templates/replacer';
import { SyslogTime } from '../../src/time';

export interface FuzzTarget {
  name: string;
  property(): fc.IProperty<unknown> | fc.IAsyncProperty<unknown>;
}

const ORIGIN = { inputname: 'fuzz', fromhostIp: '192.0.2.1', fromhost: 'peer', ruleset: 'RSYSLOG_DefaultRuleset' };
const RECEIVED = SyslogTime.fromEpochMs(Date.UTC(2026, 0, 15, 12, 0, 0));

function parse(frame: Buffer, opts = parseOptions()): Message {
  const m = new Message(frame, ORIGIN, RECEIVED);
  parseSyslog(frame, m, opts);
  return m;
}

// ---------------------------------------------------------------------------------------------------------
// Stream framer (RFC 6587)

class Collect {
  frames: string[] = [];
  errors = 0;
  onFrame(f: Buffer): void { this.frames.push(f.toString('latin1')); }
  onFramingError(): void { this.errors++; }
}

function frameAll(chunks: Buffer[], o: Partial<FramerOptions>): Collect {
  const c = new Collect();
  const f = new StreamFramer(c, o);
  const max = Math.max(o.maxMessageSize ?? 8096, o.maxFrameSize ?? 200000);
  for (const ch of chunks) {
    f.push(ch);
    // memory bound: what the framer holds between reads never exceeds one frame
    assert.ok((f as unknown as { pieceLen: number }).pieceLen <= max, 'framer buffers more than one frame');
  }
  f.flush();
  return c;
}

function splitAt(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out;
}

/** Bytes that tend to matter to a framer: digits, SP, LF, NUL, '<', plus anything. */
const framerByte = fc.oneof(fc.constantFrom(0x30, 0x31, 0x35, 0x39, 0x20, 0x0a, 0x00, 0x3c), fc.integer({ min: 0, max: 255 }));
const framerOpts = fc.record({
  maxMessageSize: fc.integer({ min: 1, max: 64 }),
  octetCounting: fc.boolean(),
  discardTruncated: fc.boolean(),
  extraDelimiter: fc.constantFrom(-1, 0),
  maxFrameSize: fc.integer({ min: 1, max: 200 }),
});
/** An LF-framed message that cannot be mistaken for an octet count or a delimiter. */
const lfMessage = fc.string({ unit: fc.constantFrom(...'<>abc xyz:[]'.split('')), minLength: 1, maxLength: 20 }).map((s) => `<${s}`);

const framer: FuzzTarget = {
  name: 'stream-framer',
  property: () => fc.property(fc.array(framerByte, { maxLength: 300 }), fc.array(fc.nat(), { maxLength: 8 }), framerOpts, fc.array(lfMessage, { minLength: 1, maxLength: 4 }),
    (bytes, cuts, o, tail) => {
      const garbage = Buffer.from(bytes);
      const whole = frameAll([garbage], o);
      const split = frameAll(splitAt(garbage, cuts), o);
      assert.deepEqual(split.frames, whole.frames, 'frames depend on where the stream was split');
      assert.equal(split.errors, whole.errors);
      for (const fr of whole.frames) assert.ok(fr.length <= o.maxMessageSize, 'frame longer than maxMessageSize');
      // resync: garbage without octet counting, then LF, then well-formed messages: they come out intact
      const lfOnly = { ...o, octetCounting: false, maxMessageSize: 64 };
      const stream = Buffer.concat([garbage, Buffer.from(`\n${tail.join('\n')}\n`)]);
      const r = frameAll(splitAt(stream, cuts), lfOnly);
      const extra = lfOnly.extraDelimiter === 0 ? 0 : -1;
      if (extra === -1) assert.deepEqual(r.frames.slice(-tail.length), tail, 'no resync after garbage');
    }),
};

// ---------------------------------------------------------------------------------------------------------
// Parsers

const anyFrame = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.tuple(fc.constantFrom('<13>', '<165>1 ', '<34>1 2003-10-11T22:14:15.003Z ', '<0>Oct 11 22:14:15 ', '<191>', '<999>', '<13>1 - - - - - [', ''),
    fc.string({ maxLength: 120 })).map(([a, b]) => Buffer.from(a + b, 'utf8')),
);

function checkParsed(m: Message, frame: Buffer): void {
  assert.ok(m.facility >= 0 && m.facility <= 24 && m.severity >= 0 && m.severity <= 7);
  // output bounded by input: escaping (#ooo) at most quadruples a byte
  const bound = 4 * frame.length + 64;
  for (const v of [m.msg, m.hostname, m.syslogtag, m.appName, m.procid, m.msgid, m.structuredData]) assert.ok(v.length <= bound);
}

const rfc3164: FuzzTarget = {
  name: 'parse-rfc3164',
  property: () => fc.property(anyFrame, fc.boolean(), (frame, esc) => {
    const m = parse(frame, parseOptions({ rfc5424: false, escapeControlCharacters: esc }));
    checkParsed(m, frame);
  }),
};

const printable = (min: number, max: number): fc.Arbitrary<string> => fc.string({ unit: fc.integer({ min: 33, max: 126 }).map((c) => String.fromCharCode(c)), minLength: min, maxLength: max });
const sdName = fc.string({ unit: fc.constantFrom(...'abcdefxyz0123456789@.-_'.split('')), minLength: 1, maxLength: 32 });
const sdValue = fc.string({ unit: fc.constantFrom(...'ab c"\\]=[é\u00e9'.split('')), maxLength: 20 }).map((v) => v.replace(/["\\\]]/g, (c) => `\\${c}`));
const sdElement = fc.tuple(sdName, fc.array(fc.tuple(sdName, sdValue), { maxLength: 3 })).map(([id, ps]) => `[${id}${ps.map(([k, v]) => ` ${k}="${v}"`).join('')}]`);
const timestamp = fc.tuple(fc.integer({ min: 1970, max: 2099 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.integer({ min: 0, max: 23 }),
  fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 6 }), fc.constantFrom('Z', '+02:00', '-07:30'))
  .map(([y, mo, d, h, mi, s, frac, z]) => {
    const p = (n: number): string => String(n).padStart(2, '0');
    return `${y}-${p(mo)}-${p(d)}T${p(h)}:${p(mi)}:${p(s)}${frac > 0 ? '.' + '123456'.slice(0, frac) : ''}${z}`;
  });
const nilOr = (a: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.oneof(fc.constant('-'), a);

const rfc5424: FuzzTarget = {
  name: 'parse-rfc5424',
  property: () => fc.property(
    fc.integer({ min: 0, max: 191 }), nilOr(timestamp), nilOr(printable(1, 255)), nilOr(printable(1, 48)), nilOr(printable(1, 128)), nilOr(printable(1, 32)),
    fc.oneof(fc.constant('-'), fc.array(sdElement, { minLength: 1, maxLength: 3 }).map((a) => a.join(''))),
    fc.option(fc.string({ unit: fc.integer({ min: 32, max: 126 }).map((c) => String.fromCharCode(c)), maxLength: 80 }), { nil: undefined }),
    anyFrame,
    (pri, ts, host, app, procid, msgid, sd, msg, junk) => {
      const text = `<${pri}>1 ${ts} ${host} ${app} ${procid} ${msgid} ${sd}${msg === undefined ? '' : ` ${msg}`}`;
      const m = parse(Buffer.from(text, 'utf8'), parseOptions({ escapeControlCharacters: false }));
      assert.equal(m.parseFailed, ts === '-' ? m.parseFailed : false, text);
      assert.equal(m.protocolVersion, '1');
      assert.deepEqual([m.facility, m.severity], [pri >> 3, pri & 7]);
      if (ts !== '-') {
        assert.deepEqual([m.hostname, m.appName, m.procid, m.msgid, m.structuredData, m.msg], [host === '-' ? m.hostname : host, app === '-' ? m.appName : app, procid, msgid, sd, msg ?? ''], text);
      }
      checkParsed(parse(junk), junk);
    }),
};

// ---------------------------------------------------------------------------------------------------------
// Config parser: token soup of the rsyslog language (no include(): it would read the file system)

const CONFIG_TOKENS = ['module(', 'input(', 'action(', 'template(', 'ruleset(', 'global(', 'main_queue(', 'if', 'then', 'else', 'and', 'or', 'not',
  'stop', 'call', 'set', 'unset', 'foreach', 'do', '(', ')', '{', '}', '[', ']', '=', '==', '!=', '<', '>', ';', ',', '&', '~', '*.*', 'mail.info',
  ':msg,', 'contains,', '"x"', '"a\\"b"', "'s'", '$!x', '$.y', '$/z', '$msg', 'load="imtcp"', 'type="omfile"', 'file="/dev/null"', 'port="0"',
  'name="n"', 'string="%msg%\\n"', '%msg%', '/var/log/x', '-/var/log/y', '@127.0.0.1:514', '@@[::1]:514', ':omusrmsg:*', '$ModLoad', 'imudp',
  '$UDPServerRun', '514', '$template', '$ActionQueueType', 'LinkedList', '$RuleSet', 'r', '#', '/*', '*/', '\\', '\n', ' ', '\t', 'property(', 'constant(',
  're_match(', 'exists(', 'cnum(', '1', '0x1f', '-5', 'queue.type="disk"', 'queue.size="10k"', 'ruleset="r"', 'template="t"', '"\\u00e9"', '`echo x`'];

const config: FuzzTarget = {
  name: 'config-parser',
  property: () => fc.property(fc.array(fc.oneof(fc.constantFrom(...CONFIG_TOKENS), fc.string({ maxLength: 6 })), { maxLength: 60 }), (toks) => {
    const text = toks.join(' ');
    const model = loadConfig('fuzz.conf', { text, lookupComponent });
    for (const d of model.diagnostics) {
      assert.ok(!d.message.startsWith('internal error'), `${d.message}\n--- config ---\n${text}`);
      assert.ok(d.loc.line >= 1 && d.loc.col >= 1, 'diagnostic without a position');
    }
  }),
};

// ---------------------------------------------------------------------------------------------------------
// Query parser (and its SQLite compiler)

const QUERY_TOKENS = ['host:', 'app:', 'severity:', 'facility:', 'fromhost-ip:', 'kv.', 'msg:', 'AND', 'OR', 'NOT', '(', ')', '"', '*', '|', 'count', 'by',
  'top', 'timechart', 'sort', 'limit', 'from:', 'to:', '-15m', 'now', '2026-01-01T00:00:00Z', '>=', '<', '!=', '10.0.0.0/8', '::1', 'err', 'warning',
  'local0', 'web*', 'a', 'ü', '1', '5m', '-', ',', ' ', '\\', ':'];

const queryText = fc.oneof(
  fc.tuple(fc.array(fc.oneof(fc.constantFrom(...QUERY_TOKENS), fc.string({ maxLength: 4 }), fc.string({ unit: 'binary', maxLength: 3 })), { maxLength: 40 }), fc.constantFrom('', ' '))
    .map(([a, sep]) => a.join(sep)),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  // long chains (the API once answered 500 for 1,600 ORed terms: SQLite's expression depth)
  fc.tuple(fc.integer({ min: 1, max: 2000 }), fc.constantFrom(' OR ', ' ', ' AND NOT '), fc.constantFrom('a', 'host:x', '"p q"', 'kv.n:>1')).map(([n, op, t]) => Array(n).fill(t).join(op)),
);

const query: FuzzTarget = {
  name: 'query-parser',
  property: () => fc.property(queryText, (text) => {
    try {
      const q = parseQuery(text, { nowMs: Date.UTC(2026, 0, 15) });
      compileWhere(q.where);
    } catch (e) {
      if (!(e instanceof QueryError)) throw e;
      assert.ok(e.col >= 1 && e.caret().endsWith('^'));
    }
  }),
};

/** One small store per process, searched by the query-store target. */
let store: Promise<SqliteStore> | null = null;
function fuzzStore(): Promise<SqliteStore> {
  store ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-fuzz-store-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const s = new SqliteStore({ path: dir });
    const now = Date.UTC(2026, 0, 15) * 1000;
    const msgs = ['Failed password for root from 10.0.0.7 port 22 user=bob', 'a "quoted" \\ text é ü', 'kv=1 n=2.5 ip=::1'];
    await s.insert(msgs.map((msg, i) => ({
      tsReported: now - i * 1_000_000, tsReceived: now, host: `web${i}`, fromhostIp: `10.0.0.${i}`, app: 'sshd', procid: '-', msgid: '-',
      facility: i, severity: i, structuredData: '-', msg, fields: extractFields(msg), raw: null,
    })));
    return s;
  })();
  return store;
}

/** A query that parses never makes the store fail: it answers, or refuses with a query error (HTTP 400), never 500. */
const queryStore: FuzzTarget = {
  name: 'query-store',
  property: () => fc.asyncProperty(queryText, async (text) => {
    let q;
    try {
      q = parseQuery(text, { nowMs: Date.UTC(2026, 0, 15) });
    } catch (e) {
      if (e instanceof QueryError) return;
      throw e;
    }
    const s = await fuzzStore();
    try {
      await s.search({ query: q, limit: 5 });
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      if (e instanceof QueryError || (e instanceof StoreError && code.startsWith('LW_ERR_QUERY'))) return;
      throw new Error(`query ${JSON.stringify(text)} failed in the store: ${code} ${(e as Error).message}`);
    }
  }),
};

// ---------------------------------------------------------------------------------------------------------
// Template engine: string templates of random text with properties and options, rendered on parsed messages

const TPL_TOKENS = ['%msg%', '%hostname%', '%syslogtag%', '%$!%', '%$!a%', '%timereported:::date-rfc3339%', '%msg:1:5%', '%msg:R,ERE,0,DFLT:[0-9]+--end%',
  '%msg:F,44:2%', '%msg:::json%', '%msg:::csv%', '%msg:::lowercase,drop-last-lf%', '%rawmsg:::space-cc%', '%pri-text%', '%$now%', '%uuid%', '%',
  '\\n', '\\%', ':', ',', 'x', '%fromhost-ip:::jsonf%', '%msg:$:5%', '%msg:2:$%', '%$.x%', '%timegenerated:::date-unixtimestamp%'];
const tplMessage = fc.constantFrom(
  '<34>1 2003-10-11T22:14:15.003Z mymachine su 77 ID47 [exampleSDID@32473 iut="3"] \'su root\' failed',
  '<13>Oct  5 01:02:03 host-b sshd[1234]: Accepted user alice from 10.0.0.7',
  'garbage \u0001 without a header',
);

const template: FuzzTarget = {
  name: 'template-engine',
  property: () => fc.property(fc.array(fc.oneof(fc.constantFrom(...TPL_TOKENS), fc.string({ maxLength: 5 })), { maxLength: 20 }), tplMessage, (toks, frame) => {
    const text = toks.join('');
    let t;
    try {
      t = compileTemplate({ name: 'f', type: 'string', string: text, options: new Map(), loc: { file: 'fuzz.conf', line: 1, col: 1 } });
    } catch (e) {
      if (e instanceof TemplateError) return;
      throw e;
    }
    const out = t.render(parse(Buffer.from(frame)));
    assert.equal(typeof out, 'string');
  }),
};

export const TARGETS: readonly FuzzTarget[] = [framer, rfc3164, rfc5424, config, query, queryStore, template];

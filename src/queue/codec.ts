// Message ⇄ Buffer for the disk queue: a versioned, exact binary form of every field of src/message.ts.
//
// Layout, version 1 (little-endian):
//
//   u8 version | u8 flags | facility, severity | timereported | [timegenerated] | lengths | blob | rawmsg
//
//   facility/severity: two u8, or two f64 (FLAG_NUM_F64) when either is not an integer 0..255 (or is -0)
//   time: compact, 19 bytes (i32 year; u8 month, day, hour, minute, second, precision; u8 source | zulu << 7;
//         i32 secfrac; i32 offsetMinutes), or full (FLAG_Tx_F64: 10 f64 + u8 zulu) when a field does not fit
//         (offset -0 is "-00:00" and must stay -0). timegenerated is left out when it is the same object.
//   lengths: LEB128 varints — the 13 string fields', json's, local's and tlsPeer's (FLAG_TLS_PEER) lengths in UTF-16 code units, rawmsg's
//         byte length, then the blob's (byteLength << 1 | utf16) in a fixed 5-byte varint
//   blob: every string field, then json and local (JSON.stringify text) and tlsPeer, concatenated: UTF-8, or UTF-16LE when
//         any of them holds a lone surrogate (U+D800–DFFF), which UTF-8 would turn into U+FFFD.
//   rawmsg: its bytes.
// Frame form, version 2 — for a message whose fields are exactly what parsing its frame gives (parsedWith set,
// no `$!`/`$.` tree): the frame and what the parse needs, parsed again when read back (~300 instead of ~600
// bytes for a 250-byte message, and no walk over its 15 fields on the spilling thread):
//
//   u8 2 | u8 flags | timegenerated | u16 parse option bits | u16 escape prefix | u32 maxMessageSize |
//   inputname, fromhost, fromhostIp, ruleset: each u16 byte length + UTF-8 | u32 frame length | frame
//
// Readers take both versions, so segments written before the frame form existed are still read.
//
// The trees are JSON (src/util/json-number.ts treeToText: a double's source text, an int64 bigint and
// NaN/Infinity are written as tagged objects and come back exact; a -0 integer becomes 0, as in rsyslog's json-c
// trees). Strings as one blob: one native encode/decode per message instead of 15 (each call
// costs more than copying a short field). UTF-8 vs UTF-16LE: measured in bench/README.md "disk queue".
import { Message, type Origin } from '../message';
import { parseSyslog } from '../parse';
import type { ParseOptions } from '../parse/options';
import { SyslogTime, type TimeSource } from '../time';
import { treeFromText, treeToText } from '../util/json-number';

export const CODEC_VERSION = 1;
/** Version byte of the frame form. */
export const CODEC_FRAME_VERSION = 2;
/** Code of the error thrown for a buffer that is not an encoded message (truncated, unknown version). */
export const CODEC_ERROR = 'LW_ERR_QUEUE_CODEC';

export class CodecError extends Error {
  readonly code = CODEC_ERROR;
  constructor(message: string) {
    super(message);
    this.name = 'CodecError';
  }
}

const FLAG_PARSE_FAILED = 1;
const FLAG_JSON = 2;
const FLAG_LOCAL = 4;
const FLAG_T1_F64 = 8;
const FLAG_T2_F64 = 16;
/** timegenerated is the same object as timereported (the constructor's default): encoded once, shared again. */
const FLAG_SAME_TIME = 32;
/** tlsPeer is not empty: its length follows local's and its text follows local's in the blob (absent in older records). */
const FLAG_TLS_PEER = 128;
const FLAG_NUM_F64 = 64;

const TIME_COMPACT = 19;
const TIME_FULL = 81;

/** Node's native string/Buffer helpers behind buf.write()/toString(), without the encoding-name dispatch. */
interface FastBuffer extends Buffer {
  utf8Write(s: string, offset: number, length: number): number;
  ucs2Write(s: string, offset: number, length: number): number;
  utf8Slice(start: number, end: number): string;
  ucs2Slice(start: number, end: number): string;
}
interface WellFormed { isWellFormed(): boolean }

const PLACEHOLDER_ORIGIN: Origin = { inputname: '', fromhost: '', fromhostIp: '', ruleset: '' };

let scratch = Buffer.allocUnsafe(64 * 1024) as FastBuffer;

/** Grow the scratch buffer to `need` bytes, keeping what is in it (encodeBatch writes several messages). */
function ensure(need: number): void {
  if (scratch.length >= need) return;
  const bigger = Buffer.allocUnsafe(Math.max(need, scratch.length * 2)) as FastBuffer;
  scratch.copy(bigger);
  scratch = bigger;
}

/** v is an integer in 0..255 and not -0 (1 / -0 is -Infinity). */
const u8 = (v: number): boolean => (v & 0xff) === v && (v !== 0 || 1 / v > 0);
/** v is a 32-bit integer and not -0. */
const i32 = (v: number): boolean => (v | 0) === v && (v !== 0 || 1 / v > 0);

/** True when every field fits the compact time form (integers in range, none -0, zulu a boolean). */
function timeIsCompact(t: SyslogTime): boolean {
  return i32(t.year) && u8(t.month) && u8(t.day) && u8(t.hour) && u8(t.minute) && u8(t.second) &&
    u8(t.secfracPrecision) && (t.source & 0x7f) === t.source && (t.source !== 0 || 1 / t.source > 0) &&
    i32(t.secfrac) && i32(t.offsetMinutes) && (t.zulu === true || t.zulu === false);
}

function writeTime(b: Buffer, o: number, t: SyslogTime, compact: boolean): number {
  if (compact) return writeCompactTime(new DataView(b.buffer, b.byteOffset, b.length), o, t);
  b.writeDoubleLE(t.year, o); b.writeDoubleLE(t.month, o + 8); b.writeDoubleLE(t.day, o + 16);
  b.writeDoubleLE(t.hour, o + 24); b.writeDoubleLE(t.minute, o + 32); b.writeDoubleLE(t.second, o + 40);
  b.writeDoubleLE(t.secfrac, o + 48); b.writeDoubleLE(t.secfracPrecision, o + 56);
  b.writeDoubleLE(t.offsetMinutes, o + 64); b.writeDoubleLE(t.source, o + 72);
  b[o + 80] = t.zulu ? 1 : 0;
  return o + TIME_FULL;
}

/** The compact time form (TIME_COMPACT bytes at `o`), through a DataView: no per-call checks as in Buffer#writeInt32LE. */
function writeCompactTime(dv: DataView, o: number, t: SyslogTime): number {
  dv.setInt32(o, t.year, true);
  dv.setUint8(o + 4, t.month); dv.setUint8(o + 5, t.day); dv.setUint8(o + 6, t.hour); dv.setUint8(o + 7, t.minute);
  dv.setUint8(o + 8, t.second); dv.setUint8(o + 9, t.secfracPrecision);
  dv.setUint8(o + 10, t.source | (t.zulu ? 0x80 : 0));
  dv.setInt32(o + 11, t.secfrac, true);
  dv.setInt32(o + 15, t.offsetMinutes, true);
  return o + TIME_COMPACT;
}

/**
 * A Buffer owning its whole (transferable) ArrayBuffer: the write-behind thread receives it by transfer, which
 * for one made by Buffer.allocUnsafeSlow costs a copy (~0.2 ms per 300 KB) and for `new ArrayBuffer` nothing.
 */
function ownBuffer(size: number): Buffer {
  return Buffer.from(new ArrayBuffer(size));
}

function readTime(b: Buffer, o: number, full: boolean): SyslogTime {
  let t: SyslogTime;
  if (!full) {
    if (o + TIME_COMPACT > b.length) truncated();
    const s = b[o + 10]!;
    t = new SyslogTime(b.readInt32LE(o), b[o + 4]!, b[o + 5]!, b[o + 6]!, b[o + 7]!, b[o + 8]!,
      b.readInt32LE(o + 11), b[o + 9]!, b.readInt32LE(o + 15), (s & 0x7f) as TimeSource);
    t.zulu = (s & 0x80) !== 0;
  } else {
    if (o + TIME_FULL > b.length) truncated();
    t = new SyslogTime(b.readDoubleLE(o), b.readDoubleLE(o + 8), b.readDoubleLE(o + 16), b.readDoubleLE(o + 24),
      b.readDoubleLE(o + 32), b.readDoubleLE(o + 40), b.readDoubleLE(o + 48), b.readDoubleLE(o + 56),
      b.readDoubleLE(o + 64), b.readDoubleLE(o + 72) as TimeSource);
    t.zulu = b[o + 80] === 1;
  }
  return t;
}

function truncated(): never {
  throw new CodecError('encoded message is truncated');
}

/** LEB128 unsigned varint (lengths are almost always < 128: one byte). */
function writeVar(b: Buffer, o: number, n: number): number {
  while (n >= 0x80) {
    b[o++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  b[o++] = n;
  return o;
}

let pos = 0;

function readVar(b: Buffer): number {
  let n = 0;
  let shift = 0;
  for (;;) {
    if (pos >= b.length || shift > 28) truncated();
    const x = b[pos++]!;
    n |= (x & 0x7f) << shift;
    if (x < 0x80) return n >>> 0;
    shift += 7;
  }
}

/**
 * Append `s` as UTF-8 at `o`; returns the new offset, or -1 once any string had a lone surrogate (then the
 * caller writes the whole blob as UTF-16LE). Short ASCII strings are copied by a JS loop: a native write costs
 * ~50-150 ns of call overhead, more than copying a 20-character field. Measured in bench/codec.mjs.
 */
function put(b: FastBuffer, o: number, s: string): number {
  if (o < 0) return o;
  const n = s.length;
  if (n < 48) {
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      b[o + i] = c;
    }
    if (i === n) return o + n;
  }
  if (!(s as unknown as WellFormed).isWellFormed()) return -1;
  return o + b.utf8Write(s, o, 3 * n);
}

/** Encode into the scratch buffer from offset `o`; returns the end offset. */
function encodeInto(m: Message, o: number): number {
  const json = m.json === null ? null : treeToText(m.json);
  const local = m.local === null ? null : treeToText(m.local);
  const peer = m.tlsPeer === '' ? null : m.tlsPeer;
  // All strings go out as ONE blob: one native write instead of 15 (each costs ~50-150 ns of call overhead,
  // more than copying a short field). Field lengths are UTF-16 code units, so splitting the decoded blob with
  // substring() is exact even when a lone surrogate meets its opposite half at a field boundary.
  const raw = m.rawmsg;
  const chars = m.msg.length + m.hostname.length + m.fromhost.length + m.fromhostIp.length + m.syslogtag.length +
    m.programname.length + m.appName.length + m.procid.length + m.msgid.length + m.structuredData.length +
    m.protocolVersion.length + m.inputname.length + m.ruleset.length + (json === null ? 0 : json.length) +
    (local === null ? 0 : local.length) + (peer === null ? 0 : peer.length);
  ensure(o + 2 + 16 + 2 * TIME_FULL + 16 * 5 + 3 * chars + 5 + raw.length);
  const b = scratch;
  const t1 = m.timereported;
  const t2 = m.timegenerated;
  const same = t1 === t2;
  const c1 = timeIsCompact(t1);
  const c2 = same || timeIsCompact(t2);
  const numCompact = u8(m.facility) && u8(m.severity);
  b[o] = CODEC_VERSION;
  b[o + 1] = (m.parseFailed ? FLAG_PARSE_FAILED : 0) | (json !== null ? FLAG_JSON : 0) | (local !== null ? FLAG_LOCAL : 0) |
    (c1 ? 0 : FLAG_T1_F64) | (c2 ? 0 : FLAG_T2_F64) | (same ? FLAG_SAME_TIME : 0) | (numCompact ? 0 : FLAG_NUM_F64) | (peer !== null ? FLAG_TLS_PEER : 0);
  o += 2;
  if (numCompact) {
    b[o] = m.facility; b[o + 1] = m.severity; o += 2;
  } else {
    b.writeDoubleLE(m.facility, o); b.writeDoubleLE(m.severity, o + 8); o += 16;
  }
  o = writeTime(b, o, t1, c1);
  if (!same) o = writeTime(b, o, t2, c2);
  o = writeVar(b, o, m.msg.length);
  o = writeVar(b, o, m.hostname.length);
  o = writeVar(b, o, m.fromhost.length);
  o = writeVar(b, o, m.fromhostIp.length);
  o = writeVar(b, o, m.syslogtag.length);
  o = writeVar(b, o, m.programname.length);
  o = writeVar(b, o, m.appName.length);
  o = writeVar(b, o, m.procid.length);
  o = writeVar(b, o, m.msgid.length);
  o = writeVar(b, o, m.structuredData.length);
  o = writeVar(b, o, m.protocolVersion.length);
  o = writeVar(b, o, m.inputname.length);
  o = writeVar(b, o, m.ruleset.length);
  if (json !== null) o = writeVar(b, o, json.length);
  if (local !== null) o = writeVar(b, o, local.length);
  if (peer !== null) o = writeVar(b, o, peer.length);
  o = writeVar(b, o, raw.length);
  // Blob: varint (byteLength << 1 | utf16) then the bytes. UTF-8 unless a lone surrogate is present.
  const lenAt = o;
  o += 5; // a fixed 5-byte varint slot, patched below (no second pass over the strings)
  const blobAt = o;
  o = put(b, o, m.msg); o = put(b, o, m.hostname); o = put(b, o, m.fromhost); o = put(b, o, m.fromhostIp);
  o = put(b, o, m.syslogtag); o = put(b, o, m.programname); o = put(b, o, m.appName); o = put(b, o, m.procid);
  o = put(b, o, m.msgid); o = put(b, o, m.structuredData); o = put(b, o, m.protocolVersion);
  o = put(b, o, m.inputname); o = put(b, o, m.ruleset);
  if (json !== null) o = put(b, o, json);
  if (local !== null) o = put(b, o, local);
  if (peer !== null) o = put(b, o, peer);
  let utf16 = false;
  if (o < 0) { // a lone surrogate somewhere: the whole blob as UTF-16LE (rare; exactness over size)
    utf16 = true;
    let blob = m.msg + m.hostname + m.fromhost + m.fromhostIp + m.syslogtag + m.programname + m.appName + m.procid +
      m.msgid + m.structuredData + m.protocolVersion + m.inputname + m.ruleset;
    if (json !== null) blob += json;
    if (local !== null) blob += local;
    if (peer !== null) blob += peer;
    o = blobAt + b.ucs2Write(blob, blobAt, 2 * blob.length);
  }
  let h = (o - blobAt) * 2 + (utf16 ? 1 : 0);
  for (let k = 0; k < 4; k++) {
    b[lenAt + k] = (h & 0x7f) | 0x80;
    h = Math.floor(h / 128);
  }
  b[lenAt + 4] = h;
  b.set(raw, o); // TypedArray.set: no intermediate view, unlike Buffer.copy with offsets
  return o + raw.length;
}

/** The boolean parse options in the order of the frame form's bit field (append only: the order is on disk). */
export const PARSE_OPTION_BITS = [
  'dropTrailingLF', 'escapeControlCharacters', 'escapeTab', 'escape8BitCharacters', 'escapeControlCharactersCStyle',
  'spaceLFOnReceive', 'permitSlashInProgramname', 'parseHostname', 'permitSquareBracketsInHostname',
  'permitSlashesInHostname', 'permitAtSignsInHostname', 'forceTagEndingByColon', 'removeMsgFirstSpace',
  'detectYearAfterTimestamp', 'yearRollover', 'rfc5424',
] as const satisfies ReadonlyArray<keyof ParseOptions>;

/** The 8 bytes of a ParseOptions in the frame form; cached per options object (one per input). */
const optionBytes = new WeakMap<ParseOptions, Buffer>();

function optionsHeader(o: ParseOptions): Buffer | null {
  let b = optionBytes.get(o);
  if (b !== undefined) return b;
  const prefix = o.controlCharacterEscapePrefix.length === 1 ? o.controlCharacterEscapePrefix.charCodeAt(0) : -1;
  if (prefix < 0 || !(o.maxMessageSize >= 0 && o.maxMessageSize <= 0xffffffff && Number.isInteger(o.maxMessageSize))) return null;
  let bits = 0;
  PARSE_OPTION_BITS.forEach((k, i) => { if (o[k]) bits |= 1 << i; });
  b = Buffer.alloc(8);
  b.writeUInt16LE(bits, 0);
  b.writeUInt16LE(prefix, 2);
  b.writeUInt32LE(o.maxMessageSize, 4);
  optionBytes.set(o, b);
  return b;
}

const decodedOptions = new Map<string, ParseOptions>();

function optionsOf(b: Buffer, o: number): ParseOptions {
  const key = `${b.readUInt16LE(o)},${b.readUInt16LE(o + 2)},${b.readUInt32LE(o + 4)}`;
  let opts = decodedOptions.get(key);
  if (opts === undefined) {
    const bits = b.readUInt16LE(o);
    const r: Record<string, unknown> = { controlCharacterEscapePrefix: String.fromCharCode(b.readUInt16LE(o + 2)), maxMessageSize: b.readUInt32LE(o + 4) };
    PARSE_OPTION_BITS.forEach((k, i) => { r[k] = (bits & (1 << i)) !== 0; });
    opts = r as unknown as ParseOptions;
    decodedOptions.set(key, opts);
  }
  return opts;
}

/** A u16 byte length slot then `s` as UTF-8; -1 when it cannot (lone surrogate, too long). */
function putShort(b: FastBuffer, o: number, s: string): number {
  if (o < 0 || s.length > 0x3fff) return -1;
  const end = put(b, o + 2, s);
  if (end < 0) return -1;
  b.writeUInt16LE(end - o - 2, o);
  return end;
}

/**
 * The middle of a frame-form record — parse options, then inputname, fromhost, fromhostIp and ruleset, each a
 * u16 byte length + UTF-8 — is the same for every message of one connection: encoded once and copied after.
 * Null when `m` does not qualify for the frame form (a tree, a TLS peer, options or names that do not fit).
 */
function frameMiddle(m: Message): Buffer | null {
  const opts = m.parsedWith;
  if (opts === null || m.json !== null || m.local !== null || m.tlsPeer !== '') return null;
  const c = midCache;
  if (c !== null && c.opts === opts && c.inputname === m.inputname && c.fromhost === m.fromhost &&
    c.fromhostIp === m.fromhostIp && c.ruleset === m.ruleset) return c.bytes;
  const oh = optionsHeader(opts);
  if (oh === null) return null;
  const b = Buffer.allocUnsafe(8 + 4 * 2 + 3 * (m.inputname.length + m.fromhost.length + m.fromhostIp.length + m.ruleset.length)) as FastBuffer;
  oh.copy(b, 0);
  let p = putShort(b, 8, m.inputname);
  p = putShort(b, p, m.fromhost);
  p = putShort(b, p, m.fromhostIp);
  p = putShort(b, p, m.ruleset);
  if (p < 0) return null;
  const bytes = b.subarray(0, p);
  midCache = { opts, inputname: m.inputname, fromhost: m.fromhost, fromhostIp: m.fromhostIp, ruleset: m.ruleset, bytes };
  return bytes;
}
let midCache: { opts: ParseOptions; inputname: string; fromhost: string; fromhostIp: string; ruleset: string; bytes: Buffer } | null = null;

/**
 * Everything of a frame-form record before the frame's length — version, flags, timegenerated, middle — for
 * `m`, or null when `m` needs the full form. An input gives every message of one read the same timegenerated
 * object (fields never change after construction, see SyslogTime) and the same origin, so this is built once per
 * read and copied with one set() after: the time's fit check and its seven stores cost more than the copy.
 */
function frameHead(m: Message): Buffer | null {
  const mid = frameMiddle(m);
  if (mid === null) return null;
  const t = m.timegenerated;
  const c = headCache;
  if (c !== null && c.time === t && c.mid === mid) return c.bytes;
  const compact = timeIsCompact(t);
  const b = Buffer.allocUnsafe(2 + (compact ? TIME_COMPACT : TIME_FULL) + mid.length);
  b[0] = CODEC_FRAME_VERSION;
  b[1] = compact ? 0 : FLAG_T1_F64;
  const p = writeTime(b, 2, t, compact);
  mid.copy(b, p);
  headCache = { time: t, mid, bytes: b };
  return b;
}
let headCache: { time: SyslogTime; mid: Buffer; bytes: Buffer } | null = null;

function getShort(b: FastBuffer, o: number): string {
  if (o + 2 > b.length) truncated();
  const n = b.readUInt16LE(o);
  if (o + 2 + n > b.length) truncated();
  pos = o + 2 + n;
  return n === 0 ? '' : b.utf8Slice(o + 2, o + 2 + n);
}

/** Decode the frame form: the message is parsed again from its frame, as its input did. */
function decodeFrame(b: FastBuffer): Message {
  const full = (b[1]! & FLAG_T1_F64) !== 0;
  const tg = readTime(b, 2, full);
  let o = 2 + (full ? TIME_FULL : TIME_COMPACT);
  if (o + 8 > b.length) truncated();
  const opts = optionsOf(b, o);
  const inputname = getShort(b, o + 8);
  const fromhost = getShort(b, pos);
  const fromhostIp = getShort(b, pos);
  const ruleset = getShort(b, pos);
  o = pos;
  if (o + 4 > b.length) truncated();
  const len = b.readUInt32LE(o);
  if (o + 4 + len !== b.length) {
    if (o + 4 + len > b.length) truncated();
    throw new CodecError(`encoded message has ${b.length - o - 4 - len} trailing bytes`);
  }
  const raw = Buffer.allocUnsafe(len);
  b.copy(raw, 0, o + 4, o + 4 + len);
  const m = new Message(raw, { inputname, fromhost, fromhostIp, ruleset }, tg);
  parseSyslog(raw, m, opts);
  return m;
}

/** Encode one message into a Buffer of its own. */
export function encodeMessage(m: Message): Buffer {
  const end = encodeInto(m, 0);
  const out = Buffer.allocUnsafe(end);
  scratch.copy(out, 0, 0, end);
  return out;
}

/**
 * Encode a batch: one allocation for all of them, each message a view of it (append() writes them in one
 * writev). The views share memory; keep them no longer than the batch.
 */
export function encodeBatch(msgs: readonly Message[]): Buffer[] {
  const ends = new Array<number>(msgs.length);
  let o = 0;
  for (let i = 0; i < msgs.length; i++) {
    o = encodeInto(msgs[i]!, o);
    ends[i] = o;
  }
  const all = Buffer.allocUnsafe(o);
  scratch.copy(all, 0, 0, o);
  const out = new Array<Buffer>(msgs.length);
  let s = 0;
  for (let i = 0; i < msgs.length; i++) {
    out[i] = all.subarray(s, ends[i]);
    s = ends[i]!;
  }
  return out;
}

/** Records laid out for DiskQueue.appendFramed: record i is `buf[ends[i-1] (or 0) + gap, ends[i])`. */
export interface FramedChunk {
  buf: Buffer;
  ends: Uint32Array;
}

/** Room for record ends a chunk starts with (the action queue flushes every 1,024 messages). */
const ENDS_START = 1024;

/**
 * Encodes messages one at a time, as they are queued, for DiskQueue.appendFramed: each in the frame form when it
 * qualifies (nearly all), else in full, with `gap` free bytes before each for the record header. Encoding at
 * enqueue time reads each message while the parser's writes to it are still in the CPU cache; encoding a
 * thousand of them later, at the flush, missed the cache on most (queue isolation bench: the two-pass batch
 * encoder cost ~0.5 µs per spilled message in the running server against ~0.2 µs in a loop over hot messages).
 * Records fill buffers of `chunkBytes` made by `alloc` (at offset 0 of an ArrayBuffer of their own, so that
 * write-behind can take them back into its pool once copied); a record bigger than that gets a buffer of its own.
 */
export class FramedEncoder {
  private readonly done: FramedChunk[] = [];
  private cur: Buffer | null = null;
  private view: DataView | null = null;
  /** End of each record in `cur` (a typed array: the job ring copies it into shared memory in one block). */
  private ends = new Uint32Array(ENDS_START);
  private n = 0;
  private o = 0;
  /** Messages added and not yet taken. */
  count = 0;

  constructor(private readonly gap: number, private readonly alloc: (size: number) => Buffer = ownBuffer, private readonly chunkBytes = 512 * 1024) {}

  add(m: Message): void {
    const head = frameHead(m);
    const raw = m.rawmsg;
    const size = head !== null ? head.length + 4 + raw.length : encodeInto(m, 0); // full form: in scratch, copied below
    const need = this.gap + size;
    if (this.cur === null || this.o + need > this.cur.length) this.next(need);
    const buf = this.cur!;
    const o = this.o + this.gap;
    if (head === null) scratch.copy(buf, o, 0, size);
    else {
      buf.set(head, o);
      this.view!.setUint32(o + head.length, raw.length, true);
      buf.set(raw, o + head.length + 4);
    }
    this.o += need;
    if (this.n === this.ends.length) {
      const grown = new Uint32Array(this.n * 2);
      grown.set(this.ends);
      this.ends = grown;
    }
    this.ends[this.n++] = this.o;
    this.count++;
  }

  /** Everything added since the last take(), oldest first; the encoder is empty after. */
  take(): FramedChunk[] {
    this.close();
    const out = this.done.splice(0);
    this.count = 0;
    return out;
  }

  private next(need: number): void {
    this.close();
    this.cur = this.alloc(Math.max(need, this.chunkBytes));
    this.view = new DataView(this.cur.buffer, this.cur.byteOffset, this.cur.length);
  }

  private close(): void {
    if (this.cur !== null && this.n > 0) {
      this.done.push({ buf: this.cur.subarray(0, this.o), ends: this.ends.subarray(0, this.n) });
      this.ends = new Uint32Array(ENDS_START);
    }
    this.cur = null;
    this.view = null;
    this.n = 0;
    this.o = 0;
  }
}

/** Decode a buffer made by encodeMessage. rawmsg is copied: the result never keeps `buf` alive. */
export function decodeMessage(buf: Buffer): Message {
  const b = buf as FastBuffer;
  if (b.length < 2) truncated();
  if (b[0] === CODEC_FRAME_VERSION) return decodeFrame(b);
  if (b[0] !== CODEC_VERSION) throw new CodecError(`unknown encoded message version ${b[0]}`);
  const flags = b[1]!;
  let o = 2;
  let facility: number;
  let severity: number;
  if ((flags & FLAG_NUM_F64) === 0) {
    if (o + 2 > b.length) truncated();
    facility = b[o]!; severity = b[o + 1]!; o += 2;
  } else {
    if (o + 16 > b.length) truncated();
    facility = b.readDoubleLE(o); severity = b.readDoubleLE(o + 8); o += 16;
  }
  const f1 = (flags & FLAG_T1_F64) !== 0;
  const t1 = readTime(b, o, f1);
  o += f1 ? TIME_FULL : TIME_COMPACT;
  let t2 = t1;
  if ((flags & FLAG_SAME_TIME) === 0) {
    const f2 = (flags & FLAG_T2_F64) !== 0;
    t2 = readTime(b, o, f2);
    o += f2 ? TIME_FULL : TIME_COMPACT;
  }
  pos = o;
  const lMsg = readVar(b), lHostname = readVar(b), lFromhost = readVar(b), lFromhostIp = readVar(b);
  const lSyslogtag = readVar(b), lProgramname = readVar(b), lAppName = readVar(b), lProcid = readVar(b);
  const lMsgid = readVar(b), lSd = readVar(b), lProto = readVar(b), lInputname = readVar(b), lRuleset = readVar(b);
  const lJson = (flags & FLAG_JSON) !== 0 ? readVar(b) : 0;
  const lLocal = (flags & FLAG_LOCAL) !== 0 ? readVar(b) : 0;
  const lPeer = (flags & FLAG_TLS_PEER) !== 0 ? readVar(b) : 0;
  const rawLen = readVar(b);
  const h = readVar(b);
  const blobEnd = pos + Math.floor(h / 2);
  if (blobEnd + rawLen !== b.length) {
    if (blobEnd + rawLen > b.length) truncated();
    throw new CodecError(`encoded message has ${b.length - blobEnd - rawLen} trailing bytes`);
  }
  const blob = blobEnd === pos ? '' : (h & 1) === 0 ? b.utf8Slice(pos, blobEnd) : b.ucs2Slice(pos, blobEnd);
  if (blob.length !== lMsg + lHostname + lFromhost + lFromhostIp + lSyslogtag + lProgramname + lAppName + lProcid +
    lMsgid + lSd + lProto + lInputname + lRuleset + lJson + lLocal + lPeer) throw new CodecError('encoded message string lengths do not add up');
  const raw = Buffer.allocUnsafe(rawLen);
  b.copy(raw, 0, blobEnd, blobEnd + rawLen);
  let s = 0;
  const msg = blob.substring(s, s += lMsg);
  const hostname = blob.substring(s, s += lHostname);
  const fromhost = blob.substring(s, s += lFromhost);
  const fromhostIp = blob.substring(s, s += lFromhostIp);
  const syslogtag = blob.substring(s, s += lSyslogtag);
  const programname = blob.substring(s, s += lProgramname);
  const appName = blob.substring(s, s += lAppName);
  const procid = blob.substring(s, s += lProcid);
  const msgid = blob.substring(s, s += lMsgid);
  const structuredData = blob.substring(s, s += lSd);
  const protocolVersion = blob.substring(s, s += lProto);
  const inputname = blob.substring(s, s += lInputname);
  const ruleset = blob.substring(s, s += lRuleset);
  const json = (flags & FLAG_JSON) !== 0 ? blob.substring(s, s += lJson) : null;
  const local = (flags & FLAG_LOCAL) !== 0 ? blob.substring(s, s += lLocal) : null;
  const tlsPeer = (flags & FLAG_TLS_PEER) !== 0 ? blob.substring(s, s += lPeer) : '';
  const m = new Message(raw, PLACEHOLDER_ORIGIN, t2);
  m.timereported = t1;
  m.msg = msg;
  m.hostname = hostname;
  m.fromhost = fromhost;
  m.fromhostIp = fromhostIp;
  m.syslogtag = syslogtag;
  m.programname = programname;
  m.appName = appName;
  m.procid = procid;
  m.msgid = msgid;
  m.structuredData = structuredData;
  m.facility = facility;
  m.severity = severity;
  m.protocolVersion = protocolVersion;
  m.inputname = inputname;
  m.ruleset = ruleset;
  if (json !== null) m.json = treeFromText(json);
  if (local !== null) m.local = treeFromText(local);
  m.parseFailed = (flags & FLAG_PARSE_FAILED) !== 0;
  m.tlsPeer = tlsPeer;
  return m;
}

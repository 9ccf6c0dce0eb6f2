// A columnar form of a StoredRow batch for the trip to the store's writer thread (src/store/writer-worker.ts).
// Posting StoredRow objects costs a structured clone of ~14 properties per row on both threads; this form is
// three flat values: the numbers in one Float64Array and the texts concatenated into ONE string with their
// lengths in an Int32Array (insertChained transfers both arrays; append() posts a copy, small next to the text,
// and keeps the batch for a re-post if the thread dies). `fields` is JSON-stringified on the sending side, or
// extracted and stringified by decodeRows (below). Measured on 250-byte syslog rows, batches of 5000, µs/row
// sending + receiving side: StoredRow objects 1.26 + 2.6 (2.08 clone, 0.52 stringify), columns with a string
// array 1.36 + 0.71, columns with one string 1.24 + 0.29 (this form).
//
// The store action encodes Messages directly (encodeMessages): no StoredRow objects, and field extraction
// (~4 µs a row, the largest part of the conversion) is left to the receiving side, the writer thread, which
// otherwise waits for the main thread (decodeRows extracts rows marked EXTRACT_LEN).
import type { Message } from '../message';
import { decodeRaw, wellFormed } from '../util/raw-text';
import type { Fields } from '../parse/extract';
import { storedApp, storedFields, storedMsg, type StoredRow } from './backend';

/** Numbers per row in `nums`, in this order. */
export const NUM_COLUMNS = 4;
export const N_TS_REPORTED = 0;
export const N_TS_RECEIVED = 1;
export const N_FACILITY = 2;
export const N_SEVERITY = 3;

/** Texts per row in `lens`/`text`, in this order (TEXT_COLUMNS of them). */
export const T_HOST = 0;
export const T_FROMHOST_IP = 1;
export const T_APP = 2;
export const T_PROCID = 3;
export const T_MSGID = 4;
export const T_STRUCTURED_DATA = 5;
export const T_MSG = 6;
/** Extracted fields as JSON, null when there are none (the column stores NULL then). */
export const T_FIELDS = 7;
export const T_RAW = 8;
/** The TLS peer a writer-side extraction adds as `tls.peer` ('' when none, or when T_FIELDS is given). */
export const T_TLS_PEER = 9;
export const TEXT_COLUMNS = 10;

/** A length that stands for NULL (no text appended). */
const NULL_LEN = -1;
/** T_FIELDS length of a row whose fields the receiving side extracts from its msg, structured data and TLS peer. */
const EXTRACT_LEN = -2;

export interface EncodedRows {
  count: number;
  nums: Float64Array;
  lens: Int32Array;
  text: string;
}

/** The receiving side's view: every text column of every row, as strings (null for NULL). */
export interface DecodedRows {
  count: number;
  nums: Float64Array;
  texts: Array<string | null>;
  /** The batches these rows were decoded from, in order, when they are all of them (packed-rows.ts). */
  sources?: EncodedRows[];
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

/** The `fields` column text: JSON, or null when there are none. */
function fieldsJson(f: Fields): string | null {
  return hasKeys(f) ? JSON.stringify(f) : null;
}

/** Encode rows (sending side). */
export function encodeRows(rows: StoredRow[]): EncodedRows {
  const n = rows.length;
  const nums = new Float64Array(n * NUM_COLUMNS);
  const lens = new Int32Array(n * TEXT_COLUMNS);
  // Grown by += (a rope that postMessage flattens once): measured cheaper than collecting parts and join('').
  let text = '';
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    const o = i * NUM_COLUMNS;
    nums[o + N_TS_REPORTED] = r.tsReported;
    nums[o + N_TS_RECEIVED] = r.tsReceived;
    nums[o + N_FACILITY] = r.facility;
    nums[o + N_SEVERITY] = r.severity;
    const fields = fieldsJson(r.fields);
    const t = i * TEXT_COLUMNS;
    text += r.host + r.fromhostIp + r.app + r.procid + r.msgid + r.structuredData + r.msg;
    lens[t + T_HOST] = r.host.length;
    lens[t + T_FROMHOST_IP] = r.fromhostIp.length;
    lens[t + T_APP] = r.app.length;
    lens[t + T_PROCID] = r.procid.length;
    lens[t + T_MSGID] = r.msgid.length;
    lens[t + T_STRUCTURED_DATA] = r.structuredData.length;
    lens[t + T_MSG] = r.msg.length;
    lens[t + T_FIELDS] = fields === null ? NULL_LEN : fields.length;
    lens[t + T_RAW] = r.raw === null ? NULL_LEN : r.raw.length;
    lens[t + T_TLS_PEER] = 0; // tls.peer is in the fields already
    if (fields !== null) text += fields;
    if (r.raw !== null) text += r.raw;
  }
  return { count: n, nums, lens, text };
}

/**
 * Encode messages[from, to) as toStoredRow would convert them (sending side). Unless `extractHere`, the fields
 * are extracted by decodeRows on the receiving side, except for messages with `$!` variables (a tree that
 * would have to cross too): those rows always carry their fields as JSON.
 */
export function encodeMessages(msgs: readonly Message[], from: number, to: number, keepRaw: boolean, extractHere = false): EncodedRows {
  const n = to - from;
  const nums = new Float64Array(n * NUM_COLUMNS);
  const lens = new Int32Array(n * TEXT_COLUMNS);
  let text = '';
  for (let i = 0; i < n; i++) {
    const m = msgs[from + i]!;
    const o = i * NUM_COLUMNS;
    nums[o + N_TS_REPORTED] = m.timereported.toEpochMicros();
    nums[o + N_TS_RECEIVED] = m.timegenerated.toEpochMicros();
    nums[o + N_FACILITY] = m.facility;
    nums[o + N_SEVERITY] = m.severity;
    const host = wellFormed(m.hostname);
    const app = storedApp(m);
    const procid = wellFormed(m.procid);
    const msgid = wellFormed(m.msgid);
    const sd = wellFormed(m.structuredData);
    const msg = storedMsg(m);
    const later = !extractHere && m.json === null;
    const fields = later ? null : fieldsJson(storedFields(msg, sd, m.json, m.tlsPeer));
    const raw = keepRaw ? decodeRaw(m.rawmsg) : null;
    const t = i * TEXT_COLUMNS;
    text += host + m.fromhostIp + app + procid + msgid + sd + msg;
    lens[t + T_HOST] = host.length;
    lens[t + T_FROMHOST_IP] = m.fromhostIp.length;
    lens[t + T_APP] = app.length;
    lens[t + T_PROCID] = procid.length;
    lens[t + T_MSGID] = msgid.length;
    lens[t + T_STRUCTURED_DATA] = sd.length;
    lens[t + T_MSG] = msg.length;
    lens[t + T_FIELDS] = later ? EXTRACT_LEN : fields === null ? NULL_LEN : fields.length;
    lens[t + T_RAW] = raw === null ? NULL_LEN : raw.length;
    lens[t + T_TLS_PEER] = later ? m.tlsPeer.length : 0;
    if (fields !== null) text += fields;
    if (raw !== null) text += raw;
    if (later) text += m.tlsPeer;
  }
  return { count: n, nums, lens, text };
}

/** The buffers postMessage should transfer rather than copy. */
export function transferList(e: EncodedRows): ArrayBuffer[] {
  return [e.nums.buffer as ArrayBuffer, e.lens.buffer as ArrayBuffer];
}

/**
 * Decode the texts (receiving side): slices of the one string, so no text is copied again. Rows marked for
 * extraction get their fields here (the T_TLS_PEER slot is then done with, and left as it is).
 */
export function decodeRows(e: EncodedRows): DecodedRows {
  const texts = new Array<string | null>(e.lens.length);
  let at = 0;
  let extract = false;
  for (let i = 0; i < e.lens.length; i++) {
    const len = e.lens[i]!;
    if (len < 0) {
      texts[i] = null;
      if (len === EXTRACT_LEN) extract = true;
      continue;
    }
    texts[i] = e.text.slice(at, at + len);
    at += len;
  }
  if (extract) {
    for (let t = 0; t < e.lens.length; t += TEXT_COLUMNS) {
      if (e.lens[t + T_FIELDS] !== EXTRACT_LEN) continue;
      texts[t + T_FIELDS] = fieldsJson(storedFields(texts[t + T_MSG]!, texts[t + T_STRUCTURED_DATA]!, null, texts[t + T_TLS_PEER]!));
    }
  }
  return { count: e.count, nums: e.nums, texts, sources: [e] };
}

/** Several decoded batches as one, in order (the writer commits queued batches of one chain together). */
export function concatDecoded(list: DecodedRows[]): DecodedRows {
  if (list.length === 1) return list[0]!;
  let count = 0;
  for (const d of list) count += d.count;
  const nums = new Float64Array(count * NUM_COLUMNS);
  const texts: Array<string | null> = [];
  let at = 0;
  const sources: EncodedRows[] | undefined = list.every((d) => d.sources !== undefined) ? [] : undefined;
  for (const d of list) {
    nums.set(d.nums, at);
    at += d.nums.length;
    for (const t of d.texts) texts.push(t);
    if (sources !== undefined) sources.push(...d.sources!);
  }
  return { count, nums, texts, sources };
}

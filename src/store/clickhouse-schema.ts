// The ClickHouse `logs` table: its DDL (works on 18.16, which lacks DateTime64), and the StoredRow ⇄ JSONEachRow
// mapping. Column names are the StoredRow names in snake_case, plus the id and dedup columns.
import type { Fields, FieldValue } from '../parse/extract';
import type { Hit, StoredRow } from './backend';
import { sqlIdent } from './clickhouse-sql';
import { tokenColumn } from './clickhouse-text';
import { ipToKey } from './ip';

/** Kinds of an extracted field value, kept so a hit returns each field with its original JSON type. */
const KIND_STRING = 0;
const KIND_NUMBER = 1;
const KIND_BOOLEAN = 2;

/**
 * 18.16 has no DateTime64, so time is kept twice: `ts` (DateTime, whole seconds of tsReceived, UTC) drives the
 * partitioning and the sort key the brief asks for, and the exact µs values sit in Int64 columns. Extracted
 * fields are parallel arrays (18.16 has no Map type); `fromhost_ip_hex` is the 16-byte IPv6 form of the peer
 * address as 32 lower-case hex digits ('' when it is not an address) so CIDR tests are plain string ranges;
 * `msg_tokens` is msg's FTS5-compatible token stream for free text (see clickhouse-text.ts). `batch_id`
 * lets a retry find the rows an unconfirmed attempt committed.
 */
export function createTableSql(database: string, table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${sqlIdent(database)}.${sqlIdent(table)} (
  id UInt64,
  batch_id String,
  ts DateTime('UTC'),
  ts_received_us Int64,
  ts_reported_us Int64,
  host String,
  fromhost_ip String,
  fromhost_ip_hex String,
  app String,
  procid String,
  msgid String,
  facility UInt8,
  severity UInt8,
  structured_data String,
  msg String,
  msg_tokens String,
  field_keys Array(String),
  field_values Array(String),
  field_kinds Array(UInt8),
  raw Nullable(String)
) ENGINE = MergeTree() PARTITION BY toYYYYMMDD(ts) ORDER BY (host, ts)`;
}

/** Columns a search reads back to build a Hit (everything but the dedup bookkeeping). */
export const HIT_COLUMNS =
  'id, ts_received_us, ts_reported_us, host, fromhost_ip, app, procid, msgid, facility, severity, ' +
  'structured_data, msg, field_keys, field_values, field_kinds, raw';

/** One row as JSONEachRow sends it. Int64/UInt64 go as numbers: every value here is a safe integer. */
export interface ChRow {
  id: number;
  batch_id: string;
  ts: number;
  ts_received_us: number;
  ts_reported_us: number;
  host: string;
  fromhost_ip: string;
  fromhost_ip_hex: string;
  app: string;
  procid: string;
  msgid: string;
  facility: number;
  severity: number;
  structured_data: string;
  msg: string;
  msg_tokens: string;
  field_keys: string[];
  field_values: string[];
  field_kinds: number[];
  raw: string | null;
}

/** 16-byte key of an address (shared with SQLite: ./ip.ts) as 32 lower-case hex digits; '' if not an IP. */
export function ipToHex(text: string): string {
  const key = ipToKey(text);
  return key === null ? '' : key.toString('hex');
}

/**
 * Stored text of a value. Booleans are "1"/"0": SQLite's json_extract() reads JSON true/false as the integers
 * 1/0, and the two stores must compare and match them alike.
 */
function fieldText(v: FieldValue): string {
  return typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
}

function fieldKind(v: FieldValue): number {
  return typeof v === 'number' ? KIND_NUMBER : typeof v === 'boolean' ? KIND_BOOLEAN : KIND_STRING;
}

/** Map a StoredRow to its ClickHouse row. `id` and `batchId` come from the writer (see clickhouse-ids.ts). */
export function toChRow(r: StoredRow, id: number, batchId: string): ChRow {
  const keys = Object.keys(r.fields);
  const values = new Array<string>(keys.length);
  const kinds = new Array<number>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const v = r.fields[keys[i]!]!;
    values[i] = fieldText(v);
    kinds[i] = fieldKind(v);
  }
  return {
    id, batch_id: batchId, ts: Math.floor(r.tsReceived / 1_000_000), ts_received_us: r.tsReceived,
    ts_reported_us: r.tsReported, host: r.host, fromhost_ip: r.fromhostIp, fromhost_ip_hex: ipToHex(r.fromhostIp),
    app: r.app, procid: r.procid, msgid: r.msgid, facility: r.facility, severity: r.severity,
    structured_data: r.structuredData, msg: r.msg, msg_tokens: tokenColumn(r.msg), field_keys: keys, field_values: values, field_kinds: kinds,
    raw: r.raw,
  };
}

/** A row as a search reads it back (64-bit integers may arrive quoted, per output_format_json_quote_64bit_integers). */
export interface ChHitRow {
  /** UInt64: quoted in JSON output by default (output_format_json_quote_64bit_integers). */
  id: string | number;
  ts_received_us: string | number;
  ts_reported_us: string | number;
  host: string;
  fromhost_ip: string;
  app: string;
  procid: string;
  msgid: string;
  facility: number;
  severity: number;
  structured_data: string;
  msg: string;
  field_keys: string[];
  field_values: string[];
  field_kinds: number[];
  raw: string | null;
}

function fieldValue(text: string, kind: number): FieldValue {
  if (kind === KIND_NUMBER) return Number(text);
  if (kind === KIND_BOOLEAN) return text === '1';
  return text;
}

/** Rebuild the Hit a search returns, fields in their stored order with their original types. */
export function fromChRow(r: ChHitRow): Hit {
  const fields: Fields = Object.create(null) as Fields;
  for (let i = 0; i < r.field_keys.length; i++) fields[r.field_keys[i]!] = fieldValue(r.field_values[i]!, r.field_kinds[i]!);
  return {
    id: String(r.id), tsReported: Number(r.ts_reported_us), tsReceived: Number(r.ts_received_us), host: r.host,
    fromhostIp: r.fromhost_ip, app: r.app, procid: r.procid, msgid: r.msgid, facility: Number(r.facility),
    severity: Number(r.severity), structuredData: r.structured_data, msg: r.msg, fields, raw: r.raw,
  };
}

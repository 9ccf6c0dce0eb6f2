// The store contract shared by the SQLite and ClickHouse backends: the stored column set, the pure
// Message → StoredRow mapping, and the StoreBackend interface the store actions, CLI and HTTP API call.
import type { Message } from '../message';
import { extractFields, type Fields } from '../parse/extract';
import type { Query } from './query/ast';
import { decodeRaw, wellFormed } from '../util/raw-text';

/**
 * One stored message. Times are integer microseconds since the Unix epoch (UTC). Text columns keep rsyslog's
 * property values: "-" stays "-" for an absent RFC 5424 field, so what a search shows matches what an omfile
 * template would print.
 */
export interface StoredRow {
  /** timereported (the sender's timestamp). */
  tsReported: number;
  /** timegenerated (when Logwarden received it). Partitions and age retention go by this. */
  tsReceived: number;
  /** hostname property. */
  host: string;
  /** fromhost-ip property (peer address as text). */
  fromhostIp: string;
  /** app-name for RFC 5424, programname for RFC 3164 (what a user means by "app"). */
  app: string;
  procid: string;
  msgid: string;
  facility: number;
  severity: number;
  /** structured-data as received, "-" when absent. */
  structuredData: string;
  /** msg property without rsyslog's RFC 3164 leading space (search results show the text, not the framing). */
  msg: string;
  /** Extracted fields (see src/parse/extract.ts): flat dotted paths → scalar values. */
  fields: Fields;
  /**
   * rawmsg, or null when the store does not keep raw messages (the default). Bytes that are not valid UTF-8 are
   * lone surrogates U+DC80..U+DCFF (util/raw-text.ts), so the exact bytes survive; only `msg` is made valid UTF-8.
   */
  raw: string | null;
}

/** A search hit: the stored row plus its backend-assigned id (opaque, unique, increasing with insert order). */
export interface Hit extends StoredRow {
  id: string;
}

/** What search() takes: a parsed query plus paging. */
export interface CompiledQueryInput {
  query: Query;
  /** Extra time bounds (CLI --from/--to, API from=/to=), µs; intersected with the query's own. */
  fromUs?: number | null;
  toUs?: number | null;
  /** Page size for hits (default 100, capped by the backend at MAX_PAGE). A `| limit` in the query wins if smaller. */
  limit?: number;
  /** Opaque cursor from a previous SearchResult.nextCursor; the next page continues after it. */
  cursor?: string | null;
}

export type AggValue = string | number | null;

export type SearchResult =
  /**
   * Hits newest first (or oldest first with `| sort asc`), ordered by (tsReported, id). `nextCursor` is null on
   * the last page. Pages are as of the snapshot the first page saw: rows inserted later never appear in, or
   * shift, later pages of the same cursor chain.
   */
  | { kind: 'hits'; hits: Hit[]; nextCursor: string | null }
  /** Aggregation rows for count/top/timechart; `columns` names each position of a row. */
  | { kind: 'aggregate'; columns: string[]; rows: AggValue[][] };

export interface PartitionStats {
  /** Partition name, e.g. "p20250115" for the UTC day 2025-01-15. */
  name: string;
  /** Start of the partition's tsReceived period (µs). */
  startUs: number;
  rows: number;
  bytes: number;
}

export interface StoreStats {
  rows: number;
  bytes: number;
  partitions: PartitionStats[];
  /** Messages per second inserted over the last minute (0 when idle). */
  ingestRate: number;
  /** Total rows inserted by this process since open. */
  inserted: number;
}

export interface RetentionResult {
  dropped: string[];
}

/** Largest page a backend returns, whatever the caller asks. */
export const MAX_PAGE = 10_000;
export const DEFAULT_PAGE = 100;

export interface StoreBackend {
  /** Insert a batch atomically; resolves after it is committed (visible to search, durable per backend). */
  insert(batch: StoredRow[]): Promise<void>;
  /** Run a query. Rejects with a StoreError (code LW_ERR_QUERY_*) for a query the backend cannot run. */
  search(q: CompiledQueryInput): Promise<SearchResult>;
  stats(): Promise<StoreStats>;
  /** Drop whole partitions older than the age limit or beyond the size limit (oldest first). */
  applyRetention(): Promise<RetentionResult>;
  /** Resolves with the rows accepted but not committed, when the backend holds some of its own (writer thread). */
  close(): Promise<void | number>;
}

/** An error from a store, with a stable code. */
export class StoreError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = 'StoreError';
  }
}

/** rsyslog keeps the space after an RFC 3164 tag as the first byte of msg; a search result shows the text. */
function trimLeadingSpace(s: string): string {
  return s.length > 0 && s.charCodeAt(0) === 0x20 ? s.slice(1) : s;
}

/** The TLS peer's certificate subject as the field `tls.peer` (searchable, shown by the console). */
function withTlsPeer(fields: Fields, peer: string): Fields {
  if (peer !== '') fields['tls.peer'] = wellFormed(peer);
  return fields;
}

/**
 * The `fields` of a stored row: what extractFields finds in msg, structured data and the `$!` tree, plus the TLS
 * peer. `msg` and `sd` are the row's (well-formed) texts; the leading space toStoredRow trims from msg does not
 * change what is extracted (extraction skips leading white space itself).
 */
export function storedFields(msg: string, sd: string, vars: Record<string, unknown> | null, tlsPeer: string): Fields {
  return withTlsPeer(extractFields(msg, sd, vars), tlsPeer);
}

/** The `app` column: app-name for RFC 5424, programname for RFC 3164. */
export function storedApp(m: Message): string {
  return wellFormed(m.protocolVersion === '1' ? m.appName : (m.programname || m.appName));
}

/** The `msg` column: well-formed, without rsyslog's RFC 3164 leading space. */
export function storedMsg(m: Message): string {
  return wellFormed(trimLeadingSpace(m.msg));
}

/** Map a message to its stored form (pure; field extraction included). Text columns must be well-formed
 * (FTS, ClickHouse): bytes that were not UTF-8 become U+FFFD here, while the file outputs keep them. */
export function toStoredRow(m: Message, keepRaw = false): StoredRow {
  const msg = storedMsg(m);
  const sd = wellFormed(m.structuredData);
  return {
    tsReported: m.timereported.toEpochMicros(),
    tsReceived: m.timegenerated.toEpochMicros(),
    host: wellFormed(m.hostname),
    fromhostIp: m.fromhostIp,
    app: storedApp(m),
    procid: wellFormed(m.procid),
    msgid: wellFormed(m.msgid),
    facility: m.facility,
    severity: m.severity,
    structuredData: sd,
    msg,
    fields: storedFields(msg, sd, m.json, m.tlsPeer),
    raw: keepRaw ? decodeRaw(m.rawmsg) : null, // exact bytes: invalid UTF-8 as escapes, stored as a BLOB
  };
}

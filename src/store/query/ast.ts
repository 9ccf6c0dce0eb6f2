// The search query AST: what the query parser produces and every store backend (SQLite, ClickHouse) compiles.
// Plain JSON-serialisable data; names are resolved and values normalised at parse time, so a backend only
// translates nodes, it never re-interprets user text.

/**
 * Fixed columns every backend stores (see StoredRow in ../backend.ts). Query spellings map onto these:
 * hostname→host, programname/appname/tag→app, fromhost_ip/ip→fromhost-ip, sd→structured-data, pri is not one.
 */
export type ColumnName =
  | 'host' | 'fromhost-ip' | 'app' | 'procid' | 'msgid' | 'facility' | 'severity' | 'msg' | 'raw'
  | 'structured-data';

/** A field as a query names it: a fixed column, or an extracted field path ("json.params.username"). */
export type FieldRef =
  | { kind: 'column'; name: ColumnName }
  | { kind: 'extracted'; path: string };

/** Comparison of a field term: `f:v` is eq, `f:<v` lt, `f:<=v` le, `f:>v` gt, `f:>=v` ge, `f:!=v` ne. */
export type CmpOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

/** Every node carries `pos`: the 1-based column in the query text where it starts (for error displays). */
export type QueryNode =
  /**
   * Free text over msg (full-text index). `value` is a bare word or a quoted phrase; `phrase` is true for
   * quoted text. `prefix` is true for a bare word ending in `*` (value excludes the `*`).
   */
  | { kind: 'text'; value: string; phrase: boolean; prefix: boolean; pos: number }
  /**
   * Field comparison. `value` is a number for facility/severity (names already mapped to numbers) and for
   * extracted fields whose text is a plain decimal number compared with <,<=,>,>=; a string otherwise.
   * When `wildcard` is true `value` is a glob: `*` any run, `?` one character (only with eq/ne).
   */
  | { kind: 'field'; field: FieldRef; op: CmpOp; value: string | number; wildcard: boolean; pos: number }
  /** `f:*`: the field is present and non-empty (extracted), or not "-"/empty (columns). */
  | { kind: 'exists'; field: FieldRef; pos: number }
  /**
   * `fromhost-ip:10.0.0.0/8` or `fromhost-ip:2001:db8::/32`. `lo`/`hi` are the inclusive bounds of the range
   * as 32 hex digits of the 16-byte IPv6 form (IPv4 as ::ffff:a.b.c.d, RFC 4291 §2.5.5.2), so byte order is
   * numeric order. `cidr` is the normalised text ("10.0.0.0/8") for backends with a native range function.
   */
  | { kind: 'cidr'; field: FieldRef; cidr: string; lo: string; hi: string; pos: number }
  /**
   * `received:>=-5m`: a bound on when Logwarden received the message (tsReceived, µs since the epoch), not the
   * sender's timestamp. `received:-5m` means `>=`. Unlike `-15m`/`from:`/`to:` it is an ordinary filter term.
   */
  | { kind: 'received'; op: 'lt' | 'le' | 'gt' | 'ge'; us: number; pos: number }
  | { kind: 'and'; left: QueryNode; right: QueryNode; pos: number }
  | { kind: 'or'; left: QueryNode; right: QueryNode; pos: number }
  | { kind: 'not'; operand: QueryNode; pos: number };

/** Stages after `|`. A query has at most one aggregating stage (count/top/timechart), then optional limit. */
export type Pipe =
  /** `| count` (by: []) or `| count by host, app`: one row per group, columns [...by, "count"], largest first. */
  | { kind: 'count'; by: FieldRef[]; pos: number }
  /** `| top 10 app`: the n most frequent values, columns [field, "count"]. */
  | { kind: 'top'; n: number; field: FieldRef; pos: number }
  /**
   * `| timechart 1m [by severity]`: rows [bucket start (µs since epoch, UTC), (by value,) count], ordered by
   * bucket. Buckets are aligned to multiples of bucketUs since the epoch. `on: 'received'` (set by the API's
   * histogram with time=received, not by query text) buckets by tsReceived instead of tsReported.
   */
  | { kind: 'timechart'; bucketUs: number; by: FieldRef | null; pos: number; on?: 'received' }
  /** `| sort asc|desc`: order of hits by reported time (default desc = newest first). */
  | { kind: 'sort'; order: 'asc' | 'desc'; pos: number }
  /** `| limit N`: at most N hits per page / N aggregation rows. */
  | { kind: 'limit'; n: number; pos: number };

/** A parsed query. Time bounds are absolute microseconds since the epoch (relative ones resolved at parse). */
export interface Query {
  /** The filter; null matches everything. */
  where: QueryNode | null;
  /** Inclusive lower bound on ts_reported, from `-15m` or `from:`. */
  fromUs: number | null;
  /** Exclusive upper bound on ts_reported, from `to:`. */
  toUs: number | null;
  pipes: Pipe[];
  /** The original text, for logs and error displays. */
  text: string;
}

/** Names of the fixed columns as results report them (hits and aggregation headers). */
export function fieldName(f: FieldRef): string {
  return f.kind === 'column' ? f.name : f.path;
}

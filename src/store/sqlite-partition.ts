// One SQLite store partition: a database file holding one UTC day of received messages, with its FTS5 index
// and a small meta table (row count, id and time bounds) used for pruning and stats without scanning.
//
// Why a file per partition rather than tables in one file: retention unlinks whole files, so disk space comes
// back at once (dropping a table only moves pages to the freelist), size accounting is a stat() per file, and a
// long search on old partitions never shares a WAL with the writer.
import Database from 'better-sqlite3';
import { closeSync, existsSync, fchmodSync, openSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredRow } from './backend';
import { DIMS_OFF_KEY, DIMS_SCHEMA, DimsWriter } from './columns';
import * as E from './encoded-rows';
import { loadNativeExtension, nativeInUse } from './fts-bitmap';
import { packRows } from './packed-rows';
import { ipToKey } from './ip';
import { encodeRaw, markRawEscapes } from '../util/raw-text';
import { NUM_FN } from './query/compile-sqlite';

export const DAY_US = 86_400_000_000;
/** How long the (main-thread) writer waits for a lock before SQLITE_BUSY. */
const WRITER_BUSY_TIMEOUT_MS = 100;
const READER_BUSY_TIMEOUT_MS = 5_000;
export const PARTITION_FILE = /^p(\d{4})(\d{2})(\d{2})\.db$/;

/**
 * FTS5 over msg: contentless (content='', the text already lives in `logs`, so the index holds no second copy),
 * columnsize=0 (no BM25 ranking: results are ordered by time), tokenizer unicode61 with diacritics removed:
 * case-insensitive words split at punctuation, so "10.0.0.1" or "/var/log" are searched as phrases of their
 * parts. trigram would allow infix matches but triples the index and halves insert speed.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS logs (
  id INTEGER PRIMARY KEY, ts_reported INTEGER NOT NULL, ts_received INTEGER NOT NULL,
  host TEXT NOT NULL, fromhost_ip TEXT NOT NULL, ip_key BLOB, app TEXT NOT NULL, procid TEXT NOT NULL,
  msgid TEXT NOT NULL, facility INTEGER NOT NULL, severity INTEGER NOT NULL, structured_data TEXT NOT NULL,
  msg TEXT NOT NULL, fields TEXT, raw TEXT);
CREATE INDEX IF NOT EXISTS logs_ts ON logs(ts_reported, id);
CREATE VIRTUAL TABLE IF NOT EXISTS logs_fts USING fts5(msg, content='', columnsize=0,
  tokenize='unicode61 remove_diacritics 2');
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS marks (id_end INTEGER PRIMARY KEY, max_ts INTEGER NOT NULL);
${DIMS_SCHEMA}`;

const FTS_AUTOMERGE = 8;
const PAGE_SIZE = 16384;
const WAL_CHECKPOINT_PAGES = 4096;

/** Column order of the insert statements (15 values per row). */
const INSERT_COLUMNS = 'id, ts_reported, ts_received, host, fromhost_ip, ip_key, app, procid, msgid, facility, severity, '
  + 'structured_data, msg, fields, raw';
/** Rows per multi-row INSERT (15 × 64 = 960 bound values, under SQLite's default limit of 32,766). */
const ROWS_PER_INSERT = 64;

export const ROW_COLUMNS =
  'id, ts_reported, ts_received, host, fromhost_ip, app, procid, msgid, facility, severity, structured_data, msg, fields, raw';

export function partitionName(tsReceivedUs: number): string {
  const d = new Date(Math.floor(tsReceivedUs / DAY_US) * 86_400_000);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `p${String(d.getUTCFullYear()).padStart(4, '0')}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}`;
}

export function partitionStart(name: string): number {
  const y = Number(name.slice(1, 5));
  const m = Number(name.slice(5, 7));
  const d = Number(name.slice(7, 9));
  return Date.UTC(y, m - 1, d) * 1000;
}

/** A JSON value as a number, or NULL: numbers pass, numeric text converts, anything else is NULL. */
function numOf(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && /^\s*-?\d+(?:\.\d+)?\s*$/.test(v)) return Number(v);
  return null;
}

/** A lone low surrogate U+DC80..U+DCFF: an escaped byte of rawmsg that was not valid UTF-8 (util/raw-text.ts). */
const RAW_ESCAPE = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;

/**
 * The `raw` column value: valid UTF-8 as TEXT; a rawmsg that is not valid UTF-8 as a BLOB of its exact bytes
 * (SQLite keeps a BLOB as is in a TEXT column; LIKE and instr read it as text, so `raw:` search still matches).
 */
function rawValue(raw: string | null | undefined): string | Buffer | null {
  if (raw === null || raw === undefined || !RAW_ESCAPE.test(raw)) return raw ?? null;
  markRawEscapes(); // this thread's encoder must write escaped bytes back (the flag is per thread)
  return encodeRaw(raw);
}

/** Mode of new partition files (SQLite gives its -wal and -shm files the same): owner rw, group r. */
export const DEFAULT_FILE_MODE = 0o640;

/**
 * Create an empty database file with `mode` whatever the umask (SQLite opens an empty file as a new database and
 * copies its mode to the -wal/-shm files it creates).
 */
function createWithMode(file: string, mode: number): void {
  const fd = openSync(file, 'a', mode);
  try {
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}

export class Partition {
  readonly name: string;
  readonly startUs: number;
  readonly file: string;
  readonly db: Database.Database;
  minTs = Number.MAX_SAFE_INTEGER;
  maxTs = Number.MIN_SAFE_INTEGER;
  rows = 0;
  maxId = 0;
  private readonly insertRow: Database.Statement | null = null;
  private readonly insertFtsRange: Database.Statement | null = null;
  private insertRows: Database.Statement | null = null;
  /** The INSERT from the native lw_rows function (packed-rows.ts), prepared on first use. */
  private insertPacked: Database.Statement | null = null;
  private packedUnavailable = false;
  private readonly putMeta: Database.Statement | null = null;
  private readonly putMark: Database.Statement | null = null;
  private boundStmt: Database.Statement | null = null;
  /** The column-cache blocks this writer adds with each insert (columns.ts); null for readers. */
  private dims: DimsWriter | null = null;
  private readonly dictLimit: number | undefined;

  /** `dictLimit`: most distinct hosts/apps the column cache codes (tests lower it to reach the fallback). */
  constructor(dir: string, name: string, readonly: boolean, dictLimit?: number, fileMode = DEFAULT_FILE_MODE) {
    this.name = name;
    this.startUs = partitionStart(name);
    this.file = join(dir, `${name}.db`);
    if (!readonly && !existsSync(this.file)) createWithMode(this.file, fileMode);
    // better-sqlite3 is synchronous: a long busy wait would freeze the event loop and every input with it. The
    // writer gives up quickly (SQLITE_BUSY → the action rejects → the queue retries and applies backpressure);
    // readers (search, in a worker thread) may wait longer.
    this.db = new Database(this.file, { readonly, fileMustExist: readonly, timeout: readonly ? READER_BUSY_TIMEOUT_MS : WRITER_BUSY_TIMEOUT_MS });
    this.db.function(NUM_FN, { deterministic: true }, numOf);
    loadNativeExtension(this.db); // optional lw_bitmap aggregate (docs/store.md, Native helper)
    if (!readonly) {
      // 16 KiB pages: FTS5 segments and the wide rows split less; measured ~15-30% faster ingest than 4 KiB here.
      // Only takes effect when the file is created (before WAL is on).
      this.db.pragma(`page_size = ${PAGE_SIZE}`);
      this.db.pragma('journal_mode = WAL');
      // Checkpoint every 64 MiB of WAL instead of 4 MiB: fewer checkpoint stalls in the middle of big batches.
      this.db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
      // NORMAL in WAL mode: a commit survives a process crash; only an OS crash can lose the last transactions.
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('cache_size = -32768');
      this.db.exec(SCHEMA);
      // Merge FTS5 segments 8 at a time instead of 4: ~10% faster ingest measured here, queries barely slower.
      this.db.exec(`INSERT INTO logs_fts (logs_fts, rank) VALUES ('automerge', ${FTS_AUTOMERGE})`);
      this.insertRow = this.db.prepare(`INSERT INTO logs (${INSERT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
      this.insertFtsRange = this.db.prepare('INSERT INTO logs_fts (rowid, msg) SELECT id, msg FROM logs WHERE id BETWEEN ? AND ?');
      this.putMeta = this.db.prepare('INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)');
      this.putMark = this.db.prepare('INSERT OR REPLACE INTO marks (id_end, max_ts) VALUES (?, ?)');
    }
    this.db.pragma('temp_store = MEMORY');
    this.loadMeta();
    this.dictLimit = dictLimit;
    if (!readonly) this.dims = this.openDims();
  }

  /** The column-cache writer as the database has it: dictionaries, and whether blocks still cover every row. */
  private openDims(): DimsWriter {
    // Blocks only help when they cover every row: a partition written before they existed gets none.
    const covered = this.db.prepare('SELECT coalesce(sum(n), 0) FROM dims').pluck().get() as number;
    const off = this.db.prepare('SELECT v FROM meta WHERE k = ?').pluck().get(DIMS_OFF_KEY) as number | undefined;
    return new DimsWriter(this.db, covered === this.rows && (off ?? 0) === 0, this.dictLimit);
  }

  /**
   * After a rolled-back insert the writer's in-memory dictionaries may hold codes whose dict rows were rolled
   * back, and the retry would write blocks naming codes no reader can resolve. Re-read them from the database;
   * if even that fails, stop writing blocks (searches of this partition then use SQL, which is always right).
   */
  private resyncDims(): void {
    try {
      this.dims = this.openDims();
    } catch {
      this.dims!.on = false;
    }
  }

  private loadMeta(): void {
    const rows = this.db.prepare('SELECT k, v FROM meta').all() as Array<{ k: string; v: number }>;
    for (const r of rows) {
      if (r.k === 'min_ts') this.minTs = r.v;
      else if (r.k === 'max_ts') this.maxTs = r.v;
      else if (r.k === 'rows') this.rows = r.v;
      else if (r.k === 'max_id') this.maxId = r.v;
    }
  }

  /** Re-read the meta table (a reader sees the writer's progress in another process). */
  refresh(): void {
    this.loadMeta();
  }

  /** Insert rows with their ids in one transaction (the caller's ids are increasing). */
  insert(rows: StoredRow[], firstId: number, ipCache: Map<string, Buffer | null>): void {
    this.insertEncoded(E.decodeRows(E.encodeRows(rows)), 0, rows.length, firstId, ipCache);
  }

  /**
   * Insert rows [from, from + count) of a columnar batch (encoded-rows.ts; the writer thread's form) with ids
   * firstId.. in one transaction: the rows, their FTS entries, the column-cache block, meta and marks.
   */
  insertEncoded(b: E.DecodedRows, from: number, count: number, firstId: number, ipCache: Map<string, Buffer | null>): void {
    let minTs = this.minTs;
    let maxTs = this.maxTs;
    const { nums, texts } = b;
    // One row's 15 values, appended to `args` (column order of INSERT_COLUMNS).
    const push = (args: unknown[], i: number): void => {
      const o = (from + i) * E.NUM_COLUMNS;
      const t = (from + i) * E.TEXT_COLUMNS;
      const ip = texts[t + E.T_FROMHOST_IP]!;
      let key = ipCache.get(ip);
      if (key === undefined) {
        key = ipToKey(ip);
        ipCache.set(ip, key);
      }
      const tsReported = nums[o + E.N_TS_REPORTED]!;
      if (tsReported < minTs) minTs = tsReported;
      if (tsReported > maxTs) maxTs = tsReported;
      args.push(firstId + i, tsReported, nums[o + E.N_TS_RECEIVED]!, texts[t + E.T_HOST]!, ip, key, texts[t + E.T_APP]!,
        texts[t + E.T_PROCID]!, texts[t + E.T_MSGID]!, nums[o + E.N_FACILITY]!, nums[o + E.N_SEVERITY]!,
        texts[t + E.T_STRUCTURED_DATA]!, texts[t + E.T_MSG]!, texts[t + E.T_FIELDS], rawValue(texts[t + E.T_RAW]));
    };
    const lastId = firstId + count - 1;
    // The whole batch in one statement through the native helper when it is loaded and the texts allow it.
    const packed = from === 0 && count === b.count && this.packedInsert() !== null ? packRows(b, ipCache) : null;
    if (packed !== null) {
      for (let i = 0; i < count; i++) {
        const ts = nums[i * E.NUM_COLUMNS + E.N_TS_REPORTED]!;
        if (ts < minTs) minTs = ts;
        if (ts > maxTs) maxTs = ts;
      }
    }
    const write = this.db.transaction(() => {
      if (packed !== null) {
        this.insertPacked!.run(packed.nums, packed.cells, packed.data, BigInt(firstId));
      } else {
        this.insertBound(count, push);
      }
      // The FTS index reads the batch's text back from `logs` (pages still in cache) in one statement: the
      // text does not cross from JS a second time.
      this.insertFtsRange!.run(firstId, lastId);
      this.writeDims(b, from, count, firstId);
      const put = this.putMeta!;
      put.run('min_ts', minTs);
      put.run('max_ts', maxTs);
      put.run('rows', this.rows + count);
      put.run('max_id', lastId);
      this.putMark!.run(lastId, maxTs);
    });
    try {
      write();
    } catch (e) {
      if (this.dims !== null) this.resyncDims();
      throw e;
    }
    this.minTs = minTs;
    this.maxTs = maxTs;
    this.rows += count;
    this.maxId = firstId + count - 1;
  }

  /**
   * The native insert statement, or null when the helper is not in use (LW_NO_NATIVE=1, not built) or is a
   * build from before lw_rows (the statement does not prepare: the portable insert then serves for good).
   */
  private packedInsert(): Database.Statement | null {
    if (this.insertPacked === null && !this.packedUnavailable && nativeInUse(this.db)) {
      try {
        this.insertPacked = this.db.prepare(`INSERT INTO logs (${INSERT_COLUMNS}) SELECT ${INSERT_COLUMNS} FROM lw_rows(?, ?, ?, ?)`);
      } catch {
        this.packedUnavailable = true;
      }
    }
    return nativeInUse(this.db) ? this.insertPacked : null;
  }

  /** The portable insert: rows [0, count) bound value by value, `push` appending one row's 15 values. */
  private insertBound(count: number, push: (args: unknown[], i: number) => void): void {
    // Rows go in ROWS_PER_INSERT at a time: one statement step per group instead of one per row (measured
    // 143k → 176k rows/s with the FTS change below, 1M rows, this machine).
    const multi = this.insertRows ??= this.db.prepare(`INSERT INTO logs (${INSERT_COLUMNS}) VALUES ${
      Array(ROWS_PER_INSERT).fill(`(${Array(15).fill('?').join(',')})`).join(',')}`);
    let i = 0;
    for (; i + ROWS_PER_INSERT <= count; i += ROWS_PER_INSERT) {
      const args: unknown[] = [];
      for (let k = i; k < i + ROWS_PER_INSERT; k++) push(args, k);
      multi.run(args);
    }
    for (; i < count; i++) {
      const args: unknown[] = [];
      push(args, i);
      this.insertRow!.run(args);
    }
  }

  private writeDims(b: E.DecodedRows, from: number, count: number, firstId: number): void {
    const dims = this.dims!;
    if (!dims.on) return;
    const { nums, texts } = b;
    const ok = dims.write(firstId, count, (i, out) => {
      const o = (from + i) * E.NUM_COLUMNS;
      const t = (from + i) * E.TEXT_COLUMNS;
      out.ts = nums[o + E.N_TS_REPORTED]!;
      out.host = texts[t + E.T_HOST]!;
      out.app = texts[t + E.T_APP]!;
      out.severity = nums[o + E.N_SEVERITY]!;
      out.facility = nums[o + E.N_FACILITY]!;
    });
    if (!ok) this.putMeta!.run(DIMS_OFF_KEY, 1);
  }

  /** Largest id below which every row was reported before `ts` (running-maximum marks); 0 when none. */
  idsBefore(ts: number): number {
    return (this.db.prepare('SELECT max(id_end) FROM marks WHERE max_ts < ?').pluck().get(ts) as number | null) ?? 0;
  }

  /**
   * An upper bound on ts_reported of every row with id <= `id`: the running maximum recorded after the first
   * batch that ended at or beyond `id`. Lets a newest-first walk over id ranges stop early (SqliteStore).
   */
  maxTsUpTo(id: number): number {
    this.boundStmt ??= this.db.prepare('SELECT max_ts FROM marks WHERE id_end >= ? ORDER BY id_end LIMIT 1').pluck();
    const v = this.boundStmt.get(id) as number | undefined;
    return v ?? this.maxTs;
  }

  /** Smallest id in the partition (0 when empty). */
  minId(): number {
    return (this.db.prepare('SELECT id FROM logs ORDER BY id LIMIT 1').pluck().get() as number | undefined) ?? 0;
  }

  /** Bytes on disk: the database plus its WAL. */
  bytes(): number {
    let n = 0;
    for (const f of [this.file, `${this.file}-wal`]) {
      try {
        n += statSync(f).size;
      } catch {
        // absent WAL
      }
    }
    return n;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Close and delete the partition's files. */
  drop(): void {
    this.close();
    for (const f of [this.file, `${this.file}-wal`, `${this.file}-shm`]) {
      try {
        unlinkSync(f);
      } catch {
        // already gone
      }
    }
  }
}

/*
** lw_sqlite: a loadable SQLite extension with helpers for the Logwarden store.
**
** lw_bitmap(rowid, lo, hi)  (aggregate)
**   Returns a BLOB of ceil((hi-lo+1)/32) little-endian uint32 words in which bit (rowid-lo) is set for each
**   row whose rowid lies in [lo, hi]. Rows outside the range and NULL rowids are ignored (a NULL rowid still
**   fixes the range, so a query can pass one sentinel row to get a zero blob of the right size). lo and hi
**   must be integers (or integral REALs) and the same on every row; hi < lo is an empty range (zero-length blob); a range wider
**   than LW_BITMAP_MAX_IDS ids is an SQL error. When the aggregate sees no row at all it cannot know the
**   range and returns a zero-length blob (never NULL); the caller maps that to an empty bitmap.
**
**   Used by src/store/fts-bitmap.ts to turn the rows matching an FTS5 expression into a bitmap without
**   converting millions of rowids to text and back.
**
** lw_rows(nums, cells, data, first_id)  (table-valued function)
**   The rows of one store insert, packed by src/store/packed-rows.ts, as the 15 columns of `logs` in the order
**   of its INSERT: `INSERT INTO logs (...) SELECT * FROM lw_rows(?, ?, ?, ?)` binds 4 values per batch instead
**   of 15 per row. nums: 4 float64 (host order) per row: ts_reported, ts_received, facility, severity. cells:
**   LW_ROWS_CELLS pairs of int32 (host order) per row, (byte offset, byte length) into data, length -1 for
**   NULL: host, fromhost_ip, ip_key, app, procid, msgid, structured_data, msg, fields, raw. ip_key is returned
**   as a BLOB, every other cell as TEXT (data holds UTF-8). Row i gets id first_id + i. Every offset and
**   length is checked against data; a malformed batch is an SQL error, never a read outside the blobs.
**
** Build: scripts/build-native.mjs (cc -O2 -fPIC -shared, against the sqlite3ext.h bundled with better-sqlite3).
** The entry point is the name SQLite derives from the file name lw_sqlite.so: "sqlite3_" + the letters of the
** base name ("lwsqlite") + "_init".
*/
#include <string.h>
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT1 /* declares the sqlite3_api pointer every sqlite3_* call goes through */

/* Widest accepted range: 2^31 ids, a 256 MiB bitmap. Beyond that the caller has a bug, not a big partition. */
#define LW_BITMAP_MAX_IDS ((sqlite3_int64)1 << 31)

/* Bits per byte of the bitmap; bits are set byte by byte (see lwBitmapSet). */
#define LW_BYTE_BITS 8

/* Bytes per word of the result: the blob is a whole number of uint32 words. */
#define LW_WORD_BYTES 4

/*
** Per-group state, kept in the block sqlite3_aggregate_context() hands out. SQLite zero-fills that block on
** first request, so `started == 0` means "no row seen yet". The bitmap itself is a separate sqlite3_malloc64
** block (the context block is meant to be small, and the result takes ownership of the bitmap in xFinal).
*/
typedef struct LwBitmapCtx {
  int started;          /* 1 once lo/hi were read from the first row */
  int failed;           /* 1 after an error was reported: later rows do nothing */
  sqlite3_int64 lo;     /* first id of the range */
  sqlite3_int64 hi;     /* last id of the range (hi < lo: empty range) */
  sqlite3_uint64 nByte; /* size of bits[]: a multiple of LW_WORD_BYTES */
  unsigned char *bits;  /* the bitmap (NULL when nByte == 0) */
} LwBitmapCtx;

/* Bytes needed for ids [lo, hi]: ceil(n / 32) words of 4 bytes; 0 for an empty range. */
static sqlite3_uint64 lwBitmapBytes(sqlite3_int64 lo, sqlite3_int64 hi) {
  sqlite3_uint64 n;
  if (hi < lo) return 0;
  n = (sqlite3_uint64)(hi - lo) + 1; /* hi - lo cannot overflow here: the caller bounded it first */
  return ((n + 31) / 32) * LW_WORD_BYTES;
}

/*
** Sets bit `off` of the bitmap. Setting it in byte (off / 8), bit (off % 8), gives exactly the layout of
** little-endian uint32 words (bit k of word w is bit k%8 of byte 4w + k/8) on any host byte order.
*/
static void lwBitmapSet(unsigned char *bits, sqlite3_uint64 off) {
  bits[off / LW_BYTE_BITS] |= (unsigned char)(1u << (off % LW_BYTE_BITS));
}

/* Reports `msg` once for this group and makes later rows no-ops (SQLite stops the statement on the error). */
static void lwBitmapFail(sqlite3_context *ctx, LwBitmapCtx *p, const char *msg) {
  p->failed = 1;
  sqlite3_result_error(ctx, msg, -1);
}

/* Doubles in [-LW_INT64_LIMIT, LW_INT64_LIMIT) convert to sqlite3_int64 without overflow (2^63). */
#define LW_INT64_LIMIT 9223372036854775808.0

/*
** Reads an integral argument into *out; returns 0 if it is not one. An integral REAL is accepted because
** better-sqlite3 binds every JS number as a double (only a BigInt binds as INTEGER).
*/
static int lwIntArg(sqlite3_value *v, sqlite3_int64 *out) {
  double d;
  switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
      *out = sqlite3_value_int64(v);
      return 1;
    case SQLITE_FLOAT:
      d = sqlite3_value_double(v);
      /* Range check first: casting an out-of-range (or NaN) double to an integer is undefined behaviour. */
      if (!(d >= -LW_INT64_LIMIT && d < LW_INT64_LIMIT)) return 0;
      *out = (sqlite3_int64)d;
      return (double)*out == d; /* false for a fraction such as 1.5 */
    default:
      return 0;
  }
}

/* First row of a group: validates lo/hi and allocates the zeroed bitmap. Returns 0 on error (reported). */
static int lwBitmapStart(sqlite3_context *ctx, LwBitmapCtx *p, sqlite3_value *vLo, sqlite3_value *vHi) {
  if (!lwIntArg(vLo, &p->lo) || !lwIntArg(vHi, &p->hi)) {
    lwBitmapFail(ctx, p, "lw_bitmap: lo and hi must be integers");
    return 0;
  }
  /* Compare in two steps so that hi - lo is never computed when it could overflow (lo very negative). */
  if (p->hi >= p->lo && (p->lo < 0 ? p->hi >= p->lo + LW_BITMAP_MAX_IDS : p->hi - p->lo >= LW_BITMAP_MAX_IDS)) {
    lwBitmapFail(ctx, p, "lw_bitmap: range hi - lo + 1 exceeds 2^31 ids");
    return 0;
  }
  p->nByte = lwBitmapBytes(p->lo, p->hi);
  if (p->nByte > 0) {
    p->bits = sqlite3_malloc64(p->nByte);
    if (p->bits == 0) {
      p->failed = 1;
      sqlite3_result_error_nomem(ctx);
      return 0;
    }
    memset(p->bits, 0, (size_t)p->nByte);
  }
  p->started = 1;
  return 1;
}

/* xStep: one matching row. */
static void lwBitmapStep(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  LwBitmapCtx *p;
  sqlite3_int64 id;
  (void)argc; /* always 3: the function is registered with nArg = 3 */
  p = (LwBitmapCtx *)sqlite3_aggregate_context(ctx, (int)sizeof(*p));
  if (p == 0) {
    sqlite3_result_error_nomem(ctx); /* the context block itself could not be allocated */
    return;
  }
  if (p->failed) return;
  if (!p->started) {
    if (!lwBitmapStart(ctx, p, argv[1], argv[2])) return;
  } else if (sqlite3_value_int64(argv[1]) != p->lo || sqlite3_value_int64(argv[2]) != p->hi) {
    /* One bitmap has one range: a row-dependent lo/hi is a caller bug, not something to guess around. */
    lwBitmapFail(ctx, p, "lw_bitmap: lo and hi must be the same on every row");
    return;
  }
  if (sqlite3_value_type(argv[0]) != SQLITE_INTEGER) return; /* NULL (sentinel) or non-integer: no bit */
  id = sqlite3_value_int64(argv[0]);
  if (id < p->lo || id > p->hi) return; /* outside the range: ignored by contract */
  lwBitmapSet(p->bits, (sqlite3_uint64)(id - p->lo));
}

/* xFinal: hands the bitmap to SQLite as the result (no copy: sqlite3_free becomes its destructor). */
static void lwBitmapFinal(sqlite3_context *ctx) {
  /* nByte 0: do not allocate a context just to learn that no row was seen. */
  LwBitmapCtx *p = (LwBitmapCtx *)sqlite3_aggregate_context(ctx, 0);
  if (p == 0 || !p->started) {
    sqlite3_result_zeroblob(ctx, 0); /* no row seen: range unknown, an empty (not NULL) blob */
    return;
  }
  if (p->failed) {
    sqlite3_free(p->bits); /* the error is already set; only release memory */
    p->bits = 0;
    return;
  }
  if (p->bits == 0) {
    sqlite3_result_zeroblob(ctx, 0); /* empty range (hi < lo) */
    return;
  }
  /* Ownership moves to SQLite, which calls sqlite3_free when done (also when the blob is too big). */
  sqlite3_result_blob64(ctx, p->bits, p->nByte, sqlite3_free);
  p->bits = 0;
}

/* ---- lw_rows ---- */

/* Text cells per row, and the ones returned as a BLOB / the ones that go to an integer column. */
#define LW_ROWS_CELLS 10
#define LW_ROWS_NUMS 4
#define LW_ROWS_CELL_IP_KEY 2
/* Columns: id, then for each `logs` column (after id) either a num (index) or a cell (LW_ROWS_CELL + index). */
#define LW_ROWS_CELL 100
static const int lwRowsColumn[14] = {
  0, 1,                                    /* ts_reported, ts_received */
  LW_ROWS_CELL + 0, LW_ROWS_CELL + 1, LW_ROWS_CELL + 2, LW_ROWS_CELL + 3, LW_ROWS_CELL + 4, LW_ROWS_CELL + 5,
  2, 3,                                    /* facility, severity */
  LW_ROWS_CELL + 6, LW_ROWS_CELL + 7, LW_ROWS_CELL + 8, LW_ROWS_CELL + 9,
};
/* Visible columns (id + 14), then the hidden argument columns. */
#define LW_ROWS_VISIBLE 15
#define LW_ROWS_ARGS 4

typedef struct LwRowsCursor {
  sqlite3_vtab_cursor base;
  sqlite3_int64 row;      /* current row */
  sqlite3_int64 nRow;
  sqlite3_int64 firstId;
  double *nums;           /* copies of the argument blobs (aligned, owned) */
  int *cells;
  unsigned char *data;
} LwRowsCursor;

static int lwRowsConnect(sqlite3 *db, void *pAux, int argc, const char *const *argv, sqlite3_vtab **ppVtab, char **pzErr) {
  sqlite3_vtab *v;
  int rc;
  (void)pAux; (void)argc; (void)argv; (void)pzErr;
  rc = sqlite3_declare_vtab(db, "CREATE TABLE x(id, ts_reported, ts_received, host, fromhost_ip, ip_key, app, procid, "
      "msgid, facility, severity, structured_data, msg, fields, raw, "
      "a_nums HIDDEN, a_cells HIDDEN, a_data HIDDEN, a_first_id HIDDEN)");
  if (rc != SQLITE_OK) return rc;
  v = (sqlite3_vtab *)sqlite3_malloc(sizeof(*v));
  if (v == 0) return SQLITE_NOMEM;
  memset(v, 0, sizeof(*v));
  *ppVtab = v;
  return SQLITE_OK;
}

static int lwRowsDisconnect(sqlite3_vtab *v) {
  sqlite3_free(v);
  return SQLITE_OK;
}

/* All four arguments must be given (equality constraints on the hidden columns), in argument order. */
static int lwRowsBestIndex(sqlite3_vtab *v, sqlite3_index_info *info) {
  int i, seen = 0;
  (void)v;
  for (i = 0; i < info->nConstraint; i++) {
    const struct sqlite3_index_constraint *c = &info->aConstraint[i];
    int arg = c->iColumn - LW_ROWS_VISIBLE;
    if (arg < 0 || arg >= LW_ROWS_ARGS) continue;
    if (!c->usable || c->op != SQLITE_INDEX_CONSTRAINT_EQ) return SQLITE_CONSTRAINT;
    info->aConstraintUsage[i].argvIndex = arg + 1;
    info->aConstraintUsage[i].omit = 1;
    seen |= 1 << arg;
  }
  if (seen != (1 << LW_ROWS_ARGS) - 1) {
    sqlite3_free(v->zErrMsg);
    v->zErrMsg = sqlite3_mprintf("lw_rows: needs 4 arguments (nums, cells, data, first_id)");
    return SQLITE_ERROR;
  }
  info->estimatedCost = 1;
  return SQLITE_OK;
}

static int lwRowsOpen(sqlite3_vtab *v, sqlite3_vtab_cursor **ppCur) {
  LwRowsCursor *c;
  (void)v;
  c = (LwRowsCursor *)sqlite3_malloc(sizeof(*c));
  if (c == 0) return SQLITE_NOMEM;
  memset(c, 0, sizeof(*c));
  *ppCur = &c->base;
  return SQLITE_OK;
}

static void lwRowsReset(LwRowsCursor *c) {
  sqlite3_free(c->nums);
  sqlite3_free(c->cells);
  sqlite3_free(c->data);
  c->nums = 0;
  c->cells = 0;
  c->data = 0;
  c->row = c->nRow = 0;
}

static int lwRowsClose(sqlite3_vtab_cursor *cur) {
  lwRowsReset((LwRowsCursor *)cur);
  sqlite3_free(cur);
  return SQLITE_OK;
}

/* A copy of a BLOB argument (at least 1 byte allocated, so an empty blob is not a NULL pointer). */
static void *lwRowsCopy(sqlite3_value *v, sqlite3_int64 *nOut) {
  int n = sqlite3_value_bytes(v);
  const void *p = sqlite3_value_blob(v);
  void *out = sqlite3_malloc64((sqlite3_uint64)n + 8);
  if (out == 0) return 0;
  if (n > 0) memcpy(out, p, (size_t)n);
  *nOut = n;
  return out;
}

static int lwRowsFail(LwRowsCursor *c, const char *msg) {
  sqlite3_free(c->base.pVtab->zErrMsg);
  c->base.pVtab->zErrMsg = sqlite3_mprintf("lw_rows: %s", msg);
  lwRowsReset(c);
  return SQLITE_ERROR;
}

static int lwRowsFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc, sqlite3_value **argv) {
  LwRowsCursor *c = (LwRowsCursor *)cur;
  sqlite3_int64 nNums = 0, nCells = 0, nData = 0, r;
  int k;
  (void)idxNum; (void)idxStr;
  lwRowsReset(c);
  if (argc != LW_ROWS_ARGS) return lwRowsFail(c, "needs 4 arguments");
  for (k = 0; k < 3; k++) {
    if (sqlite3_value_type(argv[k]) != SQLITE_BLOB) return lwRowsFail(c, "nums, cells and data must be BLOBs");
  }
  if (!lwIntArg(argv[3], &c->firstId)) return lwRowsFail(c, "first_id must be an integer");
  c->nums = (double *)lwRowsCopy(argv[0], &nNums);
  c->cells = (int *)lwRowsCopy(argv[1], &nCells);
  c->data = (unsigned char *)lwRowsCopy(argv[2], &nData);
  if (c->nums == 0 || c->cells == 0 || c->data == 0) {
    lwRowsReset(c);
    return SQLITE_NOMEM;
  }
  if (nNums % (LW_ROWS_NUMS * 8) != 0) return lwRowsFail(c, "nums is not a whole number of rows");
  c->nRow = nNums / (LW_ROWS_NUMS * 8);
  if (nCells != c->nRow * LW_ROWS_CELLS * 2 * 4) return lwRowsFail(c, "cells does not match nums");
  /* Every cell inside data, checked once here so that xColumn cannot read outside it. */
  for (r = 0; r < c->nRow * LW_ROWS_CELLS; r++) {
    sqlite3_int64 off = c->cells[2 * r], len = c->cells[2 * r + 1];
    if (len == -1) continue;
    if (off < 0 || len < 0 || off + len > nData) return lwRowsFail(c, "a cell lies outside data");
  }
  c->row = 0;
  return SQLITE_OK;
}

static int lwRowsNext(sqlite3_vtab_cursor *cur) {
  ((LwRowsCursor *)cur)->row++;
  return SQLITE_OK;
}

static int lwRowsEof(sqlite3_vtab_cursor *cur) {
  LwRowsCursor *c = (LwRowsCursor *)cur;
  return c->row >= c->nRow;
}

/* A num as the column value: an integral one as INTEGER (what binding an integer would give), else REAL. */
static void lwRowsNum(sqlite3_context *ctx, double d) {
  if (d >= -LW_INT64_LIMIT && d < LW_INT64_LIMIT && (double)(sqlite3_int64)d == d) sqlite3_result_int64(ctx, (sqlite3_int64)d);
  else sqlite3_result_double(ctx, d);
}

static int lwRowsColumnValue(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  LwRowsCursor *c = (LwRowsCursor *)cur;
  int what, cell, off, len;
  if (col == 0) {
    sqlite3_result_int64(ctx, c->firstId + c->row);
    return SQLITE_OK;
  }
  if (col < 0 || col >= LW_ROWS_VISIBLE) {
    sqlite3_result_null(ctx); /* the hidden argument columns are never read back */
    return SQLITE_OK;
  }
  what = lwRowsColumn[col - 1];
  if (what < LW_ROWS_CELL) {
    lwRowsNum(ctx, c->nums[c->row * LW_ROWS_NUMS + what]);
    return SQLITE_OK;
  }
  cell = what - LW_ROWS_CELL;
  off = c->cells[(c->row * LW_ROWS_CELLS + cell) * 2];
  len = c->cells[(c->row * LW_ROWS_CELLS + cell) * 2 + 1];
  if (len < 0) sqlite3_result_null(ctx);
  else if (cell == LW_ROWS_CELL_IP_KEY) sqlite3_result_blob(ctx, c->data + off, len, SQLITE_TRANSIENT);
  else sqlite3_result_text(ctx, (const char *)c->data + off, len, SQLITE_TRANSIENT);
  return SQLITE_OK;
}

static int lwRowsRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *pRowid) {
  *pRowid = ((LwRowsCursor *)cur)->row;
  return SQLITE_OK;
}

static sqlite3_module lwRowsModule = {
  0,                  /* iVersion */
  0,                  /* xCreate: 0 makes it eponymous-only (usable as a table-valued function, never CREATEd) */
  lwRowsConnect, lwRowsBestIndex, lwRowsDisconnect, 0, lwRowsOpen, lwRowsClose, lwRowsFilter, lwRowsNext,
  lwRowsEof, lwRowsColumnValue, lwRowsRowid,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 /* no writes, transactions, renames, savepoints, shadow names */
};

/* Entry point, found by name from the file name lw_sqlite.so (see the header comment). */
#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_lwsqlite_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi) {
  (void)pzErrMsg; /* registration errors are returned as the rc */
  SQLITE_EXTENSION_INIT2(pApi); /* stores pApi in sqlite3_api for the calls above */
  /* Deterministic (same rows, same bitmap) and innocuous (no side effects; allowed in views/triggers). */
  int rc = sqlite3_create_function_v2(db, "lw_bitmap", 3,
      SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, 0, 0, lwBitmapStep, lwBitmapFinal, 0);
  if (rc != SQLITE_OK) return rc;
  return sqlite3_create_module(db, "lw_rows", &lwRowsModule, 0);
}

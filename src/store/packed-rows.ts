// The rows of one insert as the four values of the native lw_rows table-valued function (native/lw_sqlite.c):
// `INSERT INTO logs SELECT * FROM lw_rows(nums, cells, data, first_id)` binds 4 values a batch instead of 15 a
// row, which took ~40% of the writer thread's insert time (better-sqlite3 converts and copies every value).
// `data` is built from the batches' one text each (encoded-rows.ts) with one copy per batch, so only batches
// whose text is ASCII qualify (UTF-16 lengths are then byte lengths); others, and a missing native helper,
// take the portable path (Partition.insertEncoded binds the values).
import * as E from './encoded-rows';
import { ipToKey } from './ip';

/** Cells per row, in lw_rows' order: host, fromhost_ip, ip_key, app, procid, msgid, structured_data, msg, fields, raw. */
const CELLS = 10;
const C_IP_KEY = 2;
const C_FIELDS = 8;
/** The cell of each text column of encoded-rows (-1: not a column, or filled apart). */
const CELL_OF: number[] = [];
CELL_OF[E.T_HOST] = 0;
CELL_OF[E.T_FROMHOST_IP] = 1;
CELL_OF[E.T_APP] = 3;
CELL_OF[E.T_PROCID] = 4;
CELL_OF[E.T_MSGID] = 5;
CELL_OF[E.T_STRUCTURED_DATA] = 6;
CELL_OF[E.T_MSG] = 7;
CELL_OF[E.T_FIELDS] = -1; // from the decoded texts: fields extracted on the writer side are not in the batch text
CELL_OF[E.T_RAW] = 9;
CELL_OF[E.T_TLS_PEER] = -1;

export interface PackedRows {
  nums: Buffer;
  cells: Buffer;
  data: Buffer;
}

/** A length of `s` in UTF-8 equal to its UTF-16 length: every character is ASCII. */
function ascii(s: string): boolean {
  return Buffer.byteLength(s, 'utf8') === s.length;
}

/**
 * Pack every row of `b` (which must carry its `sources`), or null when some text is not ASCII. `ipCache` is
 * the caller's fromhost-ip → ip_key cache.
 */
export function packRows(b: E.DecodedRows, ipCache: Map<string, Buffer | null>): PackedRows | null {
  const sources = b.sources;
  if (sources === undefined) return null;
  let textBytes = 0;
  for (const e of sources) {
    if (!ascii(e.text)) return null;
    textBytes += e.text.length;
  }
  let fields = '';
  const keyAt = new Map<string, number>();
  const keys: Buffer[] = [];
  let keyBytes = 0;
  const cells = new Int32Array(b.count * CELLS * 2);
  for (let i = 0; i < b.count; i++) {
    const t = i * E.TEXT_COLUMNS;
    const c = i * CELLS * 2;
    const f = b.texts[t + E.T_FIELDS];
    if (f === null || f === undefined) {
      cells[c + C_FIELDS * 2 + 1] = -1;
    } else {
      cells[c + C_FIELDS * 2] = textBytes + fields.length; // the fields follow the texts in data
      cells[c + C_FIELDS * 2 + 1] = f.length;
      fields += f;
    }
    const ip = b.texts[t + E.T_FROMHOST_IP]!;
    let at = keyAt.get(ip);
    if (at === undefined) {
      let key = ipCache.get(ip);
      if (key === undefined) {
        key = ipToKey(ip);
        ipCache.set(ip, key);
      }
      at = key === null ? -1 : keyBytes;
      if (key !== null) {
        keys.push(key);
        keyBytes += key.length;
      }
      keyAt.set(ip, at);
    }
    cells[c + C_IP_KEY * 2] = at; // relative to the key region, made absolute below
    cells[c + C_IP_KEY * 2 + 1] = at < 0 ? -1 : 16;
  }
  if (!ascii(fields)) return null;
  // data = the batches' texts, then the fields, then the ip keys
  const keysAt = textBytes + fields.length;
  const data = Buffer.allocUnsafe(keysAt + keyBytes);
  let at = 0;
  let row = 0;
  for (const e of sources) {
    data.write(e.text, at, 'latin1');
    const lens = e.lens;
    for (let k = 0; k < lens.length; k++) {
      const len = lens[k]!;
      const cell = CELL_OF[k % E.TEXT_COLUMNS]!;
      if (cell >= 0) {
        const c = (row * CELLS + cell) * 2;
        cells[c] = len < 0 ? 0 : at;
        cells[c + 1] = len < 0 ? -1 : len;
      }
      if (len > 0) at += len;
      if (k % E.TEXT_COLUMNS === E.TEXT_COLUMNS - 1) row++;
    }
  }
  data.write(fields, textBytes, 'latin1');
  let k = keysAt;
  for (const key of keys) k += key.copy(data, k);
  for (let i = 0; i < b.count; i++) {
    const c = i * CELLS * 2 + C_IP_KEY * 2;
    if (cells[c + 1]! >= 0) cells[c] = cells[c]! + keysAt;
  }
  return {
    nums: Buffer.from(b.nums.buffer, b.nums.byteOffset, b.nums.byteLength),
    cells: Buffer.from(cells.buffer, cells.byteOffset, cells.byteLength),
    data,
  };
}

// The native insert (lw_rows, packed-rows.ts) must store exactly what the portable insert stores: every column
// with its value and SQLite type, the FTS entries and the column-cache blocks, for ASCII batches (native), other
// batches (portable either way) and groups of batches committed together.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Message } from '../../src/message';
import { DEFAULT_PARSE_OPTIONS, parseSyslog } from '../../src/parse';
import { concatDecoded, decodeRows, encodeMessages } from '../../src/store/encoded-rows';
import { packRows } from '../../src/store/packed-rows';
import { SqliteStore } from '../../src/store/sqlite';
import { SyslogTime } from '../../src/time';
import { tempDir } from '../helpers/util';

const NATIVE_LIB = join(__dirname, '..', '..', 'native', 'lw_sqlite.so');
const DAY0_MS = Date.UTC(2026, 10, 22, 10);

function msg(text: string | Buffer, ip: string, k: number, opts: { tls?: string; vars?: Record<string, unknown> } = {}): Message {
  const frame = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const m = new Message(frame, { inputname: 'imtcp', fromhostIp: ip, fromhost: 'peer', ruleset: 'r', tlsPeer: opts.tls }, SyslogTime.fromEpochMs(DAY0_MS + k));
  parseSyslog(frame, m, DEFAULT_PARSE_OPTIONS);
  if (opts.vars !== undefined) m.json = opts.vars;
  return m;
}

function asciiBatch(base: number): Message[] {
  const out: Message[] = [];
  for (let k = 0; k < 150; k++) {
    const i = base + k;
    const ip = ['10.0.0.1', '2001:db8::7', 'localhost', `192.0.2.${i % 7}`][i % 4]!;
    const text = i % 3 === 0
      ? `<34>1 2026-11-22T10:00:${String(i % 60).padStart(2, '0')}.5Z host${i % 5} sshd ${1000 + i} ID${i % 9} [meta@32473 seq="${i}" q="a\\"b"] seq=${i} action=login result=failure`
      : i % 3 === 1 ? `<13>Nov 22 10:00:01 web${i % 4} nginx[12]: 10.1.2.9 - - [15/Jan/2025:07:25:36 +0000] "GET /x/${i} HTTP/1.1" 502 12 "-" "curl/8.5.0"`
        : `<14>Nov 22 10:00:02 db01 app: {"log_level":"INFO","params":{"username":"user${i}"}}`;
    out.push(msg(text, ip, i, { tls: i % 10 === 0 ? 'CN=client.example' : undefined, vars: i % 11 === 0 ? { user: `u${i}`, n: i } : undefined }));
  }
  return out;
}

/** Every row of every partition with the SQLite type of each column, the FTS rowids of a few words, the blocks. */
function dump(dir: string): unknown {
  const out: unknown[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.db')).sort()) {
    const db = new Database(join(dir, f), { readonly: true });
    try {
      const cols = (db.prepare('SELECT * FROM logs LIMIT 0').columns()).map((c) => c.name);
      const types = cols.map((c) => `typeof(${c}) AS t_${c}`).join(', ');
      out.push(db.prepare(`SELECT *, ${types} FROM logs ORDER BY id`).all());
      for (const w of ['login', 'GET', 'user7', 'caf\u00e9', 'failure']) {
        out.push(db.prepare('SELECT rowid FROM logs_fts WHERE logs_fts MATCH ? ORDER BY rowid').pluck().all(`"${w}"`));
      }
      out.push(db.prepare('SELECT first_id, n, hex(data) FROM dims ORDER BY first_id').raw().all());
      out.push(db.prepare('SELECT k, v FROM meta ORDER BY k').raw().all());
    } finally {
      db.close();
    }
  }
  return out;
}

async function fill(dir: string, keepRaw: boolean, extractHere: boolean): Promise<void> {
  const store = new SqliteStore({ path: dir });
  try {
    const a = asciiBatch(0);
    const b = asciiBatch(1000);
    const c = [msg('<14>1 2026-11-22T10:00:04Z h a - - - caf\u00e9 user=\u00e9l\u00e8ve', '10.0.0.9', 5000),
      msg(Buffer.concat([Buffer.from('<14>Nov 22 10:00:05 h t: bad '), Buffer.from([0xff, 0xfe]), Buffer.from(' k=v')]), '10.0.0.2', 5001)];
    store.insertEncoded(decodeRows(encodeMessages(a, 0, a.length, keepRaw, extractHere)));
    // two batches committed as one group, then a batch that is not ASCII
    store.insertEncoded(concatDecoded([decodeRows(encodeMessages(b, 0, 70, keepRaw, extractHere)), decodeRows(encodeMessages(b, 70, b.length, keepRaw, extractHere))]));
    store.insertEncoded(decodeRows(encodeMessages(c, 0, c.length, keepRaw, extractHere)));
  } finally {
    await store.close();
  }
}

async function withPortable<T>(fn: () => Promise<T>): Promise<T> {
  const prev = process.env.LW_NO_NATIVE;
  process.env.LW_NO_NATIVE = '1';
  try {
    return await fn();
  } finally {
    if (prev === undefined) delete process.env.LW_NO_NATIVE;
    else process.env.LW_NO_NATIVE = prev;
  }
}

for (const keepRaw of [false, true]) {
  for (const extractHere of [false, true]) {
    test(`native and portable inserts store the same rows (keepRaw ${keepRaw}, fields extracted ${extractHere ? 'by the sender' : 'by the writer'})`,
      { skip: existsSync(NATIVE_LIB) ? false : 'native helper not built' }, async () => {
        const t = tempDir();
        try {
          await fill(join(t.dir, 'native'), keepRaw, extractHere);
          await withPortable(() => fill(join(t.dir, 'portable'), keepRaw, extractHere));
          const native = dump(join(t.dir, 'native'));
          assert.deepEqual(native, dump(join(t.dir, 'portable')));
          assert.ok(((native as unknown[])[0] as unknown[]).length === 302);
        } finally {
          t.cleanup();
        }
      });
  }
}

test('packRows: ASCII batches pack, a batch with other text does not', () => {
  const a = asciiBatch(0);
  const cache = new Map<string, Buffer | null>();
  const p = packRows(decodeRows(encodeMessages(a, 0, a.length, true, false)), cache);
  assert.ok(p !== null);
  assert.equal(p.nums.length, a.length * 4 * 8);
  assert.equal(p.cells.length, a.length * 10 * 2 * 4);
  const c = [msg('<14>1 2026-11-22T10:00:04Z h a - - - caf\u00e9', '10.0.0.9', 1)];
  assert.equal(packRows(decodeRows(encodeMessages(c, 0, 1, false, false)), cache), null);
  // a decoded range without its sources (the writer's isolation of refused rows) is not packed
  const d = decodeRows(encodeMessages(a, 0, 2, false, false));
  assert.equal(packRows({ count: d.count, nums: d.nums, texts: d.texts }, cache), null);
});

// Waits until a Logwarden SQLite store holds N rows (read from the partitions' meta tables, so each poll is
// cheap), then prints the row count. Exit 1 on timeout. usage: node store-wait.mjs STORE_DIR N TIMEOUT_S
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { SqliteStore } = require('../../dist/src/store/sqlite.js');

const [dir, nText, timeoutText = '600'] = process.argv.slice(2);
const want = Number(nText);
const deadline = Date.now() + Number(timeoutText) * 1000;
const POLL_MS = 200;
let store = null;
let rows = 0;
while (Date.now() < deadline) {
  try {
    store ??= new SqliteStore({ path: dir, readonly: true });
    rows = (await store.stats()).rows;
    if (rows >= want) break;
  } catch {
    // the store directory or first partition does not exist yet
  }
  await new Promise((r) => setTimeout(r, POLL_MS));
}
if (store) await store.close();
console.log(rows);
process.exitCode = rows >= want ? 0 : 1;

// compile-sqlite: free text joined only by AND/OR becomes one FTS5 query, the same rows as one query per word.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { parseQuery } from '../../src/store/query/parser';
import { compileWhere } from '../../src/store/query/compile-sqlite';

const MSGS = ['Failed password for root', 'session opened for user root', 'passwd changed', 'accepted publickey', 'password reset'];

function db(): Database.Database {
  const d = new Database(':memory:');
  d.exec(`CREATE TABLE logs (id INTEGER PRIMARY KEY, host TEXT);
    CREATE VIRTUAL TABLE logs_fts USING fts5(msg, content='', columnsize=0, tokenize='unicode61 remove_diacritics 2');`);
  MSGS.forEach((m, i) => {
    d.prepare('INSERT INTO logs VALUES (?, ?)').run(i + 1, i % 2 === 0 ? 'web01' : 'db01');
    d.prepare('INSERT INTO logs_fts (rowid, msg) VALUES (?, ?)').run(i + 1, m);
  });
  return d;
}

function ids(d: Database.Database, q: string): number[] {
  const f = compileWhere(parseQuery(q).where);
  return d.prepare(`SELECT id FROM logs WHERE ${f.sql} ORDER BY id`).pluck().all(...f.params, { wlo: -1, whi: 1e15 }) as number[];
}

test('free text joined by AND/OR is one FTS5 query of the top-level conjunct', () => {
  const f = compileWhere(parseQuery('pass* OR root').where);
  assert.equal(f.byMatch!.text, '("pass" *) OR ("root")');
  assert.equal(f.params.length, 1);
  assert.match(f.byMatch!.sql, /json_each\(@wids\)/);
  const g = compileWhere(parseQuery('(pass* OR root) failed host:web01').where);
  assert.equal(g.byMatch!.text, '(("pass" *) OR ("root")) AND "failed"');
  assert.deepEqual(g.byMatch!.params, ['web01']);
  // Text beside a field under OR, or under NOT, keeps its own subquery: no top-level text conjunct.
  assert.equal(compileWhere(parseQuery('root OR host:db01').where).byMatch, null);
  assert.equal(compileWhere(parseQuery('NOT root').where).byMatch, null);
});

test('the merged query finds what one query per word finds', () => {
  const d = db();
  assert.deepEqual(ids(d, 'pass* OR root'), [1, 2, 3, 5]);
  assert.deepEqual(ids(d, '(pass* OR root) host:web01'), [1, 3, 5]);
  assert.deepEqual(ids(d, 'password AND root'), [1]);
  assert.deepEqual(ids(d, 'NOT (pass* OR root)'), [4]);
  assert.deepEqual(ids(d, 'root OR host:db01'), [1, 2, 4]);
  assert.deepEqual(ids(d, '"session opened" OR publickey'), [2, 4]);
  d.close();
});

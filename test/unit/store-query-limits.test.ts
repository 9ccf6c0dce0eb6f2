// Regression: texts that used to reach the store and fail there (HTTP 500) are refused by the parser with a column.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryError } from '../../src/store/query/errors';
import { MAX_TERMS, parseQuery } from '../../src/store/query/parser';

const refused = (q: string, col: number, what: RegExp): void => {
  assert.throws(() => parseQuery(q), (e: unknown) => e instanceof QueryError && e.code === 'LW_ERR_QUERY_SYNTAX' && e.col === col && what.test(e.message));
};

test('a NUL or other control character is refused at its column (FTS5 read it as the end of a string)', () => {
  refused('\u0000', 1, /U\+0000/); // the fuzz counterexample of query-store
  refused('abc\u0000def', 4, /U\+0000/);
  refused('host:a \u001b', 8, /U\+001B/);
  assert.doesNotThrow(() => parseQuery('a\tb\r\nc'));
});

test(`more than ${MAX_TERMS} search terms are refused at the first term past the limit (SQLite expression depth)`, () => {
  assert.doesNotThrow(() => parseQuery(Array(MAX_TERMS).fill('a').join(' OR ')));
  refused(Array(1600).fill('a').join(' OR '), MAX_TERMS * 5 + 1, /more than 500 search terms/);
});

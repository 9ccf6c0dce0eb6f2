// Query errors: a stable code, the 1-based column of the offending text, and a caret display for CLI/API.

export const QUERY_ERRORS = {
  LW_ERR_QUERY_SYNTAX: 'the query text does not follow the grammar (docs/query-language.md)',
  LW_ERR_QUERY_FIELD: 'unknown field name; quote the text to search it as free text',
  LW_ERR_QUERY_VALUE: 'the value does not suit the field (severity/facility name, number, CIDR)',
  LW_ERR_QUERY_TIME: 'bad time range: use -15m/-2h/-7d or RFC 3339 (2025-01-15T07:00:00Z)',
  LW_ERR_QUERY_CURSOR: 'the cursor is malformed or belongs to a different query',
} as const;

export type QueryErrorCode = keyof typeof QUERY_ERRORS;

export class QueryError extends Error {
  readonly code: QueryErrorCode;
  /** 1-based column in the query text. */
  readonly col: number;
  /** The query text the column refers to. */
  readonly query: string;

  constructor(code: QueryErrorCode, what: string, col: number, query: string) {
    super(`${what} at col ${col}`);
    this.name = 'QueryError';
    this.code = code;
    this.col = col;
    this.query = query;
  }

  /** The query with a caret under the offending column. */
  caret(): string {
    const line = this.query.replace(/[\r\n\t]/g, ' ');
    return `${line}\n${' '.repeat(Math.max(0, this.col - 1))}^`;
  }
}

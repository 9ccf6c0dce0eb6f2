// Logwarden's own diagnostics: one line per event on stderr, level + code + message + key=value context.
// ERROR means data was lost or an operator must act; a port scan or a refused peer is at most a warning.

export type Level = 'debug' | 'info' | 'notice' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 0, info: 1, notice: 2, warn: 3, error: 4 };

export interface LogRecord {
  level: Level;
  code: string;
  message: string;
  fields: Record<string, unknown>;
}

export interface Logger {
  log(level: Level, code: string, message: string, fields?: Record<string, unknown>): void;
  debug(code: string, message: string, fields?: Record<string, unknown>): void;
  info(code: string, message: string, fields?: Record<string, unknown>): void;
  notice(code: string, message: string, fields?: Record<string, unknown>): void;
  warn(code: string, message: string, fields?: Record<string, unknown>): void;
  error(code: string, message: string, fields?: Record<string, unknown>): void;
}

function fmtFields(fields: Record<string, unknown> | undefined): string {
  if (!fields) return '';
  let s = '';
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    s += ` ${k}=${/[\s"=]/.test(text) ? JSON.stringify(text) : text}`;
  }
  return s;
}

/** A logger writing to a stream (stderr by default) and, optionally, keeping records for tests. */
export class StreamLogger implements Logger {
  readonly records: LogRecord[] | null;
  private readonly min: number;
  private readonly out: NodeJS.WritableStream | null;

  constructor(opts: { level?: Level; out?: NodeJS.WritableStream | null; keep?: boolean } = {}) {
    this.min = ORDER[opts.level ?? (process.env.LW_LOG_LEVEL as Level | undefined) ?? 'info'] ?? 1;
    this.out = opts.out === undefined ? process.stderr : opts.out;
    this.records = opts.keep ? [] : null;
  }

  log(level: Level, code: string, message: string, fields?: Record<string, unknown>): void {
    if (this.records) this.records.push({ level, code, message, fields: fields ?? {} });
    if (ORDER[level] < this.min || !this.out) return;
    this.out.write(`${new Date().toISOString()} ${level.toUpperCase()} ${code} ${message}${fmtFields(fields)}\n`);
  }

  debug(code: string, message: string, fields?: Record<string, unknown>): void { this.log('debug', code, message, fields); }
  info(code: string, message: string, fields?: Record<string, unknown>): void { this.log('info', code, message, fields); }
  notice(code: string, message: string, fields?: Record<string, unknown>): void { this.log('notice', code, message, fields); }
  warn(code: string, message: string, fields?: Record<string, unknown>): void { this.log('warn', code, message, fields); }
  error(code: string, message: string, fields?: Record<string, unknown>): void { this.log('error', code, message, fields); }
}

// The proxy's own log, and the functions' (docs/cloudfront-reference.md §9.5). Text lines for people (coloured on a terminal
// only), or one JSON object per line (`log.format: 'json'`). Callers pass the text line plus optional
// structured fields; text mode prints the line, JSON mode prints the fields.

type LogFieldValue = string | number | boolean | null | undefined;

/**
 * Structured facts about a line. Conventional keys: `type` (`platform` for START/END/REPORT,
 * `function` for a function's console output, `access`…), `requestId` (the function's awsRequestId),
 * `cfRequestId` (X-Amz-Cf-Id), `function`, `version`. In JSON, `message` and `level` override the
 * line's text and the method's level (a function's console line carries its own level, e.g. `WARN`).
 */
export interface LogFields {
  [key: string]: LogFieldValue;
}

export interface Logger {
  /**
   * True when info lines go nowhere: callers on the hot path (START/END/REPORT per invocation) may skip
   * building them. Absent means they are kept.
   */
  readonly quietInfo?: boolean;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

type LogLevelName = 'info' | 'warn' | 'error';

/** Where lines go: process.stdout/stderr, or anything with write() (tests). */
export interface LogStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

interface LoggerOptions {
  format?: 'text' | 'json';
  /** Lines of a lower level are dropped (default info: everything). */
  level?: LogLevelName;
  /** Colour text lines; default: only when the stream is a terminal and NO_COLOR is unset. */
  color?: boolean;
  /** info lines (default process.stdout). */
  out?: LogStream;
  /** warn and error lines (default process.stderr). */
  err?: LogStream;
}

const RANK: Readonly<Record<LogLevelName, number>> = { info: 0, warn: 1, error: 2 };

const ANSI = { red: '\x1b[31m', yellow: '\x1b[33m', dim: '\x1b[2m', cyan: '\x1b[36m', reset: '\x1b[0m' } as const;

/** The colour of a text line: its own level (function lines), else the method's; platform lines dim. */
function colourOf(level: LogLevelName, fields: LogFields | undefined): string | undefined {
  const own = fields?.level;
  if (own === 'ERROR' || level === 'error') return ANSI.red;
  if (own === 'WARN' || level === 'warn') return ANSI.yellow;
  if (fields?.type === 'platform') return ANSI.cyan;
  if (own === 'DEBUG' || own === 'TRACE') return ANSI.dim;
  return undefined;
}

function wantsColour(stream: LogStream, forced: boolean | undefined): boolean {
  if (forced !== undefined) return forced;
  return stream.isTTY === true && process.env.NO_COLOR === undefined;
}

/** One JSON object per line: time, level, the fields, then the message. */
function jsonLine(level: LogLevelName, msg: string, fields: LogFields | undefined, now = new Date()): string {
  const o: Record<string, LogFieldValue> = { time: now.toISOString(), level };
  let message: LogFieldValue = msg;
  if (fields !== undefined) {
    for (const k in fields) {
      const v = fields[k];
      if (v === undefined) continue;
      if (k === 'message') message = v;
      else o[k] = v;
    }
  }
  o.message = message;
  return JSON.stringify(o);
}

/**
 * Text mode's prefix for a function's lines (START/END/REPORT and its console output), so the blocks
 * of several functions can be told apart: `auth viewer-request │ `. A flags-made id already ends in
 * its trigger (`auth.js:viewer-request`), which is not repeated. JSON has the same as fields.
 */
export function functionPrefix(fields: LogFields | undefined): string {
  if (fields === undefined || (fields.type !== 'platform' && fields.type !== 'function')) return '';
  const fn = fields.function;
  if (typeof fn !== 'string') return '';
  const trigger = fields.trigger;
  const name = typeof trigger === 'string' && !fn.endsWith(`:${trigger}`) ? `${fn} ${trigger}` : fn;
  return `${name} │ `;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const out = opts.out ?? process.stdout;
  const err = opts.err ?? process.stderr;
  const min = RANK[opts.level ?? 'info'];
  const json = opts.format === 'json';
  const colourOut = !json && wantsColour(out, opts.color);
  const colourErr = !json && wantsColour(err, opts.color);
  const emit = (level: LogLevelName, stream: LogStream, colour: boolean, msg: string, fields: LogFields | undefined): void => {
    if (RANK[level] < min) return;
    if (json) {
      stream.write(`${jsonLine(level, msg, fields)}\n`);
      return;
    }
    const c = colour ? colourOf(level, fields) : undefined;
    const text = functionPrefix(fields) + msg;
    stream.write(c === undefined ? `${text}\n` : `${c}${text}${ANSI.reset}\n`);
  };
  return {
    quietInfo: min > RANK.info,
    info: (msg, fields) => emit('info', out, colourOut, msg, fields),
    warn: (msg, fields) => emit('warn', err, colourErr, msg, fields),
    error: (msg, fields) => emit('error', err, colourErr, msg, fields),
  };
}

export const silentLogger: Logger = { quietInfo: true, info() {}, warn() {}, error() {} };

interface LogRecord {
  level: LogLevelName;
  msg: string;
  fields: LogFields | undefined;
}

/** A logger that keeps lines in memory, for tests that assert what was logged. */
export function memoryLogger(): Logger & { lines: string[]; records: LogRecord[] } {
  const lines: string[] = [];
  const records: LogRecord[] = [];
  const keep = (level: LogLevelName) => (msg: string, fields?: LogFields) => {
    lines.push(msg);
    records.push({ level, msg, fields });
  };
  return { lines, records, info: keep('info'), warn: keep('warn'), error: keep('error') };
}

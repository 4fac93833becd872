// The runtime's log lines (START/END/REPORT, console lines, the timeout line) sorted by invocation: every
// line the runtime writes for an invocation carries its awsRequestId (runtime/platform-log.ts), so one
// logger serves every warm worker and each call gets its own lines. Printed only when asked.

import { createLogger, type LogFields, type Logger } from '../log.js';

interface Sink {
  lines: string[];
  memoryUsedMb: number | undefined;
  print: boolean;
}

export class LogRouter implements Logger {
  readonly #sinks = new Map<string, Sink>();
  #console: Logger | undefined;

  constructor(private readonly printStray: boolean) {}

  /** Collects the lines of the invocation `awsRequestId` until `take`. */
  open(awsRequestId: string, print: boolean): void {
    this.#sinks.set(awsRequestId, { lines: [], memoryUsedMb: undefined, print });
  }

  take(awsRequestId: string): { lines: string[]; memoryUsedMb: number | undefined } {
    const s = this.#sinks.get(awsRequestId);
    this.#sinks.delete(awsRequestId);
    return s === undefined ? { lines: [], memoryUsedMb: undefined } : { lines: s.lines, memoryUsedMb: s.memoryUsedMb };
  }

  #out(): Logger {
    this.#console ??= createLogger();
    return this.#console;
  }

  #line(level: 'info' | 'warn' | 'error', msg: string, fields: LogFields | undefined): void {
    const id = fields?.requestId;
    const sink = typeof id === 'string' ? this.#sinks.get(id) : undefined;
    if (sink !== undefined) {
      sink.lines.push(msg);
      if (fields?.event === 'report' && typeof fields.maxMemoryUsedMB === 'number') sink.memoryUsedMb = fields.maxMemoryUsedMB;
    }
    if (sink?.print === true || (sink === undefined && (this.printStray || level !== 'info'))) this.#out()[level](msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    this.#line('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.#line('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.#line('error', msg, fields);
  }
}

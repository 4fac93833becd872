// `X-Amz-Log-Type: Tail`: the invocation's own log lines (START, the function's console lines, END,
// REPORT, as the runtime prints them, docs/cloudfront-reference.md §9.5), kept for one invocation and answered as base64 of
// the last 4 KB (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html, LogResult).
// A Logger wrapper: lines still go to the real log; the tap only looks when a capture is open.

import type { LogFields, Logger } from '../log.js';
import { LOG_TAIL_BYTES } from './limits.js';

export interface LogCapture {
  /** base64 of the last 4 KB of what was captured, and stop capturing. */
  finish(): string;
}

export class LogTap implements Logger {
  readonly quietInfo: boolean;
  /** Open captures by request id (the id the invocation logs under, or the id it was started with). */
  private readonly open = new Map<string, string[]>();
  /** Runtime-chosen request ids of invocations started under one of our ids (their START line says so). */
  private readonly alias = new Map<string, string>();

  /**
   * With `keepInfo` the runtime builds its per-invocation lines even when the real log drops them
   * (log.level warn), so Tail has something to return.
   */
  constructor(
    private readonly base: Logger,
    keepInfo: boolean,
  ) {
    this.quietInfo = keepInfo ? false : base.quietInfo === true;
  }

  info(msg: string, fields?: LogFields): void {
    this.base.info(msg, fields);
    if (this.open.size > 0 && fields !== undefined) this.look(msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.base.warn(msg, fields);
    if (this.open.size > 0 && fields !== undefined) this.look(msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.base.error(msg, fields);
    if (this.open.size > 0 && fields !== undefined) this.look(msg, fields);
  }

  private look(msg: string, fields: LogFields): void {
    const id = typeof fields.requestId === 'string' ? fields.requestId : undefined;
    const cf = typeof fields.cfRequestId === 'string' ? fields.cfRequestId : undefined;
    let key = id !== undefined && this.open.has(id) ? id : undefined;
    if (key === undefined && id !== undefined) key = this.alias.get(id);
    if (key === undefined && cf !== undefined && this.open.has(cf)) {
      key = cf;
      if (id !== undefined) this.alias.set(id, cf);
    }
    if (key !== undefined) this.open.get(key)?.push(msg);
  }

  /** Starts keeping the lines of the invocation started with request id `id`. */
  capture(id: string): LogCapture {
    const lines: string[] = [];
    this.open.set(id, lines);
    return {
      finish: () => {
        this.open.delete(id);
        for (const [k, v] of this.alias) if (v === id) this.alias.delete(k);
        return tail(lines);
      },
    };
  }
}

/** base64 of the last LOG_TAIL_BYTES bytes of the lines, newline-terminated. */
export function tail(lines: readonly string[]): string {
  const text = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
  return (text.length > LOG_TAIL_BYTES ? text.subarray(text.length - LOG_TAIL_BYTES) : text).toString('base64');
}

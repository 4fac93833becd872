// The lines Lambda prints for a function (docs/cloudfront-reference.md §9.5): START, END and REPORT per
// invocation, the timeout line, a failed init, and the function's own console lines, each with the
// structured fields the JSON log format carries. When the logger drops info lines (`quietInfo`), the
// per-invocation lines are not even built.

import type { Logger } from '../log.js';
import { maxMemoryUsedMb } from './memory.js';
import { type LogLevel, timeoutMessage } from './protocol.js';
import type { Invocation } from './slot.js';
import type { InvokeOutcome } from './types.js';

/** Lambda's REPORT line: Billed Duration is Duration rounded up to the next ms. */
export function reportLine(r: {
  awsRequestId: string;
  durationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  initDurationMs?: number | undefined;
  status?: string | undefined;
  errorType?: string | undefined;
}): string {
  let line =
    `REPORT RequestId: ${r.awsRequestId}\tDuration: ${r.durationMs.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(r.durationMs))} ms` +
    `\tMemory Size: ${r.memorySizeMb} MB\tMax Memory Used: ${r.maxMemoryUsedMb} MB`;
  if (r.initDurationMs !== undefined) line += `\tInit Duration: ${r.initDurationMs.toFixed(2)} ms`;
  // Newer Lambda runtimes append the status of a failed environment [U] (docs/decisions.md).
  if (r.status !== undefined) line += `\tStatus: ${r.status}`;
  if (r.errorType !== undefined) line += `\tError Type: ${r.errorType}`;
  return line;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

export class PlatformLog {
  /** The logger drops info lines: START/END/REPORT and function console lines are not even built. */
  readonly quiet: boolean;

  constructor(readonly log: Logger) {
    this.quiet = log.quietInfo === true;
  }

  /** START, when the handler starts. */
  start(inv: Invocation): void {
    if (this.quiet) return;
    // Lambda's exact START line; the link to the viewer's request (X-Amz-Cf-Id) is the `cfRequestId` field
    // in JSON, and the awsRequestId in the pipeline's error line (docs/decisions.md).
    this.log.info(`START RequestId: ${inv.awsRequestId} Version: ${inv.code.version}`, {
      type: 'platform',
      event: 'start',
      requestId: inv.awsRequestId,
      cfRequestId: inv.req.requestId,
      function: inv.pool.fn.id,
      trigger: inv.req.eventType,
      version: inv.code.version,
    });
  }

  /** END and REPORT of an invocation whose handler started; `memBytes` is its worker's high-water mark. */
  end(inv: Invocation, outcome: InvokeOutcome, memBytes: number): void {
    if (this.quiet) return;
    const requestId = inv.awsRequestId;
    const cfRequestId = inv.req.requestId;
    const fnId = inv.pool.fn.id;
    const version = inv.code.version;
    const trigger = inv.req.eventType;
    // Literal objects, not spreads of a shared base: this runs twice per invocation, logger or not.
    this.log.info(`END RequestId: ${requestId}`, { type: 'platform', event: 'end', requestId, cfRequestId, function: fnId, trigger, version });
    const memorySizeMb = inv.pool.fn.memorySize;
    const maxMemoryUsed = maxMemoryUsedMb(memBytes, memorySizeMb);
    const status = outcome.ok ? undefined : outcome.reason === 'timeout' ? 'timeout' : outcome.reason === 'crash' ? 'error' : undefined;
    const errorType = !outcome.ok && outcome.reason === 'crash' ? outcome.errorType : undefined;
    const r = { awsRequestId: requestId, durationMs: outcome.durationMs, memorySizeMb, maxMemoryUsedMb: maxMemoryUsed, initDurationMs: inv.initMs, status, errorType };
    this.log.info(reportLine(r), {
      type: 'platform',
      event: 'report',
      requestId,
      cfRequestId,
      function: fnId,
      trigger,
      version,
      durationMs: round2(r.durationMs),
      billedDurationMs: Math.max(1, Math.ceil(r.durationMs)),
      memorySizeMB: memorySizeMb,
      maxMemoryUsedMB: maxMemoryUsed,
      initDurationMs: inv.initMs === undefined ? undefined : round2(inv.initMs),
      status,
      errorType,
    });
  }

  /** Lambda's timeout line, before END and REPORT. */
  timedOut(inv: Invocation, ms: number): void {
    this.log.info(`${new Date().toISOString()} ${inv.awsRequestId} ${timeoutMessage(ms)}`, {
      type: 'platform',
      event: 'timeout',
      requestId: inv.awsRequestId,
      function: inv.pool.fn.id,
      trigger: inv.req.eventType,
      version: inv.code.version,
    });
  }

  /** A failed init, logged with the request that triggered it (Lambda's Runtime.js: "Uncaught Exception"). */
  initFailed(inv: Invocation, version: string, errorType: string, errorMessage: string): void {
    this.log.info(`${new Date().toISOString()}\tundefined\tERROR\tUncaught Exception \t${JSON.stringify({ errorType, errorMessage })}`, {
      type: 'function',
      level: 'ERROR',
      requestId: inv.awsRequestId,
      function: inv.pool.fn.id,
      trigger: inv.req.eventType,
      version,
    });
  }

  /**
   * A function's console line: Lambda's `<ISO time>\t<awsRequestId>\t<LEVEL>\t<text>`. `trigger` is the
   * running invocation's event type (none for background work and init).
   */
  functionLine(functionId: string, trigger: string | undefined, version: string, requestId: string, level: LogLevel, text: string): void {
    if (this.quiet) return;
    this.log.info(`${new Date().toISOString()}\t${requestId}\t${level}\t${text}`, {
      type: 'function',
      level,
      requestId,
      function: functionId,
      trigger,
      version,
      message: text,
    });
  }
}

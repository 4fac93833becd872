// Host ⇄ worker messages. Plain data only; the event and the result cross as JSON strings because a
// string copy beats structured clone of a nested event (perf-notes: worker round trip).
// This module is imported by the worker thread too: node builtins and plain constants only.

/** Lambda's error type names (aws-lambda-nodejs-runtime-interface-client, `Errors.js`, `RAPIDClient`). */
export const ERROR_TYPES = {
  importModule: 'Runtime.ImportModuleError',
  handlerNotFound: 'Runtime.HandlerNotFound',
  syntax: 'Runtime.UserCodeSyntaxError',
  stringify: 'Runtime.JSONStringifyError',
  unhandledRejection: 'Runtime.UnhandledPromiseRejection',
  exit: 'Runtime.ExitError',
  outOfMemory: 'Runtime.OutOfMemory',
  timeout: 'Sandbox.Timedout',
  /** Not Lambda's: the emulator itself stopped the invocation (close()). */
  shutdown: 'Edgeproxy.Shutdown',
} as const;

/** Lambda's console levels (LogPatch.js). */
export type LogLevel = 'INFO' | 'WARN' | 'ERROR' | 'DEBUG' | 'TRACE';

/** The parts of `context` that are fixed for one execution environment (docs/cloudfront-reference.md §2.4). */
export interface StaticContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  /** A string, as Lambda gives it (from AWS_LAMBDA_FUNCTION_MEMORY_SIZE). */
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
}

/** `workerData` of every function worker. */
export interface WorkerInit {
  /** Absolute path of the module. */
  file: string;
  exportName: string;
  /** `<module>.<export>` as Lambda spells the handler setting, for Lambda-style messages. */
  handlerName: string;
  context: StaticContext;
  /** Everything the worker sends goes through this ring (ring.ts), in order. */
  ring: SharedArrayBuffer;
  /**
   * Invocations come through this ring (ring.ts) instead of as messages, one record each, with a wake
   * message only when the worker has none pending; absent: by message (docs/runtime.md).
   */
  inbox?: SharedArrayBuffer;
  /** With an inbox: how long (ms) a worker with nothing to run waits in Atomics.wait for the next record before it sleeps in its event loop; 0 = never. */
  parkMs?: number;
  /**
   * Whether the host prints REPORT lines, the only use of the memory high-water mark a `done` carries.
   * When it does not (log.level warn, load tests), the worker skips reading the heap statistics: 3 % of
   * its time per invocation in the profile.
   */
  reportMemory: boolean;
}

// ---- host → worker ----

/**
 * One invocation as the host sends it. Host → worker messages are single strings: one or more
 * invocations, `<id>\t<timeoutMs>\t<awsRequestId>\t<event JSON>`, joined by `\n` (JSON.stringify never
 * emits a raw tab or newline). Everything dispatched to a worker in one turn of the host's event loop
 * goes as one message: the per-message cost (a thread wake-up) dominates a small event's hop
 * (shared/perf-notes.md), and a string crosses cheaper than a structured clone of objects.
 */
export interface Invoke {
  id: number;
  /** The worker starts its own clock for getRemainingTimeInMillis() when the handler starts. */
  timeoutMs: number;
  awsRequestId: string;
  /** JSON of the event. */
  event: string;
}

export function encodeInvoke(id: number, timeoutMs: number, awsRequestId: string, eventJson: string): string {
  return `${id}\t${timeoutMs}\t${awsRequestId}\t${eventJson}`;
}

/** The invocations a host → worker message carries; undefined when it is not one. */
export function decodeInvokes(s: string): Invoke[] | undefined {
  const out: Invoke[] = [];
  let at = 0;
  while (at < s.length) {
    const a = s.indexOf('\t', at);
    const b = a < 0 ? -1 : s.indexOf('\t', a + 1);
    const c = b < 0 ? -1 : s.indexOf('\t', b + 1);
    if (c < 0) return undefined;
    let end = s.indexOf('\n', c + 1);
    if (end < 0) end = s.length;
    const id = Number(s.slice(at, a));
    const timeoutMs = Number(s.slice(a + 1, b));
    if (!Number.isInteger(id) || !(timeoutMs > 0)) return undefined;
    out.push({ id, timeoutMs, awsRequestId: s.slice(b + 1, c), event: s.slice(c + 1, end) });
    at = end + 1;
  }
  return out.length === 0 ? undefined : out;
}

// ---- worker → host ----

/** The module loaded and the export is a function; invocations may start. */
interface ReadyMessage {
  t: 'ready';
  /** Milliseconds the module took to load (Lambda's Init Duration, docs/cloudfront-reference.md §9.5). */
  initMs: number;
}

/** Loading failed; the worker is useless and the host discards it. */
export interface InitErrorMessage {
  t: 'init-error';
  errorType: string;
  errorMessage: string;
  /** What the module exports, when it loaded but the export was wrong. */
  exports?: string[];
  /** `typeof` the export when it exists but is not a function. */
  exportType?: string;
  /** `path:line` of a syntax error when Node told us. */
  location?: string;
}

interface DoneOk {
  t: 'done';
  id: number;
  ok: true;
  /** JSON of the result; `undefined` became `null`. */
  result: string;
  /** The worker's memory high-water mark in bytes so far (REPORT's Max Memory Used). */
  mem: number;
}

interface DoneError {
  t: 'done';
  id: number;
  ok: false;
  mem: number;
  errorType: string;
  errorMessage: string;
  stack?: string;
}

interface LogMessage {
  t: 'log';
  /** The invocation that was current when the line was written (0 before the first). */
  id: number;
  level: LogLevel;
  text: string;
}

/** An uncaught exception or unhandled rejection: the worker exits right after sending this. */
interface FatalMessage {
  t: 'fatal';
  errorType: string;
  errorMessage: string;
}

export type WorkerToHost = ReadyMessage | InitErrorMessage | DoneOk | DoneError | LogMessage | FatalMessage;

/**
 * A successful `done` crosses as one string, `<id>\t<mem>\t<JSON result>`: the host deserializes one
 * string instead of a five-property object for every invocation (the common case under load).
 */
export function encodeDoneOk(id: number, mem: number, result: string): string {
  return `${id}\t${mem}\t${result}`;
}

/** The DoneOk an encodeDoneOk string carries; undefined when the string is not one. */
export function decodeDoneOk(s: string): DoneOk | undefined {
  const a = s.indexOf('\t');
  const b = a < 0 ? -1 : s.indexOf('\t', a + 1);
  if (b < 0) return undefined;
  const id = Number(s.slice(0, a));
  const mem = Number(s.slice(a + 1, b));
  if (!Number.isInteger(id) || !Number.isFinite(mem)) return undefined;
  return { t: 'done', id, ok: true, result: s.slice(b + 1), mem };
}

/** Shallow check: messages come from our own worker script, so the tag is enough to switch on. */
function isWorkerToHost(v: unknown): v is WorkerToHost {
  return typeof v === 'object' && v !== null && typeof (v as { t?: unknown }).t === 'string';
}

/** A worker message as one string for the ring: its JSON (a successful `done` uses encodeDoneOk instead). */
export function encodeWorkerMessage(m: WorkerToHost): string {
  return JSON.stringify(m);
}

/** The message a ring record carries; undefined when it is not one of ours. */
export function decodeWorkerMessage(s: string): WorkerToHost | undefined {
  if (s.charCodeAt(0) !== 123 /* { */) return decodeDoneOk(s);
  try {
    const m: unknown = JSON.parse(s);
    return isWorkerToHost(m) ? m : undefined;
  } catch {
    return undefined;
  }
}

export function isWorkerInit(v: unknown): v is WorkerInit {
  if (typeof v !== 'object' || v === null) return false;
  const w = v as Partial<Record<keyof WorkerInit, unknown>>;
  return (
    typeof w.file === 'string' &&
    typeof w.exportName === 'string' &&
    typeof w.handlerName === 'string' &&
    typeof w.context === 'object' &&
    w.context !== null &&
    w.ring instanceof SharedArrayBuffer &&
    (w.inbox === undefined || w.inbox instanceof SharedArrayBuffer) &&
    (w.parkMs === undefined || typeof w.parkMs === 'number') &&
    typeof w.reportMemory === 'boolean'
  );
}

/**
 * The largest single ArrayBuffer / typed array / Buffer a function may allocate: its memory size.
 * Backing stores live outside the V8 heap, so `resourceLimits` does not bound them (docs/runtime.md).
 */
export function allocationLimitBytes(memoryLimitInMB: string): number {
  const mb = Number(memoryLimitInMB);
  return Number.isFinite(mb) && mb > 0 ? mb * 1024 * 1024 : 128 * 1024 * 1024;
}

/** Lambda's timeout line/message: seconds with two decimals (docs/cloudfront-reference.md §9.5). */
export function timeoutMessage(elapsedMs: number): string {
  return `Task timed out after ${(elapsedMs / 1000).toFixed(2)} seconds`;
}

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

/** The parts of `context` that are fixed for one execution environment (spec §2.4). */
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
}

/** What `InvokeMessage.payload` holds (as JSON). */
export interface InvokePayload {
  event: unknown;
  awsRequestId: string;
  /** The worker starts its own clock for getRemainingTimeInMillis() when the handler starts. */
  timeoutMs: number;
}

// ---- host → worker ----

export interface InvokeMessage {
  t: 'invoke';
  id: number;
  /** JSON of InvokePayload. */
  payload: string;
}

/**
 * Several invocations for one worker in one message: the worker runs them one at a time, in order.
 * One postMessage per batch instead of one per invocation is what keeps the hop cheap under load
 * (shared/perf-notes.md: the per-message cost dominates a small event's round trip).
 */
export interface InvokeBatchMessage {
  t: 'batch';
  items: InvokeMessage[];
}

export type HostToWorker = InvokeMessage | InvokeBatchMessage;

// ---- worker → host ----

/** The module loaded and the export is a function; invocations may start. */
export interface ReadyMessage {
  t: 'ready';
  /** Milliseconds the module took to load (Lambda's Init Duration, spec §9.5). */
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

export interface DoneOk {
  t: 'done';
  id: number;
  ok: true;
  /** JSON of the result; `undefined` became `null`. */
  result: string;
  /** The worker's memory high-water mark in bytes so far (REPORT's Max Memory Used). */
  mem: number;
}

export interface DoneError {
  t: 'done';
  id: number;
  ok: false;
  mem: number;
  errorType: string;
  errorMessage: string;
  stack?: string;
}

export interface LogMessage {
  t: 'log';
  /** The invocation that was current when the line was written (0 before the first). */
  id: number;
  level: LogLevel;
  text: string;
}

/** An uncaught exception or unhandled rejection: the worker exits right after sending this. */
export interface FatalMessage {
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
export function isWorkerToHost(v: unknown): v is WorkerToHost {
  return typeof v === 'object' && v !== null && typeof (v as { t?: unknown }).t === 'string';
}

function isInvokeMessage(v: unknown): v is InvokeMessage {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as { t?: unknown; id?: unknown; payload?: unknown };
  return m.t === 'invoke' && typeof m.id === 'number' && typeof m.payload === 'string';
}

export function isHostToWorker(v: unknown): v is HostToWorker {
  if (isInvokeMessage(v)) return true;
  if (typeof v !== 'object' || v === null) return false;
  const m = v as { t?: unknown; items?: unknown };
  return m.t === 'batch' && Array.isArray(m.items) && m.items.every(isInvokeMessage);
}

export function isWorkerInit(v: unknown): v is WorkerInit {
  if (typeof v !== 'object' || v === null) return false;
  const w = v as Partial<Record<keyof WorkerInit, unknown>>;
  return (
    typeof w.file === 'string' &&
    typeof w.exportName === 'string' &&
    typeof w.handlerName === 'string' &&
    typeof w.context === 'object' &&
    w.context !== null
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

/** Lambda's timeout line/message: seconds with two decimals (spec §9.5). */
export function timeoutMessage(elapsedMs: number): string {
  return `Task timed out after ${(elapsedMs / 1000).toFixed(2)} seconds`;
}

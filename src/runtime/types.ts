// The contract between the pipeline and the function runtime. Plain data only.

import type { ResolvedFunction } from '../config/types.js';
import type { CfEvent, EventType } from '../event/types.js';
import type { CodeRef } from './code-types.js';

export interface InvokeRequest {
  fn: ResolvedFunction;
  /** The trigger; `invoke` for a call through the Lambda Invoke API, which has none (docs/lambda-api.md). */
  eventType: EventType | 'invoke';
  /**
   * The event, or its JSON already serialized: the pipeline writes the envelope's fixed part once at
   * start (pipeline/invoke.ts eventJson) and only serializes the request and response per call.
   */
  event: CfEvent | string;
  /**
   * `event` is a packed Lambda@Edge call (edge-protocol.ts packEdgeCall): the worker builds the event,
   * validates the result for the trigger, and the outcome's `result` is its EdgeAnswer.
   */
  edge?: boolean;
  /** The CloudFront request id (X-Amz-Cf-Id); also context.awsRequestId's log prefix. */
  requestId: string;
  /** Milliseconds the function may run (docs/cloudfront-reference.md §3.7). */
  timeoutMs: number;
  /** Which build of the code to run (versions, hot reload); absent → fn.file as $LATEST. */
  code?: CodeRef;
  /**
   * context.awsRequestId for this invocation; absent → a new UUID. The Lambda API chooses it, so an
   * `Event`'s 202 and every retry of it carry the id the invocation logs under.
   */
  awsRequestId?: string;
}

export type InvokeFailure = 'error' | 'timeout' | 'crash' | 'throttled';

/** Lambda's reasons for a TooManyRequestsException on a synchronous invoke (docs/cloudfront-reference.md §9.2). */
export type ThrottleReason = 'ConcurrentInvocationLimitExceeded' | 'ReservedFunctionConcurrentInvocationLimitExceeded';

/** Facts every outcome may carry (all optional: older code ignores them). */
interface InvokeFacts {
  /** The executed version: `$LATEST` or a number (docs/cloudfront-reference.md §9.1). */
  version?: string;
  /** context.awsRequestId of the invocation; the START/END/REPORT lines carry it. Absent when throttled. */
  awsRequestId?: string;
  /** Set when this invocation waited for its worker's module to load (a cold start): REPORT's Init Duration. */
  initDurationMs?: number;
}

export type InvokeOutcome =
  | ({ ok: true; result: unknown; durationMs: number } & InvokeFacts)
  | ({
      ok: false;
      /** error: throw/reject/callback(err)/load failure; timeout; crash: the worker died (exit, OOM); throttled: concurrency limit. */
      reason: InvokeFailure;
      errorType: string;
      errorMessage: string;
      /** The thrown error's stack, when it had one (reason `error`): Lambda's `trace`. */
      stack?: string;
      durationMs: number;
      /** Only with reason `throttled`. */
      throttleReason?: ThrottleReason;
    } & InvokeFacts);

export interface FunctionRuntime {
  /** Never rejects: every failure is an outcome. */
  invoke(req: InvokeRequest): Promise<InvokeOutcome>;
  /**
   * Load the function once in a worker and check that the export is a function. Rejects with a
   * ConfigError naming the file and export when it is not. Used at start, before listening. With
   * `code`, the file the code registry built (e.g. a compiled .ts) is loaded instead of `fn.file`. With
   * `runtime.prewarm` the worker stays as the function's first warm worker; without, it is retired so the
   * first request is a cold start, as in Lambda.
   */
  check(fn: ResolvedFunction, code?: CodeRef): Promise<void>;
  /** Ends every worker; waits for in-flight invocations up to a short grace period. */
  close(): Promise<void>;
}

/** A snapshot of the worker pool, for tests and the admin listener. */
export interface FunctionPoolStats {
  functionId: string;
  /** Workers alive, by state. */
  workers: { starting: number; idle: number; busy: number };
  /** Invocations admitted and not finished (running + queued): what the concurrency limits count. */
  inFlight: number;
  /** Invocations waiting for a worker. */
  queued: number;
  /** Workers started since the runtime was created. */
  started: number;
  /** Workers retired because they were idle for runtime.idleTimeoutMs. */
  retiredIdle: number;
  /** Workers retired because newer code (a later generation) replaced theirs. */
  retiredStale: number;
  /** Invocations that waited for a module load (Init Duration reported). */
  coldStarts: number;
}

export interface RuntimeStats {
  functions: FunctionPoolStats[];
  /** In flight across functions without reserved concurrency (counted against accountConcurrency − Σ reserved). */
  unreservedInFlight: number;
  /** accountConcurrency − the sum of all reservedConcurrency settings. */
  unreservedLimit: number;
}

// The contract between the pipeline and the function runtime. Plain data only.

import type { ResolvedFunction } from '../config/types.js';
import type { CfEvent, EventType } from '../event/types.js';
import type { CodeRef } from './code-types.js';

export interface InvokeRequest {
  fn: ResolvedFunction;
  eventType: EventType;
  event: CfEvent;
  /** The CloudFront request id (X-Amz-Cf-Id); also context.awsRequestId's log prefix. */
  requestId: string;
  /** Milliseconds the function may run (spec §3.7). */
  timeoutMs: number;
  /** Which build of the code to run (versions, hot reload); absent → fn.file as $LATEST. */
  code?: CodeRef;
}

export type InvokeFailure = 'error' | 'timeout' | 'crash' | 'throttled';

export type InvokeOutcome =
  | { ok: true; result: unknown; durationMs: number; version?: string }
  | {
      ok: false;
      /** error: throw/reject/callback(err)/load failure; timeout; crash: the worker died (exit, OOM); throttled: concurrency limit. */
      reason: InvokeFailure;
      errorType: string;
      errorMessage: string;
      durationMs: number;
      version?: string;
    };

export interface FunctionRuntime {
  /** Never rejects: every failure is an outcome. */
  invoke(req: InvokeRequest): Promise<InvokeOutcome>;
  /**
   * Load the function once in a worker and check that the export is a function. Rejects with a
   * ConfigError naming the file and export when it is not. Used at start, before listening.
   */
  check(fn: ResolvedFunction): Promise<void>;
  /** Ends every worker; waits for in-flight invocations up to a short grace period. */
  close(): Promise<void>;
}

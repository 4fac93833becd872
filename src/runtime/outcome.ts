// The outcomes the runtime builds itself (the worker sends the others): failures, throttles, and what a
// worker that did not load reports to whoever waited for it.

import { decodeEdgeAnswer } from './edge-protocol.js';
import { ERROR_TYPES } from './protocol.js';
import type { InitResult, Invocation } from './slot.js';
import type { InvokeFailure, InvokeOutcome, ThrottleReason } from './types.js';

export function failure(reason: InvokeFailure, errorType: string, errorMessage: string, durationMs: number): InvokeOutcome {
  return { ok: false, reason, errorType, errorMessage, durationMs };
}

/** Milliseconds since the handler started; 0 when it never did. */
export function elapsed(inv: Invocation): number {
  return inv.startedAt === 0 ? 0 : performance.now() - inv.startedAt;
}

/** The outcome of a `done` with a result: the worker sent it as JSON. */
export function parseResult(json: string, durationMs: number): InvokeOutcome {
  try {
    return { ok: true, result: JSON.parse(json) as unknown, durationMs };
  } catch {
    return failure('error', ERROR_TYPES.stringify, 'the worker sent a result that is not JSON', durationMs);
  }
}

/** The outcome of a Lambda@Edge `done`: the worker's answer (edge-protocol.ts), already validated there. */
export function edgeResult(answer: string, durationMs: number): InvokeOutcome {
  try {
    return { ok: true, result: decodeEdgeAnswer(answer), durationMs };
  } catch {
    return failure('error', ERROR_TYPES.stringify, 'the worker sent an answer that is not JSON', durationMs);
  }
}

/** Lambda's answer to a synchronous invoke beyond a concurrency limit (docs/cloudfront-reference.md §9.2). */
export function throttled(throttleReason: ThrottleReason, version: string): InvokeOutcome {
  return {
    ok: false,
    reason: 'throttled',
    errorType: 'TooManyRequestsException',
    errorMessage: 'Rate Exceeded.',
    throttleReason,
    durationMs: 0,
    version,
  };
}

/** An invocation edgeproxy did not run because it is shutting down. */
export function notRun(): InvokeOutcome {
  return failure('crash', ERROR_TYPES.shutdown, 'edgeproxy is shutting down; the function was not run', 0);
}

export function initFailure(errorType: string, errorMessage: string): InitResult {
  return { ok: false, message: { t: 'init-error', errorType, errorMessage } };
}

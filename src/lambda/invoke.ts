// One invocation through the shared function runtime (the same workers, limits, logs and metrics as
// the edge path, and the same concurrency), and Lambda's reading of its outcome: the result, or a
// function error with Lambda's error payload, or a throttle
// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-sync.html, API_Invoke.html).

import type { FunctionRuntime, InvokeOutcome, InvokeRequest, ThrottleReason } from '../runtime/types.js';
import { SYNC_RESPONSE_LIMIT } from './limits.js';
import type { LogCapture, LogTap } from './log-tail.js';
import type { Target } from './routing.js';

/** Lambda's error payload: what the caller reads when `X-Amz-Function-Error` is set. */
interface FunctionErrorPayload {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export type InvocationResult =
  | { kind: 'ok'; requestId: string; version: string; body: string; logResult: string | undefined; durationMs: number }
  | {
      kind: 'function-error';
      requestId: string;
      version: string;
      /** JSON of the error payload. */
      body: string;
      error: FunctionErrorPayload;
      logResult: string | undefined;
    }
  | { kind: 'throttled'; requestId: string; reason: ThrottleReason; message: string }
  /** The runtime is shutting down: a Lambda system error (5xx), not the function's fault. */
  | { kind: 'unavailable'; requestId: string; message: string };

/** Not Lambda's error type for a shutdown, edgeproxy's (runtime/protocol.ts ERROR_TYPES.shutdown). */
const SHUTDOWN = 'Edgeproxy.Shutdown';

export class Invoker {
  constructor(
    private readonly runtime: FunctionRuntime,
    private readonly tap: LogTap | undefined,
    private readonly timeoutMs: (t: Target) => number,
  ) {}

  async run(target: Target, payloadJson: string, requestId: string, opts: { tail?: boolean } = {}): Promise<InvocationResult> {
    const req: InvokeRequest = {
      fn: target.fn,
      eventType: 'invoke',
      event: payloadJson,
      // No CloudFront request: the Lambda request id is both (the logs' cfRequestId and awsRequestId).
      requestId,
      awsRequestId: requestId,
      timeoutMs: this.timeoutMs(target),
      code: target.code,
    };
    const capture: LogCapture | undefined = opts.tail === true ? this.tap?.capture(requestId) : undefined;
    // Never rejects (runtime/types.ts): every failure is an outcome.
    const outcome = await this.runtime.invoke(req);
    const logResult = capture?.finish();
    return readOutcome(outcome, requestId, target.version, logResult);
  }
}

/** The outcome in Lambda's terms. */
function readOutcome(outcome: InvokeOutcome, requestId: string, version: string, logResult: string | undefined): InvocationResult {
  const id = outcome.awsRequestId ?? requestId;
  const executed = outcome.version ?? version;
  if (outcome.ok) {
    let body: string;
    try {
      body = JSON.stringify(outcome.result ?? null);
    } catch {
      body = 'null';
    }
    // Lambda checks the response against its 6 MB limit and reports a function error (docs/decisions.md).
    const size = Buffer.byteLength(body);
    if (size > SYNC_RESPONSE_LIMIT) {
      const error = { errorType: 'Function.ResponseSizeTooLarge', errorMessage: `Response payload size exceeded maximum allowed payload size (${SYNC_RESPONSE_LIMIT} bytes).` };
      return { kind: 'function-error', requestId: id, version: executed, body: JSON.stringify(error), error, logResult };
    }
    return { kind: 'ok', requestId: id, version: executed, body, logResult, durationMs: outcome.durationMs };
  }
  if (outcome.reason === 'throttled') {
    return { kind: 'throttled', requestId: id, reason: outcome.throttleReason ?? 'ConcurrentInvocationLimitExceeded', message: outcome.errorMessage };
  }
  if (outcome.errorType === SHUTDOWN) return { kind: 'unavailable', requestId: id, message: outcome.errorMessage };
  let error: FunctionErrorPayload;
  if (outcome.reason === 'error') {
    error = { errorType: outcome.errorType, errorMessage: outcome.errorMessage, trace: outcome.stack === undefined ? [] : outcome.stack.split('\n') };
  } else {
    // Timeouts and crashes: the platform's message, prefixed with the request id as Lambda does [O].
    error = { errorType: outcome.errorType, errorMessage: `RequestId: ${id} Error: ${outcome.errorMessage}` };
  }
  return { kind: 'function-error', requestId: id, version: executed, body: JSON.stringify(error), error, logResult };
}

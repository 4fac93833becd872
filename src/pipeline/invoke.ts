// Runs the function associated with one trigger and turns every failure into CloudFront's error
// (docs/cloudfront-reference.md §4): execution errors and timeouts → 503 LambdaExecutionError,
// throttles → 503 LambdaLimitExceeded, a result CloudFront would refuse → 502 LambdaValidationError.
// The request triggers share runRequestTrigger, the response triggers runResponseTrigger; how long a
// function took is the driver's to record (run.ts), not this module's.

import { relative } from 'node:path';
import type { Association } from '../config/types.js';
import { EdgeError } from '../errors.js';
import { applyBodyResult, makeRequestBody } from '../event/body.js';
import { eventJson } from '../event/event-json.js';
import type { CfRequest, CfResponse, EventType } from '../event/types.js';
import { validateRequestResult, validateResponseResult, type ResponseEventType, type ValidatedResponse } from '../event/validate-result.js';
import { discardBody } from './discard.js';
import type { Env } from './env.js';
import type { Exchange, ExchangeResponse } from './exchange.js';
import type { InvokeOutcome } from '../runtime/types.js';
import { noteOutcome, noteRequestBody } from './inspect.js';
import { readRequestBody } from './request-body.js';

const VIEWER_TRIGGERS: ReadonlySet<EventType> = new Set(['viewer-request', 'viewer-response']);

/** Shown in log lines: the function's file relative to the working directory. */
function functionLabel(env: Env, functionId: string): string {
  const fn = env.config.functions.get(functionId);
  return fn ? relative(process.cwd(), fn.file) || fn.file : functionId;
}

/** Invokes and returns the raw result; throws EdgeError for every failure. */
async function invokeFunction(env: Env, ex: Exchange, eventType: EventType, assoc: Association, event: string): Promise<unknown> {
  const fn = env.config.functions.get(assoc.functionId);
  if (!fn) throw new EdgeError('InternalError', `function ${assoc.functionId} is not configured`, { stage: eventType });
  const timeoutMs =
    fn.timeoutMs ?? (VIEWER_TRIGGERS.has(eventType) ? env.config.defaultTimeouts.viewer : env.config.defaultTimeouts.origin);
  const code = env.code?.resolve(assoc.functionId, assoc.qualifier);
  // The inspector keeps the exact event text and, below, the returned value (docs/inspector.md).
  const captured = ex.capture?.fn(eventType, assoc.functionId, 'lambda@edge', event);
  const outcome = await env.runtime.invoke(
    code === undefined ? { fn, eventType, event, requestId: ex.requestId, timeoutMs } : { fn, eventType, event, requestId: ex.requestId, timeoutMs, code },
  );
  if (captured !== undefined) noteOutcome(captured, outcome);
  // The inspector header and the per-request log line show it: no string per invocation when neither does.
  if (outcome.version !== undefined && (env.config.inspectorHeaders || env.log.quietInfo !== true)) ex.executed.push(`${eventType}=${assoc.functionId}:${outcome.version}`);
  if (outcome.ok) return outcome.result;
  const { code: errorCode, message } = failureOf(outcome);
  throw new EdgeError(errorCode, message, { stage: eventType, functionName: functionLabel(env, assoc.functionId) });
}

/**
 * The CloudFront error and the log's one-line reason for an invocation that did not succeed
 * (docs/cloudfront-reference.md §4): throttles → LambdaLimitExceeded, anything else → LambdaExecutionError.
 * The function's awsRequestId links the line to its START/END/REPORT lines (docs/cloudfront-reference.md §9.5).
 */
export function failureOf(outcome: Extract<InvokeOutcome, { ok: false }>): { code: 'LambdaLimitExceeded' | 'LambdaExecutionError'; message: string } {
  const code = outcome.reason === 'throttled' ? 'LambdaLimitExceeded' : 'LambdaExecutionError';
  const what =
    outcome.reason === 'timeout'
      ? outcome.errorMessage
      : outcome.reason === 'crash'
        ? `the function's worker died: ${outcome.errorType}: ${outcome.errorMessage}`
        : outcome.reason === 'throttled'
          ? `throttled: ${outcome.errorType}: ${outcome.errorMessage}${outcome.throttleReason ? ` (${outcome.throttleReason})` : ''}`
          : `${outcome.errorType}: ${outcome.errorMessage}`;
  const which = outcome.awsRequestId === undefined ? '' : ` [RequestId: ${outcome.awsRequestId}]`;
  return { code, message: `${what}${which}` };
}

/** Attaches stage and function to a validation error thrown by event/validate-result. */
function blame(e: unknown, env: Env, eventType: EventType, functionId: string): unknown {
  if (e instanceof EdgeError && e.stage === undefined) {
    e.stage = eventType;
    e.functionName = functionLabel(env, functionId);
  }
  return e;
}

/**
 * Runs a request trigger (docs/cloudfront-reference.md §2.2): the request to continue with (with the
 * body a `replace` asked for applied to the exchange), or undefined when the function generated a
 * response, which is then `ex.response` (docs/cloudfront-reference.md §2.3).
 */
export async function runRequestTrigger(
  env: Env,
  ex: Exchange,
  eventType: 'viewer-request' | 'origin-request',
  assoc: Association,
  input: CfRequest,
): Promise<CfRequest | undefined> {
  let original: Buffer | undefined;
  if (assoc.includeBody) {
    original = await readRequestBody(ex);
    if (ex.capture !== undefined) noteRequestBody(ex, original, ex.capture.bodyLimit);
    input.body = makeRequestBody(original, eventType);
  }
  const result = await invokeFunction(env, ex, eventType, assoc, eventJson(env, ex, eventType, input));
  try {
    const r = validateRequestResult(eventType, input, result);
    if (r.kind === 'response') {
      ex.response = {
        status: r.response.status,
        statusDescription: r.response.statusDescription,
        headers: r.response.headers,
        body: { kind: 'buffer', buf: r.response.body },
        source: eventType === 'viewer-request' ? 'viewer-generated' : 'origin-generated',
        xCache: 'LambdaGeneratedResponse',
      };
      return undefined;
    }
    const next = r.request;
    if (original !== undefined) ex.requestBody = { kind: 'buffer', buf: applyBodyResult(original, next.body, eventType) };
    if (next.body !== undefined) delete next.body;
    return next;
  } catch (e) {
    throw blame(e, env, eventType, assoc.functionId);
  }
}

/** Functions already told that viewer-response cannot change the status: once per function and Env. */
const toldIgnoredStatus = new WeakMap<Env, Set<string>>();

/** CloudFront ignores a status set at viewer-response (docs/cloudfront-reference.md §10.5): say so, once per function. */
function noteIgnoredStatus(env: Env, functionId: string, was: string, asked: string | number): void {
  let told = toldIgnoredStatus.get(env);
  if (told === undefined) {
    told = new Set();
    toldIgnoredStatus.set(env, told);
  }
  if (told.has(functionId)) return;
  told.add(functionId);
  env.log.warn(
    `edgeproxy: viewer-response function "${functionId}" set status ${JSON.stringify(asked)}; CloudFront ignores a status change at viewer-response and keeps ${was} ` +
      '(change it at origin-response, or generate the response at viewer-request); said once per function',
    { type: 'function-note', function: functionId, trigger: 'viewer-response' },
  );
}

/**
 * Runs a response trigger on `r` (docs/cloudfront-reference.md §2.2): the function sees `input` (status
 * and headers, never the body) with `request`; its reason phrase and headers replace `r`'s, and a body
 * it returned replaces the one `r` had. The status is the caller's to apply: only origin-response may
 * change it (docs/cloudfront-reference.md §10.5).
 */
export async function runResponseTrigger(
  env: Env,
  ex: Exchange,
  eventType: ResponseEventType,
  assoc: Association,
  request: CfRequest,
  input: CfResponse,
  r: ExchangeResponse,
): Promise<ValidatedResponse> {
  const result = await invokeFunction(env, ex, eventType, assoc, eventJson(env, ex, eventType, request, input));
  let v: ValidatedResponse;
  try {
    v = validateResponseResult(eventType, input, result);
  } catch (e) {
    throw blame(e, env, eventType, assoc.functionId);
  }
  if (v.ignoredStatus !== undefined) noteIgnoredStatus(env, assoc.functionId, input.status, v.ignoredStatus);
  r.statusDescription = v.statusDescription;
  r.headers = v.headers;
  if (v.body !== undefined) {
    discardBody(r);
    r.body = { kind: 'buffer', buf: v.body };
  }
  return v;
}

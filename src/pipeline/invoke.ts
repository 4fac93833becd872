// Runs the function associated with one trigger and turns every failure into CloudFront's error
// (docs/cloudfront-reference.md §4): execution errors and timeouts → 503 LambdaExecutionError,
// throttles → 503 LambdaLimitExceeded, a result CloudFront would refuse → 502 LambdaValidationError.
// The request triggers share runRequestTrigger, the response triggers runResponseTrigger; how long a
// function took is the driver's to record (run.ts), not this module's.

import { relative } from 'node:path';
import type { Association } from '../config/types.js';
import { EdgeError, type ErrorCode } from '../errors.js';
import { makeRequestBody } from '../event/body.js';
import { cfHeadersToRaw } from '../event/headers.js';
import { applyHeaderDiff, applyRequestDiff } from '../event/result-diff.js';
import { buildEvent, type RawRequest } from '../event/build.js';
import type { CfBody, CfOrigin, CfRequest, CfResponse, EventType } from '../event/types.js';
import type { ResponseEventType, ValidatedResponse } from '../event/validate-result.js';
import { type EdgeAnswer, type EdgePack, packEdgeCall } from '../runtime/edge-protocol.js';
import { ERRORS } from '../errors.js';
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

/**
 * Invokes and returns the raw result (for `edge` calls the worker's EdgeAnswer); throws EdgeError for
 * every failure. `capturedEvent` is the event's JSON when the inspector captures this exchange.
 */
async function invokeFunction(
  env: Env,
  ex: Exchange,
  eventType: EventType,
  assoc: Association,
  event: string,
  edge = false,
  capturedEvent?: string,
): Promise<unknown> {
  const fn = env.config.functions.get(assoc.functionId);
  if (!fn) throw new EdgeError('InternalError', `function ${assoc.functionId} is not configured`, { stage: eventType });
  const timeoutMs =
    fn.timeoutMs ?? (VIEWER_TRIGGERS.has(eventType) ? env.config.defaultTimeouts.viewer : env.config.defaultTimeouts.origin);
  const code = env.code?.resolve(assoc.functionId, assoc.qualifier);
  // The inspector keeps the exact event text and, below, the returned value (docs/inspector.md).
  const captured = ex.capture?.fn(eventType, assoc.functionId, 'lambda@edge', capturedEvent ?? event);
  if (captured !== undefined) {
    captured.memorySizeMb = fn.memorySize;
    captured.staleCode = env.code?.reloadProblem(assoc.functionId);
  }
  // One object literal per hop, whether or not the registry named a build: a spread copy cost ~3 µs per hop in the profile of b.
  const outcome = await env.runtime.invoke({ fn, eventType, event, edge, requestId: ex.requestId, timeoutMs, code });
  if (captured !== undefined) {
    noteOutcome(captured, outcome);
    // An edge call's worker sends the event it built and the result as the handler returned it (capture flag).
    if (edge && outcome.ok) {
      const a = outcome.result as EdgeAnswer;
      if (a.ev !== undefined) captured.eventJson = a.ev;
      // The worker's answer is not the function's result: only its raw JSON is.
      captured.result = undefined;
      captured.resultJson = a.raw;
    }
  }
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

// ---- Lambda@Edge calls: raw facts out, a compact answer back (runtime/edge-protocol.ts) ----

/**
 * `request.origin` as JSON, once per origin: the `custom` (or `s3`) object of the proxy's origin
 * requests is shared, not copied per request (event/origin-request.ts sharedCustomOrigin).
 */
const originJsonCache = new WeakMap<object, string>();
function originJson(o: CfOrigin | undefined): string {
  if (o === undefined) return '';
  const inner = 'custom' in o ? o.custom : o.s3;
  let j = originJsonCache.get(inner);
  if (j === undefined) {
    j = JSON.stringify(o);
    originJsonCache.set(inner, j);
  }
  return j;
}

/** The call as the worker gets it, and (when the inspector captures the exchange) the event's JSON, by the same builder the worker uses. */
function pack(env: Env, ex: Exchange, eventType: EventType, request: CfRequest, body: CfBody | undefined, response?: CfResponse): { call: string; eventJson: string | undefined } {
  // The viewer's request as received: its raw lines, which the worker converts as viewer-request did (event/headers.ts viewerEventHeaders).
  const asReceived = eventType === 'viewer-request' && request.headers === ex.receivedHeaders;
  const headers = asReceived ? ex.req.rawHeaders : cfHeadersToRaw(request.headers);
  const responseLines = response === undefined ? undefined : { status: response.status, statusDescription: response.statusDescription, headers: cfHeadersToRaw(response.headers) };
  const capture = ex.capture !== undefined;
  const p: EdgePack = {
    eventType,
    distributionDomainName: env.config.distributionDomainName,
    distributionId: env.config.distributionId,
    requestId: ex.requestId,
    capture,
    clientIp: request.clientIp,
    method: request.method,
    uri: request.uri,
    querystring: request.querystring,
    headers,
    asReceived,
    originJson: originJson(request.origin),
    bodyJson: body === undefined ? '' : JSON.stringify(body),
    response: responseLines,
  };
  const call = packEdgeCall(p);
  if (!capture) return { call, eventJson: undefined };
  const raw: RawRequest = { clientIp: request.clientIp, method: request.method, uri: request.uri, querystring: request.querystring, headers, asReceived };
  if (request.origin !== undefined) raw.origin = request.origin;
  if (body !== undefined) raw.body = body;
  const ev = buildEvent(eventType, { distributionDomainName: p.distributionDomainName, distributionId: p.distributionId, requestId: p.requestId, request: raw, ...(responseLines === undefined ? {} : { response: responseLines }) });
  return { call, eventJson: JSON.stringify(ev) };
}

function isErrorCode(c: string): c is ErrorCode {
  return Object.hasOwn(ERRORS, c);
}

/** The answer's result check, as the worker ran it: a validation error is thrown here, as the validator threw it. */
function checked(env: Env, eventType: EventType, assoc: Association, a: EdgeAnswer): EdgeAnswer {
  if (a.k !== 'x') return a;
  const e = a.f === undefined ? new EdgeError(isErrorCode(a.c) ? a.c : 'InternalError', a.m) : new EdgeError(isErrorCode(a.c) ? a.c : 'InternalError', a.m, { field: a.f });
  throw blame(e, env, eventType, assoc.functionId);
}

/** Invokes a Lambda@Edge call (raw facts out, the answer back) and raises the validation error the worker found. */
async function edgeCall(env: Env, ex: Exchange, eventType: EventType, assoc: Association, packed: { call: string; eventJson: string | undefined }): Promise<EdgeAnswer> {
  const a = (await invokeFunction(env, ex, eventType, assoc, packed.call, true, packed.eventJson)) as EdgeAnswer;
  return checked(env, eventType, assoc, a);
}

function wrongAnswer(eventType: EventType, a: EdgeAnswer): EdgeError {
  return new EdgeError('InternalError', `the function's worker answered ${JSON.stringify(a.k)} to a ${eventType} invocation`, { stage: eventType });
}

/**
 * Runs a request trigger (docs/cloudfront-reference.md §2.2): the request to continue with (with the
 * body a `replace` asked for applied to the exchange), or undefined when the function generated a
 * response, which is then `ex.response` (docs/cloudfront-reference.md §2.3). The worker validated
 * the result (event/validate-result.ts); the answer says what changed.
 */
export async function runRequestTrigger(
  env: Env,
  ex: Exchange,
  eventType: 'viewer-request' | 'origin-request',
  assoc: Association,
  input: CfRequest,
): Promise<CfRequest | undefined> {
  let original: Buffer | undefined;
  let body: CfBody | undefined;
  if (assoc.includeBody) {
    original = await readRequestBody(ex);
    if (ex.capture !== undefined) noteRequestBody(ex, original, ex.capture.bodyLimit);
    body = makeRequestBody(original, eventType);
  }
  const a = await edgeCall(env, ex, eventType, assoc, pack(env, ex, eventType, input, body));
  if (a.k === 'g') {
    ex.response = {
      status: a.s,
      statusDescription: a.d,
      headers: a.h,
      body: { kind: 'buffer', buf: a.b === undefined ? EMPTY : Buffer.from(a.b, a.e === 1 ? 'base64' : 'utf8') },
      source: eventType === 'viewer-request' ? 'viewer-generated' : 'origin-generated',
      xCache: 'LambdaGeneratedResponse',
    };
    return undefined;
  }
  if (a.k !== 'u' && a.k !== 'q') throw wrongAnswer(eventType, a);
  const next = applyRequestDiff(input, a.k === 'q' ? a : undefined);
  // docs/cloudfront-reference.md §1.5: read-only (or no body object) sends the full original on, even
  // when the function saw a truncated copy; `replace` sends the decoded data (checked in the worker).
  if (original !== undefined) {
    const b = a.k === 'q' ? a.b : undefined;
    const buf = b === undefined || b.action !== 'replace' ? original : Buffer.from(b.data, b.encoding === 'text' ? 'utf8' : 'base64');
    ex.requestBody = { kind: 'buffer', buf };
  }
  return next;
}

const EMPTY = Buffer.alloc(0);

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
  const a = await edgeCall(env, ex, eventType, assoc, pack(env, ex, eventType, request, undefined, input));
  if (a.k !== 'u' && a.k !== 'r') throw wrongAnswer(eventType, a);
  const v: ValidatedResponse =
    a.k === 'u'
      ? { status: Number(input.status), statusDescription: input.statusDescription, headers: input.headers, body: undefined }
      : {
          status: a.s ?? Number(input.status),
          statusDescription: a.d ?? input.statusDescription,
          headers: applyHeaderDiff(input.headers, a.h),
          body: a.b === undefined ? undefined : Buffer.from(a.b, a.e === 1 ? 'base64' : 'utf8'),
        };
  if (a.k === 'r' && a.i !== undefined) noteIgnoredStatus(env, assoc.functionId, input.status, a.i);
  r.statusDescription = v.statusDescription;
  r.headers = v.headers;
  if (v.body !== undefined) {
    discardBody(r);
    r.body = { kind: 'buffer', buf: v.body };
  }
  return v;
}

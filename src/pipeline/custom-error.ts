// Custom error responses in the pipeline (docs/cloudfront-reference.md §12): when an error from the
// origin side is about to reach the viewer and the distribution has a custom error response with a
// page for its status, the page is fetched through the behavior that matches the page's path — cache
// lookup, origin-request, origin, origin-response, cache store, like any object — and the viewer gets
// it with the configured ResponseCode. viewer-response does not run for it (§5.1: not for errors).

import { STATUS_CODES } from 'node:http';
import { selectBehavior } from '../config/path-pattern.js';
import { customErrorFor, customErrorStatus, type CustomErrorResponse, type ErrorOrigin } from '../distribution/custom-error-responses.js';
import { collectBody, release } from '../cache/edge-cache.js';
import { ERRORS, EdgeError } from '../errors.js';
import { discardBody } from './discard.js';
import type { Env } from './env.js';
import { createExchange, type Exchange, type ExchangeResponse, type ResponseSource } from './exchange.js';
import type { Step } from './steps.js';
import { errorResponse } from './synth.js';

/** Runs the pipeline from a step; run.ts passes its driver in (no import cycle, no closure per request). */
type RunFrom = (env: Env, ex: Exchange, first: Step) => Promise<void> | undefined;

function errorOriginOf(source: ResponseSource): ErrorOrigin {
  switch (source) {
    case 'origin':
    case 'cache':
      return 'origin';
    case 'viewer-generated':
    case 'origin-generated':
      return 'function-generated';
    case 'error':
      return 'request-refused';
  }
}

/** The custom error response for the exchange's current response, if one applies (§12). */
function customErrorForResponse(env: Env, r: ExchangeResponse): CustomErrorResponse | undefined {
  const table = env.config.customErrorResponses;
  if (table.size === 0 || r.status < 400) return undefined;
  return customErrorFor(table, r.status, errorOriginOf(r.source));
}

/** The custom error response for a failure CloudFront answers itself (origin unreachable, §4). */
function customErrorForFailure(env: Env, err: EdgeError, originFailure: boolean): CustomErrorResponse | undefined {
  const table = env.config.customErrorResponses;
  if (table.size === 0) return undefined;
  const from: ErrorOrigin = originFailure
    ? 'origin-failure'
    : err.code === 'ClientGeoBlocked'
      ? 'geo-restriction'
      : err.kind === 'user' && err.code.startsWith('Lambda')
        ? 'function-error'
        : 'request-refused';
  return customErrorFor(table, err.status, from);
}

/**
 * Fetches the page of `c` for `ex` and returns what the viewer gets: the page with ResponseCode, or —
 * when the page cannot be fetched — the status and body CloudFront got for the page (§12).
 */
async function customErrorPage(env: Env, ex: Exchange, c: CustomErrorResponse, run: RunFrom): Promise<ExchangeResponse> {
  const pagePath = c.responsePagePath as string;
  const behavior = selectBehavior(env.config.behaviors, pagePath);
  const origin = env.config.origins.get(behavior.originId);
  if (!origin) throw new Error(`behavior ${behavior.pathPattern}: origin ${behavior.originId} missing`);
  // A GET for the page with the viewer's headers; no viewer-request function (it ran for the viewer's
  // own request) and no viewer; `background` stops the run before viewer-response and reads bodies whole.
  const page = createExchange({
    requestId: ex.requestId,
    req: ex.req,
    res: ex.res,
    clientIp: ex.clientIp,
    behavior,
    origin,
    startedAt: performance.now(),
    viewerRequest: { ...ex.viewerRequest, method: 'GET', uri: pagePath, querystring: '' },
    trace: false,
    background: { receivedHeaders: ex.receivedHeaders, viewerOverrides: ex.viewerOverrides, cache: undefined },
  });
  let got: ExchangeResponse;
  try {
    await run(env, page, 'cache-lookup');
    // A failed step went to synth, which for a viewerless exchange only logs: the failure is on `page.error`.
    if (page.error !== undefined) throw page.error;
    const r = page.response;
    if (!r) throw new EdgeError('InternalError', `custom error page ${pagePath}: the fetch ended without a response`);
    const body = await collectBody(r, env.config.cache.maxObjectBytes);
    if (body === undefined) throw new EdgeError('OriginResponseError', `custom error page ${pagePath}: body ended early or exceeded the object size limit`, { stage: 'origin-fetch' });
    got = { ...r, headers: { ...r.headers }, body: { kind: 'buffer', buf: body } };
  } catch (e) {
    discardBody(page.response);
    const err = e instanceof EdgeError ? e : new EdgeError('InternalError', e instanceof Error ? e.message : String(e), { cause: e });
    env.log.warn(`${ex.requestId} custom error page ${pagePath} for ${c.errorCode} could not be fetched: ${err.describe()}`);
    return errorResponse(err, ex.requestId);
  } finally {
    release(env.cache, page.cache, undefined);
  }
  const { status, pageUsable } = customErrorStatus(c, got.status);
  return {
    status,
    statusDescription: pageUsable ? (STATUS_CODES[status] ?? '') : got.statusDescription,
    headers: got.headers,
    body: got.body,
    // Delivered as a fresh object: no Age, no conditional or range answer from the page's cache entry.
    source: 'origin',
    xCache: 'Error',
  };
}

/**
 * After synth answered a failure with CloudFront's error page: an unreachable or failing origin's
 * 502/504 (the codes that allow stale-on-error) is swapped for its custom error page (§12).
 */
export function customErrorAfterSynth(env: Env, ex: Exchange, run: RunFrom): Promise<'deliver'> | undefined {
  const err = ex.error;
  if (err === undefined || env.config.customErrorResponses.size === 0 || ex.response?.source !== 'error') return undefined;
  const c = customErrorForFailure(env, err, ERRORS[err.code].staleOnError);
  if (c === undefined) return undefined;
  return customErrorPage(env, ex, c, run).then((page) => {
    ex.response = page;
    return 'deliver';
  });
}

/** The viewer-response step's front: swaps an origin error for its custom error page (§12). */
export function customErrorStep(env: Env, ex: Exchange, run: RunFrom): Promise<'deliver'> | undefined {
  const r = ex.response;
  if (!r || env.config.customErrorResponses.size === 0) return undefined;
  const c = customErrorForResponse(env, r);
  if (c === undefined) return undefined;
  return swap(env, ex, r, c, run);
}

async function swap(env: Env, ex: Exchange, r: ExchangeResponse, c: CustomErrorResponse, run: RunFrom): Promise<'deliver'> {
  // The error itself is still cached for its ErrorCachingMinTTL (§6.6): a streamed error is stored now.
  const store = ex.storeOnEnd;
  ex.storeOnEnd = undefined;
  if (store !== undefined) store(await collectBody(r, env.config.cache.maxObjectBytes));
  else discardBody(r);
  ex.response = await customErrorPage(env, ex, c, run);
  return 'deliver';
}

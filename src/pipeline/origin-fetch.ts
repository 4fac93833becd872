// The origin fetch between [F] and [G] (docs/cloudfront-reference.md §0): send the origin-side request, possibly redirected
// by the origin-request function (request.origin), and stream the answer back without buffering it. An origin
// group's primary that fails hands the request back to origin-request for the secondary (§14).

import { STATUS_CODES } from 'node:http';
import { EdgeError } from '../errors.js';
import { rawHeaderValue } from '../event/headers.js';
import { originRequestToFetch } from '../event/origin-request.js';
import { FAILOVER_METHODS } from '../rules/cloudfront.js';
import type { CfRequest } from '../event/types.js';
import { discardBody } from './discard.js';
import { rawToCfHeadersEndToEnd } from '../event/hop-by-hop.js';
import type { Env } from './env.js';
import type { Exchange } from './exchange.js';
import type { Readable } from 'node:stream';
import { type OriginCapture, pairs } from '../inspector/capture.js';
import { teeRequestBody } from './inspect.js';
import type { Next } from './steps.js';

/**
 * Framing headers the origin request leaves out: the body we send may differ from the viewer's
 * (replaced by a function); Content-Length stays for a streamed body, which is the viewer's own.
 */
const FRAMING: ReadonlySet<string> = new Set(['transfer-encoding', 'content-length']);
const TRANSFER_ENCODING: ReadonlySet<string> = new Set(['transfer-encoding']);

/** docs/cloudfront-reference.md §14: the methods an origin group fails over for. */
const FAILOVER: ReadonlySet<string> = new Set(FAILOVER_METHODS);

/** docs/cloudfront-reference.md §14: CloudFront could not get an answer from the primary (connection, DNS, timeout). */
function isConnectionFailure(e: unknown): boolean {
  return e instanceof EdgeError && (e.code === 'OriginConnectError' || e.code === 'OriginDnsError' || e.code === 'OriginTimeout');
}

/** The viewer's request carries a body (a method other than GET/HEAD). */
function viewerSentBody(ex: Exchange): boolean {
  const raw = ex.req.rawHeaders;
  const length = rawHeaderValue(raw, 'content-length');
  return (length !== undefined && length !== '0') || rawHeaderValue(raw, 'transfer-encoding') !== undefined;
}

/**
 * An origin group (docs/cloudfront-reference.md §14) fails over for GET, HEAD and OPTIONS whose body,
 * if any, can be sent again: none, or one read whole for a function.
 */
function mayFailOver(ex: Exchange, method: string): boolean {
  return FAILOVER.has(method) && (method !== 'OPTIONS' || ex.requestBody.kind === 'buffer' || !viewerSentBody(ex));
}

export async function originFetch(env: Env, ex: Exchange): Promise<Next<'origin-fetch'>> {
  const request = ex.originRequest;
  if (!request) throw new Error('origin-fetch without an origin request');
  const fo = ex.failover;
  if (fo === undefined || !mayFailOver(ex, request.method)) return fetchOnce(env, ex, request);
  // docs/cloudfront-reference.md §14: the primary's answer, unless its status is a failover code or
  // CloudFront cannot get one (connection, DNS, timeout); then the same request goes to the
  // secondary, through origin-request again (its function runs a second time and sees the secondary).
  try {
    await fetchOnce(env, ex, request);
    const r = ex.response;
    if (r !== undefined && !fo.statusCodes.has(r.status)) return 'origin-response';
    discardBody(r);
    ex.response = undefined;
  } catch (e) {
    if (!isConnectionFailure(e)) throw e;
  }
  ex.origin = fo.origin;
  ex.failover = undefined;
  return 'origin-request';
}

async function fetchOnce(env: Env, ex: Exchange, request: CfRequest): Promise<Next<'origin-fetch'>> {
  const bodyless = request.method === 'GET' || request.method === 'HEAD';
  const c = ex.capture;
  // A method without a body of its own (OPTIONS, DELETE with none) sends none: the viewer's stream may
  // already have been read by a first fetch to an origin group's primary (docs/cloudfront-reference.md §14).
  let body: Buffer | Readable | null = bodyless ? null : ex.requestBody.kind === 'buffer' ? ex.requestBody.buf : viewerSentBody(ex) ? ex.req : null;
  const { headers: sent, origin } = originRequestToFetch(request, ex.requestId, body !== null && !Buffer.isBuffer(body) ? TRANSFER_ENCODING : FRAMING);
  if (ex.cache) ex.cache.requestTime = env.cache.clock.now();
  const path = `${origin.path}${request.uri}${request.querystring ? `?${request.querystring}` : ''}`;
  // The inspector sees the request as sent and the origin's own answer, before origin-response (docs/inspector.md).
  let seen: OriginCapture | undefined;
  if (c !== undefined) {
    seen = { method: request.method, url: `${origin.protocol}://${origin.domainName}:${origin.port}${path}`, headers: pairs(sent), sentAt: performance.now(), status: undefined, responseHeaders: [], ttfbMs: undefined, error: undefined };
    c.origin = seen;
  }
  if (c !== undefined && body === ex.req) body = teeRequestBody(ex, c, ex.req);
  let answer: Awaited<ReturnType<Env['origins']['fetch']>>;
  try {
    answer = await env.origins.fetch({
      target: { protocol: origin.protocol, domainName: origin.domainName, port: origin.port },
      path,
      method: request.method,
      headers: sent,
      body,
      readTimeoutMs: origin.readTimeout * 1000,
      keepaliveTimeoutMs: origin.keepaliveTimeout * 1000,
      connectTimeoutMs: ex.origin.connectTimeout * 1000,
    });
  } catch (e) {
    if (seen !== undefined) seen.error = e instanceof Error ? e.message : String(e);
    throw e;
  }
  if (seen !== undefined) {
    seen.status = answer.status;
    seen.responseHeaders = pairs(answer.rawHeaders);
    seen.ttfbMs = performance.now() - seen.sentAt;
  }
  ex.response = {
    status: answer.status,
    statusDescription: answer.statusText || STATUS_CODES[answer.status] || '',
    headers: rawToCfHeadersEndToEnd(answer.rawHeaders),
    body: { kind: 'stream', stream: answer.body },
    source: 'origin',
    xCache: answer.status >= 400 ? 'Error' : 'Miss',
  };
  return 'origin-response';
}

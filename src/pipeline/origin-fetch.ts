// The origin fetch between [F] and [G] (docs/cloudfront-reference.md §0): send the origin-side request, possibly redirected
// by the origin-request function (request.origin), and stream the answer back without buffering it.

import { STATUS_CODES } from 'node:http';
import { customOriginFor, originHostHeader, originRequestToFetch } from '../event/origin-request.js';
import type { CfRequest } from '../event/types.js';
import { discardBody } from './discard.js';
import { rawToCfHeadersEndToEnd } from '../event/hop-by-hop.js';
import type { Env } from './env.js';
import type { Exchange } from './exchange.js';
import type { Readable } from 'node:stream';
import { type OriginCapture, pairs } from '../inspector/capture.js';
import { teeRequestBody } from './inspect.js';
import type { Next } from './steps.js';

/** Removes framing headers: the body we send may differ from the viewer's (replaced by a function). */
function withoutFraming(raw: string[], keepLength: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    if (name === 'transfer-encoding' || (!keepLength && name === 'content-length')) continue;
    out.push(raw[i] as string, raw[i + 1] as string);
  }
  return out;
}

/** Methods an origin group fails over for (CloudFront's origin failover: GET, HEAD and OPTIONS only). */
const FAILOVER_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

export async function originFetch(env: Env, ex: Exchange): Promise<Next<'origin-fetch'>> {
  const request = ex.originRequest;
  if (!request) throw new Error('origin-fetch without an origin request');
  const fo = ex.failover;
  if (fo === undefined || !FAILOVER_METHODS.has(request.method)) return fetchOnce(env, ex, request);
  // An origin group a CloudFront Function made (docs/cloudfront-reference.md §26.3): the primary's
  // answer unless its status is a failover code or it cannot be reached; then the secondary's.
  try {
    await fetchOnce(env, ex, request);
    if (ex.response !== undefined && !fo.statusCodes.has(ex.response.status)) return 'origin-response';
    discardBody(ex.response);
  } catch {
    // The primary could not be reached (connection, DNS, timeout): CloudFront fails over too.
  }
  const primary = ex.origin;
  ex.origin = fo.origin;
  ex.failover = undefined;
  request.origin = { custom: customOriginFor(fo.origin) };
  const host = request.headers['host']?.[0]?.value;
  if (fo.origin.hostHeader !== undefined) request.headers['host'] = [{ key: 'Host', value: fo.origin.hostHeader }];
  else if (host === (primary.hostHeader ?? originHostHeader(primary.domainName, primary.protocol, primary.port))) {
    request.headers['host'] = [{ key: 'Host', value: originHostHeader(fo.origin.domainName, fo.origin.protocol, fo.origin.port) }];
  }
  return fetchOnce(env, ex, request);
}

async function fetchOnce(env: Env, ex: Exchange, request: CfRequest): Promise<Next<'origin-fetch'>> {
  const { headers, origin } = originRequestToFetch(request, ex.requestId);
  const bodyless = request.method === 'GET' || request.method === 'HEAD';
  const c = ex.capture;
  let body: Buffer | Readable | null = bodyless ? null : ex.requestBody.kind === 'buffer' ? ex.requestBody.buf : ex.req;
  if (ex.cache) ex.cache.requestTime = env.cache.clock.now();
  const path = `${origin.path}${request.uri}${request.querystring ? `?${request.querystring}` : ''}`;
  const sent = withoutFraming(headers, body !== null && !Buffer.isBuffer(body));
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

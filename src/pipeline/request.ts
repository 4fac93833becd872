// [A] of docs/cloudfront-reference.md §0: the viewer's request as CloudFront reads it, before anything
// runs for it — the request head checked (viewer/guard.ts), the headers read into CloudFront's shape,
// CloudFront's request limits and the behavior's allowed methods enforced. A restricted behavior then
// checks the signature (restrict-viewer-access); every other request goes to its viewer-request function.

import { EdgeError } from '../errors.js';
import { rawHeaderValue } from '../event/headers.js';
import { viewerHeadersFromRaw } from '../event/viewer-headers.js';
import { guardViewerRequest } from '../viewer/guard.js';
import type { Env } from './env.js';
import type { Exchange } from './exchange.js';
import type { StepResult } from './steps.js';

function headerBytes(raw: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i++) n += (raw[i] as string).length + 2;
  return n;
}

/** The viewer's headers into the exchange; `uri` and `querystring` are already there (the driver chose the behavior from them). */
function readViewerRequest(env: Env, ex: Exchange): void {
  const req = ex.req;
  const target = req.url ?? '/';
  // docs/cloudfront-reference.md §3.5: URL ≤ 8,192 bytes and request line + headers ≤ 20,480 bytes, else 413.
  if (target.length > env.config.limits.maxUrlLength) {
    throw new EdgeError('RequestTooLarge', `request URL is ${target.length} bytes, over ${env.config.limits.maxUrlLength}`, { stage: 'request' });
  }
  if (target.length + headerBytes(req.rawHeaders) > env.config.limits.maxRequestHeaderBytes) {
    throw new EdgeError('RequestTooLarge', `request headers exceed ${env.config.limits.maxRequestHeaderBytes} bytes`, { stage: 'request' });
  }
  // Disallowed and x-edgeproxy-* headers never reach the event (docs/cloudfront-reference.md §3.1); the latter carry overrides.
  const { headers, overrides } = viewerHeadersFromRaw(req.rawHeaders);
  const { uri, querystring } = ex.viewerRequest;
  ex.viewerRequest = { clientIp: ex.clientIp, method: req.method ?? 'GET', uri, querystring, headers };
  ex.viewerOverrides = overrides;
  ex.receivedHeaders = headers;
}

function hasBody(ex: Exchange): boolean {
  const raw = ex.req.rawHeaders;
  const length = rawHeaderValue(raw, 'content-length');
  return (length !== undefined && length !== '0') || rawHeaderValue(raw, 'transfer-encoding') !== undefined;
}

export function request(env: Env, ex: Exchange): StepResult<'request'> {
  // Host, request target and framing first: a refused request runs nothing (viewer/guard.ts).
  guardViewerRequest(ex.req);
  readViewerRequest(env, ex);
  const method = ex.viewerRequest.method;
  if (!env.facts(ex.behavior).allowedMethods.has(method)) {
    throw new EdgeError('MethodNotAllowed', `method ${method} is not in the behavior's allowed methods`, { stage: 'request' });
  }
  // docs/cloudfront-reference.md §3.4: a GET with a body is refused with 403.
  if ((method === 'GET' || method === 'HEAD') && hasBody(ex)) {
    throw new EdgeError('GetWithBody', `${method} request carries a body`, { stage: 'request' });
  }
  // docs/cloudfront-reference.md §15: a behavior with trusted key groups serves only signed requests.
  return ex.behavior.trustedKeyGroups === undefined ? 'viewer-request' : 'restrict-viewer-access';
}

// [A]+[B] of docs/cloudfront-reference.md §0: read the viewer's request into CloudFront's shape,
// enforce CloudFront's request limits, and run the viewer-request function. A generated response goes
// straight to the viewer (never cached, no viewer-response: docs/cloudfront-reference.md §5.1).

import type { Association } from '../config/types.js';
import { EdgeError } from '../errors.js';
import { rawHeaderValue } from '../event/headers.js';
import { viewerHeadersFromRaw } from '../event/viewer-headers.js';
import type { Env } from './env.js';
import type { Exchange } from './exchange.js';
import { cffFunction, runCffViewerRequest } from './cff.js';
import { runRequestTrigger } from './invoke.js';
import { guardViewerRequest } from '../viewer/guard.js';
import type { Next, StepResult } from './steps.js';

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

export function viewerRequest(env: Env, ex: Exchange): StepResult<'viewer-request'> {
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

  const assoc = ex.behavior.functions['viewer-request'];
  // Synchronous when there is no function: the driver runs a hit without a single await.
  return assoc ? runViewerRequest(env, ex, assoc) : 'cache-lookup';
}

async function runViewerRequest(env: Env, ex: Exchange, assoc: Association): Promise<Next<'viewer-request'>> {
  const cff = cffFunction(env, assoc);
  if (cff !== undefined) return runCffViewerRequest(env, ex, cff);
  const next = await runRequestTrigger(env, ex, 'viewer-request', assoc, ex.viewerRequest);
  // A generated response goes straight to the viewer: no cache, no viewer-response (docs/cloudfront-reference.md §5.1).
  if (next === undefined) return 'deliver';
  ex.viewerRequest = next;
  return 'cache-lookup';
}

// [A]+[B] of spec §0: read the viewer's request into CloudFront's shape, enforce CloudFront's
// request limits, and run the viewer-request function. A generated response goes straight to the
// viewer (never cached, no viewer-response: spec §5.1).

import type { Association } from '../config/types.js';
import { EdgeError } from '../errors.js';
import { rawHeaderValue } from '../event/headers.js';
import { viewerHeadersFromRaw } from '../event/viewer-headers.js';
import type { CfRequest } from '../event/types.js';
import type { Env } from './env.js';
import type { Exchange } from './exchange.js';
import { runRequestTrigger } from './invoke.js';
import type { Step } from './steps.js';

/** Splits the request target into CloudFront's uri and querystring (no leading `?`, spec §1.3). */
export function splitTarget(target: string): { uri: string; querystring: string } {
  // Absolute-form targets (a viewer talking to us as a forward proxy) keep only path and query.
  let t = target;
  if (t[0] !== '/') {
    const slash = t.indexOf('/', t.indexOf('//') + 2);
    t = slash === -1 ? '/' : t.slice(slash);
  }
  const q = t.indexOf('?');
  return q === -1 ? { uri: t, querystring: '' } : { uri: t.slice(0, q), querystring: t.slice(q + 1) };
}

function headerBytes(raw: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i++) n += (raw[i] as string).length + 2;
  return n;
}

/** `split` is the request target already split by the driver (it chose the behavior from its uri). */
export function buildViewerRequest(
  env: Env,
  ex: Pick<Exchange, 'req' | 'clientIp'>,
  split: { uri: string; querystring: string },
): { request: CfRequest; overrides: Record<string, string> } {
  const req = ex.req;
  const target = req.url ?? '/';
  // spec §3.5: URL ≤ 8,192 bytes and request line + headers ≤ 20,480 bytes, else 413.
  if (target.length > env.config.limits.maxUrlLength) {
    throw new EdgeError('RequestTooLarge', `request URL is ${target.length} bytes, over ${env.config.limits.maxUrlLength}`, { stage: 'request' });
  }
  if (target.length + headerBytes(req.rawHeaders) > env.config.limits.maxRequestHeaderBytes) {
    throw new EdgeError('RequestTooLarge', `request headers exceed ${env.config.limits.maxRequestHeaderBytes} bytes`, { stage: 'request' });
  }
  const { uri, querystring } = split;
  // Disallowed and x-edgeproxy-* headers never reach the event (spec §3.1); the latter carry overrides.
  const { headers, overrides } = viewerHeadersFromRaw(req.rawHeaders);
  const method = req.method ?? 'GET';
  return { request: { clientIp: ex.clientIp, method, uri, querystring, headers }, overrides };
}

function hasBody(ex: Exchange): boolean {
  const raw = ex.req.rawHeaders;
  const length = rawHeaderValue(raw, 'content-length');
  return (length !== undefined && length !== '0') || rawHeaderValue(raw, 'transfer-encoding') !== undefined;
}

export function viewerRequest(env: Env, ex: Exchange): Step | Promise<Step> {
  const method = ex.viewerRequest.method;
  if (!env.facts(ex.behavior).allowedMethods.has(method)) {
    throw new EdgeError('MethodNotAllowed', `method ${method} is not in the behavior's allowed methods`, { stage: 'request' });
  }
  // spec §3.4: a GET with a body is refused with 403.
  if ((method === 'GET' || method === 'HEAD') && hasBody(ex)) {
    throw new EdgeError('GetWithBody', `${method} request carries a body`, { stage: 'request' });
  }

  const assoc = ex.behavior.functions['viewer-request'];
  // Synchronous when there is no function: the driver runs a hit without a single await.
  return assoc ? runViewerRequest(env, ex, assoc) : 'cache-lookup';
}

async function runViewerRequest(env: Env, ex: Exchange, assoc: Association): Promise<Step> {
  const next = await runRequestTrigger(env, ex, 'viewer-request', assoc, ex.viewerRequest);
  // A generated response goes straight to the viewer: no cache, no viewer-response (spec §5.1).
  if (next === undefined) return 'deliver';
  ex.viewerRequest = next;
  return 'cache-lookup';
}

// The behavior's response headers policy at delivery (docs/cloudfront-reference.md §13): on every
// response CloudFront sends for the behavior — from the cache, the origin, a function or CloudFront
// itself — after the viewer-response function, so functions never see the policy's headers and cannot
// undo them (docs/decisions.md).

import { applyPolicy, serverTimingSampled, serverTimingValue, type PolicyRequest, type ResponseHeadersPolicy } from '../distribution/response-headers-policy.js';
import type { CfHeaders } from '../event/types.js';
import type { Env } from './env.js';
import type { Exchange, ExchangeResponse } from './exchange.js';

function first(h: CfHeaders, name: string): string | undefined {
  return h[name]?.[0]?.value;
}

function policyRequest(ex: Exchange): PolicyRequest {
  const h = ex.receivedHeaders;
  const pragma = first(h, 'pragma');
  return {
    method: ex.viewerRequest.method,
    origin: first(h, 'origin'),
    requestMethod: first(h, 'access-control-request-method'),
    pragmaServerTiming: pragma !== undefined && /(^|,)\s*server-timing\s*(,|$)/i.test(pragma),
  };
}

/** Shapes the flat head `out` (names, values, edge headers included) by the policy. */
export function applyResponseHeadersPolicy(env: Env, ex: Exchange, r: ExchangeResponse, p: ResponseHeadersPolicy, out: string[]): void {
  const req = policyRequest(ex);
  applyPolicy(p, out, req);
  if (!serverTimingSampled(p, req)) return;
  // §13: one Server-Timing line; on a miss the origin's value is kept, on a hit it is not.
  let originValue: string | undefined;
  for (let i = out.length - 2; i >= 0; i -= 2) {
    if ((out[i] as string).toLowerCase() === 'server-timing') {
      originValue = originValue === undefined ? (out[i + 1] as string) : `${out[i + 1] as string},${originValue}`;
      out.splice(i, 2);
    }
  }
  const kind = r.source === 'cache' ? (r.xCache === 'RefreshHit' ? 'refresh' : 'hit') : 'miss';
  const fetch = ex.timings.find((t) => t.stage === 'origin-fetch');
  out.push('Server-Timing', serverTimingValue(kind, env.config.pop, ex.requestId, fetch?.ms, kind === 'miss' ? originValue : undefined));
}

// [G] of docs/cloudfront-reference.md §0: the origin-response function sees status and headers (never
// the body) and may change status, headers, or replace the body. Its result is what the cache stores
// (docs/cloudfront-reference.md §5.2).

import type { Association } from '../config/types.js';
import type { CfRequest, CfResponse } from '../event/types.js';
import type { Env } from './env.js';
import type { Exchange, ExchangeResponse } from './exchange.js';
import { runResponseTrigger } from './invoke.js';
import type { Next, StepResult } from './steps.js';

export function originResponse(env: Env, ex: Exchange): StepResult<'origin-response'> {
  const assoc = ex.behavior.functions['origin-response'];
  const r = ex.response;
  // Not run for a response the origin-request function generated (docs/cloudfront-reference.md §5.1).
  if (!assoc || !r || r.source !== 'origin' || !ex.originRequest) return 'cache-store';
  // A 304 answering our revalidation refreshes an object origin-response already shaped when it
  // was stored; the function is not run for it (docs/cloudfront-reference.md §5.1, §10.4: decision in docs/decisions.md).
  if (r.status === 304 && ex.cache?.stale) return 'cache-store';
  return runOriginResponse(env, ex, assoc, ex.originRequest, r);
}

async function runOriginResponse(env: Env, ex: Exchange, assoc: Association, request: CfRequest, r: ExchangeResponse): Promise<Next<'origin-response'>> {
  const input: CfResponse = { status: String(r.status), statusDescription: r.statusDescription, headers: r.headers };
  const v = await runResponseTrigger(env, ex, 'origin-response', assoc, request, input, r);
  r.status = v.status;
  r.xCache = v.status >= 400 ? 'Error' : 'Miss';
  return 'cache-store';
}

// [E]+[F] of docs/cloudfront-reference.md §0: build the origin-side request (policies, Host,
// User-Agent, X-Forwarded-For, Via, CloudFront-* headers: docs/cloudfront-reference.md §3.4, §7) and
// run the origin-request function. A generated response skips the origin and origin-response, and is
// stored in the cache (docs/cloudfront-reference.md §5.1, §5.2).

import type { Association } from '../config/types.js';
import { revalidationHeaders } from '../cache/entry.js';
import { buildOriginRequest } from '../event/origin-request.js';
import type { CfRequest } from '../event/types.js';
import { cloudFrontViewerHeaders } from '../event/viewer-headers.js';
import type { Env } from './env.js';
import { viewerInfoOf, type Exchange } from './exchange.js';
import { runRequestTrigger } from './invoke.js';
import type { Next, StepResult } from './steps.js';

export function originRequest(env: Env, ex: Exchange): StepResult<'origin-request'> {
  const facts = env.facts(ex.behavior);
  const version = ex.viewerHttpVersion;
  const cloudFrontHeaders =
    facts.cloudFrontHeaders.length === 0
      ? {}
      : cloudFrontViewerHeaders(
          viewerInfoOf(ex),
          facts.cloudFrontHeaders,
          env.config.viewerHeaders,
          ex.viewerOverrides,
        );
  const request = buildOriginRequest(ex.viewerRequest, {
    origin: ex.origin,
    behavior: ex.behavior,
    config: env.config,
    clientIp: ex.clientIp,
    viewerHttpVersion: version,
    cloudFrontHeaders,
  });
  const stale = ex.cache?.stale;
  if (stale) {
    // docs/cloudfront-reference.md §6.8: revalidate with the stored validators, in place of any the viewer sent.
    if (request.headers['if-none-match'] !== undefined) delete request.headers['if-none-match'];
    if (request.headers['if-modified-since'] !== undefined) delete request.headers['if-modified-since'];
    Object.assign(request.headers, revalidationHeaders(stale));
  }
  ex.originRequest = request;

  const assoc = ex.behavior.functions['origin-request'];
  // Synchronous when there is no function: only a function's step waits (and is timed).
  return assoc ? runOriginRequest(env, ex, assoc, request) : 'origin-fetch';
}

async function runOriginRequest(env: Env, ex: Exchange, assoc: Association, request: CfRequest): Promise<Next<'origin-request'>> {
  const next = await runRequestTrigger(env, ex, 'origin-request', assoc, request);
  // A generated response skips the origin and origin-response, and is stored (docs/cloudfront-reference.md §5.1, §5.2).
  if (next === undefined) return 'cache-store';
  ex.originRequest = next;
  return 'origin-fetch';
}

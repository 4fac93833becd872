// [B] of docs/cloudfront-reference.md §0: the viewer-request function, on the request as CloudFront
// read it (request.ts) and, for a restricted behavior, after its signature was checked. A generated
// response goes straight to the viewer (never cached, no viewer-response: docs/cloudfront-reference.md §5.1).

import type { Association } from '../config/types.js';
import type { Env } from './env.js';
import type { Exchange } from './exchange.js';
import { cffFunction, runCffViewerRequest } from './cff.js';
import { runRequestTrigger } from './invoke.js';
import type { Next, StepResult } from './steps.js';

export function viewerRequest(env: Env, ex: Exchange): StepResult<'viewer-request'> {
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

// [H] of docs/cloudfront-reference.md §0: runs on misses and hits alike, never for status ≥ 400 or a
// response generated at viewer-request (docs/cloudfront-reference.md §5.1). Its changes go to this
// viewer only and are never stored.

import type { Association } from '../config/types.js';
import type { CfResponse } from '../event/types.js';
import type { Env } from './env.js';
import type { Exchange, ExchangeResponse } from './exchange.js';
import { cffFunction, runCffViewerResponse } from './cff.js';
import { runResponseTrigger } from './invoke.js';
import type { Next, StepResult } from './steps.js';

export function viewerResponse(env: Env, ex: Exchange): StepResult<'viewer-response'> {
  const assoc = ex.behavior.functions['viewer-response'];
  const r = ex.response;
  // The ≥ 400 check uses the status after origin-response (docs/cloudfront-reference.md §5.1, §10.6; decision in docs/decisions.md).
  if (!assoc || !r || r.status >= 400 || r.source === 'viewer-generated' || r.source === 'error') return 'deliver';
  return runViewerResponse(env, ex, assoc, r);
}

async function runViewerResponse(env: Env, ex: Exchange, assoc: Association, r: ExchangeResponse): Promise<Next<'viewer-response'>> {
  const headers = r.age === undefined ? r.headers : { ...r.headers, age: [{ key: 'Age', value: String(r.age) }] };
  const input: CfResponse = { status: String(r.status), statusDescription: r.statusDescription, headers };
  const cff = cffFunction(env, assoc);
  if (cff !== undefined) {
    await runCffViewerResponse(env, ex, cff, r, input);
    return 'deliver';
  }
  // An Age the function set is dropped at delivery with CloudFront's other own headers (deliver.ts
  // OURS), not deleted here: a `delete` would turn the headers into a slow dictionary for the rest.
  await runResponseTrigger(env, ex, 'viewer-response', assoc, ex.viewerRequest, input, r);
  return 'deliver';
}

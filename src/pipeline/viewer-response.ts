// [H] of spec §0: runs on misses and hits alike, never for status ≥ 400 or a response generated at
// viewer-request (spec §5.1). Its changes go to this viewer only and are never stored.

import type { Association } from '../config/types.js';
import { validateResponseResult } from '../event/validate-result.js';
import type { CfResponse } from '../event/types.js';
import { discardBody } from './discard.js';
import type { Env } from './env.js';
import type { Exchange, ExchangeResponse } from './exchange.js';
import { blame, eventJson, invokeFunction } from './invoke.js';
import type { Step } from './steps.js';

export function viewerResponse(env: Env, ex: Exchange): Step | Promise<Step> {
  const assoc = ex.behavior.functions['viewer-response'];
  const r = ex.response;
  // The ≥ 400 check uses the status after origin-response (spec §5.1, decision in docs/decisions.md).
  if (!assoc || !r || r.status >= 400 || r.source === 'viewer-generated' || r.source === 'error') return 'deliver';
  return runViewerResponse(env, ex, assoc, r);
}

async function runViewerResponse(env: Env, ex: Exchange, assoc: Association, r: ExchangeResponse): Promise<Step> {
  const headers = r.age === undefined ? r.headers : { ...r.headers, age: [{ key: 'Age', value: String(r.age) }] };
  const input: CfResponse = { status: String(r.status), statusDescription: r.statusDescription, headers };
  const result = await invokeFunction(env, ex, 'viewer-response', assoc, eventJson(env, ex, 'viewer-response', ex.viewerRequest, input));
  try {
    const v = validateResponseResult('viewer-response', input, result);
    r.statusDescription = v.statusDescription;
    // An Age the function set is dropped at delivery with CloudFront's other own headers (deliver.ts
    // OURS), not deleted here: a `delete` would turn the headers into a slow dictionary for the rest.
    r.headers = v.headers;
    if (v.body !== undefined) {
      discardBody(r);
      r.body = { kind: 'buffer', buf: v.body };
    }
    return 'deliver';
  } catch (e) {
    throw blame(e, env, 'viewer-response', assoc.functionId);
  }
}

// [G] of spec §0: the origin-response function sees status and headers (never the body) and may
// change status, headers, or replace the body. Its result is what the cache stores (spec §5.2).

import { validateResponseResult } from '../event/validate-result.js';
import type { CfResponse } from '../event/types.js';
import { discardBody } from './discard.js';
import type { Env } from './env.js';
import type { Exchange } from './exchange.js';
import { blame, eventJson, invokeFunction } from './invoke.js';
import type { Step } from './steps.js';

export async function originResponse(env: Env, ex: Exchange): Promise<Step> {
  const assoc = ex.behavior.functions['origin-response'];
  const r = ex.response;
  // Not run for a response the origin-request function generated (spec §5.1).
  if (!assoc || !r || r.source !== 'origin' || !ex.originRequest) return 'cache-store';
  // A 304 answering our revalidation refreshes an object origin-response already shaped when it
  // was stored; the function is not run for it (spec §5.1, §10.4: decision in docs/decisions.md).
  if (r.status === 304 && ex.cache?.stale) return 'cache-store';
  const input: CfResponse = { status: String(r.status), statusDescription: r.statusDescription, headers: r.headers };
  const result = await invokeFunction(env, ex, 'origin-response', assoc, eventJson(env, ex, 'origin-response', ex.originRequest, input));
  try {
    const v = validateResponseResult('origin-response', input, result);
    r.status = v.status;
    r.statusDescription = v.statusDescription;
    r.headers = v.headers;
    r.xCache = v.status >= 400 ? 'Error' : 'Miss';
    if (v.body !== undefined) {
      discardBody(r);
      r.body = { kind: 'buffer', buf: v.body };
    }
    return 'cache-store';
  } catch (e) {
    throw blame(e, env, 'origin-response', assoc.functionId);
  }
}

// After [G] (or an origin-request generated response): what the cache stores is the response after
// origin-response (spec §5.2). Until the cache issue lands nothing is stored.

import type { Env } from './env.js';
import type { Exchange } from './exchange.js';
import type { Step } from './steps.js';

export async function cacheStore(_env: Env, _ex: Exchange): Promise<Step> {
  return 'viewer-response';
}

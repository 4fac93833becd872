// [C]–[D] of spec §0: the cache key and lookup. The cache arrives with the cache issue; until then
// every request is a miss.

import type { Env } from './env.js';
import type { Exchange } from './exchange.js';
import type { Step } from './steps.js';

export async function cacheLookup(_env: Env, _ex: Exchange): Promise<Step> {
  return 'origin-request';
}

// Cache key (docs/cloudfront-reference.md §6.2/§6.3): runs on every request that can be cached.

import type { CachePolicy } from '../../src/config/types.js';
import type { CfHeaders } from '../../src/event/types.js';
import { BROWSER_RAW_HEADERS, CACHING_OPTIMIZED, KEYED_POLICY } from './fixtures.js';
import { fnExport, importSrc, type MicroCase } from './harness.js';

type CacheKey = (input: { method: string; uri: string; querystring: string; headers: CfHeaders; policy: CachePolicy; compressEnabled: boolean }) => string;
type RawToCf = (raw: readonly string[]) => CfHeaders;

async function setupKey(policy: CachePolicy): Promise<(() => unknown) | string> {
  const cacheKey = fnExport<CacheKey>(await importSrc('cache/key.js'), 'cacheKey');
  if (typeof cacheKey === 'string') return cacheKey;
  const toCf = fnExport<RawToCf>(await importSrc('event/headers.js'), 'rawToCfHeaders');
  if (typeof toCf === 'string') return `needs rawToCfHeaders: ${toCf}`;
  const input = { method: 'GET', uri: '/images/cat.jpg', querystring: 'size=large&v=3', headers: toCf(BROWSER_RAW_HEADERS), policy, compressEnabled: true };
  const k = cacheKey(input);
  if (typeof k !== 'string' || k === cacheKey({ ...input, uri: '/images/dog.jpg' })) return 'cacheKey gives unexpected answers';
  return () => cacheKey(input);
}

export const cases: MicroCase[] = [
  { name: 'cacheKey: CachingOptimized (path + Accept-Encoding)', setup: () => setupKey(CACHING_OPTIMIZED) },
  { name: 'cacheKey: all query strings + 2 headers + 1 cookie', setup: () => setupKey(KEYED_POLICY) },
];

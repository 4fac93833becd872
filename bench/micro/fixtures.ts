// Realistic inputs for the micro-benchmarks, built once: a browser's request headers, a resolved
// behavior list, and the CachingOptimized policy (docs/cloudfront-reference.md §6.2) written out so no config code is needed.

import type { CachePolicy, ResolvedBehavior } from '../../src/config/types.js';
import type { CfHeaders, CfRequest } from '../../src/event/types.js';

/** 13 header lines as Chrome sends them, with two Cookie lines (docs/cloudfront-reference.md §1.2: one entry per line). */
export const BROWSER_RAW_HEADERS: readonly string[] = [
  'Host', 'd111111abcdef8.cloudfront.net',
  'Connection', 'keep-alive',
  'Cache-Control', 'max-age=0',
  'Upgrade-Insecure-Requests', '1',
  'User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
  'Sec-Fetch-Site', 'none',
  'Sec-Fetch-Mode', 'navigate',
  'Accept-Encoding', 'gzip, deflate, br, zstd',
  'Accept-Language', 'en-US,en;q=0.9,de;q=0.8',
  'Cookie', 'session=3f9a1c0e7b; theme=dark',
  'Cookie', 'consent=yes',
  'If-None-Match', '"5d8c72a5edda8"',
];

export const CACHING_OPTIMIZED: CachePolicy = {
  name: 'CachingOptimized',
  minTTL: 1,
  defaultTTL: 86400,
  maxTTL: 31536000,
  queryStrings: { behavior: 'none' },
  headers: { behavior: 'none' },
  cookies: { behavior: 'none' },
  enableAcceptEncodingGzip: true,
  enableAcceptEncodingBrotli: true,
};

/** A policy that keys on more: all query strings, two headers, one cookie. */
export const KEYED_POLICY: CachePolicy = {
  ...CACHING_OPTIMIZED,
  name: 'bench-keyed',
  queryStrings: { behavior: 'all' },
  headers: { behavior: 'whitelist', names: ['accept-language', 'cloudfront-viewer-country'] },
  cookies: { behavior: 'whitelist', names: ['theme'] },
};

export function behavior(pathPattern: string, matches: (path: string) => boolean): ResolvedBehavior {
  return {
    pathPattern,
    matches,
    originId: 'origin',
    functions: {},
    cachePolicy: CACHING_OPTIMIZED,
    originRequestPolicy: undefined,
    compress: true,
    allowedMethods: ['GET', 'HEAD'],
    cachedMethods: ['GET', 'HEAD'],
  };
}

/** The patterns of a typical distribution: four specific behaviors, then the default. */
export const PATTERNS: readonly string[] = ['/api/*', '/images/*.jpg', '/static/*', '/app/??/*', '*'];

/**
 * The same lines as a function may see them: Connection is never exposed (docs/cloudfront-reference.md §3.1). Filtered
 * here, once, rather than deleted from each converted map (a delete makes V8 switch the object to
 * slower dictionary mode, which would be the fixture's cost, not the code's).
 */
export const EVENT_RAW_HEADERS: readonly string[] = BROWSER_RAW_HEADERS.filter((_, i, a) => (a[i - (i % 2)] ?? '').toLowerCase() !== 'connection');

export function viewerRequest(headers: CfHeaders): CfRequest {
  return { clientIp: '203.0.113.178', method: 'GET', uri: '/images/cat.jpg', querystring: 'size=large&v=3', headers };
}

// The TTL rule in words (inspector cache section): each of cache/ttl.ts's rules, from a real decision.

import { describe, expect, it } from 'vitest';
import { decideTtl } from '../../src/cache/ttl.js';
import type { CachePolicy } from '../../src/config/types.js';
import type { CfHeaders } from '../../src/event/types.js';
import { ttlRuleText } from '../../src/inspector/ttl-text.js';

const policy: CachePolicy = {
  name: 'p',
  minTTL: 0,
  defaultTTL: 86400,
  maxTTL: 31536000,
  queryStrings: { behavior: 'none' },
  headers: { behavior: 'none' },
  cookies: { behavior: 'none' },
  enableAcceptEncodingGzip: true,
  enableAcceptEncodingBrotli: true,
};

function text(status: number, cc: string | undefined, p: Partial<CachePolicy> = {}): string {
  const headers: CfHeaders = cc === undefined ? {} : { 'cache-control': [{ key: 'Cache-Control', value: cc }] };
  const pol = { ...policy, ...p };
  const d = decideTtl({ status, headers, method: 'GET', policy: pol, now: Date.now(), errorCachingMinTtl: 10 });
  return ttlRuleText(d, { status, headers, policy: pol, errorCachingMinTtl: 10 });
}

describe('ttlRuleText', () => {
  it('names the directive, and the clamp when MinTTL or MaxTTL moved it', () => {
    expect(text(200, 'max-age=60')).toBe('max-age=60 (within MinTTL 0 – MaxTTL 31536000)');
    expect(text(200, 'max-age=999999999')).toBe('max-age=999999999 clamped to MaxTTL 31536000');
    expect(text(200, 'max-age=5', { minTTL: 30 })).toBe('max-age=5 raised to MinTTL 30');
    expect(text(200, 's-maxage=7, max-age=60')).toBe('s-maxage=7 (within MinTTL 0 – MaxTTL 31536000)');
  });

  it('DefaultTTL when the origin said nothing', () => {
    expect(text(200, undefined)).toBe('DefaultTTL 86400: no Cache-Control max-age or s-maxage, no Expires');
  });

  it('why nothing was stored', () => {
    expect(text(200, 'no-store')).toBe('not stored: Cache-Control: no-store and MinTTL 0');
    expect(text(200, 'no-store', { minTTL: 5 })).toBe('Cache-Control: no-store overridden by MinTTL 5');
    expect(text(200, 'max-age=0')).toBe('not stored: TTL 0 (max-age) and no validator to revalidate with');
    expect(text(200, 'max-age=60', { minTTL: 0, defaultTTL: 0, maxTTL: 0 })).toBe('not stored: the cache policy’s MaxTTL is 0 (CachingDisabled)');
  });

  it('error caching', () => {
    expect(text(404, undefined)).toBe('status 404: error caching minimum TTL 10');
    expect(text(403, undefined)).toBe('not stored: this error status is cached only with max-age or s-maxage');
  });
});

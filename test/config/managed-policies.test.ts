import { describe, expect, it } from 'vitest';
import {
  MANAGED_CACHE_POLICIES,
  MANAGED_ORIGIN_REQUEST_POLICIES,
  managedCachePolicy,
  managedOriginRequestPolicy,
} from '../../src/config/managed-policies.js';

const CACHE = [
  'CachingOptimized',
  'CachingDisabled',
  'CachingOptimizedForUncompressedObjects',
  'UseOriginCacheControlHeaders',
  'UseOriginCacheControlHeaders-QueryStrings',
  'Elemental-MediaPackage',
];
const ORIGIN = [
  'AllViewer',
  'AllViewerExceptHostHeader',
  'AllViewerAndCloudFrontHeaders-2022-06',
  'CORS-CustomOrigin',
  'CORS-S3Origin',
  'UserAgentRefererHeaders',
];

function headerNames(h: { behavior: string; names?: readonly string[] }): readonly string[] {
  return h.names ?? [];
}

describe('managed cache policies', () => {
  it.each(CACHE)('has %s under its own name', (name) => {
    expect(MANAGED_CACHE_POLICIES.get(name)?.name).toBe(name);
  });

  it('CachingOptimized: 1 s / 1 day / 1 year, nothing in the key, gzip+br (AWS rule: cache key and cache policies)', () => {
    expect(MANAGED_CACHE_POLICIES.get('CachingOptimized')).toEqual({
      name: 'CachingOptimized',
      minTTL: 1,
      defaultTTL: 86_400,
      maxTTL: 31_536_000,
      queryStrings: { behavior: 'none' },
      headers: { behavior: 'none' },
      cookies: { behavior: 'none' },
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
  });

  it('CachingDisabled: 0/0/0 and compression caching off (AWS rule: cache key and cache policies)', () => {
    const p = MANAGED_CACHE_POLICIES.get('CachingDisabled');
    expect([p?.minTTL, p?.defaultTTL, p?.maxTTL]).toEqual([0, 0, 0]);
    expect([p?.enableAcceptEncodingGzip, p?.enableAcceptEncodingBrotli]).toEqual([false, false]);
  });

  it('UseOriginCacheControlHeaders-QueryStrings keys on all query strings, all cookies and Host/Origin/method overrides', () => {
    const p = MANAGED_CACHE_POLICIES.get('UseOriginCacheControlHeaders-QueryStrings');
    expect(p?.queryStrings).toEqual({ behavior: 'all' });
    expect(p?.cookies).toEqual({ behavior: 'all' });
    expect(p?.defaultTTL).toBe(0);
    expect(headerNames(p!.headers)).toEqual(['host', 'origin', 'x-http-method-override', 'x-http-method', 'x-method-override']);
    expect(MANAGED_CACHE_POLICIES.get('UseOriginCacheControlHeaders')?.queryStrings).toEqual({ behavior: 'none' });
  });

  it('stores every header name lowercase', () => {
    for (const p of MANAGED_CACHE_POLICIES.values()) {
      for (const n of headerNames(p.headers)) expect(n).toBe(n.toLowerCase());
    }
  });

  it('accepts the API spelling with the Managed- prefix', () => {
    expect(managedCachePolicy('Managed-CachingDisabled')?.name).toBe('CachingDisabled');
    expect(managedCachePolicy('CachingOptimised')).toBeUndefined();
  });

  it('is frozen', () => {
    const p = MANAGED_CACHE_POLICIES.get('CachingOptimized')!;
    expect(Object.isFrozen(p)).toBe(true);
    expect(() => {
      (p as { minTTL: number }).minTTL = 5;
    }).toThrow(TypeError);
  });
});

describe('managed origin request policies', () => {
  it.each(ORIGIN)('has %s under its own name', (name) => {
    expect(MANAGED_ORIGIN_REQUEST_POLICIES.get(name)?.name).toBe(name);
  });

  it('AllViewerExceptHostHeader forwards everything but Host', () => {
    expect(MANAGED_ORIGIN_REQUEST_POLICIES.get('AllViewerExceptHostHeader')).toEqual({
      name: 'AllViewerExceptHostHeader',
      queryStrings: { behavior: 'all' },
      headers: { behavior: 'allExcept', names: ['host'] },
      cookies: { behavior: 'all' },
    });
  });

  it('AllViewerAndCloudFrontHeaders-2022-06 adds CloudFront headers, lowercase', () => {
    const h = MANAGED_ORIGIN_REQUEST_POLICIES.get('AllViewerAndCloudFrontHeaders-2022-06')!.headers;
    expect(h.behavior).toBe('allViewerAndWhitelistCloudFront');
    const names = headerNames(h);
    expect(names).toContain('cloudfront-viewer-country');
    expect(names).toContain('cloudfront-viewer-address');
    expect(names.every((n) => n.startsWith('cloudfront-') && n === n.toLowerCase())).toBe(true);
  });

  it('CORS-S3Origin and UserAgentRefererHeaders list their headers', () => {
    expect(headerNames(managedOriginRequestPolicy('CORS-S3Origin')!.headers)).toEqual([
      'origin',
      'access-control-request-headers',
      'access-control-request-method',
    ]);
    expect(headerNames(managedOriginRequestPolicy('Managed-UserAgentRefererHeaders')!.headers)).toEqual(['user-agent', 'referer']);
    expect(managedOriginRequestPolicy('CORS-CustomOrigin')?.queryStrings).toEqual({ behavior: 'none' });
  });
});

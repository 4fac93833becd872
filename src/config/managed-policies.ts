// AWS managed cache policies and origin request policies (docs/cloudfront-reference.md §6.2, §6.4), as published on the
// CloudFront Developer Guide pages "Use managed cache policies" and "Use managed origin request
// policies" (read 2025 copies; IDs listed for cross-reference with CloudFormation/CDK templates).
// Header names are stored lowercase, as the pipeline compares them; query-string and cookie names
// keep their case (CloudFront compares those case-sensitively, docs/cloudfront-reference.md §6.2).

import type { CachePolicy, OriginRequestPolicy } from './types.js';

const ONE_YEAR = 31_536_000;
const ONE_DAY = 86_400;

/** Headers the two UseOriginCacheControlHeaders policies put in the cache key. */
const ORIGIN_CACHE_HEADERS_KEY = ['host', 'origin', 'x-http-method-override', 'x-http-method', 'x-method-override'] as const;

/** "All CloudFront headers released through June 2022" (AllViewerAndCloudFrontHeaders-2022-06). */
const CLOUDFRONT_HEADERS_2022_06 = [
  'cloudfront-forwarded-proto',
  'cloudfront-is-android-viewer',
  'cloudfront-is-desktop-viewer',
  'cloudfront-is-ios-viewer',
  'cloudfront-is-mobile-viewer',
  'cloudfront-is-smarttv-viewer',
  'cloudfront-is-tablet-viewer',
  'cloudfront-viewer-address',
  'cloudfront-viewer-asn',
  'cloudfront-viewer-city',
  'cloudfront-viewer-country',
  'cloudfront-viewer-country-name',
  'cloudfront-viewer-country-region',
  'cloudfront-viewer-country-region-name',
  'cloudfront-viewer-http-version',
  'cloudfront-viewer-latitude',
  'cloudfront-viewer-longitude',
  'cloudfront-viewer-metro-code',
  'cloudfront-viewer-postal-code',
  'cloudfront-viewer-time-zone',
  'cloudfront-viewer-tls',
] as const;

/** AWS's ID for each managed policy, for docs and error messages. */
export const MANAGED_POLICY_IDS: Readonly<Record<string, string>> = Object.freeze({
  CachingOptimized: '658327ea-f89d-4fab-a63d-7e88639e58f6',
  CachingOptimizedForUncompressedObjects: 'b2884449-e4de-46a7-ac36-70bc7f1ddd6d',
  CachingDisabled: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
  'Elemental-MediaPackage': '08627262-05a9-4f76-9ded-b50ca2e3a84f',
  Amplify: '2e54312d-136d-493c-8eb9-b001f22f67d2',
  UseOriginCacheControlHeaders: '83da9c7e-98b4-4e11-a168-04f0df8e2c65',
  'UseOriginCacheControlHeaders-QueryStrings': '4cc15a8a-d715-48a4-82b8-cc0b614638fe',
  AllViewer: '216adef6-5c7f-47e4-b989-5492eafa07d3',
  'AllViewerAndCloudFrontHeaders-2022-06': '33f36d7e-f396-46d9-90e0-52428a34d9dc',
  AllViewerExceptHostHeader: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
  'CORS-CustomOrigin': '59781a5b-3903-41f3-afcb-af62929ccde1',
  'CORS-S3Origin': '88a5eaf4-2fd4-4709-b370-b4c650ea3fcf',
  'Elemental-MediaTailor-PersonalizedManifests': '775133bc-15f2-49f9-abea-afb2e0bf67d2',
  HostHeaderOnly: 'bf0718e1-ba1e-49d1-88b1-f726733018ae',
  UserAgentRefererHeaders: 'acba4595-bd28-49b8-b9fe-13317c0390fa',
});

const NONE = Object.freeze({ behavior: 'none' as const });
const ALL = Object.freeze({ behavior: 'all' as const });

function list<T extends 'whitelist' | 'allExcept' | 'allViewerAndWhitelistCloudFront'>(
  behavior: T,
  names: readonly string[],
): { behavior: T; names: readonly string[] } {
  return Object.freeze({ behavior, names: Object.freeze([...names]) });
}

function cache(p: CachePolicy): CachePolicy {
  return Object.freeze(p);
}
function originRequest(p: OriginRequestPolicy): OriginRequestPolicy {
  return Object.freeze(p);
}

const cachePolicies: readonly CachePolicy[] = [
  cache({
    name: 'CachingOptimized',
    minTTL: 1,
    defaultTTL: ONE_DAY,
    maxTTL: ONE_YEAR,
    queryStrings: NONE,
    headers: NONE,
    cookies: NONE,
    enableAcceptEncodingGzip: true,
    enableAcceptEncodingBrotli: true,
  }),
  cache({
    name: 'CachingOptimizedForUncompressedObjects',
    minTTL: 1,
    defaultTTL: ONE_DAY,
    maxTTL: ONE_YEAR,
    queryStrings: NONE,
    headers: NONE,
    cookies: NONE,
    enableAcceptEncodingGzip: false,
    enableAcceptEncodingBrotli: false,
  }),
  cache({
    name: 'CachingDisabled',
    minTTL: 0,
    defaultTTL: 0,
    maxTTL: 0,
    queryStrings: NONE,
    headers: NONE,
    cookies: NONE,
    enableAcceptEncodingGzip: false,
    enableAcceptEncodingBrotli: false,
  }),
  cache({
    name: 'Elemental-MediaPackage',
    minTTL: 0,
    defaultTTL: ONE_DAY,
    maxTTL: ONE_YEAR,
    queryStrings: list('whitelist', ['aws.manifestfilter', 'start', 'end', 'm']),
    headers: list('whitelist', ['origin']),
    cookies: NONE,
    // The page says "Cache compressed objects: Gzip enabled" only.
    enableAcceptEncodingGzip: true,
    enableAcceptEncodingBrotli: false,
  }),
  cache({
    name: 'Amplify',
    minTTL: 2,
    defaultTTL: 2,
    maxTTL: 600,
    queryStrings: ALL,
    headers: list('whitelist', ['authorization', 'cloudfront-viewer-country', 'host']),
    cookies: ALL,
    enableAcceptEncodingGzip: true,
    enableAcceptEncodingBrotli: true,
  }),
  cache({
    name: 'UseOriginCacheControlHeaders',
    minTTL: 0,
    defaultTTL: 0,
    maxTTL: ONE_YEAR,
    queryStrings: NONE,
    headers: list('whitelist', ORIGIN_CACHE_HEADERS_KEY),
    cookies: ALL,
    enableAcceptEncodingGzip: true,
    enableAcceptEncodingBrotli: true,
  }),
  cache({
    name: 'UseOriginCacheControlHeaders-QueryStrings',
    minTTL: 0,
    defaultTTL: 0,
    maxTTL: ONE_YEAR,
    queryStrings: ALL,
    headers: list('whitelist', ORIGIN_CACHE_HEADERS_KEY),
    cookies: ALL,
    enableAcceptEncodingGzip: true,
    enableAcceptEncodingBrotli: true,
  }),
];

const originRequestPolicies: readonly OriginRequestPolicy[] = [
  originRequest({ name: 'AllViewer', queryStrings: ALL, headers: { behavior: 'allViewer' }, cookies: ALL }),
  originRequest({
    name: 'AllViewerAndCloudFrontHeaders-2022-06',
    queryStrings: ALL,
    headers: list('allViewerAndWhitelistCloudFront', CLOUDFRONT_HEADERS_2022_06),
    cookies: ALL,
  }),
  originRequest({
    name: 'AllViewerExceptHostHeader',
    queryStrings: ALL,
    headers: list('allExcept', ['host']),
    cookies: ALL,
  }),
  originRequest({ name: 'CORS-CustomOrigin', queryStrings: NONE, headers: list('whitelist', ['origin']), cookies: NONE }),
  originRequest({
    name: 'CORS-S3Origin',
    queryStrings: NONE,
    headers: list('whitelist', ['origin', 'access-control-request-headers', 'access-control-request-method']),
    cookies: NONE,
  }),
  originRequest({
    name: 'Elemental-MediaTailor-PersonalizedManifests',
    queryStrings: ALL,
    headers: list('whitelist', [
      'origin',
      'access-control-request-headers',
      'access-control-request-method',
      'user-agent',
      'x-forwarded-for',
    ]),
    cookies: NONE,
  }),
  originRequest({ name: 'HostHeaderOnly', queryStrings: NONE, headers: list('whitelist', ['host']), cookies: NONE }),
  originRequest({
    name: 'UserAgentRefererHeaders',
    queryStrings: NONE,
    headers: list('whitelist', ['user-agent', 'referer']),
    cookies: NONE,
  }),
];

export const MANAGED_CACHE_POLICIES: ReadonlyMap<string, CachePolicy> = new Map(cachePolicies.map((p) => [p.name, p]));
export const MANAGED_ORIGIN_REQUEST_POLICIES: ReadonlyMap<string, OriginRequestPolicy> = new Map(
  originRequestPolicies.map((p) => [p.name, p]),
);

/** The console shows the plain name; the API and Terraform data sources use `Managed-<name>`. Accept both. */
function stripManagedPrefix(name: string): string {
  return name.startsWith('Managed-') ? name.slice('Managed-'.length) : name;
}

export function managedCachePolicy(name: string): CachePolicy | undefined {
  return MANAGED_CACHE_POLICIES.get(stripManagedPrefix(name));
}

export function managedOriginRequestPolicy(name: string): OriginRequestPolicy | undefined {
  return MANAGED_ORIGIN_REQUEST_POLICIES.get(stripManagedPrefix(name));
}

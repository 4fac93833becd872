// A behavior's cache policy and origin request policy (docs/cloudfront-reference.md §6.2, §6.4):
// a managed policy by name, or an inline policy checked against CloudFront's rules, with the
// console's defaults for what it leaves out. Header names are stored lowercase.

import {
  isCloudFrontHeader,
  isHeaderName,
  MAX_CACHE_POLICY_NAMES,
  ORIGIN_REQUEST_POLICY_ONLY_HEADERS,
} from '../../rules/cloudfront.js';
import {
  DEFAULT_CACHE_POLICY,
  DEFAULT_ORIGIN_REQUEST_POLICY,
  DEFAULT_POLICY_BROTLI,
  DEFAULT_POLICY_DEFAULT_TTL,
  DEFAULT_POLICY_GZIP,
  DEFAULT_POLICY_MAX_TTL,
  DEFAULT_POLICY_MIN_TTL,
} from '../defaults.js';
import { MANAGED_CACHE_POLICIES, MANAGED_ORIGIN_REQUEST_POLICIES, managedCachePolicy, managedOriginRequestPolicy } from '../managed-policies.js';
import { unknownName } from '../../suggest.js';
import { formatPath, type PathSegment, type Problems } from '../problems.js';
import type { CachePolicyInput, OriginRequestPolicyInput } from '../schema.js';
import type { CachePolicy, CookieBehavior, HeaderBehavior, OriginHeaderBehavior, OriginRequestPolicy, QueryStringBehavior } from '../types.js';

type NameSelectionInput = NonNullable<CachePolicyInput['queryStrings']>;

function nameSelection(v: NameSelectionInput | undefined, lower: boolean): QueryStringBehavior {
  if (v === undefined || v === 'none') return { behavior: 'none' };
  if (v === 'all') return { behavior: 'all' };
  if (v.behavior === 'none' || v.behavior === 'all') return { behavior: v.behavior };
  return { behavior: v.behavior, names: v.names.map((n) => (lower ? n.toLowerCase() : n)) };
}

function checkNames(names: readonly string[], at: PathSegment[], problems: Problems, max: number | undefined, headers: boolean): void {
  if (max !== undefined && names.length > max) problems.add(at, `at most ${max} names are allowed, got ${names.length} (AWS rule: cache key and cache policies)`);
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (headers && !isHeaderName(n)) problems.add([...at, i], `not a valid header name: ${JSON.stringify(n)}`);
    const key = headers ? n.toLowerCase() : n;
    if (seen.has(key)) problems.add([...at, i], `duplicate name ${JSON.stringify(n)}`);
    seen.add(key);
  });
}

function listOf(v: unknown): readonly string[] | undefined {
  return typeof v === 'object' && v !== null && 'names' in v && Array.isArray(v.names) ? (v.names as string[]) : undefined;
}

function resolveCachePolicy(p: CachePolicyInput, at: PathSegment[], problems: Problems): CachePolicy {
  // The console's defaults for a new cache policy: default TTL at least the min, max at least the default.
  const minTTL = p.minTTL ?? DEFAULT_POLICY_MIN_TTL;
  const defaultTTL = p.defaultTTL ?? Math.max(DEFAULT_POLICY_DEFAULT_TTL, minTTL);
  const maxTTL = p.maxTTL ?? Math.max(DEFAULT_POLICY_MAX_TTL, defaultTTL);
  if (minTTL > defaultTTL) problems.add([...at, 'defaultTTL'], `must be >= minTTL (${minTTL})`);
  if (defaultTTL > maxTTL) problems.add([...at, 'maxTTL'], `must be >= defaultTTL (${defaultTTL})`);
  for (const key of ['queryStrings', 'cookies', 'headers'] as const) {
    const names = listOf(p[key]);
    if (names !== undefined) checkNames(names, [...at, key, 'names'], problems, MAX_CACHE_POLICY_NAMES, key === 'headers');
  }
  const headerNames = listOf(p.headers) ?? [];
  headerNames.forEach((n, i) => {
    if (ORIGIN_REQUEST_POLICY_ONLY_HEADERS.includes(n.toLowerCase())) {
      problems.add([...at, 'headers', 'names', i], `"${n}" can only be in an origin request policy, not a cache policy (AWS rule: cache key and cache policies)`);
    }
  });
  const h = p.headers;
  const headers: HeaderBehavior =
    h === undefined || h === 'none' || h.behavior === 'none'
      ? { behavior: 'none' }
      : { behavior: 'whitelist', names: h.names.map((n) => n.toLowerCase()) };
  return {
    name: p.name ?? formatPath(at),
    minTTL,
    defaultTTL,
    maxTTL,
    queryStrings: nameSelection(p.queryStrings, false),
    headers,
    cookies: nameSelection(p.cookies, false) as CookieBehavior,
    enableAcceptEncodingGzip: p.enableAcceptEncodingGzip ?? DEFAULT_POLICY_GZIP,
    enableAcceptEncodingBrotli: p.enableAcceptEncodingBrotli ?? DEFAULT_POLICY_BROTLI,
  };
}

function resolveOriginRequestPolicy(p: OriginRequestPolicyInput, at: PathSegment[], problems: Problems): OriginRequestPolicy {
  for (const key of ['queryStrings', 'cookies', 'headers'] as const) {
    const names = listOf(p[key]);
    if (names !== undefined) checkNames(names, [...at, key, 'names'], problems, undefined, key === 'headers');
  }
  const h = p.headers;
  let headers: OriginHeaderBehavior;
  if (h === undefined || h === 'none') headers = { behavior: 'none' };
  else if (h === 'allViewer') headers = { behavior: 'allViewer' };
  else if (h.behavior === 'none' || h.behavior === 'allViewer') headers = { behavior: h.behavior };
  else {
    if (h.behavior === 'allViewerAndWhitelistCloudFront') {
      h.names.forEach((n, i) => {
        if (!isCloudFrontHeader(n.toLowerCase())) {
          problems.add([...at, 'headers', 'names', i], `"${n}" is not a CloudFront-* header CloudFront can add (AWS rule: CloudFront-added viewer headers)`);
        }
      });
    }
    headers = { behavior: h.behavior, names: h.names.map((n) => n.toLowerCase()) };
  }
  return {
    name: p.name ?? formatPath(at),
    queryStrings: nameSelection(p.queryStrings, false),
    headers,
    cookies: nameSelection(p.cookies, false) as CookieBehavior,
  };
}

/**
 * `behaviors[].cachePolicy`: a managed name (the default when absent) or an inline policy.
 * Undefined only when a problem was recorded.
 */
export function resolveCachePolicyRef(cp: string | CachePolicyInput | undefined, at: PathSegment[], problems: Problems): CachePolicy | undefined {
  const ref = cp ?? DEFAULT_CACHE_POLICY;
  if (typeof ref !== 'string') return resolveCachePolicy(ref, at, problems);
  const policy = managedCachePolicy(ref);
  if (policy === undefined) {
    problems.add(at, `${unknownName('managed cache policy', ref, [...MANAGED_CACHE_POLICIES.keys()])}; or give an inline policy object`);
  }
  return policy;
}

/** `behaviors[].originRequestPolicy`: a managed name (the default when absent), an inline policy, or `null` for none. */
export function resolveOriginRequestPolicyRef(
  orp: string | OriginRequestPolicyInput | null | undefined,
  at: PathSegment[],
  problems: Problems,
): OriginRequestPolicy | undefined {
  const ref = orp === undefined ? DEFAULT_ORIGIN_REQUEST_POLICY : orp;
  if (ref === null) return undefined;
  if (typeof ref !== 'string') return resolveOriginRequestPolicy(ref, at, problems);
  const policy = managedOriginRequestPolicy(ref);
  if (policy === undefined) {
    problems.add(at, `${unknownName('managed origin request policy', ref, [...MANAGED_ORIGIN_REQUEST_POLICIES.keys()])}; or give an inline policy object, or null for none`);
  }
  return policy;
}

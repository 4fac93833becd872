// The TTL rule in words, for the inspector's cache section: `max-age=60 clamped to MaxTTL 31536000`,
// `DefaultTTL 86400: no Cache-Control max-age, s-maxage or Expires`. Derived from cache/ttl.ts's
// decision (its reason names the rule: docs/cloudfront-reference.md §6.5, §6.6) and the same inputs;
// run only when capture is on.

import type { CachePolicy } from '../config/types.js';
import type { CfHeaders } from '../event/types.js';
import { directiveSeconds, firstHeader, headerValues, parseCacheControl, type TtlDecision } from '../cache/ttl.js';

const NOT_STORED: Readonly<Record<string, string>> = {
  method: 'the method is not in the behavior’s cached methods',
  head: 'a HEAD answer is not stored (it has no body)',
  'caching-disabled': 'the cache policy’s MaxTTL is 0 (CachingDisabled)',
  status: 'the status is not cacheable',
  'not-modified': 'a 304 is never stored as a response of its own',
  'partial-content': 'a 206 is never stored as a response of its own',
  authorization: 'the request carries Authorization and the response does not allow sharing (public, s-maxage, must-revalidate)',
  'must-understand': 'must-understand with a status edgeproxy does not implement',
  'vary-star': 'Vary: * never matches a later request',
  'error-416': 'CloudFront never caches a 416',
  'error-no-store': 'no-store / no-cache / private on an error status CloudFront honours them for',
  'error-without-max-age': 'this error status is cached only with max-age or s-maxage',
  'error-ttl-zero': 'the error caching TTL is 0',
  'error-not-listed': 'an error status outside CloudFront’s lists, without explicit freshness',
  'no-store': 'Cache-Control: no-store and MinTTL 0',
  private: 'Cache-Control: private and MinTTL 0',
  'no-cache': 'Cache-Control: no-cache and MinTTL 0',
};

function clampText(what: string, seconds: number, ttl: number, p: CachePolicy): string {
  if (ttl === seconds) return `${what} (within MinTTL ${p.minTTL} – MaxTTL ${p.maxTTL})`;
  if (ttl === p.maxTTL && seconds > ttl) return `${what} clamped to MaxTTL ${p.maxTTL}`;
  if (ttl === p.minTTL && seconds < ttl) return `${what} raised to MinTTL ${p.minTTL}`;
  return `${what} → ${ttl}`;
}

/** The rule that set `d.ttl`, or why nothing was stored. */
export function ttlRuleText(d: TtlDecision, input: { status: number; headers: CfHeaders; policy: CachePolicy; errorCachingMinTtl: number; customErrorTtls?: ReadonlyMap<number, number> | undefined }): string {
  const p = input.policy;
  if (!d.store) {
    const why = NOT_STORED[d.reason];
    if (why !== undefined) return `not stored: ${why}`;
    if (d.reason.endsWith('-zero')) return `not stored: TTL 0 (${d.reason.slice(0, -5)}) and no validator to revalidate with`;
    return `not stored: ${d.reason}`;
  }
  const cc = parseCacheControl(headerValues(input.headers, 'cache-control'));
  const base = d.reason.endsWith('-revalidate') ? d.reason.slice(0, -11) : d.reason;
  const suffix = d.reason.endsWith('-revalidate') ? '; TTL 0, kept to revalidate (it has a validator)' : '';
  switch (base) {
    case 's-maxage':
    case 'max-age': {
      const n = directiveSeconds(cc, base) ?? 0;
      return clampText(`${base}=${n}`, n, d.ttl, p) + suffix;
    }
    case 'expires':
    case 'expires-invalid': {
      const exp = firstHeader(input.headers, 'expires') ?? '';
      return base === 'expires-invalid' ? `Expires ${JSON.stringify(exp)} is invalid: already expired${suffix}` : `Expires ${exp} → ${d.ttl} s${suffix}`;
    }
    case 'default-ttl':
      return d.ttl === p.defaultTTL
        ? `DefaultTTL ${p.defaultTTL}: no Cache-Control max-age or s-maxage, no Expires${suffix}`
        : `MinTTL ${p.minTTL} (above DefaultTTL ${p.defaultTTL}): no Cache-Control max-age or s-maxage, no Expires${suffix}`;
    case 'error-caching': {
      const min = input.customErrorTtls?.get(input.status) ?? input.errorCachingMinTtl;
      return `status ${input.status}: error caching minimum TTL ${min}${d.ttl > min ? `, the origin's max-age/s-maxage ${d.ttl}` : ''}`;
    }
    default:
      if (base.startsWith('min-ttl-over-')) return `Cache-Control: ${base.slice(13)} overridden by MinTTL ${p.minTTL}`;
      return `${d.reason}: ${d.ttl} s`;
  }
}

// Age and freshness of a stored entry at a given instant (RFC 9111 §4.2, docs/cloudfront-reference.md §6.5–§6.7).
// All arithmetic is in ms against an injected clock's `now`; headers show whole seconds.

import type { CacheEntry } from './entry.js';

type Timing = Pick<CacheEntry, 'requestTime' | 'storedAt' | 'dateValue' | 'ageValue'>;
type Lifetimes = Pick<CacheEntry, 'ttl' | 'maxTtl' | 'staleWhileRevalidate' | 'staleIfError' | 'mustRevalidate'>;

/**
 * current_age in ms, RFC 9111 §4.2.3:
 *   apparent_age = max(0, response_time - date_value)
 *   corrected_age_value = age_value + (response_time - request_time)
 *   corrected_initial_age = max(apparent_age, corrected_age_value)
 *   current_age = corrected_initial_age + (now - response_time)
 * A missing or invalid Date counts as the arrival time (apparent age 0).
 */
export function currentAgeMs(e: Timing, now: number): number {
  const apparent = e.dateValue === undefined ? 0 : Math.max(0, e.storedAt - e.dateValue);
  const responseDelay = Math.max(0, e.storedAt - e.requestTime);
  const correctedAgeValue = e.ageValue * 1000 + responseDelay;
  const initial = Math.max(apparent, correctedAgeValue);
  return initial + Math.max(0, now - e.storedAt);
}

/** current_age in whole seconds. */
export function currentAge(e: Timing, now: number): number {
  return Math.floor(currentAgeMs(e, now) / 1000);
}

/** The `Age` header value for a response served from this entry (RFC 9111 §5.1). */
export function ageHeader(e: Timing, now: number): string {
  return String(currentAge(e, now));
}

/** Seconds of freshness left (negative once stale), floored: for `GET /cache` and Cache-Status `ttl`. */
export function ttlLeft(e: Timing & Pick<CacheEntry, 'ttl'>, now: number): number {
  return Math.floor((e.ttl * 1000 - currentAgeMs(e, now)) / 1000);
}

export type Freshness = 'fresh' | 'stale-while-revalidate' | 'stale';

/** Is the entry within its stale window of `windowSeconds` past expiry, capped by MaxTTL (docs/cloudfront-reference.md §6.7)? */
function withinStaleWindow(e: Lifetimes, ageMs: number, windowSeconds: number): boolean {
  const limit = Math.min(e.ttl + Math.min(windowSeconds, e.maxTtl), e.maxTtl);
  return ageMs < limit * 1000;
}

/**
 * fresh: current_age < TTL (RFC 9111 §4.2: "fresh if its freshness lifetime exceeds its age").
 * stale-while-revalidate: stale but inside `stale-while-revalidate=N`, N capped by MaxTTL and never
 * past MaxTTL (docs/cloudfront-reference.md §6.7), and not must-revalidate (RFC 9111 §5.2.2.2).
 */
export function freshness(e: Timing & Lifetimes, now: number): Freshness {
  const age = currentAgeMs(e, now);
  if (age < e.ttl * 1000) return 'fresh';
  if (!e.mustRevalidate && e.staleWhileRevalidate > 0 && withinStaleWindow(e, age, e.staleWhileRevalidate)) {
    return 'stale-while-revalidate';
  }
  return 'stale';
}

/**
 * May a stale entry answer when the origin fails (5xx or no answer)? Never with must-revalidate or
 * proxy-revalidate. With `stale-if-error=N`: inside min(N, MaxTTL) past expiry (docs/cloudfront-reference.md §6.7;
 * `stale-if-error=0` forbids it). Without: CloudFront's default (docs/cloudfront-reference.md §6.6) serves the expired copy,
 * but never beyond MaxTTL (docs/cloudfront-reference.md §6.7).
 */
export function canServeStaleOnError(e: Timing & Lifetimes, now: number): boolean {
  if (e.mustRevalidate) return false;
  const age = currentAgeMs(e, now);
  if (e.staleIfError !== undefined) return withinStaleWindow(e, age, e.staleIfError);
  return age < e.maxTtl * 1000;
}

/**
 * Can the entry still serve any purpose at `now`? Entries with a validator stay useful for
 * revalidation (a 304 turns them into a RefreshHit); others only while fresh or inside a stale
 * window. The store drops useless entries when it meets them.
 */
export function isUseful(e: CacheEntry, now: number): boolean {
  if (e.etag !== undefined || e.lastModified !== undefined) return true;
  return freshness(e, now) !== 'stale' || canServeStaleOnError(e, now);
}
